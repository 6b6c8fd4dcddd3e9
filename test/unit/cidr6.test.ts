// IPv6 prefix arithmetic (lab/topology/cidr6.ts): parsing every spelling, RFC 5952 output, blocks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidr6, contains6, coversAddress, formatCidr6, formatIp6, host6, overlaps6, parseCidr6, parseIp6, subnet6 } from '../../lab/topology/cidr6.ts';

test('addresses: every spelling parses, and prints as RFC 5952 says', () => {
  for (const [text, canonical] of <[string, string][]>[
    ['2001:db8::1', '2001:db8::1'], ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], ['::', '::'], ['::1', '::1'],
    ['fe80::', 'fe80::'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ]) assert.equal(formatIp6(parseIp6(text)!), canonical, text);
  for (const bad of ['2001:db8:::1', '1::2::3', '2001:db8', '12345::', 'g::', '1:2:3:4:5:6:7:8:9', '10.0.0.1', '']) assert.equal(parseIp6(bad), undefined, bad);
});

test('prefixes: host bits refused with the network named; containment, overlap, hosts and blocks', () => {
  assert.deepEqual(parseCidr6('2001:db8::1/64'), { error: '"2001:db8::1/64" has host bits set; the network is 2001:db8::/64' });
  assert.ok('error' in parseCidr6('2001:db8::/129'));
  const pods = cidr6('2001:db8:244::/56');
  assert.equal(formatCidr6(subnet6(pods, 64, 0)!), '2001:db8:244::/64');
  assert.equal(formatCidr6(subnet6(pods, 64, 255)!), '2001:db8:244:ff::/64');
  assert.equal(subnet6(pods, 64, 256), undefined, 'a /56 has 256 /64s');
  assert.equal(formatIp6(host6(cidr6('2001:db8:1::/64'), 1)!), '2001:db8:1::1');
  assert.ok(contains6(pods, parseIp6('2001:db8:244:10::5')!));
  assert.ok(!contains6(pods, parseIp6('2001:db8:245::')!));
  assert.ok(overlaps6(pods, cidr6('2001:db8:244:3::/64')) && !overlaps6(pods, cidr6('2001:db8:245::/56')));
  assert.equal(host6(cidr6('2001:db8::/127'), 1), undefined, 'the last address is left out');
});

test('coversAddress: a prefix of either family holds addresses of its own family only', () => {
  assert.equal(coversAddress('10.244.0.0/24', '10.244.0.10'), true);
  assert.equal(coversAddress('10.244.0.0/24', '10.244.1.10'), false);
  assert.equal(coversAddress('2001:db8:244::/64', '2001:db8:244::10'), true);
  assert.equal(coversAddress('2001:db8:244::/64', '2001:db8:244:1::10'), false);
  assert.equal(coversAddress('2001:db8:244::/64', '10.244.0.10'), false);
  assert.equal(coversAddress('not a prefix', '10.0.0.1'), false);
});
