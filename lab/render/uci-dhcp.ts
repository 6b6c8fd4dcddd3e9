// /etc/config/dhcp for one router: dnsmasq answering pods too (localservice '0': pod addresses are
// not on a subnet attached to the router), static leases for the nodes, names for every lab machine
// (dual-stack: an AAAA name beside the A name of every machine with an IPv6 address).
import { allNodes, allRouters, type DatacentreModel, type LabModel } from '../topology/model.ts';
import { macFor } from './ports.ts';
import { uci, type UciSection } from './uci.ts';

export const LAB_DOMAIN = 'lab';

export interface HostRecord {
  name: string;
  address: string;
  /** Dual-stack only: the machine's IPv6 address, answered as AAAA. */
  address6?: string;
}

/** Every name the lab's DNS answers, so a pod can look up a machine in another datacentre. */
export function labHostRecords(m: LabModel): HostRecord[] {
  const record = (name: string, address: string, address6: string | undefined): HostRecord => (address6 ? { name, address, address6 } : { name, address });
  return [
    ...allRouters(m).map((r) => record(r.name, r.address, r.address6)),
    ...allNodes(m).map((n) => record(n.name, n.address, n.address6)),
    ...m.datacentres.map((d) => record(d.lanHost.name, d.lanHost.address, d.lanHost.address6)),
    record('internet-server', m.internet.server, m.internet.server6),
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
  // OpenWRT's dnsmasq init script writes each domain section as an "ip name" line of a hosts file
  // (dnsmasq.init dhcp_domain_add): two sections of one name give it an A and an AAAA record.
  for (const r of labHostRecords(m)) {
    for (const address of r.address6 ? [r.address, r.address6] : [r.address]) {
      sections.push({ type: 'domain', options: [['name', `${r.name}.${LAB_DOMAIN}`], ['ip', address]] });
    }
  }
  return uci(sections);
}
