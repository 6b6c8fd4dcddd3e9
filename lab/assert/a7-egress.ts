// 7. Egress through the router edge: a pod reaches a host in the emulated internet, which sees
// the router's WAN address (masqueraded at the edge), while a LAN host in another datacentre still
// sees the pod's own address.
import type { Lab, Machine } from '../runtime/lab.ts';
import { whoHas } from './path.ts';
import { pool } from '../util/pool.ts';
import { PROBE_PARALLELISM, result, type Assertion, type Result } from './types.ts';

/** One pod per datacentre: egress and DNS are per-router properties. */
export function podPerDc(lab: Lab): Machine[] {
  const seen = new Set<string>();
  return lab.machines().filter((m) => m.kind === 'pod' && !seen.has(m.dc ?? '') && seen.add(m.dc ?? ''));
}

export const egressMasqueraded: Assertion = {
  id: 7,
  title: 'egress masqueraded at the router edge only',
  async run(lab: Lab): Promise<Result[]> {
    const internet = lab.machines().find((m) => m.kind === 'internet');
    if (!internet) return [result(7, 'internet', false, 'an internet host', 'none', 'this runtime has no emulated internet')];
    const perPod = await pool(podPerDc(lab), PROBE_PARALLELISM, async (pod) => {
      const dc = lab.model.datacentres.find((d) => d.name === pod.dc)!;
      const remote = lab.model.datacentres.find((d) => d.name !== dc.name);
      const [r, lan] = await Promise.all([lab.tcpWhoAmI(pod.name, internet.name), remote ? lab.tcpWhoAmI(pod.name, remote.lanHost.name) : undefined]);
      const ok = r.ok && r.seenSource === dc.router.wanAddress;
      let diagnosis = `no answer from the internet: ${r.detail}; the router has no way out (WAN down, or no masquerading so replies to ${pod.address} cannot return)`;
      if (r.ok && r.seenSource === pod.address) diagnosis = `the internet saw the pod's own address ${pod.address}: the wan zone does not masquerade (masq '1' missing), so private addresses leak out`;
      else if (r.ok) diagnosis = `the internet saw ${r.seenSource} (${whoHas(lab, r.seenSource ?? '')}), not ${dc.router.name}'s WAN address: traffic left through another edge or was masqueraded earlier`;
      const out = [result(7, `${pod.name} -> internet`, ok, `${dc.router.wanAddress} (${dc.router.name} WAN)`, r.seenSource ?? r.detail, diagnosis)];
      if (remote && lan) {
        out.push(result(7, `${pod.name} -> ${remote.lanHost.name} (inside)`, lan.ok && lan.seenSource === pod.address, pod.address, lan.seenSource ?? lan.detail,
          lan.ok ? `inside traffic was rewritten to ${lan.seenSource} (${whoHas(lab, lan.seenSource ?? '')}): masquerading belongs at the edge only` : `no answer: ${lan.detail}`));
      }
      return out;
    });
    const out = perPod.flat();
    return out;
  },
};
