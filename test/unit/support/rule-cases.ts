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
  { name: 'IPv4 node blocks more than 16 bits below the pod CIDR', mutate: (t) => { t.cluster.podCIDR = '10.0.0.0/8'; t.cluster.nodeMaskSize = 26; }, field: 'cluster.nodeMaskSize', problem: 'are 18 bits apart; kube-controller-manager allocates node blocks at most 16 bits smaller' },
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
  // Valid YAML, wrong shape, at every level (the top level itself: BAD_FILE_CASES).
  { name: 'routers a number', mutate: (t) => { t.routers = 5; }, field: 'routers', problem: 'must be object' },
  { name: 'cluster a list', mutate: (t) => { t.cluster = [65001]; }, field: 'cluster', problem: 'must be object' },
  { name: 'datacentres a string', mutate: (t) => { t.datacentres = 'dc1'; }, field: 'datacentres', problem: 'must be array' },
  { name: 'datacentres a mapping', mutate: (t) => { t.datacentres = { dc1: {} }; }, field: 'datacentres', problem: 'must be array' },
  { name: 'a datacentre a string', mutate: (t) => { t.datacentres[0] = 'dc1'; }, field: 'datacentres[0]', problem: 'must be object' },
  { name: 'a router a string', mutate: (t) => { t.datacentres[0].router = 'router-dc1'; }, field: 'datacentres[0].router', problem: 'must be object' },
  { name: 'a node a number', mutate: (t) => { t.datacentres[0].nodes[0] = 42; }, field: 'datacentres[0].nodes[0]', problem: 'must be object' },
  { name: 'node labels a list', mutate: (t) => { t.datacentres[0].nodes[0].labels = ['rack=r1']; }, field: 'datacentres[0].nodes[0].labels', problem: 'must be object' },
  { name: 'graceful restart time 0', mutate: (t) => { t.bgp = { gracefulRestart: { enabled: true, restartTime: 0 } }; }, field: 'bgp.gracefulRestart.restartTime', problem: 'must be >= 1' },
  { name: 'graceful restart time past the capability\'s 12 bits', mutate: (t) => { t.bgp = { gracefulRestart: { enabled: true, restartTime: 4096 } }; }, field: 'bgp.gracefulRestart.restartTime', problem: 'must be <= 4095' },
  { name: 'graceful restart without enabled', mutate: (t) => { t.bgp = { gracefulRestart: { restartTime: 60 } }; }, field: 'bgp.gracefulRestart.enabled', problem: 'missing' },
  { name: 'bgp.timers a string', mutate: (t) => { t.bgp = { timers: 'fast' }; }, field: 'bgp.timers', problem: 'must be object' },
  { name: 'versions a list', mutate: (t) => { t.versions = ['1.20.2']; }, field: 'versions', problem: 'must be object' },
  { name: 'name a mapping', mutate: (t) => { t.name = { reference: true }; }, field: 'name', problem: 'must be string' },
  { name: 'null cluster', mutate: (t) => { t.cluster = null; }, field: 'cluster', problem: 'must be object' },
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
  // Several routers per datacentre.
  { name: 'five routers in a datacentre', mutate: (t) => { t.datacentres[0].routers = 5; }, field: 'datacentres[0].routers', problem: 'must be <= 4' },
  { name: 'no router in a datacentre', mutate: (t) => { t.datacentres[0].routers = 0; }, field: 'datacentres[0].routers', problem: 'must be >= 1' },
  { name: 'one router\'s addresses with several routers', mutate: (t) => { t.datacentres[0].routers = 2; t.datacentres[0].router = { address: '10.0.0.5' }; }, field: 'datacentres[0].router', problem: 'datacentres[0].routers is 2' },
  { name: 'extra zone in a datacentre with several routers', mutate: (t) => { t.datacentres[0].routers = 2; t.firewall = { extraZones: [{ name: 'mgmt', datacentre: 'dc1', subnet: '192.168.99.0/24' }] }; }, field: 'firewall.extraZones[0].datacentre', problem: 'dc1 has 2 routers' },
  { name: 'VRRP advertisements every 0 s', mutate: (t) => { t.routers.vrrp = { advertInterval: 0 }; }, field: 'routers.vrrp.advertInterval', problem: 'must be >= 1' },
  { name: 'a node on the VRRP gateway', mutate: (t) => { t.datacentres[0].routers = 2; t.datacentres[0].nodes[0].address = '10.0.0.1'; }, field: 'datacentres[0].nodes[0].address', problem: 'already used by datacentres[0].lan (VRRP gateway)' },
  { name: 'extra zone in an unknown datacentre', mutate: (t) => { t.firewall = { extraZones: [{ name: 'mgmt', datacentre: 'dc9', subnet: '192.168.99.0/24' }] }; }, field: 'firewall.extraZones[0].datacentre', problem: 'no datacentre is named "dc9"' },
  { name: 'extra zone named like a reference zone', mutate: (t) => { t.firewall = { extraZones: [{ name: 'wan', datacentre: 'dc1', subnet: '192.168.99.0/24' }] }; }, field: 'firewall.extraZones[0].name', problem: 'is a zone the reference already has' },
  { name: 'extra zone forwarding to an unknown zone', mutate: (t) => { t.firewall = { extraZones: [{ name: 'mgmt', datacentre: 'dc1', subnet: '192.168.99.0/24', forwardTo: ['dmz'] }] }; }, field: 'firewall.extraZones[0].forwardTo[0]', problem: 'no zone is named "dmz"' },
  // LoadBalancer pool and services (the reference has pool 10.250.0.0/28 and service web on worker-1).
  { name: 'malformed loadBalancer.pool', mutate: (t) => { t.loadBalancer.pool = '10.250.0.0/33'; }, field: 'loadBalancer.pool', problem: 'is not a valid IPv4 CIDR' },
  { name: 'pool overlapping a LAN', mutate: (t) => { t.loadBalancer.pool = '10.0.1.0/28'; }, field: 'loadBalancer.pool', problem: 'overlaps datacentres[1].lan (10.0.1.0/24)' },
  { name: 'pool overlapping the pod CIDR', mutate: (t) => { t.loadBalancer.pool = '10.244.9.0/28'; }, field: 'loadBalancer.pool', problem: 'overlaps cluster.podCIDR' },
  { name: 'service address outside the pool', mutate: (t) => { t.services[0].address = '10.250.1.5'; }, field: 'services[0].address', problem: '10.250.1.5 is not a usable host of 10.250.0.0/28' },
  { name: 'service address the pool\'s network address', mutate: (t) => { t.services[0].address = '10.250.0.0'; }, field: 'services[0].address', problem: 'is not a usable host' },
  { name: 'two services with one address', mutate: (t) => { t.services[0].address = '10.250.0.5'; t.services.push({ name: 'api', port: 8080, backends: ['worker-1'], address: '10.250.0.5' }); }, field: 'services[1].address', problem: 'address "10.250.0.5" is already used by services[0].address' },
  { name: 'two services with one name', mutate: (t) => { t.services.push({ name: 'web', port: 8080, backends: ['worker-1'] }); }, field: 'services[1].name', problem: 'service name "web" is already used' },
  { name: 'backend naming no node', mutate: (t) => { t.services[0].backends = ['worker-9']; }, field: 'services[0].backends[0]', problem: 'no node is named "worker-9"' },
  { name: 'backend listed twice', mutate: (t) => { t.services[0].backends = ['worker-1', 'worker-1']; }, field: 'services[0].backends[1]', problem: 'is listed twice' },
  { name: 'services without a pool', mutate: (t) => { delete t.loadBalancer; }, field: 'services', problem: 'need an address pool' },
  { name: 'pool without a free address', mutate: (t) => { t.loadBalancer.pool = '10.250.0.0/30'; t.services.push({ name: 'api', port: 81, backends: ['worker-1'] }, { name: 'db', port: 82, backends: ['worker-1'] }); }, field: 'services[2].address', problem: 'has no free address left for db' },
  { name: 'unknown traffic policy', mutate: (t) => { t.services[0].trafficPolicy = 'local'; }, field: 'services[0].trafficPolicy', problem: 'must be one of Local, Cluster' },
  { name: 'unknown load-balancer mode', mutate: (t) => { t.loadBalancer.mode = 'maglev'; }, field: 'loadBalancer.mode', problem: 'must be one of snat, dsr, hybrid' },
  { name: 'DSR in tunnel mode', mutate: (t) => { t.loadBalancer.mode = 'dsr'; t.cilium = { routingMode: 'tunnel' }; }, field: 'loadBalancer.mode', problem: 'dsr needs native routing' },
  { name: 'service port out of range', mutate: (t) => { t.services[0].port = 70000; }, field: 'services[0].port', problem: 'must be <= 65535' },
  { name: 'backend pod named like a machine', mutate: (t) => { t.datacentres[1].nodes.push(node('web-worker-1')); }, field: 'services[0].name', problem: 'would be named "web-worker-1", like another machine' },
];

