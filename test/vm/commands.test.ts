// Golden command lines (talosctl, kubectl, helm, QEMU, ssh), the VM network plan, and the parsers
// the VM lab reads Cilium, BusyBox and kubectl output with. Pure: runs anywhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadModel } from '../../lab/topology/load.ts';
import { renderAll, routerPath } from '../../lab/render/index.ts';
import { cpioNewc } from '../../lab/runtime/vm/cpio.ts';
import { kvmProbeArgv } from '../../lab/runtime/vm/accel.ts';
import * as kube from '../../lab/runtime/vm/kube.ts';
import { switchBatch, vmNetworkPlan } from '../../lab/runtime/vm/network.ts';
import { internetDnsmasqArgv } from '../../lab/runtime/vm/internet.ts';
import { uplinkArgv } from '../../lab/runtime/vm/uplink.ts';
import { allArtifacts, openwrtArtifacts, PROBE_IMAGE, talosArtifacts, toolArtifacts } from '../../lab/runtime/vm/pins.ts';
import { KERNEL_ARGS, qemuArgv } from '../../lab/runtime/vm/qemu.ts';
import * as talos from '../../lab/runtime/vm/talos.ts';
import { sshArgv } from '../../lab/runtime/vm/vm-lab.ts';
import { parseLinkText, parseRouteText } from '../../lab/runtime/vm/busybox.ts';
import { toolWait } from '../../lab/runtime/vm/deadline.ts';

const T = { talosctl: '/c/talosctl', dir: '/a/talos' };
const K = { kubectl: '/c/kubectl', helm: '/c/helm', kubeconfig: '/a/kubeconfig' };

describe('talosctl command lines (golden)', () => {
  it('gen config, apply, bootstrap, kubeconfig, version', () => {
    // The common patch for every machine, the control-plane patch for control planes only (Talos refuses
    // control-plane-only kinds such as KubeProxyConfig on a worker).
    assert.deepEqual(talos.genConfig(T, 'reference', talos.clusterEndpoint('10.0.0.10'), { common: '/a/talos-patch.yaml', controlPlane: '/a/talos-patch-controlplane.yaml' }, '/dev/vda'),
      ['/c/talosctl', 'gen', 'config', 'reference', 'https://10.0.0.10:6443', '--config-patch', '@/a/talos-patch.yaml', '--config-patch-control-plane', '@/a/talos-patch-controlplane.yaml',
        '--install-disk', '/dev/vda', '--output', '/a/talos', '--force']);
    assert.deepEqual(talos.applyConfig(T, '10.0.1.10', 'worker'), ['/c/talosctl', 'apply-config', '--insecure', '--nodes', '10.0.1.10', '--file', '/a/talos/worker.yaml']);
    assert.deepEqual(talos.bootstrap(T, '10.0.0.10'), ['/c/talosctl', '--talosconfig', '/a/talos/talosconfig', '--endpoints', '10.0.0.10', '--nodes', '10.0.0.10', 'bootstrap']);
    assert.deepEqual(talos.kubeconfig(T, '10.0.0.10', '/a/kubeconfig'), ['/c/talosctl', '--talosconfig', '/a/talos/talosconfig', '--endpoints', '10.0.0.10', '--nodes', '10.0.0.10', 'kubeconfig', '/a/kubeconfig', '--force']);
    assert.deepEqual(talos.versionInsecure(T, '10.0.0.10'), ['/c/talosctl', 'version', '--insecure', '--nodes', '10.0.0.10']);
  });
});

