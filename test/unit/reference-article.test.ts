// The reference article (../shared/reference/) as the golden truth: the default render of the
// reference topology with --cilium-version 1.15 and a Talos 1.11 release carries, block by block,
// what the article configures. Every difference is either in ALLOWED (with its reason; the README
// has the same table) or a failure, and every ALLOWED entry must still occur (no stale excuses).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { CLUSTER_FILES, renderAll, routerPath } from '../../lab/render/index.ts';
import { option, parseUci } from '../../lab/render/uci.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import {
  articleOrSkip, birdLeaves, dataLeaves, diffLeaves, readArticle, symbolise, uciLeaves, type Article,
} from './support/reference-article.ts';

interface Allowed {
  what: string;
  lines: RegExp[];
  why: string;
}

/** The differences the project keeps, and why. Addresses appear by role (see symbolsOf). */
const ALLOWED: Allowed[] = [
  {
    what: 'masq_allow_invalid only on wan',
    lines: [/^- firewall: zone\[(lan|peering)\] > masq_allow_invalid = '1'$/],
    why: 'firewall4 reads it only on a masquerading zone (ruleset.uc adds the "Prevent NAT leakage" drop for masq zones only): on lan and peering it does nothing',
  },
  {
    what: 'no wan6 in the wan zone',
    lines: [/^- firewall: zone\[wan\] > network = \[wan, wan6\]$/, /^\+ firewall: zone\[wan\] > network = \[wan\]$/],
    why: 'the lab is IPv4 only and renders no wan6 interface',
  },
  {
    what: 'wan input and forward REJECT, not ACCEPT',
    lines: [/^[-+] firewall: zone\[wan\] > (input|forward) = '(ACCEPT|REJECT)'$/],
    why: 'the article opens everything on a trusted test network; here wan is the (emulated) internet, so OpenWRT\'s default REJECT stays and assertion 9 checks that wan->lan is refused',
  },
  {
    what: 'peering forward REJECT, not ACCEPT',
    lines: [/^[-+] firewall: zone\[peering\] > forward = '(ACCEPT|REJECT)'$/],
    why: 'a zone\'s forward policy only covers traffic back out of the same zone (fw4: forward_<zone> ends in <policy>_to_<zone>); no lab path re-enters the peering segment, so a next-hop detour fails visibly instead of hairpinning',
  },
  {
    what: 'the lan->wan forwarding',
    lines: [/^\+ firewall: forwarding lan->wan$/],
    why: 'OpenWRT\'s default /etc/config/firewall has it (firewall4 root/etc/config/firewall); the article edits the default zones and keeps it; assertion 7 needs it',
  },
  {
    what: 'the second router gets its own peering address and LAN route',
    lines: [/^- network: interface\[peering\] > ipaddr = \[OTHIP\/24\]$/, /^\+ network: interface\[peering\] > ipaddr = \[OWNIP\/24\]$/, /^- bird\.conf: protocol static > route OTHNET reject$/],
    why: 'the article clones router 1 and only says to change the LAN and swap OWNIP/OTHIP: taken literally, router 2 keeps 172.16.0.1 on the peering network and announces router 1\'s LAN',
  },
  {
    what: 'router id is the LAN address',
    lines: [/^- bird\.conf: router id OWNIP$/, /^\+ bird\.conf: router id LANIP$/],
    why: 'the address the nodes peer with, so a node\'s BGP status names the router by the peerAddress of its Cilium resource; unique either way',
  },
  {
    what: 'kernel export: BGP routes only, no krt_prefsrc',
    lines: [/^- bird\.conf: protocol kernel > ipv4 > export filter > (if source = RTS_STATIC then reject|krt_prefsrc = OWNIP|accept)$/, /^\+ bird\.conf: protocol kernel > ipv4 > export where source = RTS_BGP$/],
    why: 'the same routes reach the kernel (only static and BGP routes exist), said positively; krt_prefsrc comes from the article\'s dn42 config, where tunnel addresses are not routed: here every router address is (LANs over iBGP, a shared peering segment), so the outgoing interface\'s address serves and traceroute hops name the interface taken',
  },
  {
    what: 'the LAN announced as a device route, not reject',
    lines: [/^- bird\.conf: protocol static > route OWNNET reject$/, /^\+ bird\.conf: protocol static > route OWNNET via "br-lan"$/],
    why: 'BIRD announces an interface route only while br-lan is up, so a router whose LAN is gone stops attracting its traffic; a reject route is announced always and needs the kernel filter to stay out of the kernel',
  },
  {
    what: 'lab BGP timers',
    lines: [/^\+ bird\.conf: (protocol bgp <neighbor OTHIP as 65000>|template bgp cilium_node) > (connect delay time 0|connect retry time 5|error wait time 5, 30|hold time 9|keepalive time 3)$/,
      /^\+ cilium-bgp: CiliumBGPPeeringPolicy\[dc\d\] > spec\.virtualRouters\[0\]\.neighbors\[0\]\.(connectRetryTimeSeconds|holdTimeSeconds|keepAliveTimeSeconds) = \d+$/],
    why: 'the reference topology sets bgp.timers so failures show within seconds (faults, figures); connect delay 0 skips BIRD\'s 5 s wait; without bgp.timers none is rendered (golden reference-defaults)',
  },
  {
    what: 'iBGP session name, description and local address',
    lines: [/^- bird\.conf: iBGP protocol name ibgp_node$/, /^\+ bird\.conf: iBGP protocol name router_dc\d$/,
      /^- bird\.conf: protocol bgp <neighbor OTHIP as 65000> > local as 65000$/, /^\+ bird\.conf: protocol bgp <neighbor OTHIP as 65000> > (local OWNIP as 65000|description "iBGP to router-dc\d")$/],
    why: 'one session per peer router (router_<dc>) in a mesh of any size; the local address is the one BIRD picks for a direct peer, stated so both ends agree',
  },
  {
    what: 'the node sessions',
    lines: [/^\+ bird\.conf: (template bgp cilium_node|protocol bgp node_\w+ from cilium_node) > /],
    why: 'the article says "We\'ll add the cluster node later" and never shows it; without a session BIRD refuses the node. They import only the cluster\'s pod CIDRs and export nothing',
  },
  {
    what: 'BIRD logs to stderr',
    lines: [/^\+ bird\.conf: log stderr all$/],
    why: 'the twin and the VM lab collect the log there (procd passes it to logread on OpenWRT)',
  },
  {
    what: 'LoadBalancer Service',
    lines: [/^\+ bird\.conf: protocol kernel > merge paths on$/, /^\+ cilium-values: loadBalancer\./, /^\+ cilium-bgp: CiliumBGPPeeringPolicy\[dc\d\] > spec\.virtualRouters\[0\]\.serviceSelector\./],
    why: 'the reference topology adds a LoadBalancer pool and Service advertised over BGP, which the article does not cover',
  },
  {
    what: 'Talos pod network stated',
    lines: [/^\+ talos-patch: cluster\.network\.(podSubnets|serviceSubnets) = /, /^\+ talos-patch: \[controlplane\] cluster\.controllerManager\.extraArgs\.node-cidr-mask-size-ipv4 = "24"$/],
    why: 'Talos\'s own defaults for the reference (10.244.0.0/16, 10.96.0.0/12, /24), written from the topology so another pod CIDR reaches Kubernetes\' node IPAM, which Cilium (ipam.mode=kubernetes) and BIRD\'s import filter follow',
  },
  {
    what: 'ipv4NativeRoutingCIDR and autoDirectNodeRoutes stated',
    lines: [/^\+ cilium-values: ipv4NativeRoutingCIDR = "10\.244\.0\.0\/16"$/, /^\+ cilium-values: autoDirectNodeRoutes = false$/],
    why: 'Cilium reads the native-routing CIDR only when it masquerades (Documentation/network/concepts/masquerading.rst), so it is inert here and ready for the masquerading controls; autoDirectNodeRoutes false is Cilium\'s default, written from the topology key',
  },
];

