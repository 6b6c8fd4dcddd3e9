// 7. Egress through the router edge: a pod reaches a host in the emulated internet, which sees
// the router's WAN address (masqueraded at the edge), while a LAN host in another datacentre still
// sees the pod's own address. IPv6 is not masqueraded (OpenWRT ships masq6 off): the internet sees
// the pod's own IPv6 address, routed to the lab as an upstream routes an allocation.
import type { Lab, Machine } from '../runtime/lab.ts';
import type { DatacentreModel } from '../topology/model.ts';
import { whoHas } from './path.ts';
import { pool } from '../util/pool.ts';
import { addressOf, familiesOf, familyResult } from './family.ts';
import { PROBE_PARALLELISM, result, type Assertion, type Result } from './types.ts';

/** One pod per datacentre: egress and DNS are per-router properties. */
export function podPerDc(lab: Lab): Machine[] {
  const seen = new Set<string>();
  return lab.machines().filter((m) => m.kind === 'pod' && !seen.has(m.dc ?? '') && seen.add(m.dc ?? ''));
}

type Seen = { ok: boolean; detail: string; seenSource?: string };

/** IPv4: the internet sees the router's WAN address, never the pod's private one. */
function egress4(lab: Lab, dc: DatacentreModel, pod: string, podAddress: string, r: Seen): Result {
  // Several routers: the VRRP master forwards, whichever of them that is.
  const wans = dc.routers.map((x) => x.wanAddress);
  const names = dc.routers.map((x) => x.name).join(' or ');
  const ok = r.ok && wans.includes(r.seenSource ?? '');
  let diagnosis = `no answer from the internet: ${r.detail}; the router has no way out (WAN down, or no masquerading so replies to ${podAddress} cannot return)`;
  if (r.ok && r.seenSource === podAddress) diagnosis = `the internet saw the pod's own address ${podAddress}: the wan zone does not masquerade (masq '1' missing), so private addresses leak out`;
  else if (r.ok) diagnosis = `the internet saw ${r.seenSource} (${whoHas(lab, r.seenSource ?? '')}), not ${names}'s WAN address: traffic left through another edge or was masqueraded earlier`;
  return familyResult(lab, 4, 7, `${pod} -> internet`, ok, `${wans.join(' or ')} (${names} WAN)`, r.seenSource ?? r.detail, diagnosis);
}

/** IPv6: the internet sees the pod's own global address; nothing on the way translates it. */
function egress6(lab: Lab, dc: DatacentreModel, pod: string, podAddress: string, r: Seen): Result {
  const ok = r.ok && r.seenSource === podAddress;
  const router = dc.routers[0]!; // dual-stack labs have one router per datacentre (rules6.ts)
  let diagnosis = `no answer from the internet over IPv6: ${r.detail}; the internet has no route back to ${lab.model.cluster.podCIDR6 ?? 'the pod CIDR'} (an upstream routes the allocation to ${router.name}'s WAN), or the router has no IPv6 default route`;
  if (r.ok && r.seenSource === router.wanAddress6) diagnosis = `the internet saw ${router.name}'s WAN address ${r.seenSource}: the wan zone masquerades IPv6 (masq6 '1'); OpenWRT ships it off, and with a routed allocation pods keep their own addresses`;
  else if (r.ok) diagnosis = `the internet saw ${r.seenSource} (${whoHas(lab, r.seenSource ?? '')}), not the pod's own ${podAddress}: something on the way translates IPv6 (the node masquerades: enableIPv6Masquerade)`;
  return familyResult(lab, 6, 7, `${pod} -> internet`, ok, `${podAddress} (the pod's own, not translated)`, r.seenSource ?? r.detail, diagnosis);
}

export const egressMasqueraded: Assertion = {
  id: 7,
  title: 'egress through the router edge: IPv4 masqueraded there only, IPv6 untranslated',
  async run(lab: Lab): Promise<Result[]> {
    const internet = lab.machines().find((m) => m.kind === 'internet');
    if (!internet) return [result(7, 'internet', false, 'an internet host', 'none', 'this runtime has no emulated internet')];
    const cases = familiesOf(lab).flatMap((f) => podPerDc(lab).map((pod) => ({ pod, f })));
    const perPod = await pool(cases, PROBE_PARALLELISM, async ({ pod, f }) => {
      const dc = lab.model.datacentres.find((d) => d.name === pod.dc)!;
      const remote = lab.model.datacentres.find((d) => d.name !== dc.name);
      const podAddress = addressOf(lab, pod, f) ?? '';
      const [r, lan] = await Promise.all([
        lab.tcpWhoAmI(pod.name, addressOf(lab, internet, f) ?? internet.name),
        remote ? lab.tcpWhoAmI(pod.name, (f === 4 ? remote.lanHost.address : remote.lanHost.address6) ?? remote.lanHost.name) : undefined,
      ]);
      const out = [f === 4 ? egress4(lab, dc, pod.name, podAddress, r) : egress6(lab, dc, pod.name, podAddress, r)];
      if (remote && lan) {
        out.push(familyResult(lab, f, 7, `${pod.name} -> ${remote.lanHost.name} (inside)`, lan.ok && lan.seenSource === podAddress, podAddress, lan.seenSource ?? lan.detail,
          lan.ok ? `inside traffic was rewritten to ${lan.seenSource} (${whoHas(lab, lan.seenSource ?? '')}): masquerading belongs at the edge only` : `no answer: ${lan.detail}`));
      }
      return out;
    });
    const out = perPod.flat();
    return out;
  },
};
