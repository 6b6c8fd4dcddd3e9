// 9. Firewall zones hold: lan<->peering is forwarded as the UCI forwardings say; zone pairs without
// a forwarding are refused: wan->lan (a host on the WAN side knocking on a pod and a LAN host) and
// any extra zone the topology declares. In a dual-stack lab the lan and wan checks run in IPv6 too,
// where no NAT stands between the internet and the pods: the zones alone keep it out.
import type { Lab } from '../runtime/lab.ts';
import { pool } from '../util/pool.ts';
import { addressOf, familiesOf, familyResult } from './family.ts';
import { PROBE_PARALLELISM, result, type Assertion, type AssertContext, type Result } from './types.ts';

export const zonesHold: Assertion = {
  id: 9,
  title: 'firewall zones forward only what UCI allows',
  async run(lab: Lab, ctx: AssertContext): Promise<Result[]> {
    // Every probe is independent: all of them at once (bounded), reported in this order.
    const probes: (() => Promise<Result>)[] = [];
    const pair = ctx.pairs[0];
    const internet = lab.machines().find((m) => m.kind === 'internet');
    for (const f of familiesOf(lab)) {
      if (pair) {
        probes.push(async () => {
          const r = await lab.tcpWhoAmI(pair.from, addressOf(lab, pair.to, f) ?? pair.to);
          return familyResult(lab, f, 9, `lan -> peering -> lan (${pair.from} -> ${pair.to})`, r.ok, 'forwarded', r.ok ? 'forwarded' : r.detail,
            'the forwardings lan->peering and peering->lan should let pod traffic cross; see assertions 2 and 3');
        });
      }
      if (!internet) continue;
      for (const dc of lab.model.datacentres) {
        const targets = [lab.machines().find((m) => m.kind === 'pod' && m.dc === dc.name), lab.machines().find((m) => m.name === dc.lanHost.name)];
        for (const t of targets) {
          const address = t ? addressOf(lab, t, f) : undefined;
          if (!t || !address) continue;
          probes.push(async () => {
            const r = await lab.tcpWhoAmI(internet.name, address);
            const why = f === 4 ? 'a forwarding wan->lan or a wan forward policy of ACCEPT opens the datacentre to the internet'
              : `IPv6 pods are routed, not translated, so the wan zone's forward policy is all that keeps the internet from ${address}: a forwarding wan->lan, a wan forward policy of ACCEPT or a rule accepting IPv6 to the lan opens it`;
            return familyResult(lab, f, 9, `wan -> lan (internet -> ${t.name})`, !r.ok, 'refused', r.ok ? `connected (server saw ${r.seenSource})` : 'refused',
              `${dc.routers.map((r) => r.name).join(' or ')} forwarded a new connection from the wan zone into lan: ${why}`);
          });
        }
      }
    }
    for (const z of lab.model.extraZones) {
      const host = `${z.name}-${z.dc}`;
      const pod = lab.machines().find((m) => m.kind === 'pod' && m.dc === z.dc);
      if (!pod) continue;
      probes.push(async () => {
        const inbound = await lab.tcpWhoAmI(pod.name, host);
        return result(9, `lan -> ${z.name} (${pod.name} -> ${host})`, !inbound.ok, 'refused', inbound.ok ? 'connected' : 'refused',
          `no forwarding lan->${z.name} is configured, yet traffic crossed: the ${z.name} zone's policy or an extra forwarding lets it in`);
      });
      const allowed = z.forwardTo.includes('lan');
      probes.push(async () => {
        const outbound = await lab.tcpWhoAmI(host, pod.name);
        return result(9, `${z.name} -> lan (${host} -> ${pod.name})`, outbound.ok === allowed, allowed ? 'forwarded' : 'refused', outbound.ok ? 'connected' : 'refused',
          allowed ? `the forwarding ${z.name}->lan exists but traffic did not cross: ${outbound.detail}` : `no forwarding ${z.name}->lan, yet traffic crossed`);
      });
    }
    const out = await pool(probes, PROBE_PARALLELISM, (p) => p());
    return out;
  },
};