const model = resolveTopology(referenceTopology(), { ciliumVersion: '1.15', talosVersion: '1.11.6' });
const files = renderAll(model);
type Files = ReturnType<typeof renderAll>;
const textOf = (f: Files, p: string) => {
  const t = f.get(p);
  assert.ok(t !== undefined, `nothing rendered at ${p}`);
  return t;
};

/** Each router's addresses by role, as the article names them (OWNIP, OTHIP, OWNNET). */
function symbolsOf(i: number): [string, string][] {
  const dc = model.datacentres[i]!;
  const other = model.datacentres[1 - i]!;
  return [
    [dc.routers[0]!.peeringAddress, 'OWNIP'], [other.routers[0]!.peeringAddress, 'OTHIP'], [dc.lan, 'OWNNET'], [other.lan, 'OTHNET'],
    [dc.routers[0]!.address, 'LANIP'], ...dc.nodes.map((n): [string, string] => [n.address, 'NODEIP']),
  ];
}

/** The article's bird.conf for router i: the second router swaps OWNIP and OTHIP, as the article says. */
function articleBird(a: Article, i: number): string {
  if (i === 0) return a.birdConf;
  const own = /define OWNIP\s*=\s*([\d.]+);/.exec(a.birdConf)![1]!;
  const oth = /define OTHIP\s*=\s*([\d.]+);/.exec(a.birdConf)![1]!;
  return a.birdConf.replace(/(define OWNIP\s*=\s*)[\d.]+;/, `$1${oth};`).replace(/(define OTHIP\s*=\s*)[\d.]+;/, `$1${own};`);
}

