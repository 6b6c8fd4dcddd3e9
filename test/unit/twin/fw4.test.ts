// The rendered firewall as firewall4 would build it (ruleset.uc of openwrt/firewall4 b6e5157):
// read as facts about chains and rules. That nft accepts every variant is test/twin/firewall-rulesets.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderAll, routerPath } from '../../../lab/render/index.ts';
import { fw4Ruleset, zonesOf } from '../../../lab/runtime/twin/fw4.ts';
import { loadModel } from '../../../lab/topology/load.ts';

const files = renderAll(loadModel(undefined, 'reference'));
const fw = files.get(routerPath('dc1', 'firewall'))!;
const net = files.get(routerPath('dc1', 'network'))!;

/** The body lines of one chain, without the hook line. */
function chainOf(rules: string, name: string): string[] | undefined {
  const m = new RegExp(`\\tchain ${name} \\{\\n((?:\\t\\t.*\\n)*)\\t\\}`).exec(rules);
  return m?.[1]!.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('type '));
}

const withDefaults = (extra: string) => fw.replace("config defaults\n\toption syn_flood '1'\n", `config defaults\n${extra}`);

test('zones take their devices from the network file', () => {
  const { zones, forwardings, defaults } = zonesOf(fw, net);
  assert.deepEqual(zones.map((z) => [z.name, z.devices]), [['lan', ['br-lan']], ['wan', ['eth1']], ['peering', ['eth2']]]);
  assert.deepEqual(forwardings, [['lan', 'wan'], ['lan', 'peering'], ['peering', 'lan']]);
  assert.deepEqual(defaults, { input: 'reject', output: 'accept', forward: 'reject', dropInvalid: false, synFlood: { rate: 25, unit: 'second', burst: 50 } });
});

test('forwardings are jumps, masq is a srcnat masquerade', () => {
  const rules = fw4Ruleset(fw, net);
  assert.deepEqual(chainOf(rules, 'forward_lan'), ['jump accept_to_wan comment "!fw4: Accept lan to wan forwarding"', 'jump accept_to_peering comment "!fw4: Accept lan to peering forwarding"', 'jump accept_to_lan']);
  assert.deepEqual(chainOf(rules, 'forward_peering'), ['jump accept_to_lan comment "!fw4: Accept peering to lan forwarding"', 'jump reject_to_peering']);
  assert.deepEqual(chainOf(rules, 'srcnat_wan'), ['meta nfproto ipv4 masquerade comment "!fw4: Masquerade IPv4 wan traffic"']);
  assert.doesNotMatch(rules, /srcnat_peering|srcnat_lan/);
  // fw4 emits only the verdict chains a policy or forwarding uses: nothing drops into peering.
  assert.equal(chainOf(rules, 'drop_to_peering'), undefined);
  assert.ok(chainOf(rules, 'accept_to_peering'), 'the lan->peering forwarding needs accept_to_peering');
});

test('syn_flood: every new SYN to the router jumps to the limit before the zone dispatch', () => {
  const input = chainOf(fw4Ruleset(fw, net), 'input')!;
  const jump = input.indexOf('tcp flags & (fin | syn | rst | ack) == syn jump syn_flood comment "!fw4: Rate limit TCP syn packets"');
  assert.ok(jump > input.findIndex((l) => l.startsWith('ct state vmap')), 'after established/related are accepted');
  assert.ok(jump >= 0 && jump < input.findIndex((l) => l.includes('jump input_lan')), 'before the first zone');
  assert.deepEqual(chainOf(fw4Ruleset(fw, net), 'syn_flood'), [
    'limit rate 25/second burst 50 packets return comment "!fw4: Accept SYN packets below rate-limit"',
    'drop comment "!fw4: Drop excess packets"',
  ]);
  assert.equal(chainOf(fw4Ruleset(fw, net), 'forward')!.some((l) => l.includes('syn_flood')), false, 'only the router\'s own input');
});

test('syn_flood: synflood_rate and synflood_burst are honoured; off means no chain and no jump', () => {
  const tuned = fw4Ruleset(withDefaults("\toption synflood_protect '1'\n\toption synflood_rate '10/minute'\n\toption synflood_burst '5'\n"), net);
  assert.match(chainOf(tuned, 'syn_flood')![0]!, /^limit rate 10\/minute burst 5 packets return /);
  for (const off of ["\toption syn_flood '0'\n", '']) {
    const rules = fw4Ruleset(withDefaults(off), net);
    assert.doesNotMatch(rules, /syn_flood/, JSON.stringify(off));
  }
  assert.throws(() => fw4Ruleset(withDefaults("\toption syn_flood '1'\n\toption synflood_rate 'fast'\n"), net), /synflood_rate 'fast'/);
});

