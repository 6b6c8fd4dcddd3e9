// /etc/config/dhcp for one router: dnsmasq answering pods too (localservice '0': pod addresses are
// not on a subnet attached to the router), static leases for the nodes, names for every lab machine.
import { allNodes, allRouters, type DatacentreModel, type LabModel } from '../topology/model.ts';
import { macFor } from './ports.ts';
import { uci, type UciSection } from './uci.ts';

export const LAB_DOMAIN = 'lab';

/** Every name the lab's DNS answers, so a pod can look up a machine in another datacentre. */
export function labHostRecords(m: LabModel): { name: string; address: string }[] {
  return [
    ...allRouters(m).map((r) => ({ name: r.name, address: r.address })),
    ...allNodes(m).map((n) => ({ name: n.name, address: n.address })),
    ...m.datacentres.map((d) => d.lanHost),
    { name: 'internet-server', address: m.internet.server },
  ];
}

export function renderDhcp(m: LabModel, dc: DatacentreModel): string {
  const sections: UciSection[] = [
    {
      type: 'dnsmasq',
      options: [
        ['domainneeded', '1'], ['localise_queries', '1'], ['rebind_protection', '1'], ['rebind_localhost', '1'],
        ['local', `/${LAB_DOMAIN}/`], ['domain', LAB_DOMAIN], ['expandhosts', '1'], ['authoritative', '1'],
        ['readethers', '1'], ['leasefile', '/tmp/dhcp.leases'], ['resolvfile', '/tmp/resolv.conf.d/resolv.conf.auto'],
        ['localservice', '0'], ['ednspacket_max', '1232'],
      ],
    },
    { type: 'dhcp', name: 'lan', options: [['interface', 'lan'], ['start', '100'], ['limit', '150'], ['leasetime', '12h']] },
    { type: 'dhcp', name: 'wan', options: [['interface', 'wan'], ['ignore', '1']] },
    { type: 'dhcp', name: 'peering', options: [['interface', 'peering'], ['ignore', '1']] },
  ];
  dc.nodes.forEach((n, j) => {
    sections.push({ type: 'host', options: [['name', n.name], ['mac', macFor(dc.index, 10 + j)], ['ip', n.address]] });
  });
  for (const r of labHostRecords(m)) {
    sections.push({ type: 'domain', options: [['name', `${r.name}.${LAB_DOMAIN}`], ['ip', r.address]] });
  }
  return uci(sections);
}
