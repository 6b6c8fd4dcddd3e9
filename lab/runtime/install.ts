// `lab doctor --install`: installs Debian packages without letting their services start in the
// host's root namespace (policy-rc.d 101), since the lab runs its own daemons in namespaces.
import { existsSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { run } from './exec.ts';

const POLICY = '/usr/sbin/policy-rc.d';

export function isDebianLike(): boolean {
  return existsSync('/usr/bin/apt-get') && existsSync('/etc/debian_version');
}

export async function aptInstall(packages: string[], log: (l: string) => void): Promise<{ ok: boolean; detail: string }> {
  const hadPolicy = existsSync(POLICY);
  if (!hadPolicy) {
    writeFileSync(POLICY, '#!/bin/sh\n# written by native-routing-lab during install: no service starts\nexit 101\n');
    chmodSync(POLICY, 0o755);
  }
  try {
    log(`apt-get update`);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const up = await run(['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'apt-get', 'update', '-qq'], { timeoutMs: 600_000 });
    if (up.code !== 0) return { ok: false, detail: up.stderr.trim().slice(-500) };
    log(`apt-get install ${packages.join(' ')}`);
    const r = await run(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages], { timeoutMs: 1_200_000 });
    return { ok: r.code === 0, detail: (r.stderr || r.stdout).trim().slice(-500) };
  } finally {
    if (!hadPolicy) rmSync(POLICY, { force: true });
  }
}
