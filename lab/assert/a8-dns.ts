// 8. DNS through the router: a pod resolves a name through its own datacentre's dnsmasq (its A
// record, and in a dual-stack lab its AAAA record too).
import { LAB_DOMAIN } from '../render/uci-dhcp.ts';
import type { Lab } from '../runtime/lab.ts';
import { coversAddress } from '../topology/cidr6.ts';
import { podPerDc } from './a7-egress.ts';
import { familiesOf, familyResult } from './family.ts';
import type { Assertion, Result } from './types.ts';

export const dnsThroughRouter: Assertion = {
  id: 8,
  title: 'DNS through the router',
  quiet: true, // each pod asks its own router
  async run(lab: Lab): Promise<Result[]> {
    const out: Result[] = [];
    for (const f of familiesOf(lab)) {
      const record = f === 4 ? 'A' : 'AAAA';
      for (const pod of podPerDc(lab)) {
        const dc = lab.model.datacentres.find((d) => d.name === pod.dc)!;
        const target = lab.model.datacentres.find((d) => d.name !== dc.name)?.lanHost ?? dc.lanHost;
        const want = (f === 4 ? target.address : target.address6) ?? '';
        const name = `${target.name}.${LAB_DOMAIN}`;
        // Asked over the family it asks for: an IPv6 client reaches dnsmasq on the router's IPv6 address.
        // Several routers: the VRRP gateway, which whichever router is master answers.
        const one = dc.routers.length === 1 ? dc.routers[0]! : undefined;
        const server = (f === 6 ? dc.gateway6 : undefined) ?? one?.name ?? dc.gateway;
        const asked = one?.name ?? `${dc.name}'s VRRP gateway ${dc.gateway}`;
        const r = await lab.resolve(pod.name, name, server, f);
        const ok = r.ok && r.address === want;
        let diagnosis = r.ok ? `${name} resolved to ${r.address}, not ${want}` : `${asked} did not answer ${pod.name}'s ${record} query: ${r.detail}`;
        if (!r.ok && f === 6) diagnosis += `; dnsmasq answers AAAA only for names it has an IPv6 address for (an /etc/config/dhcp domain or host entry with ${want})`;
        if (!r.ok && pod.node) {
          const fromNode = await lab.resolve(pod.node, name, server, f);
          const podAddress = f === 4 ? pod.address : pod.address6;
          const tables = await Promise.all(dc.routers.map((x) => lab.routes(x.name, f)));
          const routedBack = tables.every((t) => t.some((x) => x.dst !== 'default' && podAddress !== undefined && coversAddress(x.dst, podAddress)));
          if (fromNode.ok && !routedBack) {
            diagnosis = `the router answers node ${pod.node} but has no route back to the pod's ${podAddress}: its node's pod CIDR is not in the router's table (see assertion 2)`;
          } else if (fromNode.ok) {
            diagnosis = `the router answers node ${pod.node} but not the pod: dnsmasq ignores queries from subnets not attached to the router (localservice '1', --local-service), and pod CIDRs are routed, not attached; set localservice '0'`;
          }
        }
        out.push(familyResult(lab, f, 8, `${pod.name} asks ${asked} for ${name}`, ok, want, r.address ?? r.detail, diagnosis));
      }
    }
    return out;
  },
};
