// What `lab compare` measures on a running lab, through the Lab interface only: what servers saw
// as source, the path, the largest packet that crosses with DF set, and bytes on the wire.
import { crossDcPairs } from '../assert/pairs.ts';
import { whoHas } from '../assert/path.ts';
import type { Lab } from '../runtime/lab.ts';

export const PAYLOAD = 1024 * 1024;

export interface Measurements {
  pair: { from: string; to: string };
  seenBy: { remotePod: string; remoteLanHost: string; internet: string };
  /** A LAN host's connection to the first LoadBalancer Service: what its backend saw as source. */
  inbound?: { client: string; service: string; seen: string };
  path: string[];
  largestDfPacket: number;
  wireBytes: number;
  wirePackets: number;
  payload: number;
}

function seen(lab: Lab, r: { ok: boolean; seenSource?: string; detail: string }): string {
  return r.ok && r.seenSource ? `${r.seenSource} (${whoHas(lab, r.seenSource)})` : `no answer`;
}

/** Largest IPv4 packet (bytes) that crosses with DF set, by bisection between 576 and 1500. */
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
async function inboundSeen(lab: Lab): Promise<Measurements['inbound']> {
  const svc = lab.model.services[0];
  if (!svc) return undefined;
  const dc = lab.model.datacentres.find((d) => !d.nodes.some((n) => svc.backends.includes(n.name))) ?? lab.model.datacentres[0]!;
  const r = await lab.tcpWhoAmI(dc.lanHost.name, svc.address, svc.port);
  return { client: dc.lanHost.name, service: svc.name, seen: seen(lab, r) };
}

export async function measure(lab: Lab): Promise<Measurements> {
  const pair = crossDcPairs(lab, 1)[0];
  if (!pair) throw new Error('compare needs two datacentres');
  const dc = lab.machines().find((m) => m.name === pair.to)!.dc;
  const lanHost = lab.model.datacentres.find((d) => d.name === dc)!.lanHost.name;
  const internet = lab.machines().find((m) => m.kind === 'internet')?.name;
  const [remotePod, remoteLanHost, inet] = [await lab.tcpWhoAmI(pair.from, pair.to), await lab.tcpWhoAmI(pair.from, lanHost),
    internet ? await lab.tcpWhoAmI(pair.from, internet) : { ok: false, detail: 'no internet' }];
  const inbound = await inboundSeen(lab);
  const trace = await lab.traceroute(pair.from, pair.to);
  const size = await largestDf(lab, pair.from, pair.to);
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
  const routers = lab.model.datacentres.map((d) => d.router.peeringAddress);
  const data = cap!.packets.filter((p) => !(routers.includes(p.src) && routers.includes(p.dst)));
  return {
    pair,
    seenBy: { remotePod: seen(lab, remotePod), remoteLanHost: seen(lab, remoteLanHost), internet: seen(lab, inet) },
    ...(inbound ? { inbound } : {}),
    path: trace.hops.map((h) => (h === '*' ? '*' : whoHas(lab, h))),
    largestDfPacket: size,
    wireBytes: sent ? data.reduce((n, p) => n + p.length, 0) : 0,
    wirePackets: sent ? data.length : 0,
    payload: PAYLOAD,
  };
}
