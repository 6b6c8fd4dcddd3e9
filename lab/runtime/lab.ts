// The one interface both runtimes implement and every assertion is written against.
import type { FlowSpec, RunningFlows } from './flows.ts';
import { formatIp6, parseIp6 } from '../topology/cidr6.ts';
import type { LabModel } from '../topology/model.ts';

export type MachineKind = 'router' | 'node' | 'pod' | 'backend' | 'lanhost' | 'zonehost' | 'internet';

export interface Machine {
  name: string;
  kind: MachineKind;
  dc?: string;
  /** For pods and backends: the node they run on. */
  node?: string;
  /** For backends: the LoadBalancer Service they serve. */
  service?: string;
  /** The address others use to reach it (pods: the pod IP). */
  address: string;
  /** Dual-stack: its IPv6 address (absent on machines IPv4 only, e.g. extra zone hosts). */
  address6?: string;
}

export interface BgpSession {
  /** Machine that reports the session. */
  machine: string;
  peerAddress: string;
  peerAsn?: number;
  kind: 'ibgp' | 'ebgp';
  state: string; // "Established" when up, else the speaker's own word
  established: boolean;
  /** Negotiated hold time (s), as the speaker reports it while established (faults are bounded by it). */
  holdTimeS?: number;
  /** Negotiated keepalive interval (s), as the speaker reports it. */
  keepaliveS?: number;
  /** The router's name for the session (BIRD's protocol), which its routes carry. */
  protocol?: string;
  /** Both ends announced the extended next hop capability (RFC 8950): IPv4 routes may carry IPv6 next hops. */
  extendedNextHop?: boolean;
}

/** A route in a router's BGP table, with the attributes two speakers' announcements can differ in. */
export interface BgpRoute {
  prefix: string;
  /** The session that brought it (BIRD's protocol, e.g. node_worker_1, router_dc2). */
  protocol: string;
  /** The router's best route for the prefix. */
  best: boolean;
  /** Where the router forwards (resolved next hops); empty when it could not resolve one. */
  nextHops: string[];
  /** The BGP NEXT_HOP the route came with (IPv6: global, then link-local when sent). */
  bgpNextHop?: string[];
  origin?: string;
  asPath?: string;
  localPref?: number;
  communities: string[];
}

export interface Route {
  dst: string; // "default" or a CIDR (host routes as a.b.c.d/32)
  gateway?: string;
  dev?: string;
  protocol?: string;
  /** A multipath (equal-cost) route: every next hop's gateway; `gateway` is then unset. */
  nexthops?: string[];
}