describe('kubectl and helm command lines (golden)', () => {
  it('apply, label, wait, exec, get', () => {
    assert.deepEqual(kube.apply(K, '/a/cilium-bgp.yaml'), ['/c/kubectl', '--kubeconfig', '/a/kubeconfig', 'apply', '--server-side', '-f', '/a/cilium-bgp.yaml']);
    assert.deepEqual(kube.labelNode(K, 'worker-1', { dc: 'dc2', tier: 'a' }), ['/c/kubectl', '--kubeconfig', '/a/kubeconfig', 'label', 'node', 'worker-1', '--overwrite', 'dc=dc2', 'tier=a']);
    assert.deepEqual(kube.waitNodesReady(K, 900), ['/c/kubectl', '--kubeconfig', '/a/kubeconfig', 'wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=900s']);
    assert.deepEqual(kube.execIn(K, 'default', 'worker-1-pod', ['ping', '-c', '1', '10.244.0.10']),
      ['/c/kubectl', '--kubeconfig', '/a/kubeconfig', 'exec', '--namespace', 'default', 'worker-1-pod', '--', 'ping', '-c', '1', '10.244.0.10']);
    assert.deepEqual(kube.execIn(K, 'kube-system', 'cilium-x7', ['cilium-dbg', 'bgp', 'peers'], 'cilium-agent'),
      ['/c/kubectl', '--kubeconfig', '/a/kubeconfig', 'exec', '--namespace', 'kube-system', 'cilium-x7', '--container', 'cilium-agent', '--', 'cilium-dbg', 'bgp', 'peers']);
    assert.deepEqual(kube.getJson(K, 'pods', 'kube-system'), ['/c/kubectl', '--kubeconfig', '/a/kubeconfig', 'get', 'pods', '--namespace', 'kube-system', '--output', 'json']);
  });
  it('helm installs the cached chart with the rendered values', () => {
    assert.deepEqual(kube.helmInstallCilium(K, '/cache/cilium-1.20.2.tgz', '/a/cilium-values.yaml', 900),
      ['/c/helm', 'upgrade', '--install', 'cilium', '/cache/cilium-1.20.2.tgz', '--kubeconfig', '/a/kubeconfig', '--namespace', 'kube-system', '--values', '/a/cilium-values.yaml', '--wait', '--timeout', '900s']);
  });
  it('helm and kubectl timeouts scale with TCG and end before the exec deadline', () => {
    // helm --timeout and kubectl wait --timeout are the tools' own deadlines: a fixed 900s under
    // TCG (10x the deadlines) would fail a merely slow run; they must also end before the exec kill.
    const kvm = toolWait(900_000, 1);
    const tcg = toolWait(900_000, 10);
    assert.deepEqual(kvm, { execMs: 900_000, toolSeconds: 870 });
    assert.deepEqual(tcg, { execMs: 9_000_000, toolSeconds: 8970 });
    for (const w of [kvm, tcg]) assert.ok(w.toolSeconds * 1000 < w.execMs, 'the tool reports its own timeout first');
    assert.equal(kube.helmInstallCilium(K, 'c.tgz', 'v.yaml', tcg.toolSeconds).at(-1), '8970s');
    assert.notEqual(kube.waitNodesReady(K, tcg.toolSeconds).at(-1), kube.waitNodesReady(K, kvm.toolSeconds).at(-1));
  });
  it('probe pods are pinned to their node and to an image digest', () => {
    const p = kube.probePodManifest('worker-1', 'worker-1-pod') as { spec: { nodeName: string; containers: { image: string }[] } };
    assert.equal(p.spec.nodeName, 'worker-1');
    assert.match(p.spec.containers[0]!.image, /@sha256:[0-9a-f]{64}$/);
    assert.equal(p.spec.containers[0]!.image, PROBE_IMAGE);
  });
});

