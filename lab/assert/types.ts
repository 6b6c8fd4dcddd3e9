// What an assertion reports: one result per subject (a session, a router, a pod pair), each with
// what was expected, what was seen and, on failure, a diagnosis that names the likely cause.
import type { Lab } from '../runtime/lab.ts';

export interface Result {
  assertion: number;
  subject: string;
  ok: boolean;
  expected: string;
  seen: string;
  diagnosis?: string;
  evidence?: string[];
  /** The address family the check ran in (dual-stack labs; absent: IPv4 only). */
  family?: 4 | 6;
}

export interface Assertion {
  id: number;
  title: string;
  /**
   * Needs the lab to itself: what it sees would include, or be cut short by, the other assertions'
   * probes. Assertion 6 counts every packet on the peering network; assertion 4's traceroute needs
   * an ICMP error from every hop, and the kernel rate-limits those (icmp_global_allow and the
   * per-host icmpv4_xrlim_allow, net/ipv4/icmp.c): beside the others a hop once came back "*".
   * The first runs beside the quiet ones, any other alone.
   */
  exclusive?: boolean;
  /** Puts nothing on the peering network (it reads state, or talks within a datacentre): may run beside an exclusive one. */
  quiet?: boolean;
  run(lab: Lab, ctx: AssertContext): Promise<Result[]>;
}

export interface AssertContext {
  /** Seed for sampling pod pairs, so a failing run can be repeated exactly. */
  seed: number;
  /** Ordered cross-datacentre pod pairs to probe. */
  pairs: PodPair[];
  /** Pod pairs on different nodes of one datacentre (the path check covers them). */
  sameDcPairs: PodPair[];
}

export interface PodPair {
  from: string;
  to: string;
}

/** How many probes run at once: enough to hide latency, few enough for two cores. */
export const PROBE_PARALLELISM = 8;

export function result(assertion: number, subject: string, ok: boolean, expected: string, seen: string, diagnosis?: string, evidence?: string[], family?: 4 | 6): Result {
  const r: Result = { assertion, subject, ok, expected, seen };
  if (family !== undefined) r.family = family;
  if (!ok && diagnosis) r.diagnosis = diagnosis;
  if (evidence && evidence.length > 0) r.evidence = evidence;
  return r;
}
