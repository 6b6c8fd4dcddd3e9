// Every rendered file of a lab, by relative path. Pure: writing them is the CLI's job.
import { isDualStack, type LabModel } from '../topology/model.ts';
import { multiRouter, renderBird } from './bird.ts';
import { renderCiliumBgp } from './cilium-bgp.ts';
import { renderCiliumValues } from './cilium-values.ts';
import { renderLoadBalancer, renderRouterSysctl } from './load-balancer.ts';
import { renderNodeLabels } from './node-labels.ts';
import { renderTalosPatches, TALOS_PATCH_FILES } from './talos-patch.ts';
import { renderDhcp } from './uci-dhcp.ts';
import { renderFirewall } from './uci-firewall.ts';
import { renderNetwork } from './uci-network.ts';
import { renderKeepalivedConf, renderKeepalivedUci } from './keepalived.ts';

export type RenderedFiles = Map<string, string>;

/** A router's rendered file, by its key (the datacentre's name, or dc1-2... where it has several). */
export function routerPath(key: string, file: 'network' | 'firewall' | 'dhcp' | 'bird.conf' | 'sysctl' | 'keepalived' | 'keepalived.conf'): string {
  if (file === 'sysctl') return `routers/${key}/etc/sysctl.d/90-ecmp.conf`;
  if (file === 'keepalived.conf') return `routers/${key}/etc/keepalived/keepalived.conf`;
  return file === 'bird.conf' ? `routers/${key}/etc/bird.conf` : `routers/${key}/etc/config/${file}`;
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
    for (const r of dc.routers) {
      files.set(routerPath(r.key, 'network'), renderNetwork(m, dc, r));
      files.set(routerPath(r.key, 'firewall'), renderFirewall(m, dc));
      files.set(routerPath(r.key, 'dhcp'), renderDhcp(m, dc, r));
      files.set(routerPath(r.key, 'bird.conf'), renderBird(m, dc, r));
      // Several routers also need ECMP hashing on flows, as a LoadBalancer pool does.
      if (m.loadBalancer || multiRouter(m)) files.set(routerPath(r.key, 'sysctl'), renderRouterSysctl(isDualStack(m)));
      if (dc.vrrp) {
        files.set(routerPath(r.key, 'keepalived'), renderKeepalivedUci());
        files.set(routerPath(r.key, 'keepalived.conf'), renderKeepalivedConf(m, dc, r));
      }
    }
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
