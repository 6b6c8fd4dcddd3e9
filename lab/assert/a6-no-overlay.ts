// 6. No overlay on the wire: during pod traffic the router-router segment carries only packets
// between pod IPs (besides the routers' own BGP and IPv6's link-local control), nothing on the
// tunnel ports, and a 1500-byte packet with DF set crosses unfragmented; in each family.
import type { CapturedPacket, Lab } from '../runtime/lab.ts';
import { whoHas } from './path.ts';
import { addressOf, familiesOf, familyResult, type Family } from './family.ts';
import { result, type Assertion, type AssertContext, type Result } from './types.ts';

export const TUNNEL_PORTS: Record<number, string> = { 8472: 'VXLAN (Cilium)', 4789: 'VXLAN (IANA)', 6081: 'Geneve' };
export const FULL_MTU = 1500;

function describe(p: CapturedPacket): string {
  return `${p.protocol} ${p.src}${p.srcPort ? `:${p.srcPort}` : ''} > ${p.dst}${p.dstPort ? `:${p.dstPort}` : ''} (${p.length} B)`;
}

const familyOfPacket = (p: CapturedPacket): Family => (p.src.includes(':') ? 6 : 4);

/** IPv6 link-local (fe80::/10) or multicast (ff00::/8): a link's own control traffic, never routed. */
function linkScoped(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address) || /^ff[0-9a-f]{2}:/i.test(address);
}

export const noOverlay: Assertion = {
  id: 6,
  title: 'no overlay on the wire, full MTU',
  exclusive: true, // every packet on the peering segment counts: no other assertion's probes may cross it
  async run(lab: Lab, ctx: AssertContext): Promise<Result[]> {
    const pair = ctx.pairs[0];
    if (!pair) return [result(6, 'peering segment', false, 'a cross-datacentre pod pair', 'only one datacentre', 'add a second datacentre')];
    const families = familiesOf(lab);
    const pods = lab.machines().filter((m) => m.kind === 'pod').flatMap((m) => [m.address, ...(m.address6 ? [m.address6] : [])]);
    const routerPeering = lab.model.datacentres.flatMap((d) => d.routers.flatMap((r) => [r.peeringAddress, ...(r.peeringAddress6 ? [r.peeringAddress6] : [])]));
    const mtuProbe = new Map<Family, { ok: boolean; detail: string }>();
    const cap = await lab.capture('peering', async () => {
      for (const f of families) {
        const to = addressOf(lab, pair.to, f) ?? pair.to;
        await lab.ping(pair.from, to);
        await lab.tcpWhoAmI(pair.from, to);
        mtuProbe.set(f, await lab.ping(pair.from, to, { size: FULL_MTU, dontFragment: true }));
      }
    });
    // The routers' own BGP, and IPv6's neighbour discovery and multicast listener reports (link-local or multicast).
    const control = (p: CapturedPacket) => (routerPeering.includes(p.src) && routerPeering.includes(p.dst)) || linkScoped(p.src) || linkScoped(p.dst);
    const tunnelled = cap.packets.filter((p) => p.protocol === 'udp' && (TUNNEL_PORTS[p.dstPort ?? 0] || TUNNEL_PORTS[p.srcPort ?? 0]));
    const tunnelEvidence = tunnelled.slice(0, 3).map(describe);
    const file = cap.file ? [`capture: ${cap.file}`] : [];
    const out: Result[] = [];
    const tunnelName = tunnelled[0] ? TUNNEL_PORTS[tunnelled[0].dstPort ?? 0] ?? TUNNEL_PORTS[tunnelled[0].srcPort ?? 0] : '';
    for (const f of families) {
      const data = cap.packets.filter((p) => !control(p) && familyOfPacket(p) === f);
      const foreign = data.filter((p) => !pods.includes(p.src) || !pods.includes(p.dst));
      const podPackets = data.length - foreign.length;
      const evidence = [...tunnelled, ...foreign].slice(0, 3).map(describe);
      out.push(familyResult(lab, f, 6, 'peering: only pod addresses', foreign.length === 0 && podPackets > 0,
        'every data packet between pod IPs', `${podPackets} pod packets, ${foreign.length} others${foreign[0] ? ` (e.g. ${describe(foreign[0])})` : ''}`,
        tunnelled.length > 0 ? `pod packets are wrapped in ${tunnelName} between nodes: Cilium is in tunnel mode; set routingMode: native`
          : foreign.length > 0 ? `packets crossed with addresses that are not pods' (${foreign[0]!.src} is ${whoHas(lab, foreign[0]!.src)}): something on the path rewrites pod addresses, e.g. masquerading on the nodes (enableIPv${f}Masquerade)`
            : 'no pod packet crossed the peering link: see assertions 2 and 3',
        [...evidence, ...file]));
    }
    out.push(result(6, 'peering: nothing on UDP 8472/4789/6081', tunnelled.length === 0, 'no tunnel packets', tunnelled.length === 0 ? 'none' : `${tunnelled.length} (${tunnelName})`,
      'encapsulated traffic on the wire: Cilium is in tunnel mode; set routingMode: native', tunnelEvidence));
    for (const f of families) {
      const mtu = mtuProbe.get(f) ?? { ok: false, detail: 'not run' };
      let mtuDiagnosis = `a ${FULL_MTU}-byte packet ${f === 4 ? 'with DF set' : '(IPv6: routers never fragment)'} did not cross: ${mtu.detail}`;
      // The pod's links only explain a failure: read them then.
      const small = mtu.ok ? undefined : (await lab.links(pair.from).catch(() => [])).find((l) => l.name === 'eth0' && l.mtu < FULL_MTU);
      if (small) mtuDiagnosis = `the pod's interface MTU is ${small.mtu}, not ${FULL_MTU}: room taken by encapsulation (tunnel mode)`;
      out.push(familyResult(lab, f, 6, `${pair.from} -> ${pair.to}: ${FULL_MTU} B with DF`, mtu.ok, 'crosses unfragmented', mtu.ok ? 'crossed' : mtu.detail, mtuDiagnosis));
    }
    return out;
  },
};
