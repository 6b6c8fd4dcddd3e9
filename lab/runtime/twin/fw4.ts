// Translates the rendered /etc/config/firewall (and the zones' devices from /etc/config/network)
// into the nftables ruleset firewall4 would build: per-zone input/output/forward chains, verdict
// chains accept|reject|drop_{from,to}_<zone>, forwardings as jumps, masq as srcnat masquerade, the
// "Prevent NAT leakage" invalid drop unless masq_allow_invalid, and mtu_fix as MSS clamping.
// Pure: text in, text out. Syn-flood protection and user rules beyond the zones are left out.
import { list, option, parseUci, type UciSection } from '../../render/uci.ts';

type Policy = 'ACCEPT' | 'REJECT' | 'DROP';

interface Zone {
  name: string;
  devices: string[];
  input: Policy;
  output: Policy;
  forward: Policy;
  masq: boolean;
  masqAllowInvalid: boolean;
  mtuFix: boolean;
}

function policy(v: string | undefined, fallback: Policy): Policy {
  const p = (v ?? fallback).toUpperCase();
  if (p !== 'ACCEPT' && p !== 'REJECT' && p !== 'DROP') throw new Error(`firewall: unknown policy ${v}`);
  return p;
}

function devicesOf(network: UciSection[], iface: string): string[] {
  const s = network.find((x) => x.type === 'interface' && x.name === iface);
  const dev = s && option(s, 'device');
  return dev ? [dev] : [];
}

export function zonesOf(firewallText: string, networkText: string): { zones: Zone[]; defaults: Record<'input' | 'output' | 'forward', Policy>; forwardings: [string, string][] } {
  const fw = parseUci(firewallText);
  const network = parseUci(networkText);
  const d = fw.find((s) => s.type === 'defaults');
  const defaults = {
    input: policy(d && option(d, 'input'), 'REJECT'),
    output: policy(d && option(d, 'output'), 'ACCEPT'),
    forward: policy(d && option(d, 'forward'), 'REJECT'),
  };
  const zones = fw.filter((s) => s.type === 'zone').map((s): Zone => ({
    name: option(s, 'name') ?? '',
    devices: list(s, 'network').flatMap((n) => devicesOf(network, n)),
    input: policy(option(s, 'input'), defaults.input),
    output: policy(option(s, 'output'), defaults.output),
    forward: policy(option(s, 'forward'), defaults.forward),
    masq: option(s, 'masq') === '1',
    masqAllowInvalid: option(s, 'masq_allow_invalid') === '1',
    mtuFix: option(s, 'mtu_fix') === '1',
  }));
  const forwardings = fw
    .filter((s) => s.type === 'forwarding' && option(s, 'enabled') !== '0')
    .map((s): [string, string] => [option(s, 'src') ?? '', option(s, 'dest') ?? '']);
  return { zones, defaults, forwardings };
}

const devs = (z: Zone) => `{ ${z.devices.map((d) => `"${d}"`).join(', ')} }`;
const lower = (p: Policy) => p.toLowerCase();

function chain(name: string, lines: string[], hook?: string): string[] {
  return [`\tchain ${name} {`, ...(hook ? [`\t\t${hook}`] : []), ...lines.map((l) => `\t\t${l}`), '\t}', ''];
}

