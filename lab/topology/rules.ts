// Semantic rules over a derived model: overlaps, duplicates, ASNs, pod CIDR placement, timers.
// Each rule names the field to change and how; test/unit/topology-rules.test.ts holds one case per rule.

import * as ip from './cidr.ts';
import { allNodes, type LabModel } from './model.ts';
import type { Collector, ResolveOptions } from './resolve.ts';
import type { Topology } from './schema.ts';
import { checkServices } from './services.ts';
import { checkIpv6 } from './rules6.ts';

interface Named {
  field: string;
  cidr: ip.Cidr;
  text: string;
}

function networks(t: Topology, m: LabModel): Named[] {
  const list: Named[] = [
    { field: 'routers.peering', cidr: ip.cidr(m.routers.peering), text: m.routers.peering },
    { field: 'cluster.podCIDR', cidr: ip.cidr(m.cluster.podCIDR), text: m.cluster.podCIDR },
    { field: 'internet.wan', cidr: ip.cidr(m.internet.wan), text: m.internet.wan },
    { field: 'internet.hosts', cidr: ip.cidr(m.internet.hosts), text: m.internet.hosts },
  ];
  t.datacentres.forEach((d, i) => list.push({ field: `datacentres[${i}].lan`, cidr: ip.cidr(d.lan), text: d.lan }));
  m.extraZones.forEach((z, i) => list.push({ field: `firewall.extraZones[${i}].subnet`, cidr: ip.cidr(z.subnet), text: z.subnet }));
  if (m.loadBalancer) list.push({ field: 'loadBalancer.pool', cidr: ip.cidr(m.loadBalancer.pool), text: m.loadBalancer.pool });
  return list;
}

function checkOverlaps(list: Named[], c: Collector): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (ip.overlaps(a.cidr, b.cidr)) {
        c.add(b.field, `${b.text} overlaps ${a.field} (${a.text})`, `choose a network for ${b.field} that does not overlap ${a.text}`);
      }
    }
  }
}

function checkDuplicates(items: { field: string; value: string }[], what: string, c: Collector): void {
  const seen = new Map<string, string>();
  for (const it of items) {
    const first = seen.get(it.value);
    if (first !== undefined) c.add(it.field, `${what} "${it.value}" is already used by ${first}`, `give ${it.field} a ${what} of its own`);
    else seen.set(it.value, it.field);
  }
}

function checkPodCidrs(t: Topology, m: LabModel, c: Collector): void {
  const cluster = ip.cidr(m.cluster.podCIDR);
  const seen: Named[] = [];
  t.datacentres.forEach((d, i) =>
    d.nodes.forEach((n, j) => {
      const field = `datacentres[${i}].nodes[${j}].podCIDR`;
      const text = m.datacentres[i]!.nodes[j]!.podCIDR;
      const parsed = ip.parseCidr(text);
      if ('error' in parsed) {
        c.add(field, parsed.error, 'write the block as a network with its prefix length, e.g. 10.244.3.0/24');
        return;
      }
      if (n.podCIDR !== undefined && (!ip.containsCidr(cluster, parsed) || parsed.prefix !== m.cluster.nodeMaskSize)) {
        c.add(field, `${text} is not a /${m.cluster.nodeMaskSize} block of cluster.podCIDR ${m.cluster.podCIDR}`,
          `use a /${m.cluster.nodeMaskSize} inside ${m.cluster.podCIDR}, or drop podCIDR to have one assigned`);
        return;
      }
      const clash = seen.find((s) => ip.overlaps(s.cidr, parsed));
      if (clash) c.add(field, `${text} overlaps ${clash.field} (${clash.text})`, 'give every node a pod CIDR of its own, or drop podCIDR to have one assigned');
      seen.push({ field, cidr: parsed, text });
    }),
  );
}

/** Cilium's defaults for a timer left out; its CRDs want hold 3..65535, keepalive >= 1 and <= hold. */
const CILIUM_TIMER_DEFAULTS = { hold: 90, keepalive: 30 } as const;

