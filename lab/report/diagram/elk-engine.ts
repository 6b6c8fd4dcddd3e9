// Where ELK runs. In process for `lab diagram` (elkjs loaded on first use: a 1.5 MB bundle that
// costs about 0.2 s to load). For a run, in a worker thread started with the run: it loads elkjs
// and lays out the topology's expected diagram while the lab comes up, so the run's own diagram,
// which in a passing run has the same boxes, is usually ready when the assertions end.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ELK as ElkApi, ElkNode } from 'elkjs/lib/elk-api.js';

/** Lays out an ELK graph (positions filled in). */
export type ElkEngine = (graph: ElkNode) => Promise<ElkNode>;

type ElkCtor = new () => ElkApi;
const elkPath = (): string => createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js');

let inProcess: Promise<ElkApi> | undefined;
export const inProcessElk: ElkEngine = async (graph) => {
  // elk.bundled.js is a CommonJS bundle whose typings declare an ES default export.
  inProcess ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const mod = m as unknown as { default?: ElkCtor };
    return new ((mod.default ?? m) as unknown as ElkCtor)();
  });
  return (await inProcess).layout(graph);
};

// CommonJS, evaluated by the worker: elkjs's bundle runs its layout synchronously in the calling
// thread (its FakeWorker), which is why it gets a thread of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ELK = require(workerData.elkPath);
const elk = new ELK();
parentPort.on('message', ({ id, graph }) => {
  elk.layout(graph).then((g) => parentPort.postMessage({ id, graph: g }), (e) => parentPort.postMessage({ id, error: String((e && e.message) || e) }));
});
`;

export interface ElkWorker {
  /** Same graph, same answer: each distinct graph is laid out once. */
  engine: ElkEngine;
  close(): Promise<void>;
}

export function elkWorker(): ElkWorker {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { elkPath: elkPath() } });
  worker.unref(); // never what keeps a finished run alive
  const waiting = new Map<number, { resolve: (g: ElkNode) => void; reject: (e: Error) => void }>();
  const fail = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on('message', (m: { id: number; graph?: ElkNode; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.graph) w?.resolve(m.graph);
    else w?.reject(new Error(`ELK: ${m.error ?? 'no layout'}`));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the layout worker exited (${code})`)));
  const cache = new Map<string, Promise<ElkNode>>();
  let next = 0;
  const engine: ElkEngine = (graph) => {
    const key = JSON.stringify(graph);
    let p = cache.get(key);
    if (!p) {
      const id = ++next;
      p = new Promise<ElkNode>((resolve, reject) => waiting.set(id, { resolve, reject }));
      cache.set(key, p);
      worker.postMessage({ id, graph });
    }
    // A copy per caller: the layout result is walked, never shared mutable state.
    return p.then((g) => structuredClone(g));
  };
  return { engine, close: async () => void (await worker.terminate()) };
}
