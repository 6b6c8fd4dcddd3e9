// Readiness without spawning: whether a daemon we started listens, read from /proc/<pid>/net/*,
// which shows the sockets of the process's own network namespace. One `ss` or client per poll
// and machine costs a fork, an exec and a namespace switch; on a thousand machines that is seconds.
import { readFileSync } from 'node:fs';

/** The process runs `comm` (so `ip netns exec` has switched namespace and exec'd the daemon). */
export function runs(pid: number, comm: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
  } catch {
    return false;
  }
}

// /proc/net/tcp rows: "sl local_address rem_address st ...", addresses as HEXIP:HEXPORT; st 0A is
// LISTEN for TCP, 07 (CLOSE) is a bound UDP socket (torvalds/linux net/ipv4/tcp_ipv4.c, udp.c).
function bound(pid: number, file: string, port: number, state: string): boolean {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
  } catch {
    return false;
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return text.split('\n').some((row) => {
    const f = row.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hexPort}`) === true && f[3] === state;
  });
}

/** The namespace of `pid` has a listener on `port` (IPv4 or IPv6), and `pid` is already `comm`. */
export function listensOn(pid: number, comm: string, proto: 'tcp' | 'udp', port: number): boolean {
  if (!runs(pid, comm)) return false;
  const state = proto === 'tcp' ? '0A' : '07';
  return bound(pid, proto, port, state) || bound(pid, `${proto}6`, port, state);
}
