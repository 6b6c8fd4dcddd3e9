// Is KVM really usable? /dev/kvm existing proves nothing: on some hosts (nested virtualisation, this
// project's CI box) a guest's real-mode BIOS runs but a Linux kernel never prints a line. So the
// probe boots a real kernel under KVM with a short deadline and no disk and no network: the kernel
// gets as far as "VFS: Unable to mount root fs" (or runs an initramfs's /init) and panics, which
// under working KVM takes well under a second. The probe is killed at its deadline.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Accel } from './qemu.ts';

export interface AccelProbe {
  usable: boolean;
  accel: Accel;
  /** "usable", or why not. */
  detail: string;
  ms: number;
}

/** Markers a Linux kernel prints once it has gone through its whole init. */
const BOOTED = /Kernel panic|VFS: Unable to mount root|Run \/init as init process|Freeing unused kernel/;

/** The probe's command line. Pure. No NIC, no disk: the guest touches nothing. */
export function kvmProbeArgv(kernel: string, initrd?: string): string[] {
  return [
    'qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host', '-m', '128', '-smp', '1',
    '-nodefaults', '-no-user-config', '-display', 'none', '-nic', 'none', '-no-reboot',
    '-kernel', kernel, ...(initrd ? ['-initrd', initrd] : []),
    '-append', 'console=ttyS0 panic=-1 loglevel=4',
    '-serial', 'stdio',
  ];
}

/** A kernel to probe with: one given, else the host's own (Debian's linux-image-amd64). */
export function probeKernel(candidates: string[] = []): string | undefined {
  for (const c of candidates) if (existsSync(c)) return c;
  try {
    const k = readdirSync('/boot').filter((f) => /^vmlinuz-/.test(f)).sort().at(-1);
    return k ? join('/boot', k) : undefined;
  } catch {
    return undefined;
  }
}

export async function probeKvm(opts: { kernel?: string; deadlineMs?: number } = {}): Promise<AccelProbe> {
  const t0 = Date.now();
  const no = (detail: string): AccelProbe => ({ usable: false, accel: 'tcg', detail, ms: Date.now() - t0 });
  if (!existsSync('/dev/kvm')) return no('no /dev/kvm');
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return no('/dev/kvm is not readable and writable by this user');
  }
  const kernel = opts.kernel ?? probeKernel();
  if (!kernel) return no('no kernel to probe KVM with (install linux-image-amd64, or download the images first)');
  const deadlineMs = opts.deadlineMs ?? 10_000;
  const [cmd, ...args] = kvmProbeArgv(kernel);
  return new Promise<AccelProbe>((resolve) => {
    let out = '';
    let settled = false;
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const finish = (p: AccelProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      resolve(p);
    };
    const timer = setTimeout(() => {
      const said = out.trim() === '' ? 'the guest printed nothing' : `last line: ${out.trim().split('\n').at(-1)}`;
      finish(no(`a kernel under KVM did not boot within ${deadlineMs} ms (${said}); /dev/kvm exists but does not run guests`));
    }, deadlineMs);
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      if (BOOTED.test(out)) finish({ usable: true, accel: 'kvm', detail: 'usable', ms: Date.now() - t0 });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    child.on('error', (e) => finish(no(`could not run qemu-system-x86_64: ${e.message}`)));
    child.on('exit', (code) => {
      if (!settled && !BOOTED.test(out)) finish(no(`QEMU exited (${code}) before the kernel booted: ${out.trim().split('\n').slice(-2).join(' ')}`));
    });
  });
}

/** What a run under TCG costs, for the warning. */
export function tcgWarning(): string {
  return 'KVM is not usable here: the VMs run under TCG (software emulation), roughly 10 to 30 times slower; '
    + 'a full lab (routers, Talos, Cilium) takes well over an hour instead of about ten minutes';
}