function routerDifferences(a: Article, i: number, f: Files): string[] {
  const text = (p: string) => textOf(f, p);
  const dc = model.datacentres[i]!;
  const out: string[] = [];
  // /etc/config/firewall: the zones in full, the forwardings as a set.
  const fw = parseUci(text(routerPath(dc.name, 'firewall')));
  const zones = (sections: typeof fw) => sections.filter((s) => s.type === 'zone').flatMap((s) => uciLeaves(`zone[${option(s, 'name')}]`, s).filter((l) => !l.includes(' > name = ')));
  const forwardings = (sections: typeof fw) => sections.filter((s) => s.type === 'forwarding').map((s) => `forwarding ${option(s, 'src')}->${option(s, 'dest')}`);
  out.push(...diffLeaves('firewall', [...zones(a.firewall), ...forwardings(a.firewall)], [...zones(fw), ...forwardings(fw)]));
  // /etc/config/network: the peering interface, and the LAN address the prose gives.
  const net = parseUci(text(routerPath(dc.name, 'network')));
  const iface = (sections: typeof net, name: string) => sections.find((s) => s.type === 'interface' && s.name === name);
  const renderedPeering = iface(net, 'peering');
  assert.ok(renderedPeering, 'no peering interface rendered');
  out.push(...diffLeaves('network', uciLeaves('interface[peering]', iface(a.network, 'peering')!), uciLeaves('interface[peering]', renderedPeering)));
  out.push(...diffLeaves('network', [`interface[lan] > ipaddr = [${a.lanAddresses[i]}]`], uciLeaves('interface[lan]', iface(net, 'lan')!, ['ipaddr'])));
  // /etc/config/dhcp: the options the article adds to the dnsmasq section.
  const dnsmasq = parseUci(text(routerPath(dc.name, 'dhcp'))).find((s) => s.type === 'dnsmasq');
  assert.ok(dnsmasq, 'no dnsmasq section rendered');
  const keys = a.dnsmasq.options.map(([k]) => k);
  out.push(...diffLeaves('dhcp', uciLeaves('dnsmasq', a.dnsmasq), uciLeaves('dnsmasq', dnsmasq, keys)));
  // bird.conf, statement by statement.
  const ab = birdLeaves(articleBird(a, i));
  const rb = birdLeaves(text(routerPath(dc.name, 'bird.conf')));
  out.push(...diffLeaves('bird.conf', ab.leaves, rb.leaves));
  out.push(...diffLeaves('bird.conf', ab.ibgpNames.map((n) => `iBGP protocol name ${n}`), rb.ibgpNames.map((n) => `iBGP protocol name ${n}`)));
  const symbols = symbolsOf(i);
  return out.map((l) => `${symbolise(l, symbols)}   (${dc.routers[0]!.name})`);
}

