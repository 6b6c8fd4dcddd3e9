// Host limits a twin topology can hit, checked before anything is created. What the topology needs
// is a pure estimate from the model; what the host allows is read (never written) from /proc. A
// topology that does not fit is refused with exit 3, naming the limit, the size it needs and the
// setting a person may raise; `lab doctor` prints the same figures as headroom.
import { readdirSync, readFileSync } from 'node:fs';
import { MissingToolError } from '../cli/exit.ts';
import { allNodes, type LabModel } from '../topology/model.ts';

/** Per-process costs measured on the twin (bench/results.json): threads, proportional set size. */
export const COSTS = {
  gobgpdThreads: 8,
  gobgpdPssKiB: 5 * 1024,
  /** Cilium's own speaker (GOMAXPROCS=1, GOGC=50): 7 threads and 31-36 MiB private measured on the reference and a 10x10 lab. */
  ciliumSpeakerThreads: 8,
  ciliumSpeakerPssKiB: 36 * 1024,
  /** Its binary's file pages (about 100 MiB), shared by every speaker of a release: counted once. */
  ciliumSpeakerBinaryKiB: 110 * 1024,
  echoPssKiB: 2 * 800, // two socat listeners per host
  routerPssKiB: 2 * 1024 + 1536, // BIRD and dnsmasq
  /** Kernel memory of one network namespace with its links, routes and nft tables. */
  namespaceKiB: 400,
  /** Probes in flight, their children and the orchestrator's own threads. */
  orchestratorTasks: 64,
} as const;

export interface TopologyNeeds {
  machines: number;
  namespaces: number;
  /** Permanent neighbour entries the twin adds (exempt from gc_thresh3, see twin/plan.ts). */
  permanentNeighbours: number;
  /** Entries the kernel would learn by ARP and count against gc_thresh3: none, every one is planned. */
  learnedNeighbours: number;
  tasks: number;
  memoryKiB: number;
}

/** What the topology needs of the host, with the nodes' speakers of that kind (speaker/choose.ts). */
export function topologyNeeds(m: LabModel, speaker: 'cilium' | 'emulated' = 'emulated'): TopologyNeeds {
  const nodes = allNodes(m).length;
  const dcs = m.datacentres.length;
  const zoneHosts = m.extraZones.length;
  const hosts = nodes /* pods */ + dcs /* LAN hosts */ + zoneHosts + 1; /* internet */
  const machines = dcs + nodes + hosts;
  const namespaces = machines + dcs + 1; // a LAN switch per datacentre and the peering switch
  let permanent = 2 * nodes + 2 * zoneHosts + 2 * dcs /* wan */ + dcs * (dcs - 1) /* peering */;
  for (const dc of m.datacentres) {
    const onLan = dc.nodes.length + 2; // nodes, router, LAN host
    permanent += onLan * (onLan - 1);
  }
  return {
    machines, namespaces, permanentNeighbours: permanent, learnedNeighbours: 0,
    tasks: nodes * (speaker === 'cilium' ? COSTS.ciliumSpeakerThreads : COSTS.gobgpdThreads) + 2 * hosts + 2 * dcs + COSTS.orchestratorTasks,
    memoryKiB: (speaker === 'cilium' ? nodes * COSTS.ciliumSpeakerPssKiB + COSTS.ciliumSpeakerBinaryKiB : nodes * COSTS.gobgpdPssKiB)
      + hosts * COSTS.echoPssKiB + dcs * COSTS.routerPssKiB + namespaces * COSTS.namespaceKiB,
  };
}

export interface HostState {
  pidMax: number;
  threadsMax: number;
  /** RLIMIT_NPROC of this process (not enforced for root). */
  nprocLimit: number | undefined;
  tasksInUse: number;
  maxNetNamespaces: number;
  /** Named network namespaces on the machine (every lab's, this run's none yet). */
  namedNamespaces: number;
  gcThresh3: number;
  /** Entries in the shared IPv4 neighbour table (permanent ones included, so an upper bound of what gc counts). */
  neighbourEntries: number;
  memAvailableKiB: number;
  root: boolean;
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};
const num = (text: string, fallback: number): number => {
  const n = Number.parseInt(text.trim(), 10);
  return Number.isFinite(n) ? n : fallback;
};

/** Read-only look at the host: /proc and /run/netns. */
export function readHost(): HostState {
  const nproc = /^Max processes\s+(\S+)/m.exec(read('/proc/self/limits'))?.[1];
  // /proc/net/stat/arp_cache: a header, then one row per CPU; the first column (entries) is the
  // table-wide count, in hex, repeated on every row.
  const arpRow = read('/proc/net/stat/arp_cache').split('\n')[1]?.trim().split(/\s+/)[0];
  let named = 0;
  try {
    named = readdirSync('/run/netns').length;
  } catch {
    /* no named namespaces */
  }
  return {
    pidMax: num(read('/proc/sys/kernel/pid_max'), 32768),
    threadsMax: num(read('/proc/sys/kernel/threads-max'), Number.MAX_SAFE_INTEGER),
    nprocLimit: nproc === undefined || nproc === 'unlimited' ? undefined : num(nproc, Number.MAX_SAFE_INTEGER),
    tasksInUse: num(read('/proc/loadavg').split(' ')[3]?.split('/')[1] ?? '', 0),
    maxNetNamespaces: num(read('/proc/sys/user/max_net_namespaces'), Number.MAX_SAFE_INTEGER),
    namedNamespaces: named,
    gcThresh3: num(read('/proc/sys/net/ipv4/neigh/default/gc_thresh3'), 1024),
    neighbourEntries: arpRow ? Number.parseInt(arpRow, 16) : 0,
    memAvailableKiB: num(/^MemAvailable:\s+(\d+)/m.exec(read('/proc/meminfo'))?.[1] ?? '', Number.MAX_SAFE_INTEGER),
    root: process.getuid?.() === 0,
  };
}

