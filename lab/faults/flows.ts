// Which traffic the loss meter sends through a fault: pod to pod across the datacentres the faults
// hit (the first and the last), both directions, and from the first datacentre's LAN host to a
// LoadBalancer address (what a client outside the cluster feels), in every family the cluster has.
import type { Lab, Machine } from '../runtime/lab.ts';
import type { FlowSpec } from '../runtime/flows.ts';

/** At least the 100 datagrams a second the loss meter promises: one every 10 ms. */
export const FLOW_PPS = 100;

function podOn(lab: Lab, node: string | undefined): Machine | undefined {
  return lab.machines().find((m) => m.kind === 'pod' && m.node === node);
}

function podFlows(lab: Lab, pps: number): FlowSpec[] {
  const first = lab.model.datacentres[0];
  const last = lab.model.datacentres.at(-1);
  if (!first || !last || first === last) return [];
  const a = podOn(lab, first.nodes[0]?.name);
  const b = podOn(lab, last.nodes[0]?.name);
  if (!a || !b) return [];
  const flows: FlowSpec[] = [];
  for (const [from, to] of [[a, b], [b, a]] as const) {
    flows.push({ id: `${from.name}>${to.name}`, from: from.name, to: to.name, toAddress: to.address, pps });
    if (from.address6 && to.address6) flows.push({ id: `${from.name}>${to.name}.v6`, from: from.name, to: to.name, toAddress: to.address6, pps });
  }
  return flows;
}

/**
 * The first Service with an address and a backend: any of its backends may receive (the nodes
 * balance, the routers spread over the announcing nodes), so each runs a receiver.
 */
function loadBalancerFlows(lab: Lab, pps: number): FlowSpec[] {
  const host = lab.machines().find((m) => m.kind === 'lanhost' && m.name === lab.model.datacentres[0]?.lanHost.name);
  for (const s of lab.model.services) {
    const receivers = lab.machines().filter((m) => m.kind === 'backend' && m.service === s.name).map((m) => m.name);
    if (!host || !s.address || receivers.length === 0) continue;
    const to = `${s.name} (LoadBalancer)`;
    const flows: FlowSpec[] = [{ id: `${host.name}>${s.name}`, from: host.name, to, toAddress: s.address, pps, receivers }];
    if (host.address6 && s.address6) flows.push({ id: `${host.name}>${s.name}.v6`, from: host.name, to, toAddress: s.address6, pps, receivers });
    return flows;
  }
  return [];
}

export function faultFlows(lab: Lab, pps = FLOW_PPS): FlowSpec[] {
  return [...podFlows(lab, pps), ...loadBalancerFlows(lab, pps)];
}