export interface Link {
  name: string;
  kind?: string; // vxlan, geneve, veth, bridge, dummy...
  mtu: number;
  up: boolean;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export interface TraceResult {
  ok: boolean;
  hops: string[]; // responding address per hop, "*" when none answered
  detail: string;
}

export interface CapturedPacket {
  src: string;
  dst: string;
  protocol: 'icmp' | 'tcp' | 'udp' | 'other';
  srcPort?: number;
  dstPort?: number;
  length: number; // bytes on the wire, link layer included
}

export interface Capture {
  segment: string;
  packets: CapturedPacket[];
  file?: string;
}

export type FaultKind = 'router-down' | 'router-restart' | 'speaker-restart' | 'link-flap' | 'peering-down' | 'lan-cut';
export const FAULT_KINDS: FaultKind[] = ['router-down', 'router-restart', 'speaker-restart', 'link-flap', 'peering-down', 'lan-cut'];

export interface InjectedFault {
  kind: FaultKind;
  /** The machine the fault hits. */
  target: string;
  description: string;
  /** true when peers can only notice through the BGP hold timer (no carrier loss, no TCP close). */
  silent: boolean;
  /** A flap: the runner heals after this long instead of waiting for BGP to notice. */
  flapMs?: number;
  heal(): Promise<void>;
}

export interface Lab {
  readonly runtime: 'twin' | 'vm';
  readonly model: LabModel;
  /** Artifacts folder of this run (logs, configs, captures). */
  readonly artifacts: string;
  /** What this runtime does and does not reproduce, for every report. */
  readonly fidelity: string;
  machines(): Machine[];
  /** Every address a machine owns, to match traceroute hops to machines. */
  addressesOf(machine: string): string[];
  /** Every session from both ends; 'routers': the routers' view only (cheaper; convergence polls it). */
  bgpSessions(scope?: 'all' | 'routers'): Promise<BgpSession[]>;
  /** A router's BGP routes of both families, as its BGP daemon holds them. */
  bgpRoutes(router: string): Promise<BgpRoute[]>;
  /** The BGP updates a router refused while decoding them (a next hop it cannot use...), from its daemon's log. */
  bgpRefusals(router: string): Promise<string[]>;
  /** The machine's kernel routes of one family (IPv4 unless asked). */
  routes(machine: string, family?: 4 | 6): Promise<Route[]>;
  links(machine: string): Promise<Link[]>;
  ping(from: string, to: string, opts?: { size?: number; dontFragment?: boolean }): Promise<ProbeResult>;
  /**
   * TCP connect to the echo service on `to` (a machine or an address; `port` default WHOAMI_PORT); ok
   * with seenSource = the source address the server saw, and answeredBy = the server's own address
   * where it says so (LoadBalancer backends do).
   */
  tcpWhoAmI(from: string, to: string, port?: number): Promise<ProbeResult & { seenSource?: string; answeredBy?: string }>;
  traceroute(from: string, to: string): Promise<TraceResult>;
  /** Sends `bytes` of payload over TCP to the counting service on `to`; ok once all arrived. */
  transfer(from: string, to: string, bytes: number): Promise<ProbeResult>;
  /** Resolves a name through `server`: its A record, or (family 6) its AAAA record. */
  resolve(from: string, name: string, server: string, family?: 4 | 6): Promise<ProbeResult & { address?: string }>;
  /** Captures on a named segment ("peering" or "lan:<dc>") while `during` runs. */
  capture(segment: string, during: () => Promise<void>): Promise<Capture>;
  /** Breaks something on purpose; heal() puts it back. */
  injectFault(kind: FaultKind): Promise<InjectedFault>;
  /**
   * The loss meter: numbered UDP datagrams along each flow until stop(). Absent where the runtime
   * cannot run the probes (the VM lab's pods have no Node.js), and the fault report says so.
   */
  startFlows?(flows: FlowSpec[]): Promise<RunningFlows>;
  exec(machine: string, argv: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** The TCP port of the echo service that tells a client its source address. */
export const WHOAMI_PORT = 7070;
/** The TCP port of the service that counts a bulk transfer and answers the count. */
export const DISCARD_PORT = 7071;

/**
 * What an echo service answers: the client address it saw, then (backends only) its own address.
 * socat prints IPv6 peers in full and in brackets ([2001:0db8:...:0010]); a dual-stack listener (an
 * IPv6 socket taking IPv4 too) sees an IPv4 client as ::ffff:a.b.c.d. Both come back as the
 * address the client has: IPv6 as RFC 5952 writes it, a mapped one as IPv4.
 */
export function parseWhoAmI(text: string): { seenSource: string; answeredBy?: string } | undefined {
  const words = text.trim().split(/\s+/);
  if (words.length < 1 || words.length > 2 || words[0] === '') return undefined;
  const addresses = words.map(normalAddress);
  if (addresses.some((a) => a === undefined)) return undefined;
  return addresses[1] ? { seenSource: addresses[0]!, answeredBy: addresses[1] } : { seenSource: addresses[0]! };
}

function normalAddress(word: string): string | undefined {
  const bare = word.replace(/^\[(.*)\]$/, '$1');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bare)) return bare;
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (dotted) return dotted[1];
  const v = parseIp6(bare);
  if (v === undefined) return undefined;
  if (v >> 32n === 0xffffn) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.'); // ::ffff:0:0/96
  return formatIp6(v);
}
