// What `lab compare` measures on a running lab, through the Lab interface only: what servers saw
// as source, the path, the largest packet that crosses with DF set (each in IPv6 too, dual-stack),
// and bytes on the wire.
import { addressOf, familiesOf, type Family } from '../assert/family.ts';
import { crossDcPairs } from '../assert/pairs.ts';
import { whoHas } from '../assert/path.ts';
import type { Lab } from '../runtime/lab.ts';

export const PAYLOAD = 1024 * 1024;

/** What one family shows: what servers saw, the path, the largest packet that crosses whole. */
export interface FamilyMeasurements {
  seenBy: { remotePod: string; remoteLanHost: string; internet: string };
  /** A LAN host's connection to the first LoadBalancer Service: what its backend saw as source. */
  inbound?: { client: string; service: string; seen: string };
  path: string[];
  largestDfPacket: number;
}

export interface Measurements extends FamilyMeasurements {
  pair: { from: string; to: string };
  /** Dual-stack: the same in IPv6. */
  ipv6?: FamilyMeasurements;
  wireBytes: number;
  wirePackets: number;
  payload: number;
}

function seen(lab: Lab, r: { ok: boolean; seenSource?: string; detail: string }): string {
  return r.ok && r.seenSource ? `${r.seenSource} (${whoHas(lab, r.seenSource)})` : `no answer`;
}

/** Largest packet (bytes) that crosses with DF set (IPv6: routers never fragment), by bisection between 576 and 1500. */
async function largestDf(lab: Lab, from: string, to: string): Promise<number> {
  if ((await lab.ping(from, to, { size: 1500, dontFragment: true })).ok) return 1500;
  let lo = 576;
  let hi = 1500;
  if (!(await lab.ping(from, to, { size: lo, dontFragment: true })).ok) return 0;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await lab.ping(from, to, { size: mid, dontFragment: true })).ok) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** From the LAN host of a datacentre without a backend of the first Service (where SNAT would bite). */
async function inboundSeen(lab: Lab, f: Family): Promise<FamilyMeasurements['inbound']> {
  const svc = lab.model.services[0];
  const address = f === 4 ? svc?.address : svc?.address6;
  if (!svc || !address) return undefined;
  const dc = lab.model.datacentres.find((d) => !d.nodes.some((n) => svc.backends.includes(n.name))) ?? lab.model.datacentres[0]!;
  const r = await lab.tcpWhoAmI(dc.lanHost.name, address, svc.port);
  return { client: dc.lanHost.name, service: svc.name, seen: seen(lab, r) };
}

async function measureFamily(lab: Lab, pair: { from: string; to: string }, f: Family): Promise<FamilyMeasurements> {
  const dc = lab.machines().find((m) => m.name === pair.to)!.dc;
  const lanHost = lab.model.datacentres.find((d) => d.name === dc)!.lanHost.name;
  const internet = lab.machines().find((m) => m.kind === 'internet');
  const to = (machine: string) => addressOf(lab, machine, f) ?? machine;
  const [remotePod, remoteLanHost, inet] = [await lab.tcpWhoAmI(pair.from, to(pair.to)), await lab.tcpWhoAmI(pair.from, to(lanHost)),
    internet ? await lab.tcpWhoAmI(pair.from, to(internet.name)) : { ok: false, detail: 'no internet' }];
  const inbound = await inboundSeen(lab, f);
  const trace = await lab.traceroute(pair.from, to(pair.to));
  return {
    seenBy: { remotePod: seen(lab, remotePod), remoteLanHost: seen(lab, remoteLanHost), internet: seen(lab, inet) },
    ...(inbound ? { inbound } : {}),
    path: trace.hops.map((h) => (h === '*' ? '*' : whoHas(lab, h))),
    largestDfPacket: await largestDf(lab, pair.from, to(pair.to)),
  };
}

export async function measure(lab: Lab): Promise<Measurements> {
  const pair = crossDcPairs(lab, 1)[0];
  if (!pair) throw new Error('compare needs two datacentres');
  const v4 = await measureFamily(lab, pair, 4);
  const ipv6 = familiesOf(lab).includes(6) ? await measureFamily(lab, pair, 6) : undefined;
  // A transfer that lost a segment on the way (a busy host's backlog drops it) carries it twice and
  // is no measure of what the encapsulation costs: the sender's own retransmission counter says so,
  // and such a transfer is made again (up to three times in all).
  const retransmitted = async () => Number(/TcpRetransSegs\s+(\d+)/.exec((await lab.exec(pair.from, ['nstat', '-azs', 'TcpRetransSegs'], 5000).catch(() => ({ stdout: '' }))).stdout)?.[1] ?? 0);
  let sent = false;
  let cap: Awaited<ReturnType<Lab['capture']>> | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await retransmitted();
    cap = await lab.capture('peering', async () => {
      sent = (await lab.transfer(pair.from, pair.to, PAYLOAD)).ok;
    });
    if ((await retransmitted()) === before) break;
  }
  const routers = lab.model.datacentres.flatMap((d) => d.routers.map((r) => r.peeringAddress));
  const data = cap!.packets.filter((p) => !(routers.includes(p.src) && routers.includes(p.dst)));
  return {
    pair,
    ...v4,
    ...(ipv6 ? { ipv6 } : {}),
    wireBytes: sent ? data.reduce((n, p) => n + p.length, 0) : 0,
    wirePackets: sent ? data.length : 0,
    payload: PAYLOAD,
  };
}