export interface LimitProblem {
  limit: string;
  needs: number;
  allows: number;
  raise: string;
}

/** Every host limit the topology would exceed (empty when it fits). Pure. */
export function limitProblems(needs: TopologyNeeds, host: HostState): LimitProblem[] {
  const out: LimitProblem[] = [];
  const taskRoom = Math.min(host.pidMax, host.threadsMax) - host.tasksInUse;
  if (needs.tasks > taskRoom) {
    const which = host.pidMax <= host.threadsMax ? 'kernel.pid_max' : 'kernel.threads-max';
    const current = Math.min(host.pidMax, host.threadsMax);
    out.push({ limit: `processes and threads (${which} = ${current}, ${host.tasksInUse} in use)`, needs: needs.tasks, allows: taskRoom, raise: `sysctl -w ${which}=${current + needs.tasks - taskRoom + 1024}` });
  }
  if (!host.root && host.nprocLimit !== undefined && needs.tasks > host.nprocLimit - host.tasksInUse) {
    out.push({ limit: `processes of this user (ulimit -u = ${host.nprocLimit})`, needs: needs.tasks, allows: host.nprocLimit - host.tasksInUse, raise: `ulimit -u ${host.nprocLimit + needs.tasks}` });
  }
  const nsRoom = host.maxNetNamespaces - host.namedNamespaces;
  if (needs.namespaces > nsRoom) {
    out.push({ limit: `network namespaces (user.max_net_namespaces = ${host.maxNetNamespaces}, ${host.namedNamespaces} in use)`, needs: needs.namespaces, allows: nsRoom, raise: `sysctl -w user.max_net_namespaces=${host.namedNamespaces + needs.namespaces + 64}` });
  }
  // The kernel does not expose how many entries gc counts (permanent ones are in `entries` too), so
  // only the lab's own learned entries are compared, against the whole threshold.
  if (needs.learnedNeighbours > 0 && needs.learnedNeighbours > host.gcThresh3) {
    out.push({ limit: `learned neighbour (ARP) entries, one table for every namespace (net.ipv4.neigh.default.gc_thresh3 = ${host.gcThresh3})`, needs: needs.learnedNeighbours, allows: host.gcThresh3, raise: `sysctl -w net.ipv4.neigh.default.gc_thresh3=${needs.learnedNeighbours + 1024}` });
  }
  if (needs.memoryKiB > host.memAvailableKiB) {
    out.push({ limit: `memory (MemAvailable = ${mib(host.memAvailableKiB)})`, needs: needs.memoryKiB, allows: host.memAvailableKiB, raise: 'stop other labs (lab status) or use a machine with more memory' });
  }
  return out;
}

function mib(kib: number): string {
  return `${Math.round(kib / 1024)} MiB`;
}

export function formatProblem(p: LimitProblem): string {
  const unit = p.limit.startsWith('memory') ? (n: number) => mib(n) : (n: number) => String(n);
  return `${p.limit}: the topology needs ${unit(p.needs)}, this machine has room for ${unit(Math.max(0, p.allows))}; raise it with: ${p.raise}`;
}

/** Refuses (exit 3) a topology this host cannot hold, before anything is created. */
export function checkHostLimits(m: LabModel, host: HostState = readHost(), speaker: 'cilium' | 'emulated' = 'emulated'): void {
  const problems = limitProblems(topologyNeeds(m, speaker), host);
  if (problems.length === 0) return;
  throw new MissingToolError(`this machine cannot hold topology ${m.name}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
}

/** How many more machines of the reference's mix the host has room for, and what bounds it. */
export function headroom(host: HostState = readHost()): string[] {
  const perMachineTasks = (COSTS.gobgpdThreads + 2) / 2; // a node with its pod
  const perMachineKiB = (COSTS.gobgpdPssKiB + COSTS.echoPssKiB + 2 * COSTS.namespaceKiB) / 2;
  const byTasks = Math.floor((Math.min(host.pidMax, host.threadsMax) - host.tasksInUse - COSTS.orchestratorTasks) / perMachineTasks);
  const byMemory = Math.floor(host.memAvailableKiB / perMachineKiB);
  const byNamespaces = host.maxNetNamespaces - host.namedNamespaces;
  const machines = Math.max(0, Math.min(byTasks, byMemory, byNamespaces));
  const bound = machines === byMemory ? 'memory' : machines === byTasks ? 'processes' : 'network namespaces';
  return [
    `machines:           room for about ${machines} more (bounded by ${bound})`,
    `network namespaces: ${host.namedNamespaces} named, at most ${host.maxNetNamespaces} (user.max_net_namespaces)`,
    `neighbour entries:  ${host.neighbourEntries} in the table shared by every namespace (permanent ones included); gc_thresh3 ${host.gcThresh3} caps the learned ones, and the twin's own are permanent, not counted against it`,
    `processes:          ${host.tasksInUse} tasks, pid_max ${host.pidMax}, threads-max ${host.threadsMax}, ulimit -u ${host.nprocLimit ?? 'unlimited'}${host.root ? ' (not enforced for root)' : ''}`,
    `memory:             ${mib(host.memAvailableKiB)} available`,
  ];
}
