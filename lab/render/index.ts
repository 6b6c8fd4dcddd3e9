// Every rendered file of a lab, by relative path. Pure: writing them is the CLI's job.
import type { LabModel } from '../topology/model.ts';
import { renderBird } from './bird.ts';
import { renderCiliumBgp } from './cilium-bgp.ts';
import { renderCiliumValues } from './cilium-values.ts';
import { renderNodeLabels } from './node-labels.ts';
import { renderTalosPatch } from './talos-patch.ts';
import { renderDhcp } from './uci-dhcp.ts';
import { renderFirewall } from './uci-firewall.ts';
import { renderNetwork } from './uci-network.ts';

export type RenderedFiles = Map<string, string>;

export function routerPath(dc: string, file: 'network' | 'firewall' | 'dhcp' | 'bird.conf'): string {
  return file === 'bird.conf' ? `routers/${dc}/etc/bird.conf` : `routers/${dc}/etc/config/${file}`;
}

export const CLUSTER_FILES = {
  talosPatch: 'cluster/talos-patch.yaml',
  ciliumValues: 'cluster/cilium-values.yaml',
  nodeLabels: 'cluster/node-labels.yaml',
  ciliumBgp: 'cluster/cilium-bgp.yaml',
} as const;

export function renderAll(m: LabModel): RenderedFiles {
  const files: RenderedFiles = new Map();
  for (const dc of m.datacentres) {
    files.set(routerPath(dc.name, 'network'), renderNetwork(m, dc));
    files.set(routerPath(dc.name, 'firewall'), renderFirewall(m, dc));
    files.set(routerPath(dc.name, 'dhcp'), renderDhcp(m, dc));
    files.set(routerPath(dc.name, 'bird.conf'), renderBird(m, dc));
  }
  files.set(CLUSTER_FILES.talosPatch, renderTalosPatch(m));
  files.set(CLUSTER_FILES.ciliumValues, renderCiliumValues(m));
  files.set(CLUSTER_FILES.nodeLabels, renderNodeLabels(m));
  files.set(CLUSTER_FILES.ciliumBgp, renderCiliumBgp(m));
  return files;
}

export function renderedText(files: RenderedFiles, path: string): string {
  const text = files.get(path);
  if (text === undefined) throw new Error(`no rendered file ${path}`);
  return text;
}
