// Flags shared by every command that reads a topology.
import { Option, type Command } from 'commander';

export function topologyOptions(cmd: Command): Command {
  return cmd
    .option('-t, --topology <file>', 'topology YAML (default: the reference setup)')
    .addOption(new Option('--cilium-version <version>', 'override versions.cilium'))
    .addOption(new Option('--talos-version <version>', 'override versions.talos'))
    .addOption(new Option('--openwrt-version <version>', 'override versions.openwrt'));
}

/** The twin's node speaker: Cilium's own BGP control plane (auto, where it can be had) or the emulation. */
export function speakerOption(cmd: Command): Command {
  return cmd.addOption(new Option('--speaker <which>', 'the twin nodes\' BGP speaker: auto (Cilium\'s own control plane at the topology\'s release, built once; the emulation where it cannot be had), cilium (or exit 3), emulated (GoBGP from this project\'s reading of the resources)').default('auto'));
}
