// Translates the rendered /etc/config/firewall (and the zones' devices from /etc/config/network)
// into the nftables ruleset firewall4 builds, chain for chain in the order of firewall4's
// root/usr/share/firewall4/templates/ruleset.uc (openwrt/firewall4 b6e5157, the commit OpenWRT's
// package/network/config/firewall4/Makefile pins as PKG_SOURCE_VERSION). Pure: text in, text out.
// Covered: defaults (policies, syn_flood, drop_invalid), zones (network, device, policies, masq,
// masq6, masq_allow_invalid, mtu_fix), forwardings. Anything else is refused by name, never ignored.
import { list, option, parseUci, type UciSection } from '../../render/uci.ts';

type Policy = 'accept' | 'reject' | 'drop';

export interface Zone {
  name: string;
  devices: string[];
  input: Policy;
  output: Policy;
  forward: Policy;
  masq: boolean;
  /** IPv6 masquerading: off as OpenWRT ships it (routed IPv6 keeps its addresses). */
  masq6: boolean;
  masqAllowInvalid: boolean;
  mtuFix: boolean;
}

export interface Defaults {
  input: Policy;
  output: Policy;
  forward: Policy;
  dropInvalid: boolean;
  /** firewall4's synflood_protect (syn_flood is its old name); rate per second and burst. */
  synFlood?: { rate: number; unit: string; burst: number };
}

// Options this translation implements; any other option or section type is refused (see README).
const KNOWN: Record<string, string[]> = {
  defaults: ['input', 'output', 'forward', 'syn_flood', 'synflood_protect', 'synflood_rate', 'synflood_burst', 'drop_invalid'],
  zone: ['name', 'network', 'device', 'input', 'output', 'forward', 'masq', 'masq6', 'masq_allow_invalid', 'mtu_fix', 'enabled'],
  forwarding: ['src', 'dest', 'enabled', 'name'],
};

function unsupported(s: UciSection): void {
  const known = KNOWN[s.type];
  if (!known) throw new Error(`firewall: "config ${s.type}" sections are not translated by the twin (it covers defaults, zone and forwarding only)`);
  const extra = s.options.map(([k]) => k).find((k) => !known.includes(k));
  if (extra) throw new Error(`firewall: option ${extra} in a ${s.type} section is not translated by the twin; remove it or extend lab/runtime/twin/fw4.ts`);
}

function policy(v: string | undefined, fallback: Policy): Policy {
  const p = (v ?? fallback).toLowerCase();
  if (p !== 'accept' && p !== 'reject' && p !== 'drop') throw new Error(`firewall: unknown policy ${v} (use ACCEPT, REJECT or DROP)`);
  return p;
}

/** fw4.uc parse_bool: 1/on/true/yes, 0/off/false/no, anything else unset. */
function bool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 'on', 'true', 'yes'].includes(v)) return true;
  if (['0', 'off', 'false', 'no'].includes(v)) return false;
  return undefined;
}

function devicesOf(network: UciSection[], iface: string): string[] {
  const s = network.find((x) => x.type === 'interface' && x.name === iface);
  const dev = s && option(s, 'device');
  return dev ? [dev] : [];
}

/** fw4.uc parse_defaults: policies default to drop; synflood_rate "25/second", synflood_burst 50. */
function defaultsOf(d: UciSection | undefined): Defaults {
  const get = (k: string) => (d ? option(d, k) : undefined);
  const out: Defaults = { input: policy(get('input'), 'drop'), output: policy(get('output'), 'drop'), forward: policy(get('forward'), 'drop'), dropInvalid: bool(get('drop_invalid')) === true };
  const protect = bool(get('synflood_protect')) ?? bool(get('syn_flood'));
  if (protect) {
    const m = /^([0-9]+)(?:\/(second|minute|hour|day))?$/.exec(get('synflood_rate') ?? '25/second');
    if (!m) throw new Error(`firewall: synflood_rate '${get('synflood_rate')}' is not N or N/second|minute|hour|day`);
    const burst = Number(get('synflood_burst') ?? '50');
    if (!Number.isInteger(burst) || burst < 0) throw new Error(`firewall: synflood_burst '${get('synflood_burst')}' is not a whole number`);
    out.synFlood = { rate: Number(m[1]), unit: m[2] ?? 'second', burst };
  }
  return out;
}

