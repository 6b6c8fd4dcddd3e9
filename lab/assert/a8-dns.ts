// 8. DNS through the router: a pod resolves a name through its own datacentre's dnsmasq.
import { LAB_DOMAIN } from '../render/uci-dhcp.ts';
import type { Lab } from '../runtime/lab.ts';
import { podPerDc } from './a7-egress.ts';
import { result, type Assertion, type Result } from './types.ts';

export const dnsThroughRouter: Assertion = {
  id: 8,
  title: 'DNS through the router',
  quiet: true, // each pod asks its own router
  async run(lab: Lab): Promise<Result[]> {
    const out: Result[] = [];
    for (const pod of podPerDc(lab)) {
      const dc = lab.model.datacentres.find((d) => d.name === pod.dc)!;
      const target = lab.model.datacentres.find((d) => d.name !== dc.name)?.lanHost ?? dc.lanHost;
      const name = `${target.name}.${LAB_DOMAIN}`;
      const r = await lab.resolve(pod.name, name, dc.router.name);
      const ok = r.ok && r.address === target.address;
      let diagnosis = r.ok ? `${name} resolved to ${r.address}, not ${target.address}` : `${dc.router.name} did not answer ${pod.name}: ${r.detail}`;
      if (!r.ok && pod.node) {
        const fromNode = await lab.resolve(pod.node, name, dc.router.name);
        if (fromNode.ok) {
          diagnosis = `the router answers node ${pod.node} but not the pod: dnsmasq ignores queries from subnets not attached to the router (localservice '1', --local-service), and pod CIDRs are routed, not attached; set localservice '0'`;
        }
      }
      out.push(result(8, `${pod.name} asks ${dc.router.name} for ${name}`, ok, target.address, r.address ?? r.detail, diagnosis));
    }
    return out;
  },
};
