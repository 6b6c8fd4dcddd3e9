// Talos release boundaries for the machine-config patch we render.

export type TalosPatchStyle = 'v1alpha1' | 'multi-doc';

export interface TalosLine {
  since: string;
  patch: TalosPatchStyle;
  /** Folder under shared/schemas/talos whose schema validates this line's patch. */
  schema: string;
  note: string;
}

export const OLDEST_TALOS = '1.5';
export const NEWEST_TALOS = 'v1.14.2';

export const TALOS_LINES: readonly TalosLine[] = [
  {
    since: '1.5',
    patch: 'v1alpha1',
    schema: 'v1.11.6',
    note: 'v1alpha1 machine config: machine.install, cluster.network.cni, cluster.proxy',
  },
  {
    since: '1.14',
    patch: 'multi-doc',
    schema: 'v1.14.0-rc.1',
    note: 'those v1alpha1 fields are deprecated and gone from the schema; separate documents replace them',
  },
];
