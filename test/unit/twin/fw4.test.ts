// The rendered firewall as firewall4 would load it: checked by nftables itself, and by what it contains.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { renderAll, routerPath } from '../../../lab/render/index.ts';
import { fw4Ruleset, zonesOf } from '../../../lab/runtime/twin/fw4.ts';
import { loadModel } from '../../../lab/topology/load.ts';

const files = renderAll(loadModel(undefined, 'reference'));
const fw = files.get(routerPath('dc1', 'firewall'))!;
const net = files.get(routerPath('dc1', 'network'))!;

test('zones take their devices from the network file', () => {
  const { zones, forwardings, defaults } = zonesOf(fw, net);
  assert.deepEqual(zones.map((z) => [z.name, z.devices]), [['lan', ['br-lan']], ['wan', ['eth1']], ['peering', ['eth2']]]);
  assert.deepEqual(forwardings, [['lan', 'wan'], ['lan', 'peering'], ['peering', 'lan']]);
  assert.deepEqual(defaults, { input: 'REJECT', output: 'ACCEPT', forward: 'REJECT' });
});

test('forwardings are jumps, masq is a srcnat masquerade, mtu_fix clamps MSS both ways', () => {
  const rules = fw4Ruleset(fw, net);
  assert.match(rules, /chain forward_lan \{\n\t\tjump accept_to_wan[^\n]*\n\t\tjump accept_to_peering[^\n]*\n\t\tjump accept_to_lan\n/);
  assert.match(rules, /chain forward_peering \{\n\t\tjump accept_to_lan[^\n]*\n\t\tjump reject_to_peering\n/);
  assert.match(rules, /chain srcnat_wan \{\n\t\tmeta nfproto ipv4 masquerade/);
  assert.doesNotMatch(rules, /srcnat_peering|srcnat_lan/);
  assert.equal(rules.match(/tcp option maxseg size set rt mtu/g)?.length, 2);
});

test('the NAT-leak drop appears exactly when masq_allow_invalid is off', () => {
  assert.doesNotMatch(fw4Ruleset(fw, net), /Prevent NAT leakage/);
  const strict = fw4Ruleset(fw.replace("\toption masq_allow_invalid '1'\n", ''), net);
  assert.match(strict, /chain accept_to_wan \{\n\t\tmeta nfproto ipv4 oifname \{ "eth1" \} ct state invalid counter drop comment "!fw4: Prevent NAT leakage"/);
});

test('nftables accepts the ruleset (nft --check, no namespace needed)', { skip: spawnSync('nft', ['--version']).status !== 0 ? 'nft not installed' : false }, () => {
  // --check parses and evaluates without committing; the leading "delete table" needs the table to
  // exist, so check the body alone.
  const body = fw4Ruleset(fw, net).split('\n').slice(2).join('\n');
  const r = spawnSync('nft', ['--check', '-f', '-'], { input: body, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
