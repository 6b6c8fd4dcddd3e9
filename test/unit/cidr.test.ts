// IPv4 and CIDR arithmetic (lab/topology/cidr.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ip from '../../lab/topology/cidr.ts';

test('parseIp / formatIp round-trip, and refuse what is not an address', () => {
  for (const a of ['0.0.0.0', '10.0.0.1', '172.16.0.254', '255.255.255.255', '203.0.113.10']) assert.equal(ip.formatIp(ip.parseIp(a)!), a);
  assert.equal(ip.parseIp('255.255.255.255'), 0xffffffff);
  assert.equal(ip.parseIp('128.0.0.0'), 2 ** 31, 'unsigned, not negative');
  assert.equal(ip.parseIp(' 10.0.0.1 '), ip.parseIp('10.0.0.1'), 'surrounding blanks are ignored');
  for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.1.1', 'a.b.c.d', '', '10.0.0.-1', '1000.0.0.1']) assert.equal(ip.parseIp(bad), undefined, bad);
});

test('parseCidr: accepts networks, refuses host bits and malformed text with a reason', () => {
  assert.deepEqual(ip.parseCidr('10.244.0.0/16'), { network: ip.parseIp('10.244.0.0'), prefix: 16 });
  assert.deepEqual(ip.parseCidr('0.0.0.0/0'), { network: 0, prefix: 0 });
  assert.deepEqual(ip.parseCidr('10.0.0.7/32'), { network: ip.parseIp('10.0.0.7'), prefix: 32 });
  const hostBits = ip.parseCidr('10.0.0.1/24');
  assert.ok('error' in hostBits && hostBits.error.includes('has host bits set; the network is 10.0.0.0/24'));
  for (const [text, reason] of [
    ['10.0.0.0', 'is not a CIDR of the form'], ['10.0.0.0/', 'is not a CIDR of the form'], ['10.0.0.0/24/1', 'is not a CIDR of the form'],
    ['10.0.0.0/a', 'is not a CIDR of the form'], ['10.0.0.0/33', 'is not a valid IPv4 CIDR'], ['10.0.0.300/24', 'is not a valid IPv4 CIDR'],
    ['10.0.0.0/124', 'is not a CIDR of the form'],
  ] as const) {
    const r = ip.parseCidr(text);
    assert.ok('error' in r && r.error.includes(reason), `${text}: ${JSON.stringify(r)}`);
  }
  assert.throws(() => ip.cidr('10.0.0.1/24'), /host bits/);
  assert.equal(ip.formatCidr(ip.cidr('192.168.250.0/29')), '192.168.250.0/29');
});

test('mask, size and broadcast', () => {
  assert.equal(ip.mask(0), 0);
  assert.equal(ip.mask(24), 0xffffff00);
  assert.equal(ip.mask(32), 0xffffffff);
  assert.equal(ip.size(ip.cidr('10.0.0.0/24')), 256);
  assert.equal(ip.size(ip.cidr('0.0.0.0/0')), 2 ** 32);
  assert.equal(ip.formatIp(ip.broadcast(ip.cidr('10.0.0.0/23'))), '10.0.1.255');
  assert.equal(ip.formatIp(ip.broadcast(ip.cidr('255.255.255.0/24'))), '255.255.255.255');
});

test('contains, containsCidr and overlaps', () => {
  const lan = ip.cidr('10.0.0.0/24');
  assert.ok(ip.contains(lan, ip.parseIp('10.0.0.200')!));
  assert.ok(!ip.contains(lan, ip.parseIp('10.0.1.1')!));
  assert.ok(ip.contains(ip.cidr('0.0.0.0/0'), ip.parseIp('203.0.113.1')!));
  assert.ok(ip.containsCidr(ip.cidr('10.244.0.0/16'), ip.cidr('10.244.3.0/24')));
  assert.ok(!ip.containsCidr(ip.cidr('10.244.3.0/24'), ip.cidr('10.244.0.0/16')), 'a smaller network does not contain a larger one');
  assert.ok(ip.overlaps(ip.cidr('10.244.3.0/24'), ip.cidr('10.244.0.0/16')), 'overlap is symmetric');
  assert.ok(ip.overlaps(ip.cidr('10.0.0.0/24'), ip.cidr('10.0.0.0/24')));
  assert.ok(!ip.overlaps(ip.cidr('10.0.0.0/24'), ip.cidr('10.0.1.0/24')), 'adjacent networks do not overlap');
  assert.ok(!ip.overlaps(ip.cidr('172.16.0.0/24'), ip.cidr('172.16.1.0/25')));
});

test('host numbering: 1-based, never the network or broadcast address', () => {
  const lan = ip.cidr('10.0.1.0/24');
  assert.equal(ip.formatIp(ip.host(lan, 1)!), '10.0.1.1', 'the router gets the first host');
  assert.equal(ip.formatIp(ip.host(lan, 10)!), '10.0.1.10', 'nodes start at the 10th');
  assert.equal(ip.formatIp(ip.host(lan, 254)!), '10.0.1.254');
  assert.equal(ip.host(lan, 255), undefined, 'the broadcast address is no host');
  assert.equal(ip.host(lan, 0), undefined, 'the network address is no host');
  assert.equal(ip.host(ip.cidr('192.168.250.0/30'), 3), undefined);
  assert.equal(ip.formatIp(ip.host(ip.cidr('192.168.250.0/30'), 2)!), '192.168.250.2');
});

test('subnet and blockCount: the i-th node block of the pod CIDR', () => {
  const pods = ip.cidr('10.244.0.0/16');
  assert.equal(ip.formatCidr(ip.subnet(pods, 24, 0)!), '10.244.0.0/24');
  assert.equal(ip.formatCidr(ip.subnet(pods, 24, 3)!), '10.244.3.0/24');
  assert.equal(ip.formatCidr(ip.subnet(pods, 24, 255)!), '10.244.255.0/24');
  assert.equal(ip.subnet(pods, 24, 256), undefined, 'no 257th block');
  assert.equal(ip.subnet(pods, 24, -1), undefined);
  assert.equal(ip.subnet(pods, 15, 0), undefined, 'a block cannot be larger than its network');
  assert.equal(ip.formatCidr(ip.subnet(ip.cidr('10.128.0.0/20'), 26, 5)!), '10.128.1.64/26');
  assert.equal(ip.formatCidr(ip.subnet(ip.cidr('255.255.0.0/16'), 24, 255)!), '255.255.255.0/24', 'stays unsigned at the top');
  assert.equal(ip.blockCount(ip.cidr('10.244.0.0/23'), 24), 2);
  assert.equal(ip.blockCount(pods, 16), 1);
  assert.equal(ip.blockCount(pods, 8), 0);
});
