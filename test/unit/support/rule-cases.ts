// The validation rules as data (netlab style): each case is a small mutation of the reference
// topology, the field the error must name, and a substring of the problem it must state.
// topology-rules.test.ts runs them all through the library; cli-errors.test.ts runs some through the CLI.
import type { ResolveOptions } from '../../../lab/topology/resolve.ts';

// Mutations also write keys and types the Topology type forbids, on purpose.
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RuleCase {
  name: string;
  /** Mutates a fresh referenceTopology(), seen loosely typed. */
  mutate: (t: Loose) => void;
  opts?: ResolveOptions;
  field: string;
  problem: string;
}

const node = (name: string, extra: Loose = {}) => ({ name, role: 'worker', ...extra });

export const RULE_CASES: readonly RuleCase[] = [
  // Malformed CIDRs, one per CIDR field.
  { name: 'malformed routers.peering', mutate: (t) => { t.routers.peering = '172.16.0.0-24'; }, field: 'routers.peering', problem: 'is not a CIDR of the form' },
  { name: 'malformed cluster.podCIDR', mutate: (t) => { t.cluster.podCIDR = '10.244.0.0/33'; }, field: 'cluster.podCIDR', problem: 'is not a valid IPv4 CIDR' },
  { name: 'malformed datacentre LAN', mutate: (t) => { t.datacentres[1].lan = '10.0.1.0'; }, field: 'datacentres[1].lan', problem: 'is not a CIDR of the form' },
  { name: 'malformed internet.wan', mutate: (t) => { t.internet = { wan: '203.0.113.0/2x', hosts: '198.51.100.0/24' }; }, field: 'internet.wan', problem: 'is not a CIDR of the form' },
  { name: 'malformed internet.hosts', mutate: (t) => { t.internet = { wan: '203.0.113.0/24', hosts: '198.51.300.0/24' }; }, field: 'internet.hosts', problem: 'is not a valid IPv4 CIDR' },
  { name: 'malformed extra zone subnet', mutate: (t) => { t.firewall = { extraZones: [{ name: 'mgmt', datacentre: 'dc1', subnet: 'mgmt-net' }] }; }, field: 'firewall.extraZones[0].subnet', problem: 'is not a CIDR of the form' },
  { name: 'malformed node podCIDR', mutate: (t) => { t.datacentres[0].nodes[0].podCIDR = '10.244.5.0/2o'; }, field: 'datacentres[0].nodes[0].podCIDR', problem: 'is not a CIDR of the form' },
  // Host bits.
  { name: 'LAN with host bits set', mutate: (t) => { t.datacentres[0].lan = '10.0.0.1/24'; }, field: 'datacentres[0].lan', problem: 'has host bits set; the network is 10.0.0.0/24' },
  { name: 'pod CIDR with host bits set', mutate: (t) => { t.cluster.podCIDR = '10.244.1.0/16'; }, field: 'cluster.podCIDR', problem: 'has host bits set' },
  // Overlaps.
  { name: 'overlapping LANs', mutate: (t) => { t.datacentres[1].lan = '10.0.0.0/16'; }, field: 'datacentres[1].lan', problem: 'overlaps datacentres[0].lan (10.0.0.0/24)' },
  { name: 'LAN overlapping the peering network', mutate: (t) => { t.datacentres[0].lan = '172.16.0.0/16'; }, field: 'datacentres[0].lan', problem: 'overlaps routers.peering' },
  { name: 'LAN overlapping the pod CIDR', mutate: (t) => { t.datacentres[1].lan = '10.244.200.0/24'; }, field: 'datacentres[1].lan', problem: 'overlaps cluster.podCIDR' },
  { name: 'extra zone overlapping a LAN', mutate: (t) => { t.firewall = { extraZones: [{ name: 'mgmt', datacentre: 'dc1', subnet: '10.0.1.128/25' }] }; }, field: 'firewall.extraZones[0].subnet', problem: 'overlaps datacentres[1].lan' },
  { name: 'node podCIDR overlapping another node\'s', mutate: (t) => { t.datacentres[0].nodes[0].podCIDR = '10.244.5.0/24'; t.datacentres[1].nodes[0].podCIDR = '10.244.5.0/24'; }, field: 'datacentres[1].nodes[0].podCIDR', problem: 'overlaps datacentres[0].nodes[0].podCIDR (10.244.5.0/24)' },
  { name: 'node podCIDR outside the cluster podCIDR', mutate: (t) => { t.datacentres[0].nodes[0].podCIDR = '10.245.0.0/24'; }, field: 'datacentres[0].nodes[0].podCIDR', problem: 'is not a /24 block of cluster.podCIDR 10.244.0.0/16' },
  { name: 'node podCIDR of the wrong size', mutate: (t) => { t.datacentres[0].nodes[0].podCIDR = '10.244.8.0/23'; }, field: 'datacentres[0].nodes[0].podCIDR', problem: 'is not a /24 block' },
  { name: 'more nodes than pod CIDR blocks', mutate: (t) => { t.cluster.podCIDR = '10.244.0.0/23'; t.datacentres[1].nodes.push(node('worker-2')); }, field: 'datacentres[1].nodes[1].podCIDR', problem: 'has only 2 blocks of /24' },
  { name: 'node mask shorter than the pod CIDR', mutate: (t) => { t.cluster.nodeMaskSize = 12; }, field: 'cluster.nodeMaskSize', problem: 'is larger than cluster.podCIDR' },
  // ASNs.
  { name: 'same ASN for routers and cluster', mutate: (t) => { t.cluster.asn = 65000; }, field: 'cluster.asn', problem: 'the cluster uses the routers\' AS 65000' },
  // Duplicates.
  { name: 'duplicate datacentre names', mutate: (t) => { t.datacentres[1].name = 'dc1'; }, field: 'datacentres[1].name', problem: 'name "dc1" is already used by datacentres[0].name' },
  { name: 'duplicate node names', mutate: (t) => { t.datacentres[1].nodes[0].name = 'controlplane-1'; }, field: 'datacentres[1].nodes[0].name', problem: 'machine name "controlplane-1" is already used' },
  { name: 'node named like a router', mutate: (t) => { t.datacentres[1].nodes[0].name = 'router-dc1'; }, field: 'datacentres[1].nodes[0].name', problem: 'machine name "router-dc1" is already used' },
  { name: 'duplicate node addresses', mutate: (t) => { t.datacentres[0].nodes.push(node('worker-9', { address: '10.0.0.10' })); }, field: 'datacentres[0].nodes[1].address', problem: 'address "10.0.0.10" is already used by datacentres[0].nodes[0].address' },
  { name: 'node address equal to the router\'s', mutate: (t) => { t.datacentres[0].nodes[0].address = '10.0.0.1'; }, field: 'datacentres[0].nodes[0].address', problem: 'is already used by datacentres[0].router.address' },
  { name: 'router peering addresses equal', mutate: (t) => { t.datacentres[1].router = { peeringAddress: '172.16.0.1' }; }, field: 'datacentres[1].router.peeringAddress', problem: 'is already used by datacentres[0].router.peeringAddress' },
  // Addresses.
  { name: 'node address outside its LAN', mutate: (t) => { t.datacentres[0].nodes[0].address = '10.0.1.10'; }, field: 'datacentres[0].nodes[0].address', problem: '10.0.1.10 is not a usable host of 10.0.0.0/24' },
  { name: 'node address the LAN\'s broadcast', mutate: (t) => { t.datacentres[0].nodes[0].address = '10.0.0.255'; }, field: 'datacentres[0].nodes[0].address', problem: 'is not a usable host' },
  { name: 'node address not an address', mutate: (t) => { t.datacentres[0].nodes[0].address = '10.0.0.300'; }, field: 'datacentres[0].nodes[0].address', problem: 'is not an IPv4 address' },
  { name: 'router address outside its LAN', mutate: (t) => { t.datacentres[0].router = { address: '10.0.1.1' }; }, field: 'datacentres[0].router.address', problem: 'is not a usable host of 10.0.0.0/24' },
  // Structure: unknown keys (the path in the field) and wrong types.
  { name: 'unknown top-level key', mutate: (t) => { t.colour = 'blue'; }, field: 'colour', problem: 'unknown key' },
  { name: 'unknown nested key', mutate: (t) => { t.datacentres[1].nodes[0].lables = { rack: 'r1' }; }, field: 'datacentres[1].nodes[0].lables', problem: 'unknown key' },
  { name: 'unknown timer key', mutate: (t) => { t.bgp = { timers: { holdTime: 9 } }; }, field: 'bgp.timers.holdTime', problem: 'unknown key' },
  { name: 'ASN as a string', mutate: (t) => { t.routers.asn = '65000'; }, field: 'routers.asn', problem: 'must be integer' },
  { name: 'reflection as a string', mutate: (t) => { t.routers.reflection = 'yes'; }, field: 'routers.reflection', problem: 'must be boolean' },
  { name: 'nodes not a list', mutate: (t) => { t.datacentres[0].nodes = { name: 'x' }; }, field: 'datacentres[0].nodes', problem: 'must be array' },
  { name: 'unknown role', mutate: (t) => { t.datacentres[0].nodes[0].role = 'master'; }, field: 'datacentres[0].nodes[0].role', problem: 'must be one of controlplane, worker' },
  { name: 'missing cluster.asn', mutate: (t) => { delete t.cluster.asn; }, field: 'cluster.asn', problem: 'missing' },
  { name: 'name not a DNS label', mutate: (t) => { t.datacentres[0].name = 'DC_1'; }, field: 'datacentres[0].name', problem: 'has a form that is not allowed' },
  // Versions.
  { name: 'unsupported Cilium version', mutate: (t) => { t.versions = { cilium: '1.13.4' }; }, field: 'versions.cilium', problem: 'older than the oldest supported line 1.14' },
  { name: 'unsupported Cilium version by flag', mutate: () => {}, opts: { ciliumVersion: '1.12.0' }, field: '--cilium-version', problem: 'older than the oldest supported line' },
  { name: 'Cilium version not a version', mutate: (t) => { t.versions = { cilium: 'latest' }; }, field: 'versions.cilium', problem: 'has a form that is not allowed' },
  { name: 'unsupported API for the Cilium version', mutate: (t) => { t.versions = { cilium: '1.19.0' }; t.cilium = { bgpApi: 'peering-policy' }; }, field: 'cilium.bgpApi', problem: 'Cilium 1.19.0 does not serve the peering-policy API' },
  { name: 'BGPv2 before Cilium 1.16', mutate: (t) => { t.versions = { cilium: '1.15.7' }; t.cilium = { bgpApi: 'bgpv2-v2' }; }, field: 'cilium.bgpApi', problem: 'does not serve the bgpv2-v2 API' },
  { name: 'unsupported Talos version', mutate: (t) => { t.versions = { talos: '1.4.0' }; }, field: 'versions.talos', problem: 'older than the oldest supported line 1.5' },
  // Timers.
  { name: 'hold time 2', mutate: (t) => { t.bgp = { timers: { hold: 2 } }; }, field: 'bgp.timers.hold', problem: 'RFC 4271' },
  { name: 'hold time 0 (BGP allows it, Cilium\'s CRDs do not)', mutate: (t) => { t.bgp = { timers: { hold: 0 } }; }, field: 'bgp.timers.hold', problem: 'Cilium\'s CRDs at least 3' },
  { name: 'keepalive 0', mutate: (t) => { t.bgp = { timers: { hold: 9, keepalive: 0 } }; }, field: 'bgp.timers.keepalive', problem: 'not allowed by Cilium\'s CRDs' },
  { name: 'hold alone, below Cilium\'s default keepalive', mutate: (t) => { t.bgp = { timers: { hold: 20 } }; }, field: 'bgp.timers.keepalive', problem: 'Cilium\'s default keepalive 30 s is not shorter than the hold time 20 s' },
  { name: 'keepalive alone, above Cilium\'s default hold', mutate: (t) => { t.bgp = { timers: { keepalive: 100 } }; }, field: 'bgp.timers.keepalive', problem: 'is not shorter than Cilium\'s default hold time 90 s' },
  { name: 'keepalive equal to hold', mutate: (t) => { t.bgp = { timers: { hold: 9, keepalive: 9 } }; }, field: 'bgp.timers.keepalive', problem: 'is not shorter than the hold time 9 s' },
  { name: 'keepalive above hold', mutate: (t) => { t.bgp = { timers: { hold: 9, keepalive: 30 } }; }, field: 'bgp.timers.keepalive', problem: 'is not shorter' },
  { name: 'connect retry 0', mutate: (t) => { t.bgp = { timers: { connectRetry: 0 } }; }, field: 'bgp.timers.connectRetry', problem: 'busy loop' },
  { name: 'timer out of range', mutate: (t) => { t.bgp = { timers: { hold: 70000 } }; }, field: 'bgp.timers.hold', problem: 'must be <= 65535' },
  // Extra zones.
  { name: 'extra zone in an unknown datacentre', mutate: (t) => { t.firewall = { extraZones: [{ name: 'mgmt', datacentre: 'dc9', subnet: '192.168.99.0/24' }] }; }, field: 'firewall.extraZones[0].datacentre', problem: 'no datacentre is named "dc9"' },
  { name: 'extra zone named like a reference zone', mutate: (t) => { t.firewall = { extraZones: [{ name: 'wan', datacentre: 'dc1', subnet: '192.168.99.0/24' }] }; }, field: 'firewall.extraZones[0].name', problem: 'is a zone the reference already has' },
  { name: 'extra zone forwarding to an unknown zone', mutate: (t) => { t.firewall = { extraZones: [{ name: 'mgmt', datacentre: 'dc1', subnet: '192.168.99.0/24', forwardTo: ['dmz'] }] }; }, field: 'firewall.extraZones[0].forwardTo[0]', problem: 'no zone is named "dmz"' },
];
