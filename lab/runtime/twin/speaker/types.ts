// The BGP speakers of the twin's nodes, behind one interface: Cilium's own control plane
// (cilium.ts) or the emulation with GoBGP (emulated.ts). choose.ts is the one place that picks.
import type { LabModel, NodeModel } from '../../../topology/model.ts';
import type { BgpSession } from '../../lab.ts';

export type SpeakerKind = 'cilium' | 'emulated';

/** What a speaker needs of the lab it runs in. */
export interface SpeakerHost {
  readonly model: LabModel;
  /** Short-pathed run folder (sockets, pid files). */
  readonly runDir: string;
  /** The network namespace of a machine. */
  ns(machine: string): string;
  /** A file under the run's artifacts (its folder created). */
  path(...parts: string[]): string;
  /** Polls check until true; at the deadline throws with the log's last lines. */
  waitFor(what: string, logFile: string, check: () => Promise<boolean>, deadlineMs?: number, intervalMs?: number): Promise<void>;
}

export interface NodeSpeakers {
  readonly kind: SpeakerKind;
  /** For the report's fidelity line: what ran on the nodes, at which release, and why. */
  readonly description: string;
  /** Whether the speakers listen on 179 (the router's dial can land) or only dial their routers. */
  readonly listens: boolean;
  /** Starts the speakers of these nodes; resolves once each runs and can be dialled or dials. */
  start(nodes: readonly NodeModel[]): Promise<void>;
  /** Once the routers run: the emulation announces its routes now; Cilium's speaker by itself. */
  announce(): Promise<void>;
  /** Stops a node's speaker (SIGTERM, as Kubernetes stops an agent) and waits until it is gone. */
  stop(node: string): Promise<void>;
  /** Starts a stopped speaker again, announcements included. */
  restart(node: string): Promise<void>;
  /** The node's sessions as its speaker reports them (none where no speaker or BGP instance runs). */
  sessions(node: string): Promise<BgpSession[]>;
  /** Pid of a node's speaker process, for faults and teardown checks. */
  pid(node: string): number | undefined;
  /** Reconnects to the speakers of a lab another process brought up (`lab up`). */
  attach(): Promise<void>;
  /** Lines worth a note in the report (how each node's BGP came about). */
  notes(): string[];
}

export type { SpeakerRecord } from '../../state.ts';
