// The system tools each runtime needs, the Debian package that brings each, and a PATH lookup.
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const TWIN_TOOLS: Record<string, string> = {
  ip: 'iproute2', bridge: 'iproute2', ss: 'iproute2',
  bird: 'bird2', birdc: 'bird2',
  gobgpd: 'gobgpd', gobgp: 'gobgpd',
  dnsmasq: 'dnsmasq-base',
  nft: 'nftables',
  tcpdump: 'tcpdump',
  traceroute: 'traceroute',
  socat: 'socat',
  busybox: 'busybox-static',
  ping: 'iputils-ping',
  sysctl: 'procps',
  ethtool: 'ethtool',
  // Several routers per datacentre share their LAN's gateway by VRRP (lab/render/keepalived.ts).
  keepalived: 'keepalived',
};

export const VM_TOOLS: Record<string, string> = {
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-img': 'qemu-utils',
  debugfs: 'e2fsprogs',
  'mkfs.ext4': 'e2fsprogs',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  tcpdump: 'tcpdump',
  busybox: 'busybox-static',
  // The emulated internet (lab/runtime/vm/internet.ts): its user-mode uplink, the routers' WAN
  // DHCP and DNS, its NAT and filter, and the echo services of its host and of the LAN hosts.
  slirp4netns: 'slirp4netns',
  dnsmasq: 'dnsmasq-base',
  nft: 'nftables',
  socat: 'socat',
  // Tests only: a DHCPv6 client in a router's place on the emulated WAN, as OpenWRT's odhcp6c on wan6.
  dhcpcd: 'dhcpcd-base',
  // Not a command: the Debian kernel the VM tests boot (and the KVM probe's fallback kernel).
  vmlinuz: 'linux-image-amd64',
};

/** Entries of the tool tables that are files rather than commands on PATH. */
const FILE_TOOLS: Record<string, () => string | undefined> = {
  vmlinuz: () => {
    try {
      const k = readdirSync('/boot').filter((f) => /^vmlinuz-/.test(f)).sort().at(-1);
      return k ? join('/boot', k) : undefined;
    } catch {
      return undefined;
    }
  },
};

/** Optional: PNG diagrams. */
export const OPTIONAL_TOOLS: Record<string, string> = { 'rsvg-convert': 'librsvg2-bin' };

export function which(cmd: string): string | undefined {
  const file = FILE_TOOLS[cmd];
  if (file) return file();
  for (const dir of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).concat(['/usr/sbin', '/sbin'])) {
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function missingTools(tools: Record<string, string>): { commands: string[]; packages: string[] } {
  const commands = Object.keys(tools).filter((c) => !which(c));
  const packages = [...new Set(commands.map((c) => tools[c]!))];
  return { commands, packages };
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function installCommand(packages: string[]): string {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}
