// Every rendered file of a lab, by relative path. Pure: writing them is the CLI's job.
import { isDualStack, type LabModel } from '../topology/model.ts';
import { renderBird } from './bird.ts';
import { renderCiliumBgp } from './cilium-bgp.ts';
import { renderCiliumValues } from './cilium-values.ts';
import { renderLoadBalancer, renderRouterSysctl } from './load-balancer.ts';
import { renderNodeLabels } from './node-labels.ts';
import { renderTalosPatches, TALOS_PATCH_FILES } from './talos-patch.ts';
import { renderDhcp } from './uci-dhcp.ts';
import { renderFirewall } from './uci-firewall.ts';
import { renderNetwork } from './uci-network.ts';

export type RenderedFiles = Map<string, string>;

export function routerPath(dc: string, file: 'network' | 'firewall' | 'dhcp' | 'bird.conf' | 'sysctl'): string {
  if (file === 'sysctl') return `routers/${dc}/etc/sysctl.d/90-ecmp.conf`;
  return file === 'bird.conf' ? `routers/${dc}/etc/bird.conf` : `routers/${dc}/etc/config/${file}`;
}

export const CLUSTER_FILES = {
  talosPatch: `cluster/${TALOS_PATCH_FILES.common}`,
  talosPatchControlPlane: `cluster/${TALOS_PATCH_FILES.controlPlane}`,
  ciliumValues: 'cluster/cilium-values.yaml',
  nodeLabels: 'cluster/node-labels.yaml',
  ciliumBgp: 'cluster/cilium-bgp.yaml',
  loadBalancer: 'cluster/load-balancer.yaml',
} as const;

export function renderAll(m: LabModel): RenderedFiles {
  const files: RenderedFiles = new Map();
  for (const dc of m.datacentres) {
    files.set(routerPath(dc.name, 'network'), renderNetwork(m, dc));
    files.set(routerPath(dc.name, 'firewall'), renderFirewall(m, dc));
    files.set(routerPath(dc.name, 'dhcp'), renderDhcp(m, dc));
    files.set(routerPath(dc.name, 'bird.conf'), renderBird(m, dc));
    if (m.loadBalancer) files.set(routerPath(dc.name, 'sysctl'), renderRouterSysctl(isDualStack(m)));
  }
  const talos = renderTalosPatches(m);
  files.set(CLUSTER_FILES.talosPatch, talos.common);
  files.set(CLUSTER_FILES.talosPatchControlPlane, talos.controlPlane);
  files.set(CLUSTER_FILES.ciliumValues, renderCiliumValues(m));
  files.set(CLUSTER_FILES.nodeLabels, renderNodeLabels(m));
  files.set(CLUSTER_FILES.ciliumBgp, renderCiliumBgp(m));
  if (m.loadBalancer) files.set(CLUSTER_FILES.loadBalancer, renderLoadBalancer(m));
  return files;
}

export function renderedText(files: RenderedFiles, path: string): string {
  const text = files.get(path);
  if (text === undefined) throw new Error(`no rendered file ${path}`);
  return text;
}
