// 6. No overlay on the wire: during pod traffic the router-router segment carries only packets
// between pod IPs (besides the routers' own BGP), nothing on the tunnel ports, and a 1500-byte
// packet with DF set crosses unfragmented.
import type { CapturedPacket, Lab } from '../runtime/lab.ts';
import { whoHas } from './path.ts';
import { result, type Assertion, type AssertContext, type Result } from './types.ts';

export const TUNNEL_PORTS: Record<number, string> = { 8472: 'VXLAN (Cilium)', 4789: 'VXLAN (IANA)', 6081: 'Geneve' };
export const FULL_MTU = 1500;

function describe(p: CapturedPacket): string {
  return `${p.protocol} ${p.src}${p.srcPort ? `:${p.srcPort}` : ''} > ${p.dst}${p.dstPort ? `:${p.dstPort}` : ''} (${p.length} B)`;
}

export const noOverlay: Assertion = {
  id: 6,
  title: 'no overlay on the wire, full MTU',
  exclusive: true, // every packet on the peering segment counts: no other assertion's probes may cross it
  async run(lab: Lab, ctx: AssertContext): Promise<Result[]> {
    const pair = ctx.pairs[0];
    if (!pair) return [result(6, 'peering segment', false, 'a cross-datacentre pod pair', 'only one datacentre', 'add a second datacentre')];
    const pods = lab.machines().filter((m) => m.kind === 'pod').map((m) => m.address);
    const routerPeering = lab.model.datacentres.map((d) => d.router.peeringAddress);
    const mtuProbe: { ok: boolean; detail: string }[] = [];
    const cap = await lab.capture('peering', async () => {
      await lab.ping(pair.from, pair.to);
      await lab.tcpWhoAmI(pair.from, pair.to);
      mtuProbe.push(await lab.ping(pair.from, pair.to, { size: FULL_MTU, dontFragment: true }));
    });
    const control = (p: CapturedPacket) => routerPeering.includes(p.src) && routerPeering.includes(p.dst);
    const data = cap.packets.filter((p) => !control(p));
    const foreign = data.filter((p) => !pods.includes(p.src) || !pods.includes(p.dst));
    const tunnelled = cap.packets.filter((p) => p.protocol === 'udp' && (TUNNEL_PORTS[p.dstPort ?? 0] || TUNNEL_PORTS[p.srcPort ?? 0]));
    const podPackets = data.length - foreign.length;
    const evidence = [...tunnelled, ...foreign].slice(0, 3).map(describe);
    const file = cap.file ? [`capture: ${cap.file}`] : [];
    const out: Result[] = [];
    const tunnelName = tunnelled[0] ? TUNNEL_PORTS[tunnelled[0].dstPort ?? 0] ?? TUNNEL_PORTS[tunnelled[0].srcPort ?? 0] : '';
    out.push(result(6, 'peering: only pod addresses', foreign.length === 0 && podPackets > 0,
      'every data packet between pod IPs', `${podPackets} pod packets, ${foreign.length} others${foreign[0] ? ` (e.g. ${describe(foreign[0])})` : ''}`,
      tunnelled.length > 0 ? `pod packets are wrapped in ${tunnelName} between nodes: Cilium is in tunnel mode; set routingMode: native`
        : foreign.length > 0 ? `packets crossed with addresses that are not pods' (${foreign[0]!.src} is ${whoHas(lab, foreign[0]!.src)}): something on the path rewrites pod addresses, e.g. masquerading on the nodes`
          : 'no pod packet crossed the peering link: see assertions 2 and 3',
      [...evidence, ...file]));
    out.push(result(6, 'peering: nothing on UDP 8472/4789/6081', tunnelled.length === 0, 'no tunnel packets', tunnelled.length === 0 ? 'none' : `${tunnelled.length} (${tunnelName})`,
      'encapsulated traffic on the wire: Cilium is in tunnel mode; set routingMode: native', evidence));
    const mtu = mtuProbe[0] ?? { ok: false, detail: 'not run' };
    let mtuDiagnosis = `a ${FULL_MTU}-byte packet with DF set did not cross: ${mtu.detail}`;
    // The pod's links only explain a failure: read them then.
    const small = mtu.ok ? undefined : (await lab.links(pair.from).catch(() => [])).find((l) => l.name === 'eth0' && l.mtu < FULL_MTU);
    if (small) mtuDiagnosis = `the pod's interface MTU is ${small.mtu}, not ${FULL_MTU}: room taken by encapsulation (tunnel mode)`;
    out.push(result(6, `${pair.from} -> ${pair.to}: ${FULL_MTU} B with DF`, mtu.ok, 'crosses unfragmented', mtu.ok ? 'crossed' : mtu.detail, mtuDiagnosis));
    return out;
  },
};
