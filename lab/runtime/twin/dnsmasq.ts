// Translates the rendered /etc/config/dhcp into dnsmasq flags the way OpenWRT's init script does
// for the options the lab renders. No --interface/--listen-address: dnsmasq ignores --local-service
// when either is given, and localservice is exactly what the lab must reproduce.
import * as ip from '../../topology/cidr.ts';
import { ROUTER_PORTS } from '../../render/ports.ts';
import { option, parseUci } from '../../render/uci.ts';

export interface DnsmasqPaths {
  pidFile: string;
  leaseFile: string;
}

const FLAGS: Record<string, string> = {
  domainneeded: '--domain-needed',
  expandhosts: '--expand-hosts',
  authoritative: '--dhcp-authoritative',
  rebind_protection: '--stop-dns-rebind',
  rebind_localhost: '--rebind-localhost-ok',
  localise_queries: '--localise-queries',
  localservice: '--local-service',
};

export function dnsmasqArgs(dhcpText: string, lanCidr: string, paths: DnsmasqPaths): string[] {
  const sections = parseUci(dhcpText);
  const main = sections.find((s) => s.type === 'dnsmasq');
  if (!main) throw new Error('dhcp: no dnsmasq section');
  const args = ['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--log-facility=-', '--log-queries',
    '--user=root', `--pid-file=${paths.pidFile}`, `--dhcp-leasefile=${paths.leaseFile}`];
  for (const [key, flag] of Object.entries(FLAGS)) if (option(main, key) === '1') args.push(flag);
  const local = option(main, 'local');
  if (local) args.push(`--local=${local}`);
  const domain = option(main, 'domain');
  if (domain) args.push(`--domain=${domain}`);
  const ednsMax = option(main, 'ednspacket_max');
  if (ednsMax) args.push(`--edns-packet-max=${ednsMax}`);
  for (const s of sections) {
    if (s.type === 'domain') args.push(`--host-record=${option(s, 'name')},${option(s, 'ip')}`);
    if (s.type === 'host') args.push(`--dhcp-host=${option(s, 'mac')},${option(s, 'ip')},${option(s, 'name')}`);
    if (s.type === 'dhcp' && option(s, 'ignore') === '1') {
      const dev = s.name === 'wan' ? ROUTER_PORTS.wan : s.name === 'peering' ? ROUTER_PORTS.peering : undefined;
      if (dev) args.push(`--no-dhcp-interface=${dev}`);
    }
    if (s.type === 'dhcp' && s.name === 'lan' && option(s, 'ignore') !== '1') {
      // OpenWRT computes the range as start..start+limit-1 hosts into the LAN, clipped to it.
      const lan = ip.cidr(lanCidr);
      const last = ip.broadcast(lan) - 1;
      const first = Math.min(lan.network + Number(option(s, 'start') ?? 100), last);
      const end = Math.min(first + Number(option(s, 'limit') ?? 150) - 1, last);
      args.push(`--dhcp-range=${ip.formatIp(first)},${ip.formatIp(end)},${option(s, 'leasetime') ?? '12h'}`);
    }
  }
  return args;
}
