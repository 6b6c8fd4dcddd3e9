// Which Cilium release each line's speaker is built from (lab/versions/cilium.ts, speaker/lines),
// and what a failed build says. Pure, no Go needed.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { refusedModule } from '../../../lab/runtime/twin/speaker/build.ts';
import { speakerLineFor, speakerSourceRoot } from '../../../lab/runtime/twin/speaker/source.ts';
import { CILIUM_LINES } from '../../../lab/versions/cilium.ts';

test('every served line has a speaker folder whose go.mod pins exactly the table\'s release', () => {
  const served = CILIUM_LINES.filter((l) => 'release' in l.speaker);
  assert.deepEqual(served.map((l) => l.since), ['1.14', '1.15', '1.18', '1.19', '1.20']);
  for (const row of served) {
    const l = speakerLineFor(`${row.since}.x`);
    assert.ok(!('unserved' in l), row.since);
    assert.equal(l.line, row.since);
    const mod = readFileSync(join(l.dir, 'go.mod'), 'utf8');
    assert.match(mod, new RegExp(`^\\s*github\\.com/cilium/cilium v${l.pinned.replace(/\./g, '\\.')}$`, 'm'), `${l.dir}/go.mod pins ${l.pinned}`);
    assert.ok(existsSync(join(l.dir, 'go.sum')), `${l.dir}/go.sum`);
  }
});

test('1.16 and 1.17 have no speaker (the module proxy refuses them), and say so', () => {
  for (const v of ['1.16.0', '1.17.4']) {
    const l = speakerLineFor(v);
    assert.ok('unserved' in l, v);
    assert.match(l.unserved, /module proxy refuses github\.com\/cilium\/cilium/);
  }
});

test('a version names the release to build: the exact patch when given, the pinned one for a line', () => {
  const exact = speakerLineFor('1.20.3');
  const lineOnly = speakerLineFor('1.20');
  assert.ok(!('unserved' in exact) && !('unserved' in lineOnly));
  assert.deepEqual([exact.release, exact.pinned], ['1.20.3', '1.20.2']);
  assert.deepEqual([lineOnly.release, lineOnly.pinned], ['1.20.2', '1.20.2']);
  const pre = speakerLineFor('1.20.0-rc.1');
  assert.ok(!('unserved' in pre) && pre.release === '1.20.2', 'a pre-release builds the line\'s pinned release');
  const newer = speakerLineFor('1.21.0');
  assert.ok(!('unserved' in newer) && newer.line === '1.20' && newer.release === '1.20.2', 'a newer line than the table knows runs the newest line\'s speaker');
});

test('the speaker source is at the top of the repository, with core and shared beside the lines', () => {
  const root = speakerSourceRoot();
  for (const p of ['core/go.mod', 'shared/go.mod', 'lines/v1.20/go.mod']) assert.ok(existsSync(join(root, p)), p);
});

test('a refused module is named with its version, from the go command\'s own words', () => {
  // Verbatim from `go mod tidy` here (Cilium 1.20.2's operator/k8s -> pkg/clustermesh/mcsapi).
  const out = 'go: finding module for package x\n\tsigs.k8s.io/mcs-api/controllers: sigs.k8s.io/mcs-api/controllers@v0.5.2: reading https://proxy.golang.org/sigs.k8s.io/mcs-api/controllers/@v/v0.5.2.zip: 403 Forbidden\n\tserver response: This module version is not available.';
  assert.deepEqual(refusedModule(out), { module: 'sigs.k8s.io/mcs-api/controllers', version: 'v0.5.2' });
  assert.deepEqual(refusedModule('github.com/osrg/gobgp/v4@v4.6.1-0.20260630022313-d6dee8360046: reading https://proxy.golang.org/github.com/osrg/gobgp/v4/@v/v4.6.1-0.20260630022313-d6dee8360046.zip: 403 Forbidden'),
    { module: 'github.com/osrg/gobgp/v4', version: 'v4.6.1-0.20260630022313-d6dee8360046' });
  // Negative control: a compile error names no module.
  assert.equal(refusedModule('./line.go:12:2: undefined: agentHive'), undefined);
});
