// Every parser the VM lab reads a real tool with, on verbatim captures of that tool's output
// (../shared/fixtures/real-outputs, sources in its SOURCES.md). Absent outside CI: a visible skip;
// in CI: a failure.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseBirdProtocols } from '../../lab/runtime/parsers.ts';
import { parseCiliumBgpPeers, peerAddressOf } from '../../lab/runtime/vm/kube.ts';
import { parseTalosVersion } from '../../lab/runtime/vm/talos-version.ts';

const DIR = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'real-outputs');

function absent(): string | undefined {
  if (existsSync(join(DIR, 'SOURCES.md'))) return undefined;
  if (process.env['CI']) throw new Error(`the real captured outputs must be present in CI: ${DIR}`);
  process.stderr.write(`# real-output parser tests skipped: ${DIR} is absent\n`);
  return `real-output parser tests skipped: ${DIR} is absent`;
}

const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

describe('parsers on real captured outputs', { skip: absent() }, () => {
  it('birdc show protocols all, BIRD 2.14 (banner, header, a Device protocol, then an iBGP session)', () => {
    assert.deepEqual(parseBirdProtocols(read('birdc-show-protocols-all-2.14-cilium-issue28530.txt'), 'r', 64512), [
      // "Hold timer: 64.202/90", "Keepalive timer: 3.960/30": the negotiated values follow the slash.
      // The protocol's name: what assertion 12 matches a route's session by.
      { machine: 'r', peerAddress: '127.0.0.1', peerAsn: 64512, kind: 'ibgp', state: 'Established', established: true, holdTimeS: 90, keepaliveS: 30, protocol: 'bgp4' },
    ]);
  });

  it('birdc show protocols all, a fragment without banner or header, with channel statistics', () => {
    const s = parseBirdProtocols(read('birdc-show-protocols-all-frr-issue19484.txt'), 'r', 327824);
    assert.deepEqual(s, [{ machine: 'r', peerAddress: '154.118.252.78', peerAsn: 327824, kind: 'ibgp', state: 'Established', established: true, holdTimeS: 240, keepaliveS: 80, protocol: 'ibgp_v4' }],
      '"Send hold timer: 435.060/480" is not the hold timer');
  });

  it('cilium bgp peers in a 1.14 agent (the pre-cilium-dbg name): a second family on a continuation line', () => {
    assert.deepEqual(parseCiliumBgpPeers(read('cilium-agent-bgp-peers-1.14-pr24612.txt'), 'n1'), [
      { machine: 'n1', peerAddress: '10.0.0.1', peerAsn: 65010, kind: 'ibgp', state: 'Established', established: true },
    ]);
  });

  it('cilium bgp peers in a 1.17-1.18 agent: the address carries its port (printers.go `%s:%d`), a 32-bit ASN', () => {
    assert.deepEqual(parseCiliumBgpPeers(read('cilium-agent-bgp-peers-1.17-1.18-issue39861.txt'), 'n1'), [
      { machine: 'n1', peerAddress: '10.55.20.111', peerAsn: 4294967291, kind: 'ibgp', state: 'active', established: false },
    ]);
  });

  it('the cilium CLI\'s BGPv2 table: Node column, "Session State", IPv6 peers kept whole', () => {
    assert.deepEqual(parseCiliumBgpPeers(read('cilium-cli-bgp-peers-docs-bgpv2.txt')), [
      { machine: 'bgpv2-cplane-dev-service-control-plane', peerAddress: 'fd00:10::1', peerAsn: 65000, kind: 'ebgp', state: 'Established', established: true },
      { machine: 'bgpv2-cplane-dev-service-worker', peerAddress: 'fd00:10::1', peerAsn: 65000, kind: 'ebgp', state: 'Established', established: true },
    ]);
  });

  it('the cilium CLI, a session not established', () => {
    assert.deepEqual(parseCiliumBgpPeers(read('cilium-cli-bgp-peers-pr30506.txt')), [
      { machine: 'node0', peerAddress: '10.0.1.1', peerAsn: 65000, kind: 'ebgp', state: 'active', established: false },
    ]);
  });

  it('talosctl version: the client tag, then each node of the Server section with its tag', () => {
    assert.deepEqual(parseTalosVersion(read('talosctl-version-talos-docs-v1.9.txt')), { client: '<talos version>', servers: [{ node: '172.20.0.2', tag: '<talos version>' }] });
  });
});

describe('peer address cells (pure)', () => {
  it('strips a port only where it is unambiguous; the old parser cut fd00:10::1 to fd00:10:', () => {
    assert.equal(peerAddressOf('fd00:10::1'), 'fd00:10::1');
    assert.equal(peerAddressOf('10.0.0.1:179'), '10.0.0.1');
    assert.equal(peerAddressOf('10.0.0.1'), '10.0.0.1');
    assert.equal(peerAddressOf('[fd00:10::1]:179'), 'fd00:10::1');
    assert.notEqual(peerAddressOf('fd00:10::1'), 'fd00:10::1'.replace(/:\d+$/, ''), 'negative control: the old rule');
  });
  it('a talosctl version without a reachable server has no Server entries', () => {
    assert.deepEqual(parseTalosVersion('Client:\n\tTag:         v1.14.2\nServer:\n'), { client: 'v1.14.2', servers: [] });
  });
});
