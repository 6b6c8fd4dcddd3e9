// The QEMU runner for real: two tiny guests (Debian kernel + busybox initramfs) on a LAN bridge
// inside a lab namespace, under TCG, readiness from the console, pinging each other over the
// bridge; a guest that never becomes ready fails at its deadline with the console tail; the KVM
// probe; and nothing survives (no QEMU process, no namespace). No NIC leaves the lab namespace and
// no guest has user networking.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { must } from '../../lab/runtime/exec.ts';
import { destroyRun } from '../../lab/runtime/teardown.ts';
import { listNamespaces } from '../../lab/runtime/netns.ts';
import { newRunId, nsName } from '../../lab/runtime/names.ts';
import { probeKvm } from '../../lab/runtime/vm/accel.ts';
import { createSwitch } from '../../lab/runtime/vm/network.ts';
import { consoleExec, startVm, stopVm, waitForConsole, type RunningVm, type VmSpec } from '../../lab/runtime/vm/qemu.ts';
import { killRunQemu } from '../../lab/runtime/vm/teardown.ts';
import { buildTinyGuest, qemuProcessesOf, READY, tmp, vmUnavailable } from './support.ts';

const skip = vmUnavailable('qemu');

describe('QEMU runner (TCG, tiny guests on a lab bridge)', { skip }, () => {
  const runId = newRunId();
  const ns = nsName(runId, 'vm');
  const dir = tmp();
  let guest: { kernel: string; initrd: string };
  const vms: RunningVm[] = [];

  const spec = (name: string, append: string, tap: string, mac: string): VmSpec => ({
    name: nsName(runId, name), kernel: guest.kernel, initrd: guest.initrd,
    append: `console=ttyS0 panic=-1 loglevel=4 ${append}`, memoryMiB: 256, cpus: 1, accel: 'tcg', machine: 'pc',
    nics: [{ tap, mac, model: 'e1000' }], disks: [],
    consoleSocket: join(dir, `${name}.sock`), consoleLog: join(dir, `${name}.console.log`), pidFile: join(dir, `${name}.pid`), noReboot: true,
  });

  before(async () => {
    guest = buildTinyGuest(dir);
    await createSwitch(ns, ['lan0'], [{ name: 't0n0', bridge: 'lan0' }, { name: 't1n0', bridge: 'lan0' }, { name: 't2n0', bridge: 'lan0' }]);
  });

  after(async () => {
    for (const vm of vms) await stopVm(vm);
    await killRunQemu(runId);
    await destroyRun(runId);
  });

  it('boots two guests in parallel, sees them ready on the console, and they ping each other', { timeout: 60_000 }, async () => {
    const a = startVm(ns, spec('a', 'nrl_addr=10.0.0.2/24', 't0n0', '52:54:00:aa:00:02'), join(dir, 'a.qemu.log'));
    const b = startVm(ns, spec('b', 'nrl_addr=10.0.0.3/24', 't1n0', '52:54:00:aa:00:03'), join(dir, 'b.qemu.log'));
    vms.push(a, b);
    const t0 = Date.now();
    await Promise.all([waitForConsole(a, new RegExp(`${READY} 10.0.0.2`), 40_000), waitForConsole(b, new RegExp(`${READY} 10.0.0.3`), 40_000)]);
    process.stderr.write(`# both guests ready in ${Date.now() - t0} ms under TCG\n`);
    const ab = await consoleExec(a.spec.consoleSocket, 'ping -c 2 -W 3 10.0.0.3', 15_000);
    assert.equal(ab.code, 0, ab.output);
    assert.match(ab.output, /2 packets received|bytes from 10\.0\.0\.3/);
    const ba = await consoleExec(b.spec.consoleSocket, 'ping -c 2 -W 3 10.0.0.2', 15_000);
    assert.equal(ba.code, 0, ba.output);
    const fail = await consoleExec(a.spec.consoleSocket, 'ping -c 1 -W 1 10.0.0.99', 10_000);
    assert.notEqual(fail.code, 0, 'a ping to nobody fails');
  });

  it('a tap taken down on the host cuts the guest off without touching its carrier (the VM lab\'s tap faults are silent)', { timeout: 60_000 }, async () => {
    const [a] = vms;
    const carrier = async () => (await consoleExec(a!.spec.consoleSocket, 'cat /sys/class/net/eth0/carrier', 10_000)).output.trim();
    assert.equal(await carrier(), '1');
    await must(['ip', '-n', ns, 'link', 'set', 't0n0', 'down']);
    try {
      const cut = await consoleExec(a!.spec.consoleSocket, 'ping -c 2 -W 1 10.0.0.3', 15_000);
      assert.notEqual(cut.code, 0, `nothing crosses a tap that is down: ${cut.output}`);
      // What vm-lab.ts relies on: the guest still sees its link up, so BGP can only notice by its hold timer.
      assert.equal(await carrier(), '1', 'the guest NIC keeps its carrier');
    } finally {
      await must(['ip', '-n', ns, 'link', 'set', 't0n0', 'up']);
    }
    // Negative control: the same ping once the tap is back.
    const back = await consoleExec(a!.spec.consoleSocket, 'ping -c 2 -W 3 10.0.0.3', 15_000);
    assert.equal(back.code, 0, back.output);
  });

  it('fails a guest that never becomes ready at its deadline, with the console tail in the error', { timeout: 30_000 }, async () => {
    const c = startVm(ns, spec('c', 'nrl_hang=1', 't2n0', '52:54:00:aa:00:04'), join(dir, 'c.qemu.log'));
    vms.push(c);
    const t0 = Date.now();
    await assert.rejects(waitForConsole(c, new RegExp(READY), 8_000), (e: Error) => {
      assert.match(e.message, /did not become ready within 8000 ms/);
      assert.match(e.message, /console tail:\n[\s\S]*\S/, 'the error carries what the console printed');
      return true;
    });
    assert.ok(Date.now() - t0 < 12_000, 'gave up at the deadline');
  });

  it('leaves no QEMU process and no namespace behind', { timeout: 30_000 }, async () => {
    for (const vm of vms) await stopVm(vm);
    await killRunQemu(runId);
    await destroyRun(runId);
    assert.deepEqual(qemuProcessesOf(runId), []);
    assert.deepEqual((await listNamespaces()).filter((n) => n.includes(runId)), []);
  });
});

describe('KVM probe', { skip }, () => {
  it('says whether KVM really boots a kernel; on a host where /dev/kvm hangs, "not usable" and TCG', { timeout: 30_000 }, async () => {
    const p = await probeKvm({ deadlineMs: 8_000 });
    process.stderr.write(`# KVM probe: ${p.usable ? 'usable' : `not usable: ${p.detail}`} (${p.ms} ms)\n`);
    if (process.env['NRL_EXPECT_KVM'] === '1') assert.equal(p.usable, true, p.detail);
    else if (process.env['NRL_EXPECT_KVM'] !== 'any') {
      // This project's machines: /dev/kvm exists but a kernel never prints a line under it.
      assert.equal(p.usable, false, 'set NRL_EXPECT_KVM=1 (or any) on a host with working KVM');
      assert.equal(p.accel, 'tcg');
      assert.match(p.detail, /not boot|exited|no \/dev\/kvm|not readable/);
    }
    assert.ok(p.ms < 12_000, 'the probe respects its deadline');
  });
});
