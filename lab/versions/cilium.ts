// Cilium release boundaries that change what we render. One row per release line where something
// changed; a version uses the last row at or below it. Each boundary has a test in test/unit/versions.
import type { CiliumBgpApi } from '../topology/schema.ts';
import { parseVersion, rowFor } from './semver.ts';

export interface CiliumLine {
  since: string;
  /** BGP APIs this line serves, oldest first. */
  bgpApis: CiliumBgpApi[];
  /** What we render when the topology does not choose. */
  defaultBgpApi: CiliumBgpApi;
  /** CiliumLoadBalancerIPPool's API version and the name of its list of address blocks. */
  lbPool: { apiVersion: 'cilium.io/v2alpha1' | 'cilium.io/v2'; blocksField: 'cidrs' | 'blocks' };
  /** How a Service asks LB-IPAM for a fixed address. */
  lbAddressRequest: 'spec.loadBalancerIP' | 'lbipam.cilium.io/ips';
  /**
   * The debug CLI inside the agent container (`<cli> bgp peers`, `<cli> status`): `cilium` up to
   * 1.14, renamed `cilium-dbg` in 1.15 (cilium/cilium cilium-dbg/README: "invoked via the cilium-dbg
   * symlink to cilium-agent"; PR #32348: "downgrading to v1.15, which provides the cilium-dbg
   * command"; PR #24612 shows `cilium bgp peers` run in a 1.14 agent).
   */
  agentCli: 'cilium' | 'cilium-dbg';
  /**
   * Cilium's own BGP control plane for the twin's nodes (speaker/): the release the line's speaker
   * is pinned to (speaker/lines/v<line>/go.mod), or why the line has none (the twin then runs the
   * emulated speaker and the report says so).
   */
  speaker: { release: string } | { unserved: string };
  /**
   * The GoBGP the agent embeds and when it first dials a peer after adding it, in seconds (its
   * connectLoop timer, osrg/gobgp pkg/server/fsm.go): the earliest a session of a node that only
   * dials can come up, so how long convergence may take to start.
   */
  gobgp: { version: string; firstDialS: [number, number] };
  note: string;
}

/** Fact (measured): the Go module proxy serves github.com/cilium/cilium at 1.14.19, 1.15.6, 1.15.19,
 * 1.18.5, 1.19.3 and 1.20.2 and refuses every 1.16.x and 1.17.x tried. */
const UNSERVED = 'the Go module proxy refuses github.com/cilium/cilium at every release of this line tried, so Cilium\'s own code cannot be built here';

// LB-IPAM facts (cilium/cilium): CiliumLoadBalancerIPPool arrived in v1.13 as cilium.io/v2alpha1 with
// spec.cidrs (PR #21764); spec.blocks replaced it in v1.15 (commit 27322f3, cidrs kept as an alias)
// and cidrs was removed in v1.16 (PR #33151, which also made allowFirstLastIPs default to Yes); the
// lbipam.cilium.io/ips annotation arrived in v1.16 (PR #30169), before it LB-IPAM honours
// spec.loadBalancerIP; the pool moved to cilium.io/v2 as storage version in v1.18 (PR #39090), v2alpha1
// deprecated (PR #39134) and no longer served from v1.20. Service advertisement: the peering policy's
// virtualRouters[].serviceSelector announces LoadBalancer ingress IPs, honouring
// externalTrafficPolicy=Local from v1.14 (PR #25477); BGPv2 (v1.16) announces them through a
// CiliumBGPAdvertisement of advertisementType Service with service.addresses [LoadBalancerIP].

export const OLDEST_CILIUM = '1.14';
export const NEWEST_CILIUM = '1.20.2';

