// Which traffic the loss meter sends through a fault: pod to pod across the datacentres the faults
// hit (the first and the last), both directions, in every family the cluster has.
import type { Lab, Machine } from '../runtime/lab.ts';
import type { FlowSpec } from '../runtime/flows.ts';

/** At least the 100 datagrams a second the loss meter promises: one every 10 ms. */
export const FLOW_PPS = 100;

function podOn(lab: Lab, node: string | undefined): Machine | undefined {
  return lab.machines().find((m) => m.kind === 'pod' && m.node === node);
}

export function faultFlows(lab: Lab, pps = FLOW_PPS): FlowSpec[] {
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