export function zonesOf(firewallText: string, networkText: string): { zones: Zone[]; defaults: Defaults; forwardings: [string, string][] } {
  const fw = parseUci(firewallText);
  const network = parseUci(networkText);
  fw.forEach(unsupported);
  const defaults = defaultsOf(fw.find((s) => s.type === 'defaults'));
  const zones = fw.filter((s) => s.type === 'zone' && bool(option(s, 'enabled')) !== false).map((s): Zone => ({
    name: option(s, 'name') ?? '',
    // fw4 takes a network's device from netifd (ubus); here from the interface's UCI device.
    devices: [...new Set([...list(s, 'network').flatMap((n) => devicesOf(network, n)), ...list(s, 'device')])],
    input: policy(option(s, 'input'), defaults.input),
    output: policy(option(s, 'output'), defaults.output),
    forward: policy(option(s, 'forward'), defaults.forward),
    masq: bool(option(s, 'masq')) === true,
    masq6: bool(option(s, 'masq6')) === true,
    masqAllowInvalid: bool(option(s, 'masq_allow_invalid')) === true,
    mtuFix: bool(option(s, 'mtu_fix')) === true,
  }));
  // fw4.uc parse_forwarding: a forwarding naming an unknown zone is skipped ("invalid options").
  const names = new Set(zones.map((z) => z.name));
  const forwardings = fw
    .filter((s) => s.type === 'forwarding' && bool(option(s, 'enabled')) !== false)
    .map((s): [string, string] => [option(s, 'src') ?? '', option(s, 'dest') ?? ''])
    .filter(([src, dest]) => names.has(src) && names.has(dest));
  return { zones, defaults, forwardings };
}

/** fw4.uc set(): one item bare, several in braces; device names always quoted. */
const devs = (z: Zone) => (z.devices.length === 1 ? `"${z.devices[0]}"` : `{ ${z.devices.map((d) => `"${d}"`).join(', ')} }`);

function chain(name: string, lines: string[], hook?: string): string[] {
  return [`\tchain ${name} {`, ...(hook ? [`\t\t${hook}`] : []), ...lines.map((l) => `\t\t${l}`), '\t}', ''];
}

