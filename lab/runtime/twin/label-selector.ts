// Kubernetes label selectors (matchLabels, matchExpressions), as the emulations of Cilium's BGP
// and LB-IPAM read them.

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether the selector selects these labels; no selector selects everything. */
export function selects(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    const ok = e.operator === 'In' ? has && (e.values ?? []).includes(value!)
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(value!)
        : e.operator === 'Exists' ? has
          : e.operator === 'DoesNotExist' ? !has
            : false;
    if (!ok) return false;
  }
  return true;
}
