// cluster/cilium-bgp.yaml: each datacentre's nodes peer with their own router and advertise their
// PodCIDR, in the BGP API the chosen Cilium version speaks (see lab/versions/cilium.ts).
// Dual-stack (BGPv2 only, rules6.ts): per-family adds an IPv6 peer per router with a PeerConfig of its
// own (family ipv6 unicast); mp-over-v4 keeps one IPv4 peer whose PeerConfig carries both families;
// v4-over-v6 keeps only the IPv6 peer, its PeerConfig carrying both.
import { isDualStack, type DatacentreModel, type LabModel } from '../topology/model.ts';
import { SERVICE_LABEL } from './load-balancer.ts';
import { yamlDocs } from './yaml.ts';

export const POD_CIDR_ADVERTISEMENT = { advertise: 'pod-cidr' };
export const SERVICE_ADVERTISEMENT = { advertise: 'services' };
export const PEER_CONFIG = 'router';
/** per-family: the PeerConfig of the IPv6 sessions, and the suffix of their peers' names. */
export const PEER_CONFIG6 = 'router-v6';
export const PEER_SUFFIX6 = '-v6';

function timers(m: LabModel): Record<string, number> | undefined {
  const t = m.timers;
  if (!t) return undefined;
  const out: Record<string, number> = {};
  if (t.connectRetry !== undefined) out['connectRetryTimeSeconds'] = t.connectRetry;
  if (t.hold !== undefined) out['holdTimeSeconds'] = t.hold;
  if (t.keepalive !== undefined) out['keepAliveTimeSeconds'] = t.keepalive;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Graceful restart in both APIs' one form (CiliumBGPNeighborGracefulRestart: the peering policy's
 * neighbors[] from 1.14, CiliumBGPPeerConfig from 1.16, v2alpha1 bgpp_types.go / bgp_peer_types.go).
 * Cilium negotiates it for every family of the session (its GoBGP server's AfiSafis).
 */
function gracefulRestart(m: LabModel): { gracefulRestart: { enabled: boolean; restartTimeSeconds: number } } | undefined {
  const gr = m.gracefulRestart;
  return gr ? { gracefulRestart: { enabled: gr.enabled, restartTimeSeconds: gr.restartTime } } : undefined;
}

function selector(dc: DatacentreModel) {
  return { matchLabels: { dc: dc.name } };
}

function peeringPolicy(m: LabModel, dc: DatacentreModel) {
  return {
    apiVersion: 'cilium.io/v2alpha1',
    kind: 'CiliumBGPPeeringPolicy',
    metadata: { name: dc.name },
    spec: {
      nodeSelector: selector(dc),
      virtualRouters: [{
        localASN: m.cluster.asn,
        exportPodCIDR: true,
        // LoadBalancer ingress IPs of the selected Services (Local: only where a backend is ready).
        ...(m.services.length > 0 ? { serviceSelector: { matchLabels: { ...SERVICE_LABEL } } } : {}),
        // Every router of the datacentre: one session each.
        neighbors: dc.routers.map((r) => ({ peerAddress: `${r.address}/32`, peerASN: m.routers.asn, ...timers(m), ...gracefulRestart(m) })),
      }],
    },
  };
}

/** The peer config's families pick the advertisements by label: the pod CIDR, and the Services when there are any. */
function advertisementSelector(m: LabModel) {
  if (m.services.length === 0) return { matchLabels: { ...POD_CIDR_ADVERTISEMENT } };
  return { matchExpressions: [{ key: 'advertise', operator: 'In', values: [POD_CIDR_ADVERTISEMENT.advertise, SERVICE_ADVERTISEMENT.advertise] }] };
}

/** A datacentre's peers: each of its routers over IPv4, and (dual-stack) over IPv6 too or instead. */
function peers(m: LabModel, dc: DatacentreModel) {
  return dc.routers.flatMap((r) => {
    const v4 = { name: r.name, peerASN: m.routers.asn, peerAddress: r.address, peerConfigRef: { name: PEER_CONFIG } };
    if (!isDualStack(m) || m.sessions === 'mp-over-v4') return [v4];
    const v6 = { name: `${r.name}${PEER_SUFFIX6}`, peerASN: m.routers.asn, peerAddress: r.address6!, peerConfigRef: { name: PEER_CONFIG6 } };
    return m.sessions === 'v4-over-v6' ? [v6] : [v4, v6];
  });
}

/**
 * The PeerConfigs and the families each session carries. The PodCIDR and Service advertisements are
 * family-neutral: on each family a session carries, Cilium announces the prefixes of that family only
 * (pkg/bgp/manager/reconciler pod_cidr.go getDesiredPathsPerFamily and service.go, Cilium 1.20.2: "we
 * only add path corresponding to the family of the prefix"), so one selector serves both families.
 */
function peerConfigs(m: LabModel, apiVersion: string) {
  const t = timers(m);
  const family = (afi: 'ipv4' | 'ipv6') => ({ afi, safi: 'unicast', advertisements: advertisementSelector(m) });
  const config = (name: string, families: ReturnType<typeof family>[]) => ({
    apiVersion,
    kind: 'CiliumBGPPeerConfig',
    metadata: { name },
    spec: { ...(t ? { timers: t } : {}), ...gracefulRestart(m), families },
  });
  if (!isDualStack(m)) return [config(PEER_CONFIG, [family('ipv4')])];
  if (m.sessions === 'mp-over-v4') return [config(PEER_CONFIG, [family('ipv4'), family('ipv6')])];
  if (m.sessions === 'v4-over-v6') return [config(PEER_CONFIG6, [family('ipv4'), family('ipv6')])];
  return [config(PEER_CONFIG, [family('ipv4')]), config(PEER_CONFIG6, [family('ipv6')])];
}

function bgpv2(m: LabModel, apiVersion: string): unknown[] {
  const docs: unknown[] = m.datacentres.map((dc) => ({
    apiVersion,
    kind: 'CiliumBGPClusterConfig',
    metadata: { name: dc.name },
    spec: {
      nodeSelector: selector(dc),
      bgpInstances: [{
        name: `${dc.name}-${m.cluster.asn}`,
        localASN: m.cluster.asn,
        peers: peers(m, dc),
      }],
    },
  }));
  docs.push(
    ...peerConfigs(m, apiVersion),
    {
      apiVersion,
      kind: 'CiliumBGPAdvertisement',
      metadata: { name: 'pod-cidr', labels: { ...POD_CIDR_ADVERTISEMENT } },
      spec: { advertisements: [{ advertisementType: 'PodCIDR' }] },
    },
  );
  if (m.services.length > 0) {
    docs.push({
      apiVersion,
      kind: 'CiliumBGPAdvertisement',
      metadata: { name: 'services', labels: { ...SERVICE_ADVERTISEMENT } },
      spec: { advertisements: [{ advertisementType: 'Service', service: { addresses: ['LoadBalancerIP'] }, selector: { matchLabels: { ...SERVICE_LABEL } } }] },
    });
  }
  return docs;
}

export function ciliumBgpDocs(m: LabModel): unknown[] {
  switch (m.cilium.bgpApi) {
    case 'peering-policy': return m.datacentres.map((dc) => peeringPolicy(m, dc));
    case 'bgpv2-v2alpha1': return bgpv2(m, 'cilium.io/v2alpha1');
    case 'bgpv2-v2': return bgpv2(m, 'cilium.io/v2');
  }
}

export function renderCiliumBgp(m: LabModel): string {
  return yamlDocs(`Cilium ${m.versions.cilium} BGP control plane (${m.cilium.bgpApi}). Apply with: kubectl apply -f cilium-bgp.yaml`, ciliumBgpDocs(m));
}