export const CILIUM_LINES: readonly CiliumLine[] = [
  {
    since: '1.14',
    agentCli: 'cilium',
    bgpApis: ['peering-policy'],
    defaultBgpApi: 'peering-policy',
    lbPool: { apiVersion: 'cilium.io/v2alpha1', blocksField: 'cidrs' },
    lbAddressRequest: 'spec.loadBalancerIP',
    speaker: { release: '1.14.19' },
    gobgp: { version: 'v3.23.0', firstDialS: [5, 10] }, // rand(5)+5 s: minConnectRetryInterval 5
    note: 'BGP control plane v1 only: CiliumBGPPeeringPolicy (cilium.io/v2alpha1, exportPodCIDR, serviceSelector honouring externalTrafficPolicy Local); routingMode and kubeProxyReplacement=true exist from 1.14; LB-IPAM pool with spec.cidrs, fixed address by spec.loadBalancerIP',
  },
  {
    since: '1.15',
    agentCli: 'cilium-dbg',
    bgpApis: ['peering-policy'],
    defaultBgpApi: 'peering-policy',
    lbPool: { apiVersion: 'cilium.io/v2alpha1', blocksField: 'blocks' },
    lbAddressRequest: 'spec.loadBalancerIP',
    speaker: { release: '1.15.19' },
    gobgp: { version: 'v3.35.0', firstDialS: [1, 2] }, // rand(1000)+1000 ms: minConnectRetryInterval 1
    note: 'CiliumLoadBalancerIPPool spec.blocks replaces spec.cidrs (kept as a deprecated alias); the agent\'s debug CLI is renamed cilium-dbg',
  },
  {
    since: '1.16',
    agentCli: 'cilium-dbg',
    bgpApis: ['peering-policy', 'bgpv2-v2alpha1'],
    defaultBgpApi: 'bgpv2-v2alpha1',
    lbPool: { apiVersion: 'cilium.io/v2alpha1', blocksField: 'blocks' },
    lbAddressRequest: 'lbipam.cilium.io/ips',
    speaker: { unserved: UNSERVED },
    gobgp: { version: 'unknown (the line cannot be built here)', firstDialS: [1, 10] }, // the widest bound of the lines around it
    note: 'BGPv2 arrives: CiliumBGPClusterConfig, CiliumBGPPeerConfig, CiliumBGPAdvertisement (PodCIDR, Service LoadBalancerIP) in cilium.io/v2alpha1; spec.cidrs removed from the pool; the lbipam.cilium.io/ips annotation',
  },
  {
    since: '1.17',
    agentCli: 'cilium-dbg',
    bgpApis: ['peering-policy', 'bgpv2-v2alpha1'],
    defaultBgpApi: 'bgpv2-v2alpha1',
    lbPool: { apiVersion: 'cilium.io/v2alpha1', blocksField: 'blocks' },
    lbAddressRequest: 'lbipam.cilium.io/ips',
    speaker: { unserved: UNSERVED },
    gobgp: { version: 'unknown (the line cannot be built here)', firstDialS: [1, 10] }, // the widest bound of the lines around it
    note: 'nothing rendered changes; a row of its own because its speaker, like 1.16\'s, cannot be built here',
  },
  {
    since: '1.18',
    agentCli: 'cilium-dbg',
    bgpApis: ['peering-policy', 'bgpv2-v2alpha1', 'bgpv2-v2'],
    defaultBgpApi: 'bgpv2-v2',
    lbPool: { apiVersion: 'cilium.io/v2', blocksField: 'blocks' },
    lbAddressRequest: 'lbipam.cilium.io/ips',
    speaker: { release: '1.18.5' },
    gobgp: { version: 'v3.37.0, replaced by cilium/gobgp v3.0.0-20250717193620-26a4abb75464', firstDialS: [1, 2] },
    note: 'BGPv2 promoted to cilium.io/v2 (v2alpha1 still served, deprecated); CiliumBGPPeeringPolicy deprecated; CiliumLoadBalancerIPPool in cilium.io/v2',
  },
  {
    since: '1.19',
    agentCli: 'cilium-dbg',
    bgpApis: ['bgpv2-v2alpha1', 'bgpv2-v2'],
    defaultBgpApi: 'bgpv2-v2',
    lbPool: { apiVersion: 'cilium.io/v2', blocksField: 'blocks' },
    lbAddressRequest: 'lbipam.cilium.io/ips',
    speaker: { release: '1.19.3' },
    gobgp: { version: 'v3.37.0, replaced by cilium/gobgp v3.0.0-20260130142103-27e5da2a39e6', firstDialS: [1, 2] },
    note: 'CiliumBGPPeeringPolicy removed',
  },
  {
    since: '1.20',
    agentCli: 'cilium-dbg',
    bgpApis: ['bgpv2-v2alpha1', 'bgpv2-v2'],
    defaultBgpApi: 'bgpv2-v2',
    lbPool: { apiVersion: 'cilium.io/v2', blocksField: 'blocks' },
    lbAddressRequest: 'lbipam.cilium.io/ips',
    speaker: { release: '1.20.2' },
    gobgp: { version: 'v4.7.0 (standing in for the refused v4.6.1-0.20260630022313-d6dee8360046)', firstDialS: [1.5, 2] }, // (0.75..1) x minConnectRetryInterval 2 s
    note: 'nothing rendered changes; the BGP control plane moved to pkg/bgp (agent) and operator/pkg/bgp (operator), on GoBGP v4: the speaker\'s own line',
  },
];

/** The line row of a Cilium version (the newest line's when unparsable). */
export function ciliumLineOf(version: string): CiliumLine {
  const v = parseVersion(version);
  return (v ? rowFor(CILIUM_LINES, v) : undefined) ?? CILIUM_LINES.at(-1)!;
}

/** The agent container's debug CLI for a Cilium version (its line's agentCli; the newest line's if unparsable). */
export function ciliumAgentCli(version: string): CiliumLine['agentCli'] {
  const v = parseVersion(version);
  return (v ? rowFor(CILIUM_LINES, v) : undefined)?.agentCli ?? CILIUM_LINES.at(-1)!.agentCli;
}
