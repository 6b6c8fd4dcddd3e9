// What loss a fault may cause, and why: the bound a measured outage is held to. Pure, so each case
// is a row of test/unit/fault-bounds.test.ts.
import type { FaultKind } from '../runtime/lab.ts';
import type { FlowResult } from '../runtime/flows.ts';

/**
 * After the heal, routes come back once a session is up again and its UPDATEs have reached every
 * router and kernel: one BGP round trip here, well under this.
 */
export const PROPAGATION_MS = 2000;
/** A flap's own loss is its down time; the neighbour entries and the queue behind them take up to this. */
export const FLAP_SLACK_MS = 1000;
/** BIRD dials a configured peer this long after start unless bgp.timers.connectDelay says (doc/bird.sgml). */
export const BIRD_CONNECT_DELAY_S = 5;
/** Cilium's and BIRD's connect retry default (CRD connectRetryTimeSeconds; doc/bird.sgml). */
export const CONNECT_RETRY_DEFAULT_S = 120;
/**
 * After a session fails, BIRD waits its error wait time before it dials or takes the peer's dial
 * again: 60 s at first by default (doc/bird.sgml, "error wait time"); bird.ts renders the lab's
 * connect retry time there when bgp.timers sets it.
 */
export const BIRD_ERROR_WAIT_DEFAULT_S = 60;

export interface BoundInputs {
  kind: FaultKind;
  /** The lab's graceful restart (bgp.gracefulRestart). */
  gracefulRestart: { enabled: boolean; restartTime: number } | undefined;
  /** How long the fault lasted: injection to heal (ms). */
  heldMs: number;
  /** The lab's BGP timers, where it sets them. */
  timers: { connectDelay?: number; connectRetry?: number } | undefined;
  /** The latest a restarted Cilium speaker first dials its peers (s; the line's GoBGP). */
  speakerFirstDialS: number;
  /** How long the link stayed down, for link-flap. */
  flapMs?: number;
  /**
   * The datacentre the fault hits has other routers: how long its VRRP backups wait before one takes
   * over the gateway, and the hold time after which the other routers drop the dead one's paths.
   */
  redundancy?: { masterDownMs: number; holdS: number };
}

export interface LossBound {
  /** What bounds the loss, named as the report says it: "graceful restart (restart time 120 s)". */
  name: string;
  /** The longest outage (gap) a flow may see. */
  maxGapMs: number;
  /** Why, in a sentence. */
  explains: string;
}

/** The bound for one fault; every flow of the run is held to it. */
export function lossBound(b: BoundInputs): LossBound {
  const gr = b.gracefulRestart?.enabled ? b.gracefulRestart : undefined;
  const connectRetryS = b.timers?.connectRetry ?? CONNECT_RETRY_DEFAULT_S;
  const errorWaitS = b.timers?.connectRetry ?? BIRD_ERROR_WAIT_DEFAULT_S;
  const untilBack = (redialS: number, who: string) => ({
    maxGapMs: Math.max(b.heldMs + redialS * 1000, errorWaitS * 1000) + PROPAGATION_MS,
    explains: `routes are withdrawn while it is down (${(b.heldMs / 1000).toFixed(1)} s) and come back once ${who} (up to ${redialS} s) and the routers' BIRD, waiting ${errorWaitS} s after a failed session (error wait time), takes the session again, and its updates spread (${PROPAGATION_MS / 1000} s)`,
  });
  switch (b.kind) {
    case 'speaker-restart':
      if (gr) {
        return { name: `graceful restart (restart time ${gr.restartTime} s)`, maxGapMs: 0,
          explains: `the routers keep the node's routes as stale for up to ${gr.restartTime} s while its datapath keeps forwarding, so no packet may be lost` };
      }
      return { name: 'speaker restart without graceful restart', ...untilBack(b.speakerFirstDialS, 'the restarted speaker dials') };
    case 'router-restart':
      if (gr) {
        return { name: `graceful restart (restart time ${gr.restartTime} s)`, maxGapMs: 0,
          explains: `the nodes and the other routers keep the router's routes as stale and BIRD, restarted with -R, keeps its kernel routes until BGP has converged, so no packet may be lost` };
      }
      return { name: 'router restart without graceful restart', ...untilBack(Math.min(b.timers?.connectDelay ?? BIRD_CONNECT_DELAY_S, connectRetryS), 'the restarted BIRD dials its peers') };
    case 'router-down':
      // Graceful restart or not: BIRD drops a dead router's paths at the hold time, since it treats
      // the hold timer's expiry as a restart only under long-lived graceful restart (bgp_hold_timeout,
      // proto/bgp/bgp.c), which the lab never enables (test/unit/render-routers.test.ts).
      if (b.redundancy) {
        const { masterDownMs, holdS } = b.redundancy;
        return { name: `redundancy: VRRP master-down ${(masterDownMs / 1000).toFixed(1)} s, hold time ${holdS} s`, maxGapMs: Math.max(masterDownMs, holdS * 1000) + PROPAGATION_MS,
          explains: `traffic out of the datacentre waits until a backup router takes the gateway (${(masterDownMs / 1000).toFixed(1)} s), traffic into it that the other routers hash to the dead router until their sessions with it time out (${holdS} s) and the path is withdrawn` };
      }
      // falls through: one router, no redundancy
    case 'peering-down':
    case 'lan-cut':
      return { name: `no redundancy: the outage lasts the fault, then connect retry ${connectRetryS} s`, ...untilBack(connectRetryS, 'a side redials after its connect retry time') };
    case 'link-flap':
      return { name: `the flap (${((b.flapMs ?? 0) / 1000).toFixed(1)} s down)`, maxGapMs: (b.flapMs ?? 0) + FLAP_SLACK_MS,
        explains: 'the link is back before any hold time expires, so the sessions stay up and the outage is the time it was down' };
  }
}

/** Each flow whose outage exceeds the bound, in a sentence naming it; empty when all hold. */
export function boundViolations(bound: LossBound, flows: FlowResult[]): string[] {
  return flows.filter((f) => (bound.maxGapMs === 0 ? f.lost > 0 : f.longestGapMs > bound.maxGapMs)).map((f) =>
    `${f.from} -> ${f.to}: ${f.lost} lost, longest gap ${f.longestGapMs} ms, beyond the bound of ${bound.name} (${bound.maxGapMs === 0 ? 'no loss' : `${bound.maxGapMs} ms`})`);
}