test('mtu_fix: egress clamp in mangle_postrouting (the router\'s own flows too), ingress in mangle_forward', () => {
  const rules = fw4Ruleset(fw, net);
  assert.deepEqual(chainOf(rules, 'mangle_postrouting'), ['oifname "eth1" tcp flags syn / syn,fin,rst tcp option maxseg size set rt mtu comment "!fw4: Zone wan IPv4/IPv6 egress MTU fixing"']);
  assert.deepEqual(chainOf(rules, 'mangle_forward'), ['iifname "eth1" tcp flags syn / syn,fin,rst tcp option maxseg size set rt mtu comment "!fw4: Zone wan IPv4/IPv6 ingress MTU fixing"']);
  const noFix = fw4Ruleset(fw.replace("\toption mtu_fix '1'\n", ''), net);
  assert.doesNotMatch(noFix, /maxseg/);
});

test('a forwarding into a zone with no device: its chains exist, empty, so the jump resolves', () => {
  const guest = `${fw}config zone\n\toption name 'guest'\n\tlist network 'guest'\n\toption input 'REJECT'\n\toption forward 'REJECT'\n\nconfig forwarding\n\toption src 'lan'\n\toption dest 'guest'\n`;
  const rules = fw4Ruleset(guest, net);
  assert.ok(chainOf(rules, 'forward_lan')!.includes('jump accept_to_guest comment "!fw4: Accept lan to guest forwarding"'));
  for (const c of ['accept_to_guest', 'reject_to_guest', 'reject_from_guest']) assert.deepEqual(chainOf(rules, c), [], c);
  for (const c of ['input_guest', 'output_guest', 'forward_guest']) assert.equal(chainOf(rules, c)!.length, 1, c);
  assert.doesNotMatch(chainOf(rules, 'input')!.join('\n'), /guest/, 'nothing dispatches into a zone without devices');
  // A forwarding naming no zone at all is skipped, as fw4 skips it ("invalid options").
  assert.doesNotMatch(fw4Ruleset(`${fw}config forwarding\n\toption src 'lan'\n\toption dest 'nowhere'\n`, net), /nowhere/);
});

test('the NAT-leak drop appears exactly when masq_allow_invalid is off, and not with drop_invalid', () => {
  assert.doesNotMatch(fw4Ruleset(fw, net), /Prevent NAT leakage/);
  const strict = fw.replace("\toption masq_allow_invalid '1'\n", '');
  assert.equal(chainOf(fw4Ruleset(strict, net), 'accept_to_wan')![0], 'meta nfproto ipv4 oifname "eth1" ct state invalid counter drop comment "!fw4: Prevent NAT leakage"');
  const dropInvalid = fw4Ruleset(strict.replace("\toption syn_flood '1'\n", "\toption syn_flood '1'\n\toption drop_invalid '1'\n"), net);
  assert.doesNotMatch(dropInvalid, /Prevent NAT leakage/);
  assert.match(chainOf(dropInvalid, 'forward')![0]!, /^ct state vmap \{ established : accept, related : accept, invalid : drop \}/);
});

test('policies: REJECT hooks drop then jump handle_reject; an unset default is drop, as in fw4', () => {
  const rules = fw4Ruleset(fw, net);
  assert.match(rules, /chain input \{\n\t\ttype filter hook input priority filter; policy drop;/);
  assert.equal(chainOf(rules, 'input')!.at(-1), 'jump handle_reject');
  const bare = zonesOf(fw.replace(/config defaults\n(\t.*\n)*/, 'config defaults\n'), net).defaults;
  assert.deepEqual([bare.input, bare.output, bare.forward], ['drop', 'drop', 'drop']);
});

test('what the translation does not cover is refused by name, not ignored', () => {
  assert.throws(() => fw4Ruleset(`${fw}config rule\n\toption src 'wan'\n\toption target 'ACCEPT'\n`, net), /"config rule" sections are not translated/);
  assert.throws(() => fw4Ruleset(`${fw}config redirect\n\toption src 'wan'\n`, net), /"config redirect"/);
  assert.throws(() => fw4Ruleset(fw.replace("\toption mtu_fix '1'\n", "\toption mtu_fix '1'\n\tlist subnet '10.9.0.0/16'\n"), net), /option subnet in a zone section/);
  assert.throws(() => fw4Ruleset(fw.replace("\toption mtu_fix '1'\n", "\toption mtu_fix '1'\n\toption family 'ipv4'\n"), net), /option family/);
});
