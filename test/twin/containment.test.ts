// Containment of a run: every process in the run's cgroup, so one command ends them all, even in
// namespaces that no longer have a name; a live run is not a leftover; `lab exec` reaches BIRD,
// Cilium's speaker (cilium-dbg) and GoBGP without being told where they listen. Scoped to this file's own runs (others may run beside).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cgroupOf, runPids } from '../../lab/runtime/cgroup.ts';
import { ownerAlive, ownerOf, runDirs } from '../../lab/runtime/owner.ts';
import { destroyAll, destroyRun } from '../../lab/runtime/teardown.ts';
import { LAB, REPO, labNamespaces, twinUnavailable } from './support.ts';
import { SPEAKER_COMM } from '../../lab/runtime/twin/speaker/cilium.ts';
import { parseCiliumBgpPeers } from '../../lab/runtime/vm/kube.ts';

const skip = twinUnavailable();
// Kept labs of this file only: other engineers' `lab up` state stays out of sight.
const stateDir = mkdtempSync(join(tmpdir(), 'nrl-state-'));
const env = { ...process.env, LAB_STATE_DIR: stateDir };
const mine: string[] = [];
after(async () => {
  for (const id of mine) await destroyRun(id);
  rmSync(stateDir, { recursive: true, force: true });
});

