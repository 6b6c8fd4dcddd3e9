// `lab compare`: the same topology in native mode and in the tunnel-with-masquerading mode most
// clusters run, side by side. The reference's argument, made executable.
import type { Command } from 'commander';
import { formatCompare, type Side } from '../compare/format.ts';
import { measure, type Measurements } from '../compare/measure.ts';
import { runE2e } from '../e2e.ts';
import { pitfall } from '../pitfalls/index.ts';
import { renderAll } from '../render/index.ts';
import { readTopology, readTopologyDoc, resolveOptions, type TopologyFlags } from './inputs.ts';
import { topologyOptions } from './options.ts';
import { stageLogger } from './progress.ts';
import type { Topology } from '../topology/schema.ts';

export function registerCompare(program: Command): void {
  topologyOptions(program.command('compare').description('native routing vs tunnel + masquerading, side by side'))
    .option('--artifacts <dir>', 'artifacts folder', 'artifacts')
    .option('--plain', 'one plain line per stage')
    .action(async (flags: TopologyFlags & { artifacts: string; plain?: boolean }) => {
      const native = readTopology(flags);
      const nativeModel = { ...native, cilium: { ...native.cilium, routingMode: 'native' as const, masquerade: false } };
      // The other side runs what most clusters run: overlay, masquerading, and for LoadBalancer
      // Services Kubernetes' default externalTrafficPolicy Cluster with Cilium's default snat mode.
      const doc = readTopologyDoc(flags) as Topology;
      const defaults: Topology = {
        ...doc,
        ...(doc.services ? { services: doc.services.map((s) => ({ ...s, trafficPolicy: 'Cluster' as const })) } : {}),
        ...(doc.loadBalancer ? { loadBalancer: { ...doc.loadBalancer, mode: 'snat' as const } } : {}),
      };
      const tunnel = pitfall('tunnel')!.apply(defaults, resolveOptions(flags));
      const sides: Side[] = [];
      for (const [label, model, files] of [['native routing', nativeModel, renderAll(nativeModel)], ['tunnel + masquerade', tunnel.model, tunnel.files]] as const) {
        let m: Measurements | undefined;
        process.stderr.write(`${label}:\n`);
        const report = await runE2e({ model, files, artifactsRoot: flags.artifacts, onStage: stageLogger(flags.plain === true || !process.stderr.isTTY), measure: async (lab) => { m = await measure(lab); } });
        sides.push({ label, report, m });
      }
      process.stdout.write(formatCompare(sides));
    });
}
