// The QEMU runner. `qemuArgv` is pure (golden-tested); the rest starts a guest inside a lab network
// namespace (`ip netns exec NS qemu-system-x86_64 ...`), captures its serial console to the
// artifacts folder (QEMU's own chardev logfile, so nothing is lost while no one is connected), waits
// for readiness with a deadline, runs commands over the serial console, and stops it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { isLabNamespace } from '../names.ts';
import { inNs } from '../netns.ts';
import { isAlive } from '../exec.ts';
import { DeadlineError } from './deadline.ts';

export type Accel = 'kvm' | 'tcg';

export interface NicSpec {
  /** Tap device inside the namespace. No guest gets QEMU user networking: a router's WAN is a tap on the wan bridge. */
  tap: string;
  mac: string;
  model?: 'virtio-net-pci' | 'e1000';
}

export interface DiskSpec {
  file: string;
  format: 'raw' | 'qcow2';
  /** Writes go to a temporary overlay; the file stays as it is. */
  snapshot?: boolean;
}

export interface VmSpec {
  name: string;
  kernel: string;
  initrd?: string;
  append: string;
  memoryMiB: number;
  cpus: number;
  accel: Accel;
  nics: NicSpec[];
  disks: DiskSpec[];
  /** Serial console: a unix socket (for console exec) and QEMU's logfile of everything it printed. */
  consoleSocket: string;
  consoleLog: string;
  pidFile: string;
  /** qemu-guest-agent channel (Talos with the qemu-guest-agent extension). */
  guestAgentSocket?: string;
  /** QEMU exits instead of rebooting (tests, probes). */
  noReboot?: boolean;
  machine?: 'pc' | 'q35';
}

/** The QEMU command line of a guest. Pure. */
export function qemuArgv(s: VmSpec): string[] {
  const argv = [
    'qemu-system-x86_64',
    '-name', `${s.name},process=${s.name}`,
    '-machine', `${s.machine ?? 'q35'},accel=${s.accel}`,
    // Talos needs x86-64-v2; under TCG `max` provides it, under KVM the host CPU does.
    '-cpu', s.accel === 'kvm' ? 'host' : 'max',
    '-m', String(s.memoryMiB),
    '-smp', String(s.cpus),
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-kernel', s.kernel,
    ...(s.initrd ? ['-initrd', s.initrd] : []),
    '-append', s.append,
    '-chardev', `socket,id=con0,path=${s.consoleSocket},server=on,wait=off,logfile=${s.consoleLog},logappend=off`,
    '-serial', 'chardev:con0',
    '-pidfile', s.pidFile,
  ];
  s.nics.forEach((n, i) => {
    argv.push('-netdev', `tap,id=net${i},ifname=${n.tap},script=no,downscript=no`, '-device', `${n.model ?? 'virtio-net-pci'},netdev=net${i},mac=${n.mac}`);
  });
  s.disks.forEach((d, i) => {
    argv.push('-drive', `file=${d.file},if=virtio,format=${d.format},index=${i}${d.snapshot ? ',snapshot=on' : ''}`);
  });
  if (s.guestAgentSocket) {
    argv.push('-chardev', `socket,id=qga0,path=${s.guestAgentSocket},server=on,wait=off`,
      '-device', 'virtio-serial', '-device', 'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0');
  }
  if (s.noReboot) argv.push('-no-reboot');
  return argv;
}

/** Kernel arguments of the reference's guests. Talos ≥ 1.8 no longer puts ttyS0 on its console list. */
export const KERNEL_ARGS = {
  openwrt: 'console=ttyS0,115200n8 root=/dev/vda rootfstype=ext4 rootwait noinitrd',
  talos: 'talos.platform=metal console=tty0 console=ttyS0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on',
} as const;

export interface RunningVm {
  spec: VmSpec;
  ns: string;
  pid: number;
  /** QEMU's own stderr/stdout. */
  qemuLog: string;
  exited: () => boolean;
}


