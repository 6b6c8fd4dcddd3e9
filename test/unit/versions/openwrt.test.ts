// One test per boundary row of lab/versions/openwrt.ts: the package manager that installs BIRD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceTopology } from '../../../lab/topology/reference.ts';
import { resolveTopology } from '../../../lab/topology/resolve.ts';
import { NEWEST_OPENWRT, OPENWRT_LINES } from '../../../lab/versions/openwrt.ts';
import { parseVersion, rowFor } from '../../../lab/versions/semver.ts';
import { assertIssue, issuesOf } from '../support/input-error.ts';

function lineOf(v: string) {
  const m = resolveTopology(referenceTopology(), { openwrtVersion: v });
  assert.equal(m.versions.openwrt, v);
  return rowFor(OPENWRT_LINES, parseVersion(v)!)!;
}

test('22.03: older than the oldest line, an input error naming the flag', () => {
  assertIssue(issuesOf(() => resolveTopology(referenceTopology(), { openwrtVersion: '22.03.5' })), '--openwrt-version', 'older than the oldest supported line 23.05');
});

test('23.05 and 24.10: opkg', () => {
  for (const v of ['23.05.3', '24.10', '24.10.8']) assert.equal(lineOf(v).packageManager, 'opkg', v);
});

test('25.12: apk', () => {
  for (const v of ['25.12.0', NEWEST_OPENWRT]) assert.equal(lineOf(v).packageManager, 'apk', v);
  assert.deepEqual(lineOf('25.12.5').birdPackages, ['bird2', 'bird2c'], 'the package names do not change');
});
