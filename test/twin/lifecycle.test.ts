// Keeping a lab, looking inside it, and tearing it down: by command, by `down --all`, and by SIGINT.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { lab, labAsync, labNamespaces, twinUnavailable } from './support.ts';

const skip = twinUnavailable();

function daemonsOf(runId: string): string[] {
  const r = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(`nrl-${runId}`) && !l.includes('ps -eo'));
}

describe('twin lifecycle', { skip }, () => {
  it('up, status, exec, then down --all leaves no namespace and no process', () => {
    const up = lab(['up']);
    assert.equal(up.code, 0, up.stderr);
    const runId = /lab ([0-9a-f]{6}) is up \(converged/.exec(up.stdout)?.[1];
    assert.ok(runId, up.stdout);
    assert.equal(labNamespaces(runId).length, 13); // 10 machines (with the LoadBalancer backend web-worker-1), 3 switches
    const status = lab(['status']);
    assert.match(status.stdout, new RegExp(`${runId} reference: 13/13 namespaces`));
    assert.match(status.stdout, /router-dc1\s+ibgp 172\.16\.0\.2\s+Established/);
    const trace = lab(['exec', '--run', runId, 'controlplane-1-pod', '--', 'traceroute', '-n', '-q', '1', '-w', '1', '10.244.1.10']);
    assert.equal(trace.code, 0, trace.stderr);
    assert.match(trace.stdout, /10\.0\.0\.1[\s\S]*172\.16\.0\.2[\s\S]*10\.0\.1\.10[\s\S]*10\.244\.1\.10/);
    assert.equal(lab(['exec', '--run', runId, 'no-such-machine', '--', 'true']).code, 2);
    const down = lab(['down', '--all']);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, new RegExp(runId));
    assert.deepEqual(labNamespaces(runId), []);
    assert.deepEqual(daemonsOf(runId), []);
  });

  it('tears down when lab e2e gets SIGINT in the middle', async () => {
    const before = new Set(labNamespaces());
    const child = labAsync(['e2e', '--plain']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // Interrupt once the lab is up, while it converges or asserts.
    const deadline = Date.now() + 30_000;
    while (!/done up/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(stderr, /done up/, 'the lab came up');
    const ours = labNamespaces().filter((ns) => !before.has(ns));
    assert.ok(ours.length > 0);
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.match(stderr, /SIGINT received, tearing down/);
    const left = new Set(labNamespaces());
    assert.deepEqual(ours.filter((ns) => left.has(ns)), []);
  });
});
