// Faults in the twin. Link faults drop frames inside a switch namespace (nft bridge filter), so
// no carrier changes and the peers can only notice through the BGP hold timer, as with a cable
// cut between two switches; daemon faults stop the real BIRD or the node's speaker and start them again.
import { allNodes, type DatacentreModel, type LabModel, type RouterModel } from '../../topology/model.ts';
import { ROUTER_PORTS } from '../../render/ports.ts';
import { must, waitForExit } from '../exec.ts';
import type { FaultKind, InjectedFault } from '../lab.ts';
import { inNs, pidsIn } from '../netns.ts';
import { runs } from './listening.ts';
import type { TwinPlan } from './plan.ts';
import type { NodeSpeakers } from './speaker/types.ts';

/** What a fault needs of the twin (the lab itself; an interface, so this file does not import it). */
export interface TwinFaultTarget {
  readonly model: LabModel;
  readonly plan: TwinPlan;
  readonly speakers: NodeSpeakers;
  daemonPid(key: string): number | undefined;
  startBird(routerKey: string, restart?: boolean): Promise<void>;
  startKeepalived(r: RouterModel): Promise<void>;
  vrrpMaster(dc: DatacentreModel): Promise<RouterModel | undefined>;
}

const TABLE = 'lab_fault';

function switchPort(lab: TwinFaultTarget, machine: string, dev: string): { ns: string; port: string } {
  const ns = lab.plan.namespaces.find((n) => n.machine?.name === machine)?.ns;
  const veth = lab.plan.veths.find((v) => v.ns === ns && v.name === dev);
  if (!veth) throw new Error(`no ${dev} of ${machine} on a switch`);
  return { ns: veth.peerNs, port: veth.peerName };
}

async function cut(lab: TwinFaultTarget, machine: string, dev: string, kind: FaultKind, description: string): Promise<InjectedFault> {
  const { ns, port } = switchPort(lab, machine, dev);
  const rules = `table bridge ${TABLE} {\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy accept;\n\t\tiifname "${port}" drop\n\t\toifname "${port}" drop\n\t}\n}\n`;
  await must(inNs(ns, ['nft', '-f', '-']), { input: rules });
  return { kind, target: machine, description, silent: true, heal: async () => { await must(inNs(ns, ['nft', 'delete', 'table', 'bridge', TABLE])); } };
}

/** A flap is shorter than any hold time the lab allows (3 s at least): the sessions should survive it. */
export const FLAP_MS = 2000;

function nsOf(lab: TwinFaultTarget, machine: string): string {
  const ns = lab.plan.namespaces.find((n) => n.machine?.name === machine)?.ns;
  if (!ns) throw new Error(`no namespace for ${machine}`);
  return ns;
}

/**
 * The far ends of a machine's links (the switch ports, the internet's port), by namespace: setting
 * them down takes the carrier away as a pulled cable or a dead box does. The machine's own
 * interfaces stay administratively up, so the kernel keeps their addresses and routes (an admin
 * down would flush them, which no cable cut does).
 */
function farEnds(lab: TwinFaultTarget, machine: string, dev?: string): { devs: string[]; ports: Map<string, string[]> } {
  const ns = nsOf(lab, machine);
  // Ports of switches and of the internet's bridge only: a zone host's or a pod's end carries its
  // own addresses and routes, which an admin down would flush.
  const isPort = (peerNs: string) => ['internet', undefined].includes(lab.plan.namespaces.find((n) => n.ns === peerNs)?.machine?.kind);
  const veths = lab.plan.veths.filter((v) => v.ns === ns && (dev === undefined || v.name === dev) && isPort(v.peerNs));
  const ports = new Map<string, string[]>();
  for (const v of veths) ports.set(v.peerNs, [...(ports.get(v.peerNs) ?? []), v.peerName]);
  return { devs: veths.map((v) => v.name), ports };
}

async function setCarrier(ports: Map<string, string[]>, state: 'up' | 'down'): Promise<void> {
  await Promise.all([...ports].map(([ns, names]) => must(inNs(ns, ['ip', '-batch', '-']), { input: names.map((p) => `link set ${p} ${state}`).join('\n') + '\n' })));
}

