// The twin's parsers on recorded output of the real tools.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePcap } from '../../lab/runtime/pcap.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBirdProtocols, parseBirdRoutes, parseGobgpNeighbors, parseNslookup, parseTraceroute } from '../../lab/runtime/parsers.ts';
import { parseCiliumBgpPeers } from '../../lab/runtime/vm/kube.ts';
import { fixturesDir } from './support/paths.ts';

test('birdc show protocols all: BGP sessions with state, neighbour and AS', () => {
  const text = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     04:29:27.842

router_dc2 BGP        ---        up     04:29:28.101  Established
  Description:    iBGP to router-dc2
  BGP state:          Established
    Neighbor address: 172.16.0.2
    Neighbor AS:      65000
    Local AS:         65000

node_worker_1 BGP     ---        start  04:29:27.842  Active        Socket: Connection refused
  BGP state:          Active
    Neighbor address: 10.0.1.10
    Neighbor AS:      65001
`;
  assert.deepEqual(parseBirdProtocols(text, 'router-dc2', 65000), [
    { machine: 'router-dc2', peerAddress: '172.16.0.2', kind: 'ibgp', state: 'Established', established: true, peerAsn: 65000, protocol: 'router_dc2' },
    { machine: 'router-dc2', peerAddress: '10.0.1.10', kind: 'ebgp', state: 'Active', established: false, peerAsn: 65001, protocol: 'node_worker_1' },
  ]);
});

test('gobgp neighbor -j: session_state 6 is established', () => {
  const json = JSON.stringify([{ conf: { neighbor_address: '10.0.0.1', peer_asn: 65000 }, state: { session_state: 6 } }, { conf: { neighbor_address: '10.0.0.2', peer_asn: 65000 }, state: { session_state: 3 } }]);
  const s = parseGobgpNeighbors(json, 'n1', 65001);
  assert.deepEqual(s.map((x) => [x.peerAddress, x.state, x.established, x.kind]), [['10.0.0.1', 'Established', true, 'ebgp'], ['10.0.0.2', 'Active', false, 'ebgp']]);
});

test('traceroute: one responder per hop, ok only when the target answered last', () => {
  const text = 'traceroute to 10.244.1.10 (10.244.1.10), 10 hops max, 60 byte packets\n 1  10.244.0.1  0.05 ms\n 2  10.0.0.1  0.06 ms\n 3  *\n 4  10.244.1.10  0.1 ms\n';
  assert.deepEqual(parseTraceroute(text, '10.244.1.10'), { ok: true, hops: ['10.244.0.1', '10.0.0.1', '*', '10.244.1.10'], detail: '10.244.0.1 -> 10.0.0.1 -> * -> 10.244.1.10' });
  assert.equal(parseTraceroute(text, '10.244.9.9').ok, false);
});

test('busybox nslookup: the answer, not the server address', () => {
  const text = 'Server:\t\t10.0.0.1\nAddress:\t10.0.0.1:53\n\nName:\tdb-dc2.lab\nAddress: 10.0.1.254\n\n';
  assert.equal(parseNslookup(text, 'db-dc2.lab'), '10.0.1.254');
  assert.equal(parseNslookup('Server:\t\t10.0.0.1\nAddress:\t10.0.0.1:53\n', 'db-dc2.lab'), undefined);
});

test('pcap: Ethernet frames with IPv4, ports and wire length', () => {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // Ethernet
  const frame = Buffer.alloc(14 + 20 + 8);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame[23] = 17; // UDP
  Buffer.from([10, 0, 0, 10, 10, 0, 1, 10]).copy(frame, 26);
  frame.writeUInt16BE(40000, 34);
  frame.writeUInt16BE(8472, 36);
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(frame.length, 8);
  rec.writeUInt32LE(1514, 12);
  assert.deepEqual(parsePcap(Buffer.concat([header, rec, frame])), [{ src: '10.0.0.10', dst: '10.0.1.10', protocol: 'udp', length: 1514, srcPort: 40000, dstPort: 8472 }]);
  assert.throws(() => parsePcap(Buffer.alloc(24, 1)), /not a pcap file/);
});

test('birdc show route all (BIRD 2.0.12, this lab): BGP routes with next hops and attributes, the router\'s own left out', () => {
  const text = readFileSync(path.join(fixturesDir, 'daemons', 'bird-2.0.12-show-route-all.txt'), 'utf8');
  const routes = parseBirdRoutes(text);
  assert.deepEqual(routes.find((r) => r.prefix === '10.250.0.1/32'), { prefix: '10.250.0.1/32', protocol: 'node_worker_1', best: true, nextHops: ['10.0.1.10'], bgpNextHop: ['10.0.1.10'], communities: [], origin: 'IGP', asPath: '65001', localPref: 100 });
  assert.equal(routes.find((r) => r.prefix === '10.0.0.0/24')?.asPath, '', 'an iBGP route from the other router has an empty AS path');
  assert.ok(!routes.some((r) => r.prefix === '10.0.1.0/24'), 'the static LAN route is not a BGP route');
  // Several routes for one prefix: the prefix is written once, then each route on its own line.
  const two = parseBirdRoutes('Table master4:\n10.250.0.2/32        unicast [node_a 06:19:20.463] * (100) [AS65001i]\n\tvia 10.0.1.10 on br-lan\n\tType: BGP univ\n\tBGP.origin: IGP\n\tBGP.as_path: 65001\n\tBGP.community: (65000,99) (65000,100)\n                     unicast [node_b 06:19:20.470] (100) [AS65001i]\n\tvia 10.0.1.11 on br-lan\n\tType: BGP univ\n\tBGP.origin: IGP\n\tBGP.as_path: 65001\n');
  assert.deepEqual(two.map((r) => [r.prefix, r.protocol, r.best, r.nextHops[0], r.communities]), [['10.250.0.2/32', 'node_a', true, '10.0.1.10', ['(65000,99)', '(65000,100)']], ['10.250.0.2/32', 'node_b', false, '10.0.1.11', []]]);
});

test('cilium-dbg bgp peers (Cilium 1.20.2\'s own printer, this lab\'s speaker), read by the VM lab\'s parser', () => {
  const text = readFileSync(path.join(fixturesDir, 'daemons', 'cilium-dbg-1.20.2-bgp-peers.txt'), 'utf8');
  assert.deepEqual(parseCiliumBgpPeers(text, 'worker-1'), [{ machine: 'worker-1', peerAddress: '10.0.1.1', peerAsn: 65000, kind: 'ebgp', state: 'Established', established: true }]);
});
