// What the VM lab needs before it creates anything: root, the tools, working KVM (else a TCG
// warning), every image and tool in the cache, and (only to fill the cache, with --download) the
// internet. The internet is judged without sending a packet: a default route and a resolver in the
// host's configuration; the first real download is the test.
import { readFileSync } from 'node:fs';
import { run } from '../exec.ts';
import { installCommand, isRoot, missingTools, VM_TOOLS } from '../tools.ts';
import { probeKernel, probeKvm, tcgWarning, type AccelProbe } from './accel.ts';
import { cacheDir, cached } from './images.ts';
import { allArtifacts, openwrtArtifacts, type Artifact } from './pins.ts';

export interface Preflight {
  /** Each a full sentence naming what is missing. Empty: the run can go ahead. */
  missing: string[];
  warnings: string[];
  kvm: AccelProbe;
  absent: Artifact[];
  install?: string;
}

/** Resolver and default route, read from configuration only. */
export async function internetLooksPossible(): Promise<{ ok: boolean; detail: string }> {
  let resolver = false;
  try {
    resolver = /^\s*nameserver\s+\S+/m.test(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    /* none */
  }
  const route = (await run(['ip', 'route', 'show', 'default'], { timeoutMs: 3000 })).stdout.trim() !== '';
  if (resolver && route) return { ok: true, detail: 'a default route and a DNS resolver are configured (not tried)' };
  return { ok: false, detail: `no ${[!route ? 'default route' : '', !resolver ? 'DNS resolver' : ''].filter(Boolean).join(' and no ')}` };
}

export async function preflightVm(versions: { openwrt: string; talos: string; cilium: string }, opts: { download: boolean; cache?: string; kvmDeadlineMs?: number }): Promise<Preflight> {
  const missing: string[] = [];
  const warnings: string[] = [];
  const dir = opts.cache ?? cacheDir();
  const tools = missingTools(VM_TOOLS);
  const install = tools.packages.length > 0 ? `${installCommand(tools.packages)}   (or: sudo node bin/lab.mjs doctor --install --vm)` : undefined;
  if (tools.commands.length > 0) missing.push(`tools: ${tools.commands.join(', ')}`);
  if (!isRoot()) missing.push('root: the VM lab creates network namespaces, bridges and taps (run with sudo)');
  const artifacts = allArtifacts(versions);
  const absent: Artifact[] = [];
  for (const a of artifacts) if (!(await cached(a, dir))) absent.push(a);
  // Probe KVM with the OpenWRT kernel when cached, else the host's kernel.
  const owrtKernel = await cached(openwrtArtifacts(versions.openwrt)[0]!, dir);
  const kernel = probeKernel(owrtKernel ? [owrtKernel] : []);
  const kvm: AccelProbe = tools.commands.includes('qemu-system-x86_64')
    ? { usable: false, accel: 'tcg', detail: 'not probed: no qemu-system-x86_64', ms: 0 }
    : await probeKvm({ ...(kernel ? { kernel } : {}), deadlineMs: opts.kvmDeadlineMs ?? 10_000 });
  const kvmLine = `working KVM: ${kvm.detail}`;
  if (!kvm.usable) warnings.push(tcgWarning());
  if (absent.length > 0) {
    missing.push(`images: ${absent.length} of ${artifacts.length} not in the cache ${dir}: ${absent.map((a) => a.what).join(', ')}`);
    const net = await internetLooksPossible();
    if (!opts.download) {
      missing.push(`internet: needed to download them; not tried (rerun with --download on a machine with internet; here: ${net.detail})`);
    } else if (!net.ok) {
      missing.push(`internet: --download needs it, and this machine has ${net.detail}`);
    }
  }
  // Without KVM the lab would still run (slowly); it is named whenever something else stops the run.
  if (missing.length > 0 && !kvm.usable) missing.unshift(kvmLine + ' (the run would fall back to TCG: ' + tcgWarning().split(': ')[1] + ')');
  return { missing, warnings, kvm, absent, ...(install ? { install } : {}) };
}

export function missingMessage(p: Preflight): string {
  return `the VM lab cannot run here; missing:\n${p.missing.map((m) => `  - ${m}`).join('\n')}`;
}