/** The dual-stack rules (resolve6.ts, rules6.ts): each case mutates the reference made dual-stack. */
const dual = (edit: (t: Loose) => void) => (t: Loose) => {
  t.cluster.family = 'dual';
  edit(t);
};

export const DUAL_RULE_CASES: readonly RuleCase[] = [
  { name: 'IPv6 key in an IPv4 cluster', mutate: (t) => { t.routers.peering6 = '2001:db8:172:16::/64'; }, field: 'routers.peering6', problem: 'is an IPv6 setting, and cluster.family is ipv4' },
  { name: 'malformed cluster.podCIDR6', mutate: dual((t) => { t.cluster.podCIDR6 = '2001:db8:244::/129'; }), field: 'cluster.podCIDR6', problem: '' },
  { name: 'IPv4 prefix as a LAN6', mutate: dual((t) => { t.datacentres[0].lan6 = '10.0.0.0/24'; }), field: 'datacentres[0].lan6', problem: '' },
  { name: 'internet outside documentation space', mutate: dual((t) => { t.internet = { wan: '203.0.113.0/24', hosts: '198.51.100.0/24', wan6: '2001:470::/64' }; }), field: 'internet.wan6', problem: 'is outside the documentation prefix 2001:db8::/32' },
  { name: 'node mask wider than the IPv6 pod CIDR', mutate: dual((t) => { t.cluster.podCIDR6 = '2001:db8:244::/64'; t.cluster.nodeMaskSize6 = 56; }), field: 'cluster.nodeMaskSize6', problem: 'is larger than cluster.podCIDR6' },
  { name: 'IPv6 node blocks more than 16 bits below the pod CIDR', mutate: dual((t) => { t.cluster.podCIDR6 = '2001:db8:240::/44'; }), field: 'cluster.nodeMaskSize6', problem: 'are 20 bits apart; kube-controller-manager allocates node blocks at most 16 bits smaller' },
  { name: 'IPv6 LAN longer than odhcpd serves', mutate: dual((t) => { t.datacentres[0].lan6 = '2001:db8:10::/120'; }), field: 'datacentres[0].lan6', problem: 'odhcpd serves DHCPv6 addresses on LANs from /64 to /96' },
  { name: 'IPv6 LAN shorter than a /64', mutate: dual((t) => { t.datacentres[0].lan6 = '2001:db8:10::/56'; }), field: 'datacentres[0].lan6', problem: 'is a /56' },
  { name: 'overlapping IPv6 LANs', mutate: dual((t) => { t.datacentres[1].lan6 = '2001:db8:10::/64'; }), field: 'datacentres[1].lan6', problem: 'overlaps datacentres[0].lan6' },
  { name: 'IPv6 pod CIDR overlapping peering6', mutate: dual((t) => { t.routers.peering6 = '2001:db8:244:7::/64'; }), field: 'cluster.podCIDR6', problem: 'overlaps routers.peering6' },
  { name: 'node podCIDR6 outside the pod CIDR', mutate: dual((t) => { t.datacentres[0].nodes[0].podCIDR6 = '2001:db8:999::/64'; }), field: 'datacentres[0].nodes[0].podCIDR6', problem: 'is not a /64 block of cluster.podCIDR6' },
  { name: 'two nodes on one podCIDR6', mutate: dual((t) => { t.datacentres[0].nodes[0].podCIDR6 = '2001:db8:244:5::/64'; t.datacentres[1].nodes[0].podCIDR6 = '2001:db8:244:5::/64'; }), field: 'datacentres[1].nodes[0].podCIDR6', problem: 'overlaps datacentres[0].nodes[0].podCIDR6' },
  { name: 'node address6 outside its LAN6', mutate: dual((t) => { t.datacentres[0].nodes[0].address6 = '2001:db8:10:1::10'; }), field: 'datacentres[0].nodes[0].address6', problem: 'is not a usable address of 2001:db8:10::/64' },
  { name: 'node address6 that is not IPv6', mutate: dual((t) => { t.datacentres[0].nodes[0].address6 = '10.0.0.10'; }), field: 'datacentres[0].nodes[0].address6', problem: 'is not an IPv6 address' },
  { name: 'duplicate IPv6 address', mutate: dual((t) => { t.datacentres[0].nodes[0].address6 = '2001:db8:10::1'; }), field: 'datacentres[0].nodes[0].address6', problem: 'is already used by datacentres[0].router.address6' },
  { name: 'dual-stack with the peering-policy API', mutate: dual((t) => { t.cilium = { bgpApi: 'peering-policy' }; }), opts: { ciliumVersion: '1.15.19' }, field: 'cluster.family', problem: 'dual-stack is rendered for the BGPv2 resources' },
  { name: 'several routers in a dual-stack lab', mutate: dual((t) => { t.datacentres[0].routers = 2; }), field: 'datacentres[0].routers', problem: 'several routers per datacentre for IPv4 only' },
  { name: 'unknown session layout', mutate: dual((t) => { t.bgp.sessions = 'v6-over-carrier-pigeon'; }), field: 'bgp.sessions', problem: '' },
];

