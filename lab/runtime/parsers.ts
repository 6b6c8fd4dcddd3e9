// Parsers for what the twin's tools print. Pure, tested on recorded output.
import type { BgpRoute, BgpSession, Link, Route, TraceResult } from './lab.ts';

/** `birdc show protocols all`: a head line per protocol, then indented details with the BGP state,
 * neighbor address and AS. */
export function parseBirdProtocols(text: string, machine: string, localAsn: number): BgpSession[] {
  const sessions: BgpSession[] = [];
  let current: { name: string; proto: string; state?: string; address?: string; asn?: number; hold?: number; keepalive?: number; section?: string; extLocal?: boolean; extNeighbor?: boolean } | undefined;
  const flush = () => {
    if (current?.proto !== 'BGP' || !current.address) return;
    const state = current.state ?? 'unknown';
    const s: BgpSession = { machine, peerAddress: current.address, kind: current.asn === localAsn ? 'ibgp' : 'ebgp', state, established: state === 'Established' };
    if (current.asn !== undefined) s.peerAsn = current.asn;
    if (current.hold !== undefined) s.holdTimeS = current.hold;
    if (current.keepalive !== undefined) s.keepaliveS = current.keepalive;
    if (current.name) s.protocol = current.name;
    if (current.extLocal && current.extNeighbor) s.extendedNextHop = true;
    sessions.push(s);
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^(BIRD|Name)\s/.test(line)) continue;
    if (!/^\s/.test(line)) {
      flush();
      const [name, proto] = line.split(/\s+/);
      current = { name: name ?? '', proto: proto ?? '' };
      continue;
    }
    // "Local capabilities" / "Neighbor capabilities", each listing "Extended next hop" when announced.
    const section = /^\s+(Local|Neighbor) capabilities\s*$/.exec(line);
    if (section && current) {
      current.section = section[1];
      continue;
    }
    if (current && /^\s+Extended next hop\s*$/.test(line)) {
      if (current.section === 'Local') current.extLocal = true;
      if (current.section === 'Neighbor') current.extNeighbor = true;
      continue;
    }
    if (current && /^\s+Session:/.test(line)) current.section = undefined;
    // "Hold timer: 4.913/9": time left / negotiated hold time (BIRD proto/bgp/bgp.c, bgp_show_proto_info).
    const timer = /^\s+(Hold|Keepalive) timer:\s+[\d.]+\/(\d+)/.exec(line);
    if (timer && current) {
      if (timer[1] === 'Hold') current.hold = Number(timer[2]);
      else current.keepalive = Number(timer[2]);
      continue;
    }
    const field = /^\s+(BGP state|Neighbor address|Neighbor AS):\s+(\S+)/.exec(line);
    if (!field || !current) continue;
    if (field[1] === 'BGP state') current.state = field[2]!;
    else if (field[1] === 'Neighbor address') current.address = field[2]!;
    else current.asn = Number(field[2]);
  }
  flush();
  return sessions;
}