/** A signal to a process that may have gone already. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

function kill(pid: number | undefined, signal: NodeJS.Signals, what: string): void {
  if (pid === undefined) throw new Error(`${what} is not running`);
  process.kill(pid, signal);
}


async function killDaemon(lab: TwinFaultTarget, key: string, what: string): Promise<void> {
  const pid = lab.daemonPid(key);
  kill(pid, 'SIGKILL', what);
  await waitForExit(pid!, 5000, what);
}

export async function twinFault(lab: TwinFaultTarget, kind: FaultKind): Promise<InjectedFault> {
  const first = lab.model.datacentres[0]!;
  const last = lab.model.datacentres.at(-1)!;
  const remoteNode = last.nodes[0] ?? allNodes(lab.model)[0]!;
  // The first datacentre's router: with several, the VRRP master, whose loss the nodes feel.
  const target = (first.vrrp ? await lab.vrrpMaster(first) : undefined) ?? first.routers[0]!;
  switch (kind) {
    case 'peering-down':
      return cut(lab, target.name, ROUTER_PORTS.peering, kind, `${target.name}'s peering link drops every frame (no carrier change)`);
    case 'lan-cut':
      return cut(lab, remoteNode.name, 'eth0', kind, `${remoteNode.name}'s LAN link drops every frame (no carrier change)`);
    case 'router-down': {
      // The router stops as a power cut stops it: its processes frozen first (SIGSTOP), so none
      // reacts to its links going down (BIRD would withdraw the LAN's routes over the peering link
      // in the milliseconds before that goes too), every link without carrier, then BIRD and
      // keepalived killed: nothing said while dying gets out (sockets closing, keepalived's VRRP
      // child sending its priority-0 goodbye). Its peers notice by their timers alone: the BGP hold
      // time, the VRRP master-down interval.
      const router = target.name;
      const ns = nsOf(lab, router);
      const { devs, ports } = farEnds(lab, router);
      const procs = await pidsIn(ns);
      for (const pid of procs) signal(pid, 'SIGSTOP');
      await setCarrier(ports, 'down');
      const dying = procs.filter((pid) => runs(pid, 'bird') || runs(pid, 'keepalived'));
      for (const pid of dying) signal(pid, 'SIGKILL');
      for (const pid of procs.filter((p) => !dying.includes(p))) signal(pid, 'SIGCONT');
      await Promise.all(dying.map((pid) => waitForExit(pid, 5000, `a daemon of ${router}`)));
      return { kind, target: router, description: `${router} stopped: BIRD${first.vrrp ? ' and keepalived' : ''} killed (SIGKILL), no carrier on ${devs.join(', ')}`, silent: false,
        heal: async () => {
          await setCarrier(ports, 'up');
          await lab.startBird(target.key, true);
          if (first.vrrp) await lab.startKeepalived(target);
        } };
    }
    case 'link-flap': {
      const { ports } = farEnds(lab, remoteNode.name, 'eth0');
      await setCarrier(ports, 'down');
      return { kind, target: remoteNode.name, description: `${remoteNode.name}'s LAN link without carrier for ${FLAP_MS / 1000} s, then back`, silent: false, flapMs: FLAP_MS,
        heal: () => setCarrier(ports, 'up') };
    }
    case 'router-restart': {
      await killDaemon(lab, `bird:${target.key}`, `BIRD on ${target.name}`);
      return { kind, target: target.name, description: `BIRD on ${target.name} killed (SIGKILL), then started again`, silent: false, heal: () => lab.startBird(target.key, true) };
    }
    case 'speaker-restart': {
      const who = lab.speakers.kind === 'cilium' ? 'Cilium\'s speaker' : 'GoBGP';
      await lab.speakers.stop(remoteNode.name);
      return { kind, target: remoteNode.name, description: `${who} on ${remoteNode.name} stopped (SIGTERM), then started again`, silent: false, heal: () => lab.speakers.restart(remoteNode.name) };
    }
  }
}
