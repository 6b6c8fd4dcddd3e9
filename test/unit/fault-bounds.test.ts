// Fault bounds come from the sessions: the negotiated hold time each speaker reports, parsed from
// real output (BIRD's "Hold timer: left/negotiated", GoBGP's timers.state.negotiated_hold_time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBirdProtocols, parseCiliumBgpPeersJson, parseGobgpNeighbors } from '../../lab/runtime/parsers.ts';
import { fixturesDir, repoRoot } from './support/paths.ts';

const own = (f: string) => readFileSync(path.join(fixturesDir, 'daemons', f), 'utf8');
const SHARED = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'real-outputs');

test('BIRD 2.0.12 (this lab, bgp.timers hold 9): negotiated hold and keepalive per session', () => {
  const s = parseBirdProtocols(own('bird-2.0.12-protocols-all-timers-9.txt'), 'router-dc1', 65000);
  assert.deepEqual(s.map((x) => [x.peerAddress, x.kind, x.holdTimeS, x.keepaliveS]), [['172.16.0.2', 'ibgp', 9, 3], ['10.0.0.10', 'ebgp', 9, 3]]);
});

test('BIRD 2.14 and a BIRD with its 240 s default, as captured upstream', (t) => {
  if (!existsSync(SHARED)) {
    if (process.env['CI']) assert.fail(`${SHARED} missing in CI`);
    t.skip(`shared real outputs not found at ${SHARED}`);
    return;
  }
  const cilium = parseBirdProtocols(readFileSync(path.join(SHARED, 'birdc-show-protocols-all-2.14-cilium-issue28530.txt'), 'utf8'), 'r', 65000);
  assert.deepEqual(cilium.map((x) => [x.holdTimeS, x.keepaliveS]), [[90, 30]]);
  const frr = parseBirdProtocols(readFileSync(path.join(SHARED, 'birdc-show-protocols-all-frr-issue19484.txt'), 'utf8'), 'r', 65000);
  assert.ok(frr.some((x) => x.holdTimeS === 240), JSON.stringify(frr));
});

test('negative control: a session that is not established reports no hold time', () => {
  const text = own('bird-2.0.12-protocols-all-timers-9.txt').replace(/^ {4}(Hold|Keepalive) timer:.*\n/gm, '').replace(/BGP state: {10}Established/g, 'BGP state:          Active');
  const s = parseBirdProtocols(text, 'router-dc1', 65000);
  assert.ok(s.length === 2 && s.every((x) => x.holdTimeS === undefined && !x.established));
});

test('GoBGP 3.10 neighbor -j (this lab): timers.state.negotiated_hold_time, only when established', () => {
  const json = own('gobgp-3.10-neighbor-established.json');
  const [up] = parseGobgpNeighbors(json, 'worker-1', 65001);
  assert.equal(up?.established, true);
  assert.equal(up?.holdTimeS, 9);
  assert.equal(up?.keepaliveS, 3);
  const down = JSON.parse(json) as { state: { session_state: number } }[];
  down[0]!.state.session_state = 3;
  assert.equal(parseGobgpNeighbors(JSON.stringify(down), 'worker-1', 65001)[0]?.holdTimeS, undefined);
});

test('Cilium 1.20.2 (this lab\'s speaker) cilium-dbg bgp peers -o json: the applied (negotiated) hold and keepalive', () => {
  const s = parseCiliumBgpPeersJson(own('cilium-dbg-1.20.2-bgp-peers.json'), 'worker-1');
  assert.deepEqual(s, [{ machine: 'worker-1', peerAddress: '10.0.1.1', peerAsn: 65000, kind: 'ebgp', state: 'Established', established: true, holdTimeS: 9, keepaliveS: 3 }]);
  // Negative control: a session not established carries no negotiated timers, whatever is configured.
  const active = own('cilium-dbg-1.20.2-bgp-peers.json').replace('"session-state": "established"', '"session-state": "active"');
  assert.deepEqual(parseCiliumBgpPeersJson(active, 'worker-1').map((x) => [x.state, x.established, x.holdTimeS]), [['active', false, undefined]]);
});
