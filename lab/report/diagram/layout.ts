// Places the diagram with ELK's layered algorithm (elkjs): the internet and the peering network on
// top, one box per datacentre below (router, its LAN, nodes and the LAN host, pods), edges routed
// orthogonally. The only impure bit of the diagram is the call into elkjs (elk-engine.ts).
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { inProcessElk, type ElkEngine } from './elk-engine.ts';
import type { Diagram } from './model.ts';
import { labelSize, machineSize, segmentSize } from './metrics.ts';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Placed {
  width: number;
  height: number;
  boxes: Map<string, Box>; // element id (machine, segment, datacentre) -> absolute box
  edges: Map<string, { points: { x: number; y: number }[]; label?: Box }>;
}

export const dcId = (dc: string): string => `dc-${dc.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export function elkGraph(d: Diagram): ElkNode {
  const leaf = (id: string, size: { width: number; height: number }): ElkNode => ({ id, ...size });
  const top: ElkNode[] = [];
  const dcs = new Map<string, ElkNode>();
  for (const dc of d.datacentres) {
    const node: ElkNode = { id: dcId(dc.name), children: [], labels: [{ text: dc.label, ...labelSize(dc.label) }], layoutOptions: { 'elk.padding': '[top=34,left=14,bottom=14,right=14]' } };
    dcs.set(dc.name, node);
  }
  const place = (dc: string | undefined, n: ElkNode) => {
    const parent = dc ? dcs.get(dc) : undefined;
    if (parent) parent.children!.push(n);
    else top.push(n);
  };
  for (const s of d.segments) place(s.dc, leaf(s.id, segmentSize(s)));
  for (const m of d.machines) place(m.dc, leaf(m.id, machineSize(m)));
  // Hidden hops are drawn over the layout, not placed by it (they would pull datacentres apart).
  const edges: ElkExtendedEdge[] = d.links.filter((l) => !l.hidden).map((l) => ({
    id: l.id,
    sources: [l.from],
    targets: [l.to],
    ...(l.label ? { labels: [{ text: l.label, ...labelSize(l.label) }] } : {}),
  }));
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.spacing.nodeNode': '28',
      'elk.layered.spacing.nodeNodeBetweenLayers': '44',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      'elk.padding': '[top=70,left=20,bottom=20,right=20]',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
    },
    children: [...top, ...dcs.values()],
    edges,
  };
}

export async function layout(d: Diagram, elk: ElkEngine = inProcessElk): Promise<Placed> {
  const g = await elk(elkGraph(d));
  const boxes = new Map<string, Box>();
  const walk = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      boxes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
      walk(c);
    }
  };
  walk(g);
  const edges: Placed['edges'] = new Map();
  const collect = (n: ElkNode) => {
    for (const e of n.edges ?? []) {
      const points = (e.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
      const l = e.labels?.[0];
      edges.set(e.id, l ? { points, label: { x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } } : { points });
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(g);
  return { width: g.width ?? 0, height: g.height ?? 0, boxes, edges };
}
