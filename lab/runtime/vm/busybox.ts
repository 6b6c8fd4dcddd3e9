// What the VM lab reads from `ip` where there is no iproute2 JSON: on the OpenWRT routers and in the
// busybox probe pods. Pure parsers, tested on what the host's busybox prints (test/vm/busybox.test.ts).
//
// Fact (busybox networking/ip.c, usage text): `ip` takes OPTIONS := -f[amily] inet|inet6|link |
// -o[neline]; there is no -d (no link details, so no link kind) and no -j. The kind comes from
// sysfs instead: /sys/class/net/<dev>/uevent has DEVTYPE=bridge|vxlan|geneve|vlan|bond|... for
// devices whose driver sets a device type (veth and dummy set none). The script works the same
// with iproute2's `ip`, which also knows -o.
import type { Link, Route } from '../lab.ts';

export const LINKS_SCRIPT = 'ip -o link show; for d in /sys/class/net/*; do printf "devtype %s %s\\n" "${d##*/}" "$(sed -n "s/^DEVTYPE=//p" "$d/uevent")"; done';

/** The links command for a machine without iproute2 JSON (router, pod). Pure. */
export function linksArgv(): string[] {
  return ['sh', '-c', LINKS_SCRIPT];
}

/**
 * `ip link show` or `ip -o link show` text ("2: eth0@if5: <...,UP,LOWER_UP> mtu 1500 ...", details
 * on the following line or after a backslash), then optional "devtype <dev> <kind>" lines from
 * LINKS_SCRIPT naming each device's kind.
 */
export function parseLinkText(text: string): Link[] {
  const out: Link[] = [];
  const kinds = new Map<string, string>();
  for (const l of text.split('\n')) {
    const head = /^\d+:\s+([^:@\s]+)(?:@[^:\s]+)?:\s+<([^>]*)>\s+mtu\s+(\d+)/.exec(l);
    if (head) {
      out.push({ name: head[1]!, mtu: Number(head[3]), up: head[2]!.split(',').includes('UP') });
      continue;
    }
    const devtype = /^devtype\s+(\S+)\s+(\S+)\s*$/.exec(l);
    if (devtype) kinds.set(devtype[1]!, devtype[2]!);
  }
  for (const link of out) {
    const kind = kinds.get(link.name);
    if (kind) link.kind = kind;
  }
  return out;
}

/**
 * `ip route show` text (BusyBox or iproute2). Host routes print without a prefix length
 * ("10.250.0.1 metric 32"): normalised to a.b.c.d/32 as Route says. Facts (the host's BusyBox
 * 1.35 `ip route`, test/vm/busybox.test.ts): BusyBox prints no `proto` and, for a multipath route,
 * neither its next hops nor a gateway (so the routers read iproute2, ROUTER_IP); iproute2 text puts
 * each next hop on a continuation line ("\tnexthop via X dev Y weight 1"), read into nexthops.
 */
export function parseRouteText(text: string): Route[] {
  const out: Route[] = [];
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    const w = l.trim().split(/\s+/);
    const at = (k: string) => { const i = w.indexOf(k); return i >= 0 ? w[i + 1] : undefined; };
    if (w[0] === 'nexthop') {
      const prev = out.at(-1);
      const via = at('via');
      if (prev && via) (prev.nexthops ??= []).push(via);
      if (prev && !prev.dev && at('dev')) prev.dev = at('dev')!;
      continue;
    }
    const host = w[0]!;
    const r: Route = { dst: host === 'default' || host.includes('/') ? host : `${host}/${host.includes(':') ? 128 : 32}` };
    const via = at('via'); const dev = at('dev'); const proto = at('proto');
    if (via) r.gateway = via;
    if (dev) r.dev = dev;
    if (proto) r.protocol = proto;
    out.push(r);
  }
  return out;
}