function clusterDifferences(a: Article, f: Files): string[] {
  const text = (p: string) => textOf(f, p);
  const out: string[] = [];
  // The Talos patch the article applies to every machine; the render splits off control-plane-only fields.
  const patches = [...f.keys()].filter((p) => /^cluster\/talos-patch.*\.yaml$/.test(p)).sort();
  const rendered = patches.flatMap((p) => parseAllDocuments(text(p)).map((d) => d.toJS() as unknown).filter((d) => d !== null)
    .flatMap((d) => dataLeaves(d).map((l) => (p.includes('controlplane') ? `[controlplane] ${l}` : l))));
  out.push(...diffLeaves('talos-patch', dataLeaves(a.talosPatch), rendered));
  // `cilium install --helm-set ...` against the rendered Helm values.
  out.push(...diffLeaves('cilium-values', dataLeaves(a.helmSet), dataLeaves(parse(text(CLUSTER_FILES.ciliumValues)))));
  // The peering policies, by name.
  const byName = (docs: unknown[]) => docs.flatMap((d) => {
    const doc = d as { kind?: string; metadata?: { name?: string } };
    return doc.kind === 'CiliumBGPPeeringPolicy' ? dataLeaves(d).map((l) => `CiliumBGPPeeringPolicy[${doc.metadata?.name}] > ${l}`) : [];
  });
  out.push(...diffLeaves('cilium-bgp', byName(a.peeringPolicies), byName(parseAllDocuments(text(CLUSTER_FILES.ciliumBgp)).map((d) => d.toJS() as unknown))));
  // Node labels: the node on each LAN gets the dc label the article gives it.
  const labels = new Map(parseAllDocuments(text(CLUSTER_FILES.nodeLabels)).map((d) => d.toJS() as { metadata: { name: string; labels: Record<string, string> } })
    .map((d) => [d.metadata.name, d.metadata.labels['dc']]));
  const expected = model.datacentres.flatMap((dc) => dc.nodes.map(() => `node on ${dc.lan}: dc=${a.nodeLabels[dc.lan] ?? '(none)'}`));
  const seen = model.datacentres.flatMap((dc) => dc.nodes.map((n) => `node on ${dc.lan}: dc=${labels.get(n.name) ?? '(none)'}`));
  out.push(...diffLeaves('node-labels', expected, seen));
  return out;
}

test('the article is read whole: every block it configures was found', (t) => {
  const text = articleOrSkip(t);
  if (!text) return;
  const a = readArticle(text);
  assert.deepEqual(a.firewall.filter((s) => s.type === 'zone').map((s) => option(s, 'name')), ['lan', 'wan', 'peering']);
  assert.deepEqual(a.firewall.filter((s) => s.type === 'forwarding').map((s) => `${option(s, 'src')}->${option(s, 'dest')}`), ['peering->lan', 'lan->peering']);
  assert.deepEqual(a.network.map((s) => s.name), ['peering']);
  assert.deepEqual(a.dnsmasq.options, [['localservice', '0']]);
  assert.deepEqual(a.lanAddresses, ['10.0.0.1/24', '10.0.1.1/24']);
  const bird = birdLeaves(a.birdConf).leaves;
  for (const head of ['router id', 'protocol device', 'protocol kernel', 'protocol static', 'protocol bgp <neighbor 172.16.0.2 as 65000>']) {
    assert.ok(bird.some((l) => l.startsWith(head)), `bird.conf block ${head}`);
  }
  assert.deepEqual(a.talosPatch, { cluster: { network: { cni: { name: 'none' } }, proxy: { disabled: true } }, machine: { install: { disk: '/dev/vda' } } });
  assert.equal(dataLeaves(a.helmSet).length, 11, 'eleven --helm-set flags');
  assert.deepEqual(a.bgpHelmValues, { bgpControlPlane: { enabled: true }, routingMode: 'native', enableIPv4Masquerade: false });
  assert.deepEqual(a.peeringPolicies.map((p) => (p as { metadata: { name: string } }).metadata.name), ['dc1', 'dc2']);
  assert.deepEqual(a.nodeLabels, { '10.0.0.0/24': 'dc1', '10.0.1.0/24': 'dc2' });
});

test('the three BGP Helm values the article insists on are rendered exactly', (t) => {
  const text = articleOrSkip(t);
  if (!text) return;
  const values = dataLeaves(parse(files.get(CLUSTER_FILES.ciliumValues)!));
  for (const l of dataLeaves(readArticle(text).bgpHelmValues)) assert.ok(values.includes(l), l);
});

/** Differences of the whole render from the article, each tagged with its router where it has one. */
function differences(a: Article, f: Files): string[] {
  return [...model.datacentres.flatMap((_, i) => routerDifferences(a, i, f)), ...clusterDifferences(a, f)];
}

const bare = (d: string) => d.replace(/ {3}\(router-dc\d\)$/, '');

/** The gate: differences no entry allows, and entries no difference needs any more. */
function judge(diffs: string[]): { unexplained: string[]; stale: string[] } {
  return {
    unexplained: diffs.filter((d) => !ALLOWED.some((e) => e.lines.some((re) => re.test(bare(d))))),
    stale: ALLOWED.flatMap((e) => e.lines.filter((re) => !diffs.some((d) => re.test(bare(d)))).map((re) => `${e.what}: ${re}`)),
  };
}

