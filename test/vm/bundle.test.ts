// The VM lab's failure bundle: which files it writes from which commands (pure), that each step runs
// under its own deadline and a failing, hanging or throwing step never stops the rest (real child
// processes, and the real birdc with no BIRD to talk to), and VmLab.collectFailureBundle on a lab
// that never came up (no namespace, no VM, no cluster): it still writes every file and never throws.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../lab/topology/load.ts';
import { renderAll } from '../../lab/render/index.ts';
import { run } from '../../lab/runtime/exec.ts';
import { newRunId } from '../../lab/runtime/names.ts';
import { which } from '../../lab/runtime/tools.ts';
import { bundlePlan, reasonText, resultText, writeBundle, type BundleEntry, type BundleSource } from '../../lab/runtime/vm/bundle.ts';
import { DeadlineError } from '../../lab/runtime/vm/deadline.ts';
import { VmLab } from '../../lab/runtime/vm/vm-lab.ts';
import { tmp } from './support.ts';

const kubectl = (...a: string[]) => ['/c/kubectl', '--kubeconfig', '/a/kubeconfig', ...a];

describe('failure bundle plan', () => {
  it('consoles, BIRD per router, pods and events, each agent\'s status and BGP peers with the line\'s CLI', () => {
    const plan = bundlePlan({ routers: ['router-dc1'], consoles: [{ machine: 'router-dc1', path: '/a/consoles/router-dc1.log' }], agents: [{ node: 'worker-1', pod: 'cilium-x7' }], agentCli: 'cilium', kubectl });
    assert.deepEqual(plan.map((e) => [e.file, e.source]), [
      ['consoles/router-dc1.log', { kind: 'file', path: '/a/consoles/router-dc1.log' }],
      ['router-dc1/birdc-show-protocols-all.txt', { kind: 'router', machine: 'router-dc1', command: 'birdc show protocols all' }],
      ['router-dc1/birdc-show-route.txt', { kind: 'router', machine: 'router-dc1', command: 'birdc show route' }],
      ['kubectl-get-pods.txt', { kind: 'ctl', argv: kubectl('get', 'pods', '--all-namespaces', '--output', 'wide') }],
      ['kubectl-get-events.txt', { kind: 'ctl', argv: kubectl('get', 'events', '--all-namespaces', '--sort-by=.lastTimestamp') }],
      ['cilium/worker-1-status.txt', { kind: 'ctl', argv: kubectl('exec', '--namespace', 'kube-system', 'cilium-x7', '--container', 'cilium-agent', '--', 'cilium', 'status', '--verbose') }],
      ['cilium/worker-1-bgp-peers.txt', { kind: 'ctl', argv: kubectl('exec', '--namespace', 'kube-system', 'cilium-x7', '--container', 'cilium-agent', '--', 'cilium', 'bgp', 'peers') }],
    ]);
  });
  it('the reason names each expired deadline, or says none expired', () => {
    assert.match(reasonText('stage cluster failed', []), /deadline expired: none/);
    const text = reasonText('stage cluster failed', [new DeadlineError('talos-bootstrap', 6_000_000, 'talosctl bootstrap never succeeded')]);
    assert.match(text, /^failure: stage cluster failed\ndeadline expired: talos-bootstrap \(6000000 ms\): talosctl bootstrap never succeeded/);
  });
});

describe('failure bundle writing (real processes)', () => {
  /** What the VM lab does, without namespaces: router commands in a local shell, ctl argv as is. */
  const read = async (s: BundleSource): Promise<string> => {
    if (s.kind === 'file') return readFileSync(s.path, 'utf8');
    return resultText(await run(s.kind === 'router' ? ['sh', '-c', s.command] : s.argv, { timeoutMs: 60_000 }));
  };

  it('a failing, a hanging and a throwing step are recorded; every other file is written', async () => {
    const dir = tmp();
    const entries: BundleEntry[] = [
      { file: 'ok.txt', what: 'ok', source: { kind: 'ctl', argv: ['sh', '-c', 'echo pods'] } },
      { file: 'fails.txt', what: 'fails', source: { kind: 'ctl', argv: ['sh', '-c', 'echo boom >&2; exit 3'] } },
      { file: 'hangs.txt', what: 'hangs', source: { kind: 'ctl', argv: ['sleep', '4'] } },
      { file: 'consoles/gone.log', what: 'a console never written', source: { kind: 'file', path: join(dir, 'nope.log') } },
      ...(which('birdc') ? [{ file: 'r/birdc.txt', what: 'birdc show protocols all', source: { kind: 'router' as const, machine: 'r', command: `birdc -s ${join(dir, 'no-bird.ctl')} show protocols all` } }] : []),
      { file: 'last.txt', what: 'after the others', source: { kind: 'ctl', argv: ['sh', '-c', 'echo still here'] } },
    ];
    const started = Date.now();
    const files = await writeBundle(dir, 'failure: test\n', entries, read, 1500);
    assert.ok(Date.now() - started < 3500, 'the hanging step (4 s) was cut at its own deadline (1.5 s), not awaited');
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)).sort(), ['reason.txt', ...entries.map((e) => e.file)].sort());
    const text = (f: string) => readFileSync(join(dir, f), 'utf8');
    assert.equal(text('ok.txt'), 'pods\n');
    assert.match(text('fails.txt'), /# stderr:\nboom\n[\s\S]*# exit 3/);
    assert.match(text('hangs.txt'), /not collected: .*deadline "bundle: hangs" expired after 1500 ms/);
    assert.match(text('consoles/gone.log'), /not collected: ENOENT/);
    if (which('birdc')) assert.match(text('r/birdc.txt'), /# exit [1-9]/, 'birdc without a daemon fails, and says so');
    assert.equal(text('last.txt'), 'still here\n');
  });
});

describe('VmLab.collectFailureBundle on a lab that never came up', () => {
  it('writes the reason and every planned file, never throws', async () => {
    const m = loadModel(undefined, 'reference', {});
    const artifacts = tmp();
    const images = { openwrtKernel: '/x', openwrtRootfsGz: '/x', talosKernel: '/x', talosInitramfs: '/x', talosctl: '/nonexistent/talosctl', kubectl: '/nonexistent/kubectl', helm: '/x', ciliumChart: '/x' };
    const lab = new VmLab(m, renderAll(m), { runId: newRunId(), artifacts, runDir: tmp(), images, accel: 'tcg' });
    const files = await lab.collectFailureBundle('stage routers failed: router-dc1 did not boot');
    const rel = files.map((f) => f.slice(join(artifacts, 'failure').length + 1)).sort();
    const routers = m.datacentres.map((d) => d.routers[0]!.name);
    const machines = [...routers, ...m.datacentres.flatMap((d) => d.nodes.map((n) => n.name))];
    assert.deepEqual(rel, ['reason.txt', 'kubectl-get-events.txt', 'kubectl-get-pods.txt', ...machines.map((x) => `consoles/${x}.log`),
      ...routers.flatMap((r) => [`${r}/birdc-show-protocols-all.txt`, `${r}/birdc-show-route.txt`])].sort());
    assert.match(readFileSync(join(artifacts, 'failure', 'reason.txt'), 'utf8'), /^failure: stage routers failed: router-dc1 did not boot\ndeadline expired: none/);
    assert.ok(existsSync(join(artifacts, 'failure', 'kubectl-get-pods.txt')));
  });
});
