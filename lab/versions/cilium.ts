// Cilium release boundaries that change what we render. One row per release line where something
// changed; a version uses the last row at or below it. Each boundary has a test in test/unit/versions.
import type { CiliumBgpApi } from '../topology/schema.ts';

export interface CiliumLine {
  since: string;
  /** BGP APIs this line serves, oldest first. */
  bgpApis: CiliumBgpApi[];
  /** What we render when the topology does not choose. */
  defaultBgpApi: CiliumBgpApi;
  note: string;
}

export const OLDEST_CILIUM = '1.14';
export const NEWEST_CILIUM = '1.20.2';

export const CILIUM_LINES: readonly CiliumLine[] = [
  {
    since: '1.14',
    bgpApis: ['peering-policy'],
    defaultBgpApi: 'peering-policy',
    note: 'BGP control plane v1 only: CiliumBGPPeeringPolicy (cilium.io/v2alpha1, exportPodCIDR); routingMode and kubeProxyReplacement=true exist from 1.14',
  },
  {
    since: '1.16',
    bgpApis: ['peering-policy', 'bgpv2-v2alpha1'],
    defaultBgpApi: 'bgpv2-v2alpha1',
    note: 'BGPv2 arrives: CiliumBGPClusterConfig, CiliumBGPPeerConfig, CiliumBGPAdvertisement in cilium.io/v2alpha1',
  },
  {
    since: '1.18',
    bgpApis: ['peering-policy', 'bgpv2-v2alpha1', 'bgpv2-v2'],
    defaultBgpApi: 'bgpv2-v2',
    note: 'BGPv2 promoted to cilium.io/v2 (v2alpha1 still served, deprecated); CiliumBGPPeeringPolicy deprecated',
  },
  {
    since: '1.19',
    bgpApis: ['bgpv2-v2alpha1', 'bgpv2-v2'],
    defaultBgpApi: 'bgpv2-v2',
    note: 'CiliumBGPPeeringPolicy removed',
  },
];
