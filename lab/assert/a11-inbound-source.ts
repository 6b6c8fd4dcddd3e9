// 11. Client address preserved inbound: from each datacentre's LAN host, TCP connections to each
// LoadBalancer address are answered by one of the Service's backends, and the backend saw the LAN
// host's own address (no SNAT on the way in). Several connections each, so equal-cost next hops and
// random backend choice show up in what answered. In each family the cluster has.
import type { Lab } from '../runtime/lab.ts';
import type { DatacentreModel, LabModel, ServiceModel } from '../topology/model.ts';
import { announcers } from '../topology/services.ts';
import { pool } from '../util/pool.ts';
import { whoHas } from './path.ts';
import { familiesOf, familyResult } from './family.ts';
import { PROBE_PARALLELISM, result, type Assertion, type Result } from './types.ts';

/** Connections per LAN host and service where the path or backend is a choice: enough that two equal-cost paths both show (2 in 2^11 miss). */
export const INBOUND_CONNECTIONS = 12;

/**
 * Connections from a datacentre's LAN host to a service: where nothing is chosen at random (one
 * announcing node on the LAN, or none and one peer router, and one backend) every connection takes
 * the same path to the same backend, so two show it; otherwise INBOUND_CONNECTIONS.
 */
export function inboundConnections(m: LabModel, s: ServiceModel, dc: DatacentreModel): number {
  const speakers = announcers(m, s);
  const local = speakers.filter((n) => n.dc === dc.name).length;
  const remoteRouters = new Set(speakers.filter((n) => n.dc !== dc.name).map((n) => n.dc)).size;
  const paths = local > 0 ? local : remoteRouters;
  return paths > 1 || s.backends.length > 1 ? INBOUND_CONNECTIONS : 2;
}

/** address:port, IPv6 in brackets. */
const endpointOf = (f: 4 | 6, address: string, port: number) => (f === 4 ? `${address}:${port}` : `[${address}]:${port}`);

export const inboundSourcePreserved: Assertion = {
  id: 11,
  title: 'client address preserved inbound (LAN hosts to service addresses)',
  async run(lab: Lab): Promise<Result[]> {
    const m = lab.model;
    if (m.services.length === 0) return [result(11, '(no LoadBalancer services in this topology)', true, 'nothing to connect to', 'nothing to connect to')];
    // Every connection of every LAN host to every service at once (bounded), grouped afterwards.
    const cases = familiesOf(lab).flatMap((f) => m.services.flatMap((s) => m.datacentres.map((dc) => ({ f, s, dc, n: inboundConnections(m, s, dc) }))));
    const to = (f: 4 | 6, s: ServiceModel) => (f === 4 ? s.address : s.address6 ?? '');
    const all = await pool(cases.flatMap((c) => Array.from({ length: c.n }, () => c)), PROBE_PARALLELISM, ({ f, s, dc }) => lab.tcpWhoAmI(dc.lanHost.name, to(f, s), s.port));
    const out: Result[] = [];
    let at = 0;
    for (const { f, s, dc, n } of cases) {
      const address = to(f, s);
      const backends = lab.machines().filter((x) => x.kind === 'backend' && x.service === s.name);
      const host = dc.lanHost;
      const hostAddress = (f === 4 ? host.address : host.address6) ?? '';
      const tries = all.slice(at, (at += n));
      const answered = tries.map((r) => ({ r, backend: backends.find((b) => (f === 4 ? b.address : b.address6) === r.answeredBy) }));
      const bad = answered.find(({ r, backend }) => !r.ok || !backend || r.seenSource !== hostAddress);
      const counts = new Map<string, number>();
      for (const { r, backend } of answered) {
        const key = r.ok ? `${backend?.name ?? r.answeredBy ?? '?'} saw ${r.seenSource}` : 'no answer';
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const seen = [...counts].map(([k, n]) => `${k} (${n}x)`).join('; ');
      let diagnosis = '';
      if (bad) {
        const { r, backend } = bad;
        const by = whoHas(lab, r.seenSource ?? '');
        const kind = lab.machines().find((x) => x.name === by)?.kind;
        if (!r.ok) diagnosis = `no answer from ${endpointOf(f, address, s.port)}: ${r.detail}; is the address routed (assertion 10)?`;
        else if (!backend) diagnosis = `answered by ${r.answeredBy ?? 'something that does not say who it is'}, not by a backend of ${s.name} (${backends.map((b) => b.name).join(', ')})`;
        else if (kind === 'node') {
          diagnosis = `the connection landed on node ${by}, which has no backend of ${s.name} and forwarded it to ${backend.name} with its own address (${r.seenSource}): externalTrafficPolicy ${s.trafficPolicy} with loadBalancer.mode ${m.loadBalancer?.mode}; fix: trafficPolicy: Local (only nodes with a backend announce ${address}) or loadBalancer.mode: dsr (the backend answers the client directly)`;
        } else diagnosis = `${backend.name} saw ${r.seenSource} (${by}), not ${host.name}'s own ${hostAddress}: something on the way rewrites the source`;
      }
      const endpoint = endpointOf(f, address, s.port);
      out.push(familyResult(lab, f, 11, `${host.name} -> ${s.name} (${endpoint})`, !bad, `answered by ${backends.map((b) => b.name).join(' or ')}, which saw ${hostAddress}`, seen, diagnosis,
        answered.filter(({ r }) => r.ok).slice(0, 3).map(({ r }) => r.detail)));
    }
    return out;
  },
};