/** Starts QEMU detached inside `ns`; the namespace must be a lab namespace. */
export function startVm(ns: string, spec: VmSpec, qemuLog: string): RunningVm {
  if (!isLabNamespace(ns)) throw new Error(`refusing to start ${spec.name} in ${ns}: not a lab namespace`);
  const fd = openSync(qemuLog, 'a');
  let exited = false;
  try {
    // Through inNs: inside the run's cgroup (so `lab down` ends it even after a SIGKILL of the
    // orchestrator) and refused once the run is sealed for teardown.
    const [cmd, ...args] = inNs(ns, qemuArgv(spec));
    const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => { exited = true; });
    child.on('exit', () => { exited = true; });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start QEMU for ${spec.name}`);
    return { spec, ns, pid: child.pid, qemuLog, exited: () => exited || !isAlive(child.pid!) };
  } finally {
    closeSync(fd);
  }
}

export function readTail(file: string, lines = 20): string {
  try {
    // eslint-disable-next-line no-control-regex
    const text = readFileSync(file, 'utf8').replace(/\r/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').trimEnd();
    return text === '' ? '(the console printed nothing)' : text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(nothing captured)';
  }
}

/** Waits until the console shows `ready`; fails at the deadline (or when QEMU exits) with the console's tail. */
/** Waits for `ready` on the serial console; at the deadline a DeadlineError named `deadline`. */
export async function waitForConsole(vm: RunningVm, ready: RegExp, deadlineMs: number, deadline = 'console'): Promise<string> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const text = existsSync(vm.spec.consoleLog) ? readFileSync(vm.spec.consoleLog, 'utf8') : '';
    const m = ready.exec(text);
    if (m) return m[0];
    if (vm.exited()) {
      throw new Error(`${vm.spec.name}: QEMU exited before the console showed ${ready}; QEMU said:\n${readTail(vm.qemuLog, 5)}\nconsole tail:\n${readTail(vm.spec.consoleLog)}`);
    }
    if (Date.now() >= end) {
      throw new DeadlineError(deadline, deadlineMs, `${vm.spec.name} did not become ready within ${deadlineMs} ms (waiting for ${ready} on its serial console); console tail:\n${readTail(vm.spec.consoleLog)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

let nonce = 0;

/**
 * Runs a shell command over the serial console (a root shell must be on it); output and exit code.
 * First a ready marker is echoed, again every pollMs until a shell prints it; only then is the
 * command sent, once. Why: on OpenWRT x86 two `askfirst` readers can sit on the serial line at once
 * (target/linux/x86/base-files/etc/inittab lists `ttyS0::askfirst` and `console::askfirst`; procd's
 * inittab.c skips an askfirst entry only when it names the console an `askconsole` entry recorded),
 * and each swallows the first line it reads before it starts its shell, so a command sent at once
 * could be eaten. A swallowed ready marker costs nothing.
 */
export function consoleExec(socketPath: string, command: string, deadlineMs: number, pollMs = 1000): Promise<{ code: number; output: string }> {
  const tag = `NRL${process.pid}x${++nonce}`;
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let buf = '';
    let sent = false;
    let poll: NodeJS.Timeout | undefined;
    const stop = () => {
      clearTimeout(timer);
      clearInterval(poll);
      sock.destroy();
    };
    // Tags are split in the shell text so an echoed command line never matches a marker.
    const ready = `echo "${tag}""_RDY"\n`;
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`console command timed out after ${deadlineMs} ms${sent ? '' : ' (no shell answered on the console)'}: ${command}\nconsole said:\n${buf.slice(-800)}`));
    }, deadlineMs);
    sock.on('error', (e) => {
      stop();
      reject(new Error(`console ${socketPath}: ${e.message}`));
    });
    sock.on('connect', () => {
      sock.write(`\n${ready}`);
      poll = setInterval(() => { if (!sent) sock.write(ready); }, pollMs);
    });
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      if (!sent) {
        const at = buf.indexOf(`${tag}_RDY`);
        if (at < 0) return;
        sent = true;
        clearInterval(poll);
        buf = buf.slice(at + `${tag}_RDY`.length);
        sock.write(`${command}; echo "${tag}""_END_$?"\n`);
        return;
      }
      const m = new RegExp(`${tag}_END_(\\d+)`).exec(buf);
      if (!m) return;
      stop();
      const clean = buf.replace(/\r/g, '');
      const end = clean.indexOf(`${tag}_END_`);
      const start = clean.indexOf('\n', clean.lastIndexOf(`${tag}"`, end)); // after the echoed command line
      resolve({ code: Number(m[1]), output: clean.slice(start + 1, end) });
    });
  });
}

/** TERM, then KILL after graceMs; resolves once the process is gone. */
export async function stopPid(pid: number, graceMs = 3000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const end = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    const killEnd = Date.now() + 2000;
    while (isAlive(pid) && Date.now() < killEnd) await new Promise((r) => setTimeout(r, 25));
  }
}

export async function stopVm(vm: RunningVm): Promise<void> {
  await stopPid(vm.pid);
}
