// The lab as one run of the assertions sees it: its state (BGP sessions, routing tables, links) is
// read once and shared, so assertions that look at the same table (1 and 10 the sessions, 2 and 10
// the routers' routes) judge one snapshot, and a run pays for each read once. Probes still run
// every time: they are what is being asserted.
import type { Lab } from '../runtime/lab.ts';

const STATE_READS = new Set<PropertyKey>(['bgpSessions', 'routes', 'links']);
const VIEW = Symbol('read once');

/** The lab with its state reads shared; a lab that already is such a view is returned as it is. */
export function readOnce(lab: Lab): Lab {
  if ((lab as unknown as Record<symbol, boolean>)[VIEW]) return lab;
  const memo = new Map<string, Promise<unknown>>();
  return new Proxy(lab, {
    get(target, prop) {
      if (prop === VIEW) return true;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!STATE_READS.has(prop)) return method.bind(target);
      return (...args: unknown[]) => {
        const key = `${String(prop)} ${JSON.stringify(args)}`;
        let p = memo.get(key);
        if (!p) {
          p = Promise.resolve(method.apply(target, args));
          memo.set(key, p);
          p.catch(() => memo.delete(key)); // a failed read is tried again by the next asker
        }
        return p;
      };
    },
  });
}