export function fw4Ruleset(firewallText: string, networkText: string): string {
  const { zones, defaults, forwardings } = zonesOf(firewallText, networkText);
  // fw4.uc parse_zone: a zone with no device has no match rules, so no jump into it and empty
  // verdict chains, but every chain still exists (a forwarding into it must find accept_to_<zone>).
  const matched = zones.filter((z) => z.devices.length > 0);
  const hookPolicy = (p: Policy) => (p === 'reject' ? 'drop' : p); // fw4.uc input_policy(true)
  const tail = (p: Policy) => (p === 'reject' ? ['jump handle_reject'] : []);
  const vmap = `ct state vmap { established : accept, related : accept${defaults.dropInvalid ? ', invalid : drop' : ''} }`;
  const jumps = (dir: 'input' | 'forward' | 'output') => matched.map((z) =>
    `${dir === 'output' ? 'oifname' : 'iifname'} ${devs(z)} jump ${dir}_${z.name} comment "!fw4: Handle ${z.name} IPv4/IPv6 ${dir} traffic"`);
  const out: string[] = ['table inet fw4', 'flush table inet fw4', '', 'table inet fw4 {'];

  out.push(...chain('input', [
    'iif "lo" accept comment "!fw4: Accept traffic from loopback"',
    `${vmap} comment "!fw4: Handle inbound flows"`,
    // ruleset.uc: with synflood_protect every new SYN to the router passes syn_flood first.
    ...(defaults.synFlood ? ['tcp flags & (fin | syn | rst | ack) == syn jump syn_flood comment "!fw4: Rate limit TCP syn packets"'] : []),
    ...jumps('input'),
    ...tail(defaults.input),
  ], `type filter hook input priority filter; policy ${hookPolicy(defaults.input)};`));
  out.push(...chain('forward', [`${vmap} comment "!fw4: Handle forwarded flows"`, ...jumps('forward'), ...tail(defaults.forward)],
    `type filter hook forward priority filter; policy ${hookPolicy(defaults.forward)};`));
  out.push(...chain('output', [
    'oif "lo" accept comment "!fw4: Accept traffic towards loopback"',
    `${vmap} comment "!fw4: Handle outbound flows"`,
    ...jumps('output'),
    ...tail(defaults.output),
  ], `type filter hook output priority filter; policy ${hookPolicy(defaults.output)};`));
  // ruleset.uc fills prerouting only with conntrack helper assignments, which the twin leaves out.
  out.push(...chain('prerouting', [], 'type filter hook prerouting priority filter; policy accept;'));
  out.push(...chain('handle_reject', [
    'meta l4proto tcp reject with tcp reset comment "!fw4: Reject TCP traffic"',
    'reject with icmpx type port-unreachable comment "!fw4: Reject any other traffic"',
  ]));
  if (defaults.synFlood) {
    const { rate, unit, burst } = defaults.synFlood;
    // ruleset.uc chain syn_flood: below the rate SYNs return to input, the excess is dropped.
    out.push(...chain('syn_flood', [
      `limit rate ${rate}/${unit}${burst ? ` burst ${burst} packets` : ''} return comment "!fw4: Accept SYN packets below rate-limit"`,
      'drop comment "!fw4: Drop excess packets"',
    ]));
  }

  for (const z of zones) {
    const has = z.devices.length > 0;
    const fwd = forwardings.filter(([src]) => src === z.name).map(([, dest]) => `jump accept_to_${dest} comment "!fw4: Accept ${z.name} to ${dest} forwarding"`);
    out.push(...chain(`input_${z.name}`, [`jump ${z.input}_from_${z.name}`]));
    out.push(...chain(`output_${z.name}`, [`jump ${z.output}_to_${z.name}`]));
    // The zone's forward policy covers traffic that stays in the zone; anything else not forwarded
    // returns to the forward chain and its global policy.
    out.push(...chain(`forward_${z.name}`, [...fwd, `jump ${z.forward}_to_${z.name}`]));
    // fw4.uc: sflags[input]; dflags[output], dflags[forward], and accept for a forwarding's dest.
    const dflags = new Set<Policy>([z.output, z.forward, ...(forwardings.some(([, d]) => d === z.name) ? ['accept' as const] : [])]);
    for (const p of ['accept', 'reject', 'drop'] as const) {
      const verdict = p === 'reject' ? 'jump handle_reject' : p;
      if (z.input === p) out.push(...chain(`${p}_from_${z.name}`, has ? [`iifname ${devs(z)} counter ${verdict} comment "!fw4: ${p} ${z.name} IPv4/IPv6 traffic"`] : []));
      if (!dflags.has(p)) continue;
      // zone-drop-invalid.uc, only where drop_invalid does not already drop every invalid flow.
      const leak = has && p === 'accept' && z.masq && !z.masqAllowInvalid && !defaults.dropInvalid
        ? [`meta nfproto ipv4 oifname ${devs(z)} ct state invalid counter drop comment "!fw4: Prevent NAT leakage"`]
        : [];
      out.push(...chain(`${p}_to_${z.name}`, has ? [...leak, `oifname ${devs(z)} counter ${verdict} comment "!fw4: ${p} ${z.name} IPv4/IPv6 traffic"`] : []));
    }
  }

  out.push(...chain('dstnat', [], 'type nat hook prerouting priority dstnat; policy accept;'));
  // ruleset.uc: a zone with masq or masq6 (dflags.snat) gets a srcnat chain, zone-masq.uc a rule per family.
  const masq = zones.filter((z) => z.masq || z.masq6);
  out.push(...chain('srcnat', masq.filter((z) => z.devices.length > 0).map((z) => `oifname ${devs(z)} jump srcnat_${z.name} comment "!fw4: Handle ${z.name} IPv4/IPv6 srcnat traffic"`),
    'type nat hook postrouting priority srcnat; policy accept;'));
  for (const z of masq) {
    out.push(...chain(`srcnat_${z.name}`, [
      ...(z.masq ? [`meta nfproto ipv4 masquerade comment "!fw4: Masquerade IPv4 ${z.name} traffic"`] : []),
      ...(z.masq6 ? [`meta nfproto ipv6 masquerade comment "!fw4: Masquerade IPv6 ${z.name} traffic"`] : []),
    ]));
  }
  out.push(...chain('raw_prerouting', [], 'type filter hook prerouting priority raw; policy accept;'));
  out.push(...chain('raw_output', [], 'type filter hook output priority raw; policy accept;'));

  // zone-mssfix.uc: egress (oifname) in mangle_postrouting so the router's own connections out of
  // the zone are clamped too (fw4 698a533), ingress (iifname) in mangle_forward.
  const mss = (z: Zone, egress: boolean) =>
    `${egress ? 'oifname' : 'iifname'} ${devs(z)} tcp flags syn / syn,fin,rst tcp option maxseg size set rt mtu comment "!fw4: Zone ${z.name} IPv4/IPv6 ${egress ? 'egress' : 'ingress'} MTU fixing"`;
  const clamped = matched.filter((z) => z.mtuFix);
  out.push(...chain('mangle_prerouting', [], 'type filter hook prerouting priority mangle; policy accept;'));
  out.push(...chain('mangle_postrouting', clamped.map((z) => mss(z, true)), 'type filter hook postrouting priority mangle; policy accept;'));
  out.push(...chain('mangle_input', [], 'type filter hook input priority mangle; policy accept;'));
  out.push(...chain('mangle_output', [], 'type route hook output priority mangle; policy accept;'));
  out.push(...chain('mangle_forward', clamped.map((z) => mss(z, false)), 'type filter hook forward priority mangle; policy accept;'));
  out.push('}', '');
  return out.join('\n');
}