test('the render carries what the article configures; each difference is an allowed one, and each allowed one occurs', (t) => {
  const text = articleOrSkip(t);
  if (!text) return;
  const diffs = differences(readArticle(text), files);
  const { unexplained, stale } = judge(diffs);
  assert.deepEqual(unexplained, [], `differences from the article with no reason in ALLOWED (fix the renderer, or add an entry with its reason):\n${unexplained.join('\n')}`);
  assert.deepEqual(stale, [], `ALLOWED entries that no longer occur (remove them, and from the README table):\n${stale.join('\n')}`);
  t.diagnostic(`${diffs.length} differences from the article, all allowed (${ALLOWED.length} kinds)`);
});

test('negative controls: a render that drifts from the article fails; an allowance nothing needs is stale', (t) => {
  const text = articleOrSkip(t);
  if (!text) return;
  const a = readArticle(text);
  const drifted = new Map(files);
  const edit = (p: string, from: string, to: string) => {
    const before = textOf(drifted, p);
    assert.ok(before.includes(from), `${p} has no ${from}`);
    drifted.set(p, before.replace(from, to));
  };
  edit(routerPath('dc1', 'dhcp'), "option localservice '0'", "option localservice '1'");
  edit(routerPath('dc1', 'bird.conf'), '\tscan time 10;\n', '');
  edit(routerPath('dc2', 'firewall'), "option name 'lan'\n\tlist network 'lan'\n\toption input 'ACCEPT'", "option name 'lan'\n\tlist network 'lan'\n\toption input 'REJECT'");
  edit(CLUSTER_FILES.ciliumValues, 'enableIPv4Masquerade: false', 'enableIPv4Masquerade: true');
  const { unexplained } = judge(differences(a, drifted));
  assert.deepEqual(unexplained.sort(), [
    "+ dhcp: dnsmasq > localservice = '1'   (router-dc1)",
    "+ firewall: zone[lan] > input = 'REJECT'   (router-dc2)",
    '+ cilium-values: enableIPv4Masquerade = true',
    "- bird.conf: protocol device > scan time 10   (router-dc1)",
    "- dhcp: dnsmasq > localservice = '0'   (router-dc1)",
    "- firewall: zone[lan] > input = 'ACCEPT'   (router-dc2)",
    '- cilium-values: enableIPv4Masquerade = false',
    '+ bird.conf: protocol device {}   (router-dc1)',
  ].sort());
  // Without the router id difference, its allowance is reported stale.
  const real = differences(a, files);
  assert.deepEqual(judge(real.filter((d) => !/router id/.test(d))).stale, ['router id is the LAN address: /^- bird\\.conf: router id OWNIP$/', 'router id is the LAN address: /^\\+ bird\\.conf: router id LANIP$/']);
});

test('negative controls: the readers compare meaning, not text', () => {
  // The comparison machinery itself: a rendered LAN route "via eth9" is a difference nothing allows.
  const render = birdLeaves('protocol static { ipv4; route 10.0.0.0/24 via "eth9"; }').leaves;
  const article = birdLeaves('protocol static { route 10.0.0.0/24 reject; ipv4 { import all; export none; }; }').leaves;
  const diffs = diffLeaves('bird.conf', article, render).map((l) => symbolise(l, [['10.0.0.0/24', 'OWNNET']]));
  assert.deepEqual(diffs, ['- bird.conf: protocol static > route OWNNET reject', '+ bird.conf: protocol static > route OWNNET via "eth9"']);
  assert.ok(!ALLOWED.some((e) => e.lines.some((re) => re.test(diffs[1]!))), 'via "eth9" is not allowed');
  // Channel defaults: "ipv4;" equals "ipv4 { import all; export none; }", but not "export all".
  assert.deepEqual(diffLeaves('b', birdLeaves('protocol static { ipv4; }').leaves, birdLeaves('protocol static { ipv4 { import all; export none; }; }').leaves), []);
  assert.notDeepEqual(diffLeaves('b', birdLeaves('protocol static { ipv4; }').leaves, birdLeaves('protocol static { ipv4 { export all; }; }').leaves), []);
  // UCI: ipaddr+netmask equals the CIDR list form; another mask does not.
  const cidr = uciLeaves('i', parseUci("config interface 'p'\n\tlist ipaddr '172.16.0.1/24'\n")[0]!);
  assert.deepEqual(uciLeaves('i', parseUci("config interface 'p'\n\toption ipaddr '172.16.0.1'\n\toption netmask '255.255.255.0'\n")[0]!), cidr);
  assert.notDeepEqual(uciLeaves('i', parseUci("config interface 'p'\n\toption ipaddr '172.16.0.1'\n\toption netmask '255.255.0.0'\n")[0]!), cidr);
});
