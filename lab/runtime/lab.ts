// The one interface both runtimes implement and every assertion is written against.
import type { LabModel } from '../topology/model.ts';

export type MachineKind = 'router' | 'node' | 'pod' | 'lanhost' | 'zonehost' | 'internet';

export interface Machine {
  name: string;
  kind: MachineKind;
  dc?: string;
  /** For pods: the node they run on. */
  node?: string;
  /** The address others use to reach it (pods: the pod IP). */
  address: string;
}

export interface BgpSession {
  /** Machine that reports the session. */
  machine: string;
  peerAddress: string;
  peerAsn?: number;
  kind: 'ibgp' | 'ebgp';
  state: string; // "Established" when up, else the speaker's own word
  established: boolean;
}

export interface Route {
  dst: string; // "default" or a CIDR (host routes as a.b.c.d/32)
  gateway?: string;
  dev?: string;
  protocol?: string;
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

export type FaultKind = 'peering-down' | 'bird-restart' | 'speaker-restart' | 'lan-cut';
export const FAULT_KINDS: FaultKind[] = ['peering-down', 'bird-restart', 'speaker-restart', 'lan-cut'];

export interface InjectedFault {
  kind: FaultKind;
  /** The machine the fault hits. */
  target: string;
  description: string;
  /** true when peers can only notice through the BGP hold timer (no carrier loss, no TCP close). */
  silent: boolean;
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
  bgpSessions(): Promise<BgpSession[]>;
  routes(machine: string): Promise<Route[]>;
  links(machine: string): Promise<Link[]>;
  ping(from: string, to: string, opts?: { size?: number; dontFragment?: boolean }): Promise<ProbeResult>;
  /** TCP connect to the echo service on `to`; ok with detail = the source address the server saw. */
  tcpWhoAmI(from: string, to: string): Promise<ProbeResult & { seenSource?: string }>;
  traceroute(from: string, to: string): Promise<TraceResult>;
  /** Sends `bytes` of payload over TCP to the counting service on `to`; ok once all arrived. */
  transfer(from: string, to: string, bytes: number): Promise<ProbeResult>;
  resolve(from: string, name: string, server: string): Promise<ProbeResult & { address?: string }>;
  /** Captures on a named segment ("peering" or "lan:<dc>") while `during` runs. */
  capture(segment: string, during: () => Promise<void>): Promise<Capture>;
  /** Breaks something on purpose; heal() puts it back. */
  injectFault(kind: FaultKind): Promise<InjectedFault>;
  exec(machine: string, argv: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** The TCP port of the echo service that tells a client its source address. */
export const WHOAMI_PORT = 7070;
/** The TCP port of the service that counts a bulk transfer and answers the count. */
export const DISCARD_PORT = 7071;
