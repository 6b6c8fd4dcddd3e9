// Shared by the VM tests: whether this machine can boot guests (root, QEMU, the Debian kernel,
// busybox; in CI it must), and the tiny guest the tests boot: the Debian kernel plus a busybox
// initramfs built here, with the e1000 driver, that addresses its NIC from the kernel command line,
// prints a marker on the serial console and leaves a root shell there.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpioNewc, type CpioEntry } from '../../lab/runtime/vm/cpio.ts';
import { isRoot, missingTools, VM_TOOLS, which } from '../../lab/runtime/tools.ts';

export const READY = 'NRL-GUEST-READY';

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'nrl-vm-test-'));
}

export function debianKernel(): { kernel: string; modules: string } | undefined {
  let files: string[];
  try {
    files = readdirSync('/boot').filter((f) => /^vmlinuz-/.test(f)).sort();
  } catch {
    return undefined;
  }
  const k = files.at(-1);
  if (!k) return undefined;
  const release = k.replace(/^vmlinuz-/, '');
  return { kernel: join('/boot', k), modules: join('/lib/modules', release) };
}

/** Why the QEMU tests cannot run here, or undefined. In CI a missing prerequisite is a failure. */
export function vmUnavailable(need: 'qemu' | 'debugfs' | 'busybox' = 'qemu'): string | undefined {
  const tools: Record<string, string> = need === 'qemu' ? { ...VM_TOOLS } : need === 'busybox' ? { busybox: 'busybox-static' } : { debugfs: 'e2fsprogs', 'mkfs.ext4': 'e2fsprogs' };
  const missing = missingTools(tools).commands;
  let why: string | undefined;
  if (!isRoot()) why = 'not root';
  else if (missing.length > 0) why = `missing ${missing.join(', ')} (run: node bin/lab.mjs doctor --install --vm)`;
  else if (need === 'qemu' && !existsSync('/dev/net/tun')) why = 'no /dev/net/tun';
  if (why && process.env['CI']) throw new Error(`the VM tests must run in CI, but: ${why}`);
  if (why) process.stderr.write(`# VM tests skipped: ${why}\n`);
  return why ? `VM tests skipped: ${why}` : undefined;
}

const INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s /bin
export PATH=/bin
[ -n "$nrl_hang" ] && echo "nrl: this guest never gets ready" && exec sleep 100000
insmod /e1000.ko
ip link set lo up
if [ -n "$nrl_addr" ]; then
  i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
  ip addr add "$nrl_addr" dev eth0 && ip link set eth0 up
fi
echo "${READY} $nrl_addr"
exec sh
`;

/** Builds the busybox initramfs (gzip'd newc cpio) into dir; returns its path and the kernel's. */
export function buildTinyGuest(dir: string): { kernel: string; initrd: string } {
  const deb = debianKernel();
  if (!deb) throw new Error('no Debian kernel in /boot (apt-get install linux-image-amd64)');
  const busybox = which('busybox');
  if (!busybox) throw new Error('no busybox (apt-get install busybox-static)');
  const e1000 = join(deb.modules, 'kernel/drivers/net/ethernet/intel/e1000/e1000.ko');
  const entries: CpioEntry[] = [
    { path: 'bin', type: 'dir' }, { path: 'dev', type: 'dir' }, { path: 'proc', type: 'dir' }, { path: 'sys', type: 'dir' }, { path: 'tmp', type: 'dir' },
    { path: 'dev/console', type: 'chardev', mode: 0o600, major: 5, minor: 1 },
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: readFileSync(busybox) },
    { path: 'bin/sh', type: 'symlink', data: 'busybox' },
    { path: 'init', type: 'file', mode: 0o755, data: INIT },
    ...(existsSync(e1000) ? [{ path: 'e1000.ko', type: 'file' as const, data: readFileSync(e1000) }] : []),
  ];
  const initrd = join(dir, 'initrd.cpio.gz');
  writeFileSync(initrd, gzipSync(cpioNewc(entries)));
  return { kernel: deb.kernel, initrd };
}

export function qemuProcessesOf(runId: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.startsWith('qemu-system') && cmd.includes(`nrl-${runId}`)) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}
