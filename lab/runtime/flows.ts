// The loss meter: numbered UDP datagrams at a fixed rate through the lab while a fault happens,
// what users feel of it. Runtimes start the probes (flow-probe.mjs); this file reads their logs.
import { LOSS_METER_PORT } from '../render/load-balancer.ts';

/** One direction of traffic: `from` sends to `toAddress` (on machine `to`), `pps` datagrams a second. */
export interface FlowSpec {
  /** Short and unique: "pod-dc1-a>pod-dc2-a". */
  id: string;
  from: string;
  /** The machine, or the LoadBalancer Service, the flow is addressed to. */
  to: string;
  toAddress: string;
  pps: number;
  /** Machines that may receive it (a Service's backends); `to` alone when absent. */
  receivers?: string[];
}

/** A window of consecutive lost datagrams, in ms since the flow's reference time (the fault). */
export interface LossWindow {
  fromMs: number;
  toMs: number;
  lost: number;
}

export interface FlowResult {
  id: string;
  from: string;
  to: string;
  toAddress: string;
  pps: number;
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  /** The longest time without a datagram arriving (ms), the outage a user feels; 0 if none was lost. */
  longestGapMs: number;
  /** Where the loss fell, relative to the reference time. */
  windows: LossWindow[];
}

/** What a sender writes when stopped. */
export interface SenderLog {
  flow: string;
  sent: number;
  startMs: number;
  stopMs: number;
  intervalMs: number;
}

export interface Arrival {
  flow: string;
  seq: number;
  sentMs: number;
  recvMs: number;
}

/** The UDP port the receivers listen on (beside the echo services' 7070/7071), also a port of every LoadBalancer Service. */
export const FLOW_PORT = LOSS_METER_PORT;

export function parseArrivals(text: string): Arrival[] {
  const out: Arrival[] = [];
  for (const line of text.split('\n')) {
    const [flow, seq, sent, recv] = line.trim().split(' ');
    if (!flow || seq === undefined || sent === undefined || recv === undefined) continue;
    const a = { flow, seq: Number(seq), sentMs: Number(sent), recvMs: Number(recv) };
    if ([a.seq, a.sentMs, a.recvMs].every(Number.isFinite)) out.push(a);
  }
  return out;
}

export function parseSenderLog(text: string): SenderLog | undefined {
  try {
    const j = JSON.parse(text.trim()) as Partial<SenderLog>;
    if (typeof j.flow !== 'string' || typeof j.sent !== 'number' || typeof j.startMs !== 'number' || typeof j.intervalMs !== 'number') return undefined;
    return { flow: j.flow, sent: j.sent, startMs: j.startMs, stopMs: j.stopMs ?? j.startMs, intervalMs: j.intervalMs };
  } catch {
    return undefined;
  }
}

/**
 * Sent, lost and where: a datagram is lost if no receiver logged its number. The longest gap is the
 * longest time between two arrivals that were consecutive in sending order, the ends measured from
 * when the sender started and stopped; loss windows span from the send time of the first datagram lost
 * to that of the one after the last, relative to `referenceMs`.
 */
export function summarizeFlow(spec: FlowSpec, sender: SenderLog, arrivals: Arrival[], referenceMs: number): FlowResult {
  const mine = arrivals.filter((a) => a.flow === spec.id && a.seq >= 0 && a.seq < sender.sent);
  const bySeq = new Map<number, Arrival>();
  let duplicates = 0;
  for (const a of mine) {
    if (bySeq.has(a.seq)) duplicates++;
    else bySeq.set(a.seq, a);
  }
  const sentAt = (seq: number) => sender.startMs + seq * sender.intervalMs;
  const windows: LossWindow[] = [];
  let longestGapMs = 0;
  let lastArrival = sender.startMs;
  let runStart: number | undefined;
  for (let seq = 0; seq <= sender.sent; seq++) {
    const a = seq < sender.sent ? bySeq.get(seq) : undefined;
    if (seq < sender.sent && !a) {
      runStart ??= seq;
      continue;
    }
    if (runStart !== undefined) {
      windows.push({ fromMs: Math.round(sentAt(runStart) - referenceMs), toMs: Math.round(sentAt(seq) - referenceMs), lost: seq - runStart });
      const until = a ? a.recvMs : sender.stopMs;
      longestGapMs = Math.max(longestGapMs, until - lastArrival);
      runStart = undefined;
    }
    if (a) lastArrival = a.recvMs;
  }
  const received = bySeq.size;
  return {
    id: spec.id, from: spec.from, to: spec.to, toAddress: spec.toAddress, pps: spec.pps,
    sent: sender.sent, received, lost: sender.sent - received, duplicates, longestGapMs: Math.round(longestGapMs), windows,
  };
}

/** "pod-a -> pod-b: 1200 sent, 37 lost, longest gap 380 ms" */
export function formatFlow(f: FlowResult): string {
  const where = f.windows.slice(0, 3).map((w) => `${w.lost} at +${w.fromMs}..+${w.toMs} ms`).join(', ');
  return `${f.from} -> ${f.to} (${f.toAddress}, ${f.pps}/s): ${f.sent} sent, ${f.lost} lost, longest gap ${f.longestGapMs} ms${where ? ` (${where}${f.windows.length > 3 ? ', ...' : ''})` : ''}`;
}

/** Traffic running through the lab: stop() ends it and measures every flow. */
export interface RunningFlows {
  readonly specs: FlowSpec[];
  stop(referenceMs: number): Promise<FlowResult[]>;
}