describe('QEMU command lines (golden)', () => {
  it('a router: direct kernel boot, serial console to a socket with a logfile, every NIC a tap (the WAN too)', () => {
    assert.deepEqual(qemuArgv({
      name: 'nrl-abc123-router-dc1', kernel: '/c/k', append: KERNEL_ARGS.openwrt, memoryMiB: 256, cpus: 1, accel: 'tcg',
      nics: [{ tap: 't0n0', mac: '52:54:00:10:00:01' }, { tap: 't0n1', mac: '52:54:00:10:00:02' }], disks: [{ file: '/a/rootfs.ext4', format: 'raw' }],
      consoleSocket: '/run/x/r.con', consoleLog: '/a/r.log', pidFile: '/run/x/r.pid',
    }), ['qemu-system-x86_64', '-name', 'nrl-abc123-router-dc1,process=nrl-abc123-router-dc1', '-machine', 'q35,accel=tcg', '-cpu', 'max', '-m', '256', '-smp', '1',
      '-nodefaults', '-no-user-config', '-display', 'none', '-kernel', '/c/k', '-append', 'console=ttyS0,115200n8 root=/dev/vda rootfstype=ext4 rootwait noinitrd',
      '-chardev', 'socket,id=con0,path=/run/x/r.con,server=on,wait=off,logfile=/a/r.log,logappend=off', '-serial', 'chardev:con0', '-pidfile', '/run/x/r.pid',
      '-netdev', 'tap,id=net0,ifname=t0n0,script=no,downscript=no', '-device', 'virtio-net-pci,netdev=net0,mac=52:54:00:10:00:01',
      '-netdev', 'tap,id=net1,ifname=t0n1,script=no,downscript=no', '-device', 'virtio-net-pci,netdev=net1,mac=52:54:00:10:00:02',
      '-drive', 'file=/a/rootfs.ext4,if=virtio,format=raw,index=0']);
  });
  it('a Talos node under KVM gets the host CPU, the guest agent channel and ttyS0 on its console', () => {
    const a = qemuArgv({ name: 'n', kernel: 'k', initrd: 'i', append: KERNEL_ARGS.talos, memoryMiB: 2048, cpus: 2, accel: 'kvm', nics: [], disks: [],
      consoleSocket: 's', consoleLog: 'l', pidFile: 'p', guestAgentSocket: 'g' });
    assert.deepEqual(a.slice(a.indexOf('-cpu'), a.indexOf('-cpu') + 2), ['-cpu', 'host']);
    assert.ok(a.join(' ').includes('-device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0'));
    assert.match(KERNEL_ARGS.talos, /talos\.platform=metal .*console=ttyS0.*slab_nomerge pti=on/);
  });
  it('the KVM probe has no NIC and no disk', () => {
    const a = kvmProbeArgv('/boot/vmlinuz');
    assert.ok(a.includes('-accel') && a[a.indexOf('-accel') + 1] === 'kvm');
    assert.deepEqual(a.slice(a.indexOf('-nic'), a.indexOf('-nic') + 2), ['-nic', 'none']);
    assert.ok(!a.some((x) => x.startsWith('-drive') || x.startsWith('-netdev')));
  });
  it('ssh to a router', () => {
    assert.deepEqual(sshArgv('/run/k', '10.0.0.1', 'birdc show protocols all'), ['ssh', '-i', '/run/k', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5', '-o', 'BatchMode=yes', 'root@10.0.0.1', 'birdc show protocols all']);
  });
});

const REPO = resolve(import.meta.dirname, '..', '..');

describe('VM network plan', () => {
  const m = loadModel(undefined, 'reference', {});
  const plan = vmNetworkPlan(m, 'abc123');
  it('puts every bridge and tap in the run\'s namespaces, router NICs in port order', () => {
    assert.equal(plan.vmNs, 'nrl-abc123-vm');
    assert.equal(plan.ctlNs, 'nrl-abc123-ctl');
    assert.deepEqual(plan.bridges, ['lan0', 'lan1', 'peer', 'wan']);
    const r1 = plan.machines.find((x) => x.name === m.datacentres[0]!.routers[0]!.name)!;
    assert.deepEqual(r1.nics.map((n) => n.tap), ['t0n0', 't0n1', 't0n2']);
    assert.equal(plan.taps.find((t) => t.name === 't0n1')?.bridge, 'wan', 'the WAN is a tap on the wan bridge');
    assert.ok(plan.taps.every((t) => t.name.length <= 15 && plan.bridges.includes(t.bridge)));
    assert.ok(plan.hosts.every((h) => h.ns.startsWith('nrl-abc123-')));
    assert.equal(plan.segments['peering']!.dev, 'peer');
    assert.deepEqual(plan.segments['wan'], { ns: 'nrl-abc123-vm', dev: 'wan' });
  });
  it('the emulated internet: the twin\'s addresses, a DHCP lease per router WAN MAC, routes back to the lab', () => {
    const i = plan.internet;
    assert.equal(i.ns, 'nrl-abc123-internet');
    assert.deepEqual([i.gateway, i.network, i.prefix, i.server], [m.internet.gateway, '203.0.113.0', 24, m.internet.server]);
    assert.match(i.server, /^198\.51\.100\./);
    assert.deepEqual(i.leases, m.datacentres.map((d) => ({ mac: plan.machines.find((x) => x.name === d.routers[0]!.name)!.nics[1]!.mac, address: d.routers[0]!.wanAddress, name: d.routers[0]!.name })));
    assert.ok(i.routes.includes(`${m.datacentres[1]!.lan} via ${m.datacentres[1]!.routers[0]!.wanAddress}`));
    const dnsmasq = internetDnsmasqArgv(i, { pidFile: '/run/p', leaseFile: '/run/l' });
    assert.ok(dnsmasq.includes('--dhcp-range=203.0.113.0,static,255.255.255.0,1h'));
    assert.ok(dnsmasq.includes(`--dhcp-host=${i.leases[0]!.mac},${i.leases[0]!.address},${i.leases[0]!.name}`));
    assert.ok(dnsmasq.includes('--server=10.0.2.3'), 'DNS goes to slirp\'s resolver');
    assert.deepEqual(uplinkArgv(i.ns), ['slirp4netns', '--configure', '--mtu=1500', '--disable-host-loopback', '--enable-seccomp', '--exit-fd=0', '--netns-type=path', '/run/netns/nrl-abc123-internet', 'tap0']);
  });
  it('node MACs are the rendered DHCP leases', () => {
    const n = plan.machines.find((x) => x.kind === 'node')!;
    assert.equal(n.nics[0]!.mac, '52:54:00:10:00:0a');
    const dhcp = renderAll(m).get(routerPath(m.datacentres[0]!.name, 'dhcp'))!;
    for (const node of plan.machines.filter((x) => x.kind === 'node' && x.dc === m.datacentres[0]!.name)) assert.ok(dhcp.includes(node.nics[0]!.mac), node.name);
  });
  it('two routers per datacentre (examples/two-routers.yaml): a VM each, unique MACs on every bridge, the LAN host and the orchestrator behind the VRRP address', () => {
    const two = loadModel(readFileSync(join(REPO, 'examples', 'two-routers.yaml'), 'utf8'), 'two-routers.yaml', {});
    const p = vmNetworkPlan(two, 'abc123');
    assert.deepEqual(p.machines.filter((x) => x.kind === 'router').map((x) => x.name), ['router-dc1-1', 'router-dc1-2', 'router-dc2-1', 'router-dc2-2']);
    const nicsOn = (bridge: string) => p.machines.flatMap((x) => x.nics.filter((n) => p.taps.find((t) => t.name === n.tap)!.bridge === bridge).map((n) => n.mac));
    for (const bridge of p.bridges) assert.equal(new Set(nicsOn(bridge)).size, nicsOn(bridge).length, `every MAC on ${bridge} is unique: ${nicsOn(bridge).join(' ')}`);
    assert.deepEqual(p.machines.find((x) => x.name === 'router-dc1-2')!.nics.map((n) => n.mac), ['52:54:00:11:00:01', '52:54:00:11:00:02', '52:54:00:11:00:03']);
    assert.deepEqual(p.hosts.map((h) => h.gateway), ['10.0.0.1', '10.0.1.1'], 'the VRRP addresses, not a router\'s own');
    assert.equal(p.ctl.gateway, '10.0.0.1');
    assert.ok(![two.datacentres[0]!.gateway, ...two.datacentres[0]!.routers.map((r) => r.address)].includes(p.ctl.address), p.ctl.address);
    // Every router's WAN gets its lease by its own MAC.
    assert.deepEqual(p.internet.leases.map((l) => [l.name, l.mac]), p.machines.filter((x) => x.kind === 'router').map((x) => [x.name, x.nics[1]!.mac]));
    // Negative control: one router per datacentre keeps the MACs it always had.
    assert.deepEqual(plan.machines.find((x) => x.kind === 'router')!.nics.map((n) => n.mac), ['52:54:00:10:00:01', '52:54:00:10:00:02', '52:54:00:10:00:03']);
  });
  it('switch batch', () => {
    assert.deepEqual(switchBatch(['lan0'], [{ name: 't0n0', bridge: 'lan0' }]),
      ['link set lo up', 'link add lan0 type bridge stp_state 0 forward_delay 0', 'link set lan0 up', 'tuntap add dev t0n0 mode tap', 'link set t0n0 master lan0', 'link set t0n0 up']);
  });
});

describe('pins', () => {
  it('OpenWRT and Talos URLs follow the release folder and the Image Factory patterns', () => {
    const [k, r] = openwrtArtifacts('25.12.5');
    assert.equal(k!.url, 'https://downloads.openwrt.org/releases/25.12.5/targets/x86/64/openwrt-25.12.5-x86-64-generic-kernel.bin');
    assert.deepEqual(r!.verify, { kind: 'sums-file', url: 'https://downloads.openwrt.org/releases/25.12.5/targets/x86/64/sha256sums', name: 'openwrt-25.12.5-x86-64-generic-ext4-rootfs.img.gz' });
    const [tk, ti] = talosArtifacts('v1.14.2');
    assert.equal(tk!.url, 'https://factory.talos.dev/image/ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515/v1.14.2/kernel-amd64');
    assert.equal(ti!.url, 'https://factory.talos.dev/image/ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515/v1.14.2/initramfs-amd64.xz');
  });
  it('kubectl follows the Talos line\'s default Kubernetes, checked against dl.k8s.io\'s .sha256', () => {
    const kubectl = (talos: string) => toolArtifacts(talos).find((a) => a.file.startsWith('kubectl-'))!;
    assert.deepEqual(kubectl('v1.14.2'), {
      file: 'kubectl-v1.37.0', url: 'https://dl.k8s.io/release/v1.37.0/bin/linux/amd64/kubectl',
      verify: { kind: 'sums-file', url: 'https://dl.k8s.io/release/v1.37.0/bin/linux/amd64/kubectl.sha256', name: 'kubectl' },
      what: 'kubectl v1.37.0', executable: true,
    });
    assert.equal(kubectl('1.5.0').file, 'kubectl-v1.28.3');
    assert.notEqual(kubectl('1.13.9').url, kubectl('1.14.0').url);
  });
  it('no invented checksums: every artifact names its checksum source', () => {
    for (const a of allArtifacts({ openwrt: '25.12.5', talos: 'v1.14.2', cilium: '1.20.2' })) {
      assert.ok(a.verify.kind === 'sums-file' || a.verify.kind === 'tofu', a.file);
    }
  });
});

describe('parsers', () => {
  it('cilium bgp peers (CLI, with the Node column and a second family line)', () => {
    const text = `Node                  Local AS   Peer AS   Peer Address   Session State   Uptime   Family         Received   Advertised
controlplane-1        65001      65000     10.0.0.1       established     33m26s   ipv4/unicast   1          1
                                                                                   ipv6/unicast   0          0
worker-1              65001      65000     10.0.1.1       active          0s       ipv4/unicast   0          0
`;
    assert.deepEqual(kube.parseCiliumBgpPeers(text), [
      { machine: 'controlplane-1', peerAddress: '10.0.0.1', peerAsn: 65000, kind: 'ebgp', state: 'Established', established: true },
      { machine: 'worker-1', peerAddress: '10.0.1.1', peerAsn: 65000, kind: 'ebgp', state: 'active', established: false },
    ]);
  });
  it('cilium-dbg bgp peers (in the agent pod, no Node column)', () => {
    const text = `Local AS   Peer AS   Peer Address     Session       Uptime   Family         Received   Advertised
65001      65000     10.0.0.1:179     established   2m10s    ipv4/unicast   1          1
`;
    assert.deepEqual(kube.parseCiliumBgpPeers(text.replace('Session ', 'Session State'), 'controlplane-1'), [
      { machine: 'controlplane-1', peerAddress: '10.0.0.1', peerAsn: 65000, kind: 'ebgp', state: 'Established', established: true },
    ]);
  });
  it('BusyBox ip route and ip -o link text (busybox.test.ts runs the real busybox)', () => {
    assert.deepEqual(parseRouteText('default via 10.0.2.2 dev eth1  src 10.0.2.15\n10.244.1.0/24 via 172.16.0.3 dev eth2 proto bird metric 32\n'), [
      { dst: 'default', gateway: '10.0.2.2', dev: 'eth1' },
      { dst: '10.244.1.0/24', gateway: '172.16.0.3', dev: 'eth2', protocol: 'bird' },
    ]);
    assert.deepEqual(parseLinkText('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue\n    link/loopback 00:00:00:00:00:00\n5: eth0@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue\n    link/ether 0a:58:0a:f4:00:0a brd ff:ff:ff:ff:ff:ff\ndevtype eth0 \ndevtype lo \n'), [
      { name: 'lo', mtu: 65536, up: true }, { name: 'eth0', mtu: 1500, up: true },
    ]);
  });
  it('kubectl pod lists', () => {
    const json = JSON.stringify({ items: [{ metadata: { name: 'cilium-abc' }, spec: { nodeName: 'worker-1' }, status: { podIP: '10.0.1.10' } }] });
    assert.deepEqual([...kube.agentPodsByNode(json)], [['worker-1', 'cilium-abc']]);
    assert.deepEqual([...kube.podAddresses(json)], [['cilium-abc', { address: '10.0.1.10' }]]);
    // Dual-stack: status.podIPs lists both families; the IPv6 one is the pod's address6.
    const dual = JSON.stringify({ items: [{ metadata: { name: 'web-0' }, spec: { nodeName: 'worker-1' }, status: { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }, { ip: '2001:db8:244:1::5' }] } }] });
    assert.deepEqual([...kube.podAddresses(dual)], [['web-0', { address: '10.244.1.5', address6: '2001:db8:244:1::5' }]]);
  });
  it('the initramfs writer emits a valid newc archive', () => {
    const buf = cpioNewc([{ path: 'init', type: 'file', mode: 0o755, data: '#!/bin/sh\n' }, { path: 'dev/console', type: 'chardev', major: 5, minor: 1 }]);
    assert.equal(buf.subarray(0, 6).toString(), '070701');
    assert.ok(buf.includes(Buffer.from('TRAILER!!!')));
    assert.equal(buf.length % 4, 0);
    assert.throws(() => gunzipSync(buf));
  });
});
