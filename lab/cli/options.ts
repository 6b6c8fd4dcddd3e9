// Flags shared by every command that reads a topology.
import { Option, type Command } from 'commander';

export function topologyOptions(cmd: Command): Command {
  return cmd
    .option('-t, --topology <file>', 'topology YAML (default: the reference setup)')
    .addOption(new Option('--cilium-version <version>', 'override versions.cilium'))
    .addOption(new Option('--talos-version <version>', 'override versions.talos'))
    .addOption(new Option('--openwrt-version <version>', 'override versions.openwrt'));
}