function checkTimers(t: Topology, c: Collector): void {
  const timers = t.bgp?.timers;
  if (!timers) return;
  // BGP (RFC 4271) also allows 0, but the Cilium resources render the same value and their CRDs refuse it.
  if (timers.hold !== undefined && timers.hold < 3) {
    c.add('bgp.timers.hold', `${timers.hold} s is not allowed: BGP (RFC 4271) wants 0 or at least 3, and Cilium's CRDs at least 3`, 'use a value of 3 or more');
  }
  if (timers.keepalive === 0) c.add('bgp.timers.keepalive', '0 s is not allowed by Cilium\'s CRDs (at least 1)', 'use 1 or more, at most a third of bgp.timers.hold');
  // A timer left out keeps Cilium's default, which must still fit the other (CEL: keepalive <= hold).
  if (timers.hold !== undefined || timers.keepalive !== undefined) {
    const hold = timers.hold ?? CILIUM_TIMER_DEFAULTS.hold;
    const keepalive = timers.keepalive ?? CILIUM_TIMER_DEFAULTS.keepalive;
    if (hold >= 3 && keepalive >= hold) {
      const which = timers.keepalive === undefined ? `Cilium's default keepalive ${keepalive} s` : `${keepalive} s`;
      const against = timers.hold === undefined ? `Cilium's default hold time ${hold} s` : `the hold time ${hold} s`;
      c.add('bgp.timers.keepalive', `${which} is not shorter than ${against}`, timers.keepalive === undefined || timers.hold === undefined
        ? 'set both bgp.timers.hold and bgp.timers.keepalive, keepalive at most a third of hold' : 'use at most a third of bgp.timers.hold');
    }
  }
  if (timers.connectRetry === 0) c.add('bgp.timers.connectRetry', '0 s would make the speakers retry in a busy loop', 'use 1 or more');
}

export function checkSemantics(t: Topology, m: LabModel, opts: ResolveOptions, c: Collector): void {
  if (m.routers.asn === m.cluster.asn && !opts.allowSameAsn) {
    c.add('cluster.asn', `the cluster uses the routers' AS ${m.routers.asn}: nodes and routers would peer over iBGP, and routes learned from a node would not be passed on to the other routers (iBGP split horizon), so remote pod CIDRs never arrive`,
      `give the cluster its own AS, e.g. ${m.routers.asn + 1}`);
  }
  checkOverlaps(networks(t, m), c);
  checkPodCidrs(t, m, c);
  checkTimers(t, c);
  checkServices(t, m, c);
  checkIpv6(m, c);

  const names: { field: string; value: string }[] = t.datacentres.map((d, i) => ({ field: `datacentres[${i}].name`, value: d.name }));
  checkDuplicates(names, 'name', c);
  const machines: { field: string; value: string }[] = [];
  t.datacentres.forEach((d, i) => {
    machines.push(...(m.datacentres.find((x) => x.name === d.name)?.routers ?? []).map((r) => ({ field: `datacentres[${i}]`, value: r.name })), { field: `datacentres[${i}]`, value: `db-${d.name}` });
    d.nodes.forEach((n, j) => machines.push({ field: `datacentres[${i}].nodes[${j}].name`, value: n.name }));
  });
  checkDuplicates(machines, 'machine name', c);

  const addresses: { field: string; value: string }[] = [];
  m.datacentres.forEach((d, i) => {
    if (d.routers.length > 1) addresses.push({ field: `datacentres[${i}].lan (VRRP gateway)`, value: d.gateway });
    for (const r of d.routers) addresses.push({ field: `datacentres[${i}].router.address`, value: r.address });
    d.nodes.forEach((n, j) => addresses.push({ field: `datacentres[${i}].nodes[${j}].address`, value: n.address }));
    addresses.push({ field: `datacentres[${i}].lan (LAN host)`, value: d.lanHost.address });
    for (const r of d.routers) addresses.push({ field: `datacentres[${i}].router.peeringAddress`, value: r.peeringAddress });
  });
  checkDuplicates(addresses, 'address', c);

  const dcNames = new Set(t.datacentres.map((d) => d.name));
  const zoneNames = new Set(['lan', 'wan', 'peering', ...m.extraZones.map((z) => z.name)]);
  m.extraZones.forEach((z, i) => {
    if (!dcNames.has(z.dc)) c.add(`firewall.extraZones[${i}].datacentre`, `no datacentre is named "${z.dc}"`, `use one of ${[...dcNames].join(', ')}`);
    // A zone is one router's port and subnet; with several routers it would need a VRRP gateway of its own.
    const routers = m.datacentres.find((d) => d.name === z.dc)?.routers.length ?? 1;
    if (routers > 1) c.add(`firewall.extraZones[${i}].datacentre`, `${z.dc} has ${routers} routers, and an extra zone hangs off one router's port`, `put the zone in a datacentre with one router, or set that datacentre's routers: 1`);
    if (['lan', 'wan', 'peering'].includes(z.name)) c.add(`firewall.extraZones[${i}].name`, `"${z.name}" is a zone the reference already has`, 'choose another name, e.g. mgmt');
    z.forwardTo.forEach((to, k) => {
      if (!zoneNames.has(to)) c.add(`firewall.extraZones[${i}].forwardTo[${k}]`, `no zone is named "${to}"`, `use one of ${[...zoneNames].join(', ')}`);
    });
  });
  if (allNodes(m).length === 0) c.add('datacentres', 'no nodes', 'add at least one node');
}
