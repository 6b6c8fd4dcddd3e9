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

/** The namespace of `pid` listens on every one of `ports` (IPv4 or IPv6), and `pid` is already `comm`. */
export function listensOn(pid: number, comm: string, proto: 'tcp' | 'udp', ports: number | number[]): boolean {
  if (!runs(pid, comm)) return false;
  const state = proto === 'tcp' ? '0A' : '07';
  const wanted = Array.isArray(ports) ? ports : [ports];
  // Each table read once per check: reading /proc/<pid>/net/tcp walks every bucket of the host's
  // TCP hash, 4-5 ms on a host with a large one (tcp4_seq_show, net/ipv4/tcp_ipv4.c).
  const v4 = wanted.filter((p) => !bound(pid, proto, p, state));
  return v4.length === 0 || v4.every((p) => bound(pid, `${proto}6`, p, state));
}

/**
 * A readiness check that reads the socket table only when it may pass: once the daemon's log shows
 * `sign` (`count` times: several daemons may share a log), or every 10th poll, so a version that
 * words its log differently is still seen listening, only later. The log is the cheap sign; the
 * table is the proof.
 */
export function listeningCheck(pid: number, comm: string, proto: 'tcp' | 'udp', ports: number | number[], logFile: string, sign: string, count = 1): () => boolean {
  let polls = 0;
  return () => {
    let text = '';
    try {
      text = readFileSync(logFile, 'utf8');
    } catch {
      /* not written yet */
    }
    const signed = text.split(sign).length - 1 >= count;
    return (signed || ++polls % 10 === 0) && listensOn(pid, comm, proto, ports);
  };
}
