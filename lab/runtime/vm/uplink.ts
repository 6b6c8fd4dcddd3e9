// The emulated internet's way out: slirp4netns, a user-mode TCP/IP stack. It runs as a process of
// the host, attaches a tap (tap0) inside the lab's internet namespace, and turns the packets it
// receives there into ordinary sockets of the host. No link, route, rule or sysctl is added to the
// host's root namespace.
//
// Facts relied on (rootless-containers/slirp4netns v1.2.0: slirp4netns.1.md, main.c, slirp4netns.c, sandbox.c):
//  - default network 10.0.2.0/24: the tap gets 10.0.2.100 with --configure (and a default route
//    via 10.0.2.2), 10.0.2.2 is the host's loopback, 10.0.2.3 a DNS forwarder to the host's resolvers;
//  - connecting to the host's 127.0.0.1 through 10.0.2.2 is ALLOWED by default;
//    --disable-host-loopback refuses it (the lab always passes it; only a test opens it);
//  - --netns-type=path takes /run/netns/<name>; --exit-fd=FD: do_slirp polls FD for G_IO_HUP and exits.
//  - NEVER --enable-sandbox: its sandbox (sandbox.c) remounts "/" private non-recursively, then
//    detaches the old root after pivot_root, so the unmount propagates through a shared /run/netns
//    and removes every `ip netns` mount of the host (it did, once, on this project's build machine).
//
// Lifetime: slirp4netns reads its exit fd from a pipe whose only writer is `sleep infinity` running
// INSIDE the internet namespace. Whoever ends the namespace's processes (the run's teardown,
// `lab down --all`, which find processes by namespace) closes the pipe, and slirp4netns exits.
// teardown.ts also finds it by its command line, which names the run's namespace path.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { inRunCgroup } from '../cgroup.ts';
import { runIdOf } from '../names.ts';

export const UPLINK_TAP = 'tap0';
export const SLIRP = { cidr: '10.0.2.0/24', address: '10.0.2.100', host: '10.0.2.2', dns: '10.0.2.3' } as const;

export function netnsPath(ns: string): string {
  return `/run/netns/${ns}`;
}

/** slirp4netns command line. Pure. */
export function uplinkArgv(ns: string, opts: { hostLoopback?: boolean } = {}): string[] {
  return ['slirp4netns', '--configure', '--mtu=1500', ...(opts.hostLoopback ? [] : ['--disable-host-loopback']), '--enable-seccomp',
    '--exit-fd=0', '--netns-type=path', netnsPath(ns), UPLINK_TAP];
}

/** The shell that ties slirp4netns's life to a process inside the namespace (see above). Pure. */
export function uplinkShell(ns: string, opts: { hostLoopback?: boolean } = {}): string[] {
  return ['sh', '-c', 'ns=$1; shift; ip netns exec "$ns" sleep infinity | exec "$@"', 'nrl-uplink', ns, ...uplinkArgv(ns, opts)];
}

/** Starts the uplink of a namespace, detached, its output in logFile; returns the wrapper's pid. */
export function startUplink(ns: string, logFile: string, opts: { hostLoopback?: boolean } = {}): number {
  const [cmd, ...args] = inRunCgroup(runIdOf(ns), uplinkShell(ns, opts)); // ended with the run's cgroup
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => undefined); // reported by the readiness check and the log
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start slirp4netns for ${ns}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}
