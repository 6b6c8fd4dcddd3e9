// Where the twin's daemons listen for their command-line clients: BIRD's control socket in the run
// folder (unix socket paths allow 108 bytes, so not under artifacts/), GoBGP's gRPC API on the
// node's loopback, Cilium's speaker's control socket in the run folder. One place, so
// `lab exec MACHINE -- birdc|gobgp|cilium-dbg ...` finds them too.
import { join } from 'node:path';

export function birdSocket(runDir: string, dc: string): string {
  return join(runDir, `bird-${dc}.ctl`);
}

/** The control socket of a node's Cilium speaker (`speaker ctl`: what `cilium-dbg` asks the agent). */
export function speakerSocket(runDir: string, node: string): string {
  return join(runDir, `sp-${node}.sock`);
}

/** gobgpd --api-hosts; gobgp's own defaults are -u 127.0.0.1 -p 50051, named here so they stay in step. */
export const GOBGP_API = { host: '127.0.0.1', port: 50051 } as const;

/**
 * argv with the socket a daemon's client needs, unless the user named one: `birdc -s SOCK` on a
 * router, `gobgp -u HOST -p PORT` on a node. Anything else unchanged.
 */
export function withDaemonSocket(argv: string[], where: { birdSocket?: string; gobgp?: boolean; speaker?: { binary: string; socket: string } }): string[] {
  const [cmd, ...rest] = argv;
  // The agent's debug CLI (cilium-dbg; `cilium` up to 1.14) answered by the node's Cilium speaker.
  if ((cmd === 'cilium-dbg' || cmd === 'cilium') && where.speaker) return [where.speaker.binary, 'ctl', '--socket', where.speaker.socket, '--', 'cilium-dbg', ...rest];
  if (cmd === 'birdc' && where.birdSocket && !rest.some((a) => a.startsWith('-s'))) return [cmd, '-s', where.birdSocket, ...rest];
  if (cmd === 'gobgp' && where.gobgp && !rest.some((a) => /^(-u|-p|--host|--port|--target)(=|$)/.test(a))) {
    return [cmd, '-u', GOBGP_API.host, '-p', String(GOBGP_API.port), ...rest];
  }
  return argv;
}