export function fw4Ruleset(firewallText: string, networkText: string): string {
  const { zones, defaults, forwardings } = zonesOf(firewallText, networkText);
  const withDevices = zones.filter((z) => z.devices.length > 0);
  const hookPolicy = (p: Policy) => (p === 'ACCEPT' ? 'accept' : 'drop');
  const tail = (p: Policy) => (p === 'REJECT' ? ['jump handle_reject'] : []);
  const out: string[] = ['table inet fw4', 'delete table inet fw4', 'table inet fw4 {'];

  out.push(...chain('input', [
    'iif "lo" accept comment "!fw4: Accept traffic from loopback"',
    'ct state established,related accept comment "!fw4: Allow inbound established and related flows"',
    ...withDevices.map((z) => `iifname ${devs(z)} jump input_${z.name} comment "!fw4: Handle ${z.name} IPv4/IPv6 input traffic"`),
    ...tail(defaults.input),
  ], `type filter hook input priority filter; policy ${hookPolicy(defaults.input)};`));
  out.push(...chain('forward', [
    'ct state established,related accept comment "!fw4: Allow forwarded established and related flows"',
    ...withDevices.map((z) => `iifname ${devs(z)} jump forward_${z.name} comment "!fw4: Handle ${z.name} IPv4/IPv6 forward traffic"`),
    ...tail(defaults.forward),
  ], `type filter hook forward priority filter; policy ${hookPolicy(defaults.forward)};`));
  out.push(...chain('output', [
    'oif "lo" accept comment "!fw4: Accept traffic towards loopback"',
    'ct state established,related accept comment "!fw4: Allow outbound established and related flows"',
    ...withDevices.map((z) => `oifname ${devs(z)} jump output_${z.name} comment "!fw4: Handle ${z.name} IPv4/IPv6 output traffic"`),
    ...tail(defaults.output),
  ], `type filter hook output priority filter; policy ${hookPolicy(defaults.output)};`));
  out.push(...chain('handle_reject', [
    'meta l4proto tcp reject with tcp reset comment "!fw4: Reject TCP traffic"',
    'reject comment "!fw4: Reject any other traffic"',
  ]));

  for (const z of withDevices) {
    const fwd = forwardings.filter(([src]) => src === z.name).map(([, dest]) => `jump accept_to_${dest} comment "!fw4: Accept ${z.name} to ${dest} forwarding"`);
    out.push(...chain(`input_${z.name}`, [`jump ${lower(z.input)}_from_${z.name}`]));
    out.push(...chain(`output_${z.name}`, [`jump ${lower(z.output)}_to_${z.name}`]));
    // A zone's forward policy covers traffic that stays in the zone; anything else not forwarded
    // falls back to the global forward policy, as in fw4.
    out.push(...chain(`forward_${z.name}`, [...fwd, `jump ${lower(z.forward)}_to_${z.name}`]));
    for (const p of ['accept', 'reject', 'drop'] as const) {
      const verdict = p === 'reject' ? 'jump handle_reject' : p;
      out.push(...chain(`${p}_from_${z.name}`, [`iifname ${devs(z)} counter ${verdict} comment "!fw4: ${p} ${z.name} IPv4/IPv6 traffic"`]));
      const leak = p === 'accept' && z.masq && !z.masqAllowInvalid
        ? [`meta nfproto ipv4 oifname ${devs(z)} ct state invalid counter drop comment "!fw4: Prevent NAT leakage"`]
        : [];
      out.push(...chain(`${p}_to_${z.name}`, [...leak, `oifname ${devs(z)} counter ${verdict} comment "!fw4: ${p} ${z.name} IPv4/IPv6 traffic"`]));
    }
  }

  const masqZones = withDevices.filter((z) => z.masq);
  out.push(...chain('srcnat', masqZones.map((z) => `oifname ${devs(z)} jump srcnat_${z.name} comment "!fw4: Handle ${z.name} IPv4/IPv6 srcnat traffic"`),
    'type nat hook postrouting priority srcnat; policy accept;'));
  for (const z of masqZones) out.push(...chain(`srcnat_${z.name}`, ['meta nfproto ipv4 masquerade comment "!fw4: Masquerade IPv4 ' + z.name + ' traffic"']));

  const clamp = withDevices.filter((z) => z.mtuFix).flatMap((z) => [
    `iifname ${devs(z)} tcp flags syn / fin,syn,rst tcp option maxseg size set rt mtu comment "!fw4: Zone ${z.name} IPv4/IPv6 ingress MTU fixing"`,
    `oifname ${devs(z)} tcp flags syn / fin,syn,rst tcp option maxseg size set rt mtu comment "!fw4: Zone ${z.name} IPv4/IPv6 egress MTU fixing"`,
  ]);
  out.push(...chain('mangle_forward', clamp, 'type filter hook forward priority mangle; policy accept;'));
  out.push('}', '');
  return out.join('\n');
}