function labCli(args: string[], timeoutMs = 120_000) {
  const r = spawnSync(process.execPath, [LAB, ...args], { cwd: REPO, encoding: 'utf8', timeout: timeoutMs, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function commsOf(pids: number[]): Set<string> {
  return new Set(pids.map((p) => spawnSync('cat', [`/proc/${p}/comm`], { encoding: 'utf8' }).stdout.trim()));
}

/** Starts `lab e2e` and resolves once every kind of daemon of its run is in the run's cgroup. */
async function liveRun(extra: string[] = []): Promise<{ child: ReturnType<typeof spawn>; runId: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [LAB, 'e2e', '--plain', '--artifacts', mkdtempSync(join(tmpdir(), 'nrl-art-')), ...extra], { cwd: REPO, stdio: 'ignore', env });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  for (let i = 0; i < 400; i++) {
    const runId = runDirs().find((id) => ownerOf(id)?.pid === child.pid);
    if (runId && runPids(runId).length >= 16 && ['bird', SPEAKER_COMM, 'dnsmasq', 'socat'].every((c) => commsOf(runPids(runId)).has(c))) {
      mine.push(runId);
      return { child, runId, exited };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error('lab e2e did not start its daemons');
}

function alive(pids: number[]): number[] {
  return pids.filter((p) => existsSync(`/proc/${p}`) && !/\) Z /.test(spawnSync('cat', [`/proc/${p}/stat`], { encoding: 'utf8' }).stdout));
}

describe('containment', { skip }, () => {
  it('every daemon of a run is in its cgroup, and processes in nameless namespaces still end with lab down', async () => {
    const { child, runId, exited } = await liveRun();
    const pids = runPids(runId);
    // 2 Cilium speakers, 2 BIRD, 2 dnsmasq, 2 socat per host: and nothing else is expected to be long-lived.
    assert.ok(pids.length >= 16, `${pids.length} processes in the cgroup`);
    child.kill('SIGKILL');
    await exited;
    // What the issue saw: the namespaces lose their names, the daemons live on, reparented.
    for (const ns of labNamespaces(runId)) spawnSync('ip', ['netns', 'del', ns]);
    assert.deepEqual(labNamespaces(runId), []);
    assert.ok(alive(pids).length > 0, 'negative control: the daemons outlive their namespaces\' names');
    const down = labCli(['down', '--run', runId]);
    assert.equal(down.code, 0, down.stderr);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(alive(pids), [], 'lab down ended every process of the run');
    assert.equal(existsSync(cgroupOf(runId)!), false);
  });

  it('a run whose orchestrator lives is skipped by down --all (scoped here) and refused by down --run, unless --force', async () => {
    // A fault keeps the run alive for a while (hold time 9 s): the reference alone is over in seconds.
    const { runId, exited } = await liveRun(['--fault', 'peering-down']);
    assert.equal(ownerAlive(runId), true);
    const all = await destroyAll({ only: (id) => id === runId });
    assert.deepEqual([all.runs, all.skipped], [[], [runId]]);
    assert.ok(labNamespaces(runId).length > 0, 'still there');
    const refused = labCli(['down', '--run', runId]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`run ${runId} is still running \\(orchestrator pid \\d+\\)[\\s\\S]*fix: .*--force`));
    const forced = labCli(['down', '--run', runId, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(labNamespaces(runId), []);
    assert.equal(runPids(runId).length, 0);
    assert.notEqual(await exited, 0, 'the orchestrator notices its lab is gone and fails');
  });

  it('lab exec: birdc and cilium-dbg find the lab\'s daemons; a kept lab has no live orchestrator and goes with down', () => {
    const up = labCli(['up']);
    assert.equal(up.code, 0, up.stderr);
    const runId = /lab ([0-9a-f]{6}) is up/.exec(up.stdout)![1]!;
    mine.push(runId);
    const bird = labCli(['exec', 'router-dc1', '--', 'birdc', 'show', 'protocols']);
    assert.equal(bird.code, 0, bird.stderr);
    assert.match(bird.stdout, /router_dc2\s+BGP\s+.*Established/);
    // Negative control: BIRD's own default socket is not where the lab's BIRD listens.
    const own = labCli(['exec', 'router-dc1', '--', 'birdc', '-s', '/run/bird/bird.ctl', 'show', 'status']);
    assert.notEqual(own.code, 0);
    // Cilium's own table, printed by Cilium's own printer (PrintBGPPeersTable), as the VM lab reads it from an agent.
    const peers = labCli(['exec', 'worker-1', '--', 'cilium-dbg', 'bgp', 'peers']);
    assert.equal(peers.code, 0, peers.stderr);
    assert.match(peers.stdout, /^Local AS\s+Peer AS\s+Peer Address\s+Session\s+Uptime\s+Family\s+Received\s+Advertised/m);
    assert.deepEqual(parseCiliumBgpPeers(peers.stdout, 'worker-1'), [{ machine: 'worker-1', peerAddress: '10.0.1.1', peerAsn: 65000, kind: 'ebgp', state: 'Established', established: true }]);
    const routes = labCli(['exec', 'worker-1', '--', 'cilium-dbg', 'bgp', 'routes', 'advertised', 'ipv4', 'unicast']);
    assert.equal(routes.code, 0, routes.stderr);
    for (const prefix of ['10.244.1.0/24', '10.250.0.1/32']) assert.match(routes.stdout, new RegExp(`10\\.0\\.1\\.1\\s+${prefix.replace(/\./g, '\\.')}\\s+10\\.0\\.1\\.10`), routes.stdout);
    // Negative control: controlplane-1 has no backend of the Local service, so Cilium does not advertise it there.
    const cp = labCli(['exec', 'controlplane-1', '--', 'cilium-dbg', 'bgp', 'routes', 'advertised', 'ipv4', 'unicast']);
    assert.equal(cp.code, 0, cp.stderr);
    assert.match(cp.stdout, /10\.244\.0\.0\/24/);
    assert.doesNotMatch(cp.stdout, /10\.250\.0\.1/);
    assert.equal(ownerAlive(runId), false, '`lab up` has exited: the lab is kept, not live');
    const down = labCli(['down', '--run', runId]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(labNamespaces(runId), []);
  });

  it('lab exec with the emulated speaker: gobgp finds GoBGP\'s API, and there is no cilium-dbg', () => {
    const up = labCli(['up', '--speaker', 'emulated']);
    assert.equal(up.code, 0, up.stderr);
    const runId = /lab ([0-9a-f]{6}) is up/.exec(up.stdout)![1]!;
    mine.push(runId);
    const gobgp = labCli(['exec', 'worker-1', '--', 'gobgp', 'neighbor']);
    assert.equal(gobgp.code, 0, gobgp.stderr);
    assert.match(gobgp.stdout, /10\.0\.1\.1\s+65000\s+\S+\s+Establ/);
    assert.notEqual(labCli(['exec', 'worker-1', '--', 'cilium-dbg', 'bgp', 'peers']).code, 0);
    assert.equal(labCli(['down', '--run', runId]).code, 0);
  });
});
