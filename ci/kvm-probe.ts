// Does KVM really run guests here? `/dev/kvm` existing proves nothing (a privileged Dagger exec
// always has the node); this boots the OpenWRT kernel the VM lab will use under KVM with a short
// deadline (lab/runtime/vm/accel.ts probeKvm), after fetching it into the lab's image cache
// (checksum-verified, the same file the lab then finds cached).
//
//   node --import tsx ci/kvm-probe.ts [--topology F] [--openwrt-version V] [--download] [--kernel FILE] [--deadline-ms N]
//
// Prints one line, exits 0 KVM usable, 3 not usable (or no kernel to probe with), 2 bad input.
import { parseArgs } from 'node:util';
import { readTopology } from '../lab/cli/inputs.ts';
import { probeKvm } from '../lab/runtime/vm/accel.ts';
import { cacheDir, fetchArtifact } from '../lab/runtime/vm/images.ts';
import { openwrtArtifacts } from '../lab/runtime/vm/pins.ts';
import { InputError } from '../lab/topology/errors.ts';

const EXIT = { usable: 0, badInput: 2, unusable: 3 } as const;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        topology: { type: 'string' }, 'cilium-version': { type: 'string' }, 'talos-version': { type: 'string' },
        'openwrt-version': { type: 'string' }, download: { type: 'boolean' }, kernel: { type: 'string' },
        'deadline-ms': { type: 'string' },
      },
    }));
  } catch (e) {
    process.stderr.write(`kvm-probe: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
  const deadlineMs = Number(values['deadline-ms'] ?? '10000');
  if (!Number.isInteger(deadlineMs) || deadlineMs <= 0) {
    process.stderr.write(`kvm-probe: --deadline-ms "${values['deadline-ms']}" is not a positive whole number of milliseconds\n`);
    return EXIT.badInput;
  }
  let kernel = values.kernel;
  if (!kernel) {
    let version: string;
    try {
      version = readTopology({
        ...(values.topology ? { topology: values.topology } : {}),
        ...(values['openwrt-version'] ? { openwrtVersion: values['openwrt-version'] } : {}),
      }).versions.openwrt;
    } catch (e) {
      if (e instanceof InputError) {
        process.stderr.write(`kvm-probe: ${e.message}\n`);
        return EXIT.badInput;
      }
      throw e;
    }
    try {
      kernel = await fetchArtifact(openwrtArtifacts(version)[0]!, { dir: cacheDir(), download: values.download === true, log: (l) => process.stderr.write(`kvm-probe: ${l}\n`) });
    } catch (e) {
      process.stdout.write(`KVM not probed: no OpenWRT ${version} kernel to boot (${(e as Error).message})\n`);
      return EXIT.unusable;
    }
  }
  const p = await probeKvm({ kernel, deadlineMs });
  process.stdout.write(p.usable ? `KVM usable: a kernel booted under KVM in ${p.ms} ms\n` : `KVM not usable: ${p.detail}\n`);
  return p.usable ? EXIT.usable : EXIT.unusable;
}

process.exitCode = await main();