/**
 * Bad files rather than bad values: the whole file's content, through the CLI (cli-errors.test.ts).
 * `field` may name the file as {file}; `once` is a text that must appear exactly once on stderr.
 */
export interface BadFileCase {
  name: string;
  content: () => string | Buffer;
  field: string;
  problem: string;
}

/** "Billion laughs": nine aliases of nine aliases..., 9^9 strings once expanded. */
function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

export const BAD_FILE_CASES: readonly BadFileCase[] = [
  { name: 'YAML alias bomb (billion laughs)', content: aliasBomb, field: '(file)', problem: 'YAML aliases expand the document past 100 copies' },
  { name: 'huge file', content: () => `# ${'x'.repeat(100)}\n`.repeat(50_000), field: '(file)', problem: 'is larger than 4 MiB' },
  { name: 'binary file', content: () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), field: '(file)', problem: 'is not a text file' },
  { name: 'not UTF-8', content: () => Buffer.concat([Buffer.from('name: '), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('\n')]), field: '(file)', problem: 'is not a text file' },
  { name: 'deeply nested document', content: () => `name: x\nrouters: ${'['.repeat(20)}1${']'.repeat(20)}\n`, field: 'routers[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]', problem: 'is nested deeper than 16 levels' },
  { name: 'nested past the parser\'s stack', content: () => `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, field: '{file}:1:', problem: 'the document is nested too deeply to read' },
  { name: 'empty file', content: () => '', field: '(file)', problem: 'is empty' },
  { name: 'a list at the top', content: () => '- name: reference\n- routers: {}\n', field: '(top level)', problem: 'is a list, not a mapping of topology keys' },
  { name: 'a string at the top', content: () => 'reference\n', field: '(top level)', problem: 'is a string, not a mapping' },
  { name: 'YAML syntax error', content: () => 'name: x\nrouters: [\n', field: '{file}:3:1', problem: 'Flow sequence in block collection must be sufficiently indented' },
  // yaml reports this one mistake twice at one place ("Nested mappings..." and "Implicit keys..."): printed once.
  { name: 'YAML syntax error the parser reports twice', content: () => 'name: x\nversions:\n  openwrt: 25.12.5\n    hold: 9\n', field: '{file}:3:12', problem: 'Nested mappings are not allowed in compact mappings' },
];
