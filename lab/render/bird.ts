// /etc/bird.conf for one router (BIRD 2): the reference's device/kernel/static/iBGP blocks plus
// one eBGP session per Cilium node on the router's LAN. A dual-stack lab adds the IPv6 half (bird6.ts).
import type { BgpTimers, SessionLayout } from '../topology/schema.ts';
import { allRouters, isDualStack, type DatacentreModel, type LabModel, type NodeModel, type RouterModel } from '../topology/model.ts';
import * as six from './bird6.ts';
import { routerSessionFamilies } from '../topology/sessions.ts';
import { LAN_BRIDGE } from './ports.ts';

/** BIRD symbols are letters, digits and underscores. */
export function birdName(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

function timerLines(t: BgpTimers | undefined): string[] {
  if (!t) return [];
  const lines: string[] = [];
  if (t.connectDelay !== undefined) lines.push(`connect delay time ${t.connectDelay};`);
  if (t.connectRetry !== undefined) {
    lines.push(`connect retry time ${t.connectRetry};`);
    // After a failure (hold timer expired, peer gone) BIRD otherwise waits 60-300 s before it
    // tries again; with lab timers it retries on the connect-retry rhythm.
    lines.push(`error wait time ${t.connectRetry}, ${t.connectRetry * 6};`);
  }
  if (t.hold !== undefined) lines.push(`hold time ${t.hold};`);
  if (t.keepalive !== undefined) lines.push(`keepalive time ${t.keepalive};`);
  return lines;
}

/**
 * Graceful restart, when the topology asks for it: full support (restarting and receiving role) on
 * every session, every channel included (BIRD 2.0.12 doc/bird.sgml: the channel option defaults to
 * on in full mode). Without it BIRD stays "aware", its default: it keeps a restarting peer's routes
 * when that peer asks, and asks for nothing itself.
 */
function gracefulLines(m: LabModel): string[] {
  const gr = m.gracefulRestart;
  if (!gr?.enabled) return [];
  return ['graceful restart on;', `graceful restart time ${gr.restartTime};`];
}

/**
 * With graceful restart the kernel protocol keeps the routes a restarted BIRD (started with -R) finds
 * in the kernel until BGP has converged, rather than pruning them at its first scan (doc/bird.sgml,
 * "graceful restart" of the Kernel protocol).
 */
function kernelGraceful(m: LabModel): string[] {
  return m.gracefulRestart?.enabled ? ['graceful restart on;'] : [];
}

/** What every BGP session of this router gets: the lab's timers and graceful restart. */
function sessionLines(m: LabModel): string[] {
  return [...timerLines(m.timers), ...gracefulLines(m)];
}

/**
 * Equal-cost next hops in the kernel: several nodes announcing one service address, or a datacentre's
 * several routers each announcing its prefixes. BIRD merges BGP routes equal in local preference,
 * AS path length, origin, MED and IGP metric (nest/rt-table.c, proto/bgp/attrs.c bgp_rte_mergable).
 */
export function mergePaths(m: LabModel): boolean {
  return m.loadBalancer !== undefined || multiRouter(m);
}

/** Top-level blocks close/** Top-level blocks close with "}", nested ones (channels) with "};" as BIRD's grammar wants. */
function block(head: string, body: string[], nested = false): string[] {
  return [`${head} {`, ...body.map((l) => `\t${l}`), nested ? '};' : '}'];
}

/** Routers this one holds an iBGP session with: everyone (full mesh) or, with reflection, the reflector. */
export function ibgpPeers(m: LabModel, self: RouterModel): { peer: RouterModel; rrClient: boolean }[] {
  const routers = allRouters(m);
  const reflector = routers[0];
  return routers
    .filter((r) => r !== self)
    .filter((r) => !m.routers.reflection || self === reflector || r === reflector)
    .map((peer) => ({ peer, rrClient: m.routers.reflection && self === reflector }));
}

/** What bird6.ts needs of this file: its block writer and the session timers. */
function blocks(m: LabModel): six.BirdBlocks {
  return { block, timerLines: sessionLines(m), kernelLines: kernelGraceful(m), mergePaths: mergePaths(m), addPaths: (rrClient) => addPaths(m, rrClient) };
}

/** The session layout of a dual-stack lab, or none for an IPv4 one. */
function layout6(m: LabModel): SessionLayout | undefined {
  return isDualStack(m) ? m.sessions : undefined;
}

/** Routers peer once per family except in mp-over-v4 (v4-over-v6 is about the nodes' sessions only). */
function routersPerFamily(m: LabModel): boolean {
  return routerSessionFamilies(m).includes(6);
}

/** Some datacentre has several routers: equal-cost paths through them, and every one of them must travel. */
export function multiRouter(m: LabModel): boolean {
  return m.datacentres.some((d) => d.routers.length > 1);
}

/**
 * With reflection the reflector passes on only its best path to a prefix, hiding the other routers of
 * a datacentre from its clients: add-path (RFC 7911) sends them all. BIRD needs it on both sides, tx
 * where paths leave and rx where they arrive (doc/bird.sgml, "add paths").
 */
function addPaths(m: LabModel, rrClient: boolean): string[] {
  if (!m.routers.reflection || !multiRouter(m)) return [];
  return [rrClient ? 'add paths tx;' : 'add paths rx;'];
}

function ibgp(m: LabModel, self: RouterModel, peer: RouterModel, rrClient: boolean): string[] {
  const name = birdName('router', peer.key);
  const body = [
    `description "iBGP to ${peer.name}";`,
    `local ${self.peeringAddress} as ${m.routers.asn};`,
    `neighbor ${peer.peeringAddress} as ${m.routers.asn};`,
    // The peer is on the shared peering segment: resolve its next hop directly, not recursively.
    'direct;',
    ...(rrClient ? ['rr client;'] : []),
    ...sessionLines(m),
    // With a reflector, only routes from our own nodes get our address: reflected ones keep the
    // originating router's, so traffic between two clients does not detour through the reflector.
    ...block('ipv4', ['import all;', 'export all;', six.nextHopSelf(m), ...addPaths(m, rrClient)], true),
    ...(layout6(m) === 'mp-over-v4' ? six.ibgpChannel6OverV4(m, self, rrClient, blocks(m)) : []),
  ];
  const v4 = block(`protocol bgp ${name}`, body);
  return routersPerFamily(m) ? [...v4, '', ...six.ibgpSession6(m, self, peer, rrClient, name, blocks(m))] : v4;
}

function nodeSession(m: LabModel, node: NodeModel): string[] {
  const name = birdName('node', node.name);
  if (layout6(m) === 'v4-over-v6') return six.nodeSession6(m, node, name, blocks(m));
  const v4 = block(`protocol bgp ${name} from cilium_node`, [
    `description "Cilium on ${node.name}";`,
    `neighbor ${node.address} as ${m.cluster.asn};`,
    ...(layout6(m) === 'mp-over-v4' ? six.nodeChannel6OverV4(m, node, blocks(m)) : []),
  ]);
  return layout6(m) === 'per-family' ? [...v4, '', ...six.nodeSession6(m, node, name, blocks(m))] : v4;
}

/** The IPv4 import filter of the node sessions: pod CIDRs, and the pool's /32s where there is one. */
function importLine(m: LabModel): string {
  return m.loadBalancer ? 'import where net ~ POD_CIDRS || net ~ LB_POOL;' : 'import where net ~ POD_CIDRS;';
}

export function renderBird(m: LabModel, dc: DatacentreModel, self: RouterModel): string {
  const podSet = `[ ${m.cluster.podCIDR}{${m.cluster.nodeMaskSize},${m.cluster.nodeMaskSize}} ]`;
  const lines: string[] = [
    `# ${self.name}: BIRD 2 for datacentre ${dc.name}. Rendered by native-routing-lab from topology "${m.name}".`,
    'log stderr all;',
    `router id ${self.address};`,
    '',
    `define POD_CIDRS = ${podSet};`,
    // LoadBalancer Service addresses: every address of the pool, each announced as a /32.
    ...(m.loadBalancer ? [`define LB_POOL = [ ${m.loadBalancer.pool}{32,32} ];`] : []),
    ...(isDualStack(m) ? six.defines6(m) : []),
    '',
    // Scan times as the reference article's bird.conf: on Linux only the resync behind netlink events.
    ...block('protocol device', ['scan time 10;']),
    '',
    '# Install what BGP learned (pod CIDRs of every datacentre) in the kernel table.',
    // Several nodes of the LAN announcing one service address: install them all as equal-cost next hops.
    ...block('protocol kernel', ['scan time 20;', ...kernelGraceful(m), ...(mergePaths(m) ? ['merge paths on;'] : []), ...block('ipv4', ['import none;', 'export where source = RTS_BGP;'], true)]),
    '',
    ...(isDualStack(m) ? ['# The same for IPv6: the pod CIDRs6 (and pool6 addresses) BGP learned.', ...six.kernel6(m, blocks(m)), ''] : []),
    '# Announce this datacentre\'s LAN to the other routers.',
    ...block('protocol static', ['ipv4;', `route ${dc.lan} via "${LAN_BRIDGE}";`]),
    '',
    ...(isDualStack(m) ? ['# And its IPv6 LAN.', ...six.static6(dc, blocks(m)), ''] : []),
  ];
  for (const { peer, rrClient } of ibgpPeers(m, self)) lines.push(...ibgp(m, self, peer, rrClient), '');
  if (dc.nodes.length > 0) {
    lines.push(
      '# Cilium nodes: accept only their pod CIDRs, send them nothing (Cilium never installs learned routes).',
      '# Not passive: the router dials; a real Cilium refuses and dials in itself, losing nothing.',
      ...(layout6(m) === 'v4-over-v6' ? [] : [...block('template bgp cilium_node', [
        `local ${self.address} as ${m.routers.asn};`,
        ...sessionLines(m),
        ...block('ipv4', [importLine(m), 'export none;'], true),
      ]), '']),
      ...(layout6(m) === 'per-family' ? [...six.nodeTemplate6(m, self, blocks(m)), ''] : []),
      ...(layout6(m) === 'v4-over-v6' ? [...six.nodeTemplate6(m, self, blocks(m), importLine(m)), ''] : []),
    );
    for (const node of dc.nodes) lines.push(...nodeSession(m, node), '');
  }
  return lines.join('\n');
}
