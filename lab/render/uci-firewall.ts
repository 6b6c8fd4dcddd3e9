// /etc/config/firewall (firewall4) for one router: the reference's lan/wan/peering zones, pod traffic
// forwarded peering<->lan without NAT, masquerading only at the WAN edge.
import { isDualStack, type DatacentreModel, type LabModel } from '../topology/model.ts';
import { extraZonesOf } from './ports.ts';
import { uci, type UciSection } from './uci.ts';

function zone(name: string, networks: string[], input: string, output: string, forward: string, extra: [string, string][] = []): UciSection {
  return { type: 'zone', options: [['name', name], ['network', networks], ['input', input], ['output', output], ['forward', forward], ...extra] };
}

function forwarding(src: string, dest: string): UciSection {
  return { type: 'forwarding', options: [['src', src], ['dest', dest]] };
}

export function renderFirewall(m: LabModel, dc: DatacentreModel): string {
  const sections: UciSection[] = [
    { type: 'defaults', options: [['syn_flood', '1'], ['input', 'REJECT'], ['output', 'ACCEPT'], ['forward', 'REJECT']] },
    zone('lan', ['lan'], 'ACCEPT', 'ACCEPT', 'ACCEPT'),
    // masq_allow_invalid: without it fw4 drops conntrack-invalid packets leaving a masquerading zone.
    // Dual-stack: wan6 joins the zone as in OpenWRT's default firewall (firewall4 root/etc/config/firewall);
    // masq6 stays off (fw4's default): IPv6 leaves with its own addresses.
    zone('wan', isDualStack(m) ? ['wan', 'wan6'] : ['wan'], 'REJECT', 'ACCEPT', 'REJECT', [['masq', '1'], ['mtu_fix', '1'], ['masq_allow_invalid', '1']]),
    // The other routers: BGP arrives here, pod traffic crosses it unmasqueraded.
    zone('peering', ['peering'], 'ACCEPT', 'ACCEPT', 'REJECT'),
    forwarding('lan', 'wan'),
    forwarding('lan', 'peering'),
    forwarding('peering', 'lan'),
  ];
  for (const z of extraZonesOf(m, dc)) {
    sections.push(zone(z.name, [z.name], 'ACCEPT', 'ACCEPT', 'REJECT'));
    for (const dest of z.forwardTo) sections.push(forwarding(z.name, dest));
  }
  return uci(sections);
}