const GOBGP_STATES = ['unknown', 'Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

/** `gobgp neighbor -j`: session_state 6 is established. */
export function parseGobgpNeighbors(json: string, machine: string, localAsn: number): BgpSession[] {
  const peers = JSON.parse(json || '[]') as {
    conf?: { neighbor_address?: string; peer_asn?: number };
    state?: { session_state?: number | string };
    timers?: { state?: { negotiated_hold_time?: number; keepalive_interval?: number } };
  }[];
  return peers.map((p) => {
    const raw = p.state?.session_state ?? 0;
    const state = typeof raw === 'number' ? (GOBGP_STATES[raw] ?? String(raw)) : String(raw);
    const asn = p.conf?.peer_asn;
    const s: BgpSession = {
      machine,
      peerAddress: p.conf?.neighbor_address ?? '?',
      kind: asn === localAsn ? 'ibgp' : 'ebgp',
      state,
      established: state.toLowerCase() === 'established',
    };
    if (asn !== undefined) s.peerAsn = asn;
    // timers.state.negotiated_hold_time: set once the OPENs are exchanged (GoBGP api/gobgp.proto, TimersState).
    const t = p.timers?.state;
    if (s.established && t?.negotiated_hold_time) s.holdTimeS = Number(t.negotiated_hold_time);
    if (s.established && t?.keepalive_interval) s.keepaliveS = Number(t.keepalive_interval);
    return s;
  });
}

/**
 * `cilium-dbg bgp peers -o json` (1.14's `cilium bgp peers -o json`): the agent's REST payload,
 * models.BgpPeer (cilium/cilium api/v1/models/bgp_peer.go, the same field names from 1.14 to 1.20).
 * session-state is GoBGP's state in lower case; the applied timers are the negotiated ones.
 */
export function parseCiliumBgpPeersJson(json: string, machine: string): BgpSession[] {
  const peers = (JSON.parse(json || '[]') ?? []) as {
    'peer-address'?: string;
    'peer-asn'?: number;
    'local-asn'?: number;
    'session-state'?: string;
    'applied-hold-time-seconds'?: number;
    'applied-keep-alive-time-seconds'?: number;
  }[];
  return peers.map((p) => {
    const raw = p['session-state'] ?? 'unknown';
    const established = raw.toLowerCase() === 'established';
    const s: BgpSession = {
      machine,
      peerAddress: p['peer-address'] ?? '?',
      kind: p['peer-asn'] !== undefined && p['peer-asn'] === p['local-asn'] ? 'ibgp' : 'ebgp',
      state: established ? 'Established' : raw,
      established,
    };
    if (p['peer-asn'] !== undefined) s.peerAsn = p['peer-asn'];
    if (established && p['applied-hold-time-seconds']) s.holdTimeS = p['applied-hold-time-seconds'];
    if (established && p['applied-keep-alive-time-seconds']) s.keepaliveS = p['applied-keep-alive-time-seconds'];
    return s;
  });
}

/** A route in a BIRD table (the Lab's BgpRoute). */
export type BirdRoute = BgpRoute;

/**
 * `birdc show route all` (BIRD 2): a line per route, the prefix only on a prefix's first route,
 * then its `via` lines and attributes (BGP.origin, BGP.as_path, BGP.local_pref, BGP.community...).
 * Only BGP routes are kept: static, device and kernel routes are the router's own.
 */
export function parseBirdRoutes(text: string): BirdRoute[] {
  const out: BirdRoute[] = [];
  let prefix = '';
  let cur: BirdRoute | undefined;
  let bgp = false;
  const flush = () => {
    if (cur && bgp) out.push(cur);
    cur = undefined;
    bgp = false;
  };
  for (const line of text.split('\n')) {
    const head = /^(\S+)?\s+\S+\s+\[(\S+)[^\]]*\]\s+(\*)?/.exec(line);
    if (head && /\s(unicast|unreachable|blackhole)\s/.test(` ${line} `) && !/^\s+(via|Type:|BGP\.)/.test(line)) {
      flush();
      if (head[1]) prefix = head[1];
      cur = { prefix, protocol: head[2]!, best: head[3] === '*', nextHops: [], communities: [] };
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    const via = /^via (\S+)(?: on (\S+))?/.exec(t);
    // A link-local gateway means nothing without its interface: kept as fe80::1%br-lan, as ping takes it.
    if (via) cur.nextHops.push(/^fe80:/i.test(via[1]!) && via[2] ? `${via[1]}%${via[2]}` : via[1]!);
    else if (/^Type: BGP\b/.test(t)) bgp = true;
    else if (t.startsWith('BGP.next_hop: ')) cur.bgpNextHop = t.slice(14).trim().split(/\s+/);
    else if (t.startsWith('BGP.origin: ')) cur.origin = t.slice(12);
    else if (t.startsWith('BGP.as_path: ')) cur.asPath = t.slice(13).trim();
    else if (t === 'BGP.as_path:') cur.asPath = '';
    else if (t.startsWith('BGP.local_pref: ')) cur.localPref = Number(t.slice(16));
    else if (t.startsWith('BGP.community: ')) cur.communities = t.slice(15).trim().split(/\s+(?=\()/);
  }
  flush();
  return out;
}

/**
 * BGP updates BIRD refused while decoding them, from its log: a next hop it cannot use ("Invalid
 * NEXT_HOP attribute", e.g. an IPv4-mapped one on an ipv6 channel), a malformed attribute. BIRD turns
 * such an update into a withdraw (RFC 7606, proto/bgp/packets.c WITHDRAW()), so the route never
 * shows in its tables: the log is the only trace.
 */
export function birdRefusals(log: string): string[] {
  return log.split('\n').filter((l) => /Invalid NEXT_HOP|Malformed|mismatched address family/i.test(l)).map((l) => l.trim());
}

export function parseRoutes(json: string): Route[] {
  const rows = JSON.parse(json || '[]') as { dst: string; gateway?: string; via?: { host?: string }; dev?: string; protocol?: string; nexthops?: { gateway?: string; dev?: string }[] }[];
  return rows.map((r) => {
    const route: Route = { dst: r.dst === 'default' || r.dst.includes('/') ? r.dst : `${r.dst}/${r.dst.includes(':') ? 128 : 32}` };
    if (r.gateway) route.gateway = r.gateway;
    // A gateway of the other family (an IPv6 route `via inet 10.0.0.10`, RFC 8950) is `via`, not `gateway`.
    else if (r.via?.host) route.gateway = r.via.host;
    // Equal-cost routes (`ip route` "nexthop via ... nexthop via ..."): one gateway per next hop.
    if (r.nexthops && r.nexthops.length > 0) {
      route.nexthops = r.nexthops.flatMap((h) => (h.gateway ? [h.gateway] : []));
      if (!r.dev && r.nexthops[0]?.dev) route.dev = r.nexthops[0].dev;
    }
    if (r.dev) route.dev = r.dev;
    if (r.protocol) route.protocol = r.protocol;
    return route;
  });
}

export function parseLinks(json: string): Link[] {
  const rows = JSON.parse(json || '[]') as { ifname: string; mtu: number; flags?: string[]; linkinfo?: { info_kind?: string } }[];
  return rows.map((l) => {
    const link: Link = { name: l.ifname, mtu: l.mtu, up: (l.flags ?? []).includes('UP') };
    if (l.linkinfo?.info_kind) link.kind = l.linkinfo.info_kind;
    return link;
  });
}

/** `traceroute -n -q 1`: one responder (or "*") per hop. */
export function parseTraceroute(text: string, target: string): TraceResult {
  const hops: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)/.exec(line);
    if (m) hops.push(m[2]!);
  }
  const ok = hops.at(-1) === target;
  return { ok, hops, detail: hops.join(' -> ') || text.trim() };
}

/** busybox nslookup: the answer's address follows the server's own "Address" line. */
export function parseNslookup(text: string, name: string, family: 4 | 6 = 4): string | undefined {
  const after = text.split(/Name:\s+/).slice(1).find((b) => b.startsWith(name));
  const address = family === 6 ? /Address:\s+([0-9a-f]*:[0-9a-f:]+)/i : /Address:\s+(\d+\.\d+\.\d+\.\d+)/;
  return after ? address.exec(after)?.[1] : undefined;
}
