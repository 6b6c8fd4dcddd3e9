// Talos release boundaries for what the lab renders and pins. One row per release line where something
// changed; a version uses the last row at or below it. Each row has a test in test/unit/versions/talos.test.ts.
import { parseVersion, rowFor } from './semver.ts';

export type TalosPatchStyle = 'v1alpha1' | 'multi-doc';

export interface TalosLine {
  since: string;
  patch: TalosPatchStyle;
  /** Folder under shared/schemas/talos whose schema validates this line's patch. */
  schema: string;
  /**
   * Kubernetes that `talosctl gen config` of this line deploys (constants.DefaultKubernetesVersion in
   * pkg/machinery/constants/constants.go at the line's newest release); the VM lab's kubectl is this
   * version, inside kubectl's one-minor skew.
   */
  kubernetes: string;
  /**
   * KubePrism (the API server proxy on localhost:7445 the Cilium values point at) is on by default:
   * VersionContract.KubePrismEnabled() is Greater(TalosVersion1_5) (pkg/machinery/config/contract.go),
   * so 1.5 generates no KubePrism and the patch turns it on.
   */
  kubePrismByDefault: boolean;
  note: string;
}

export const OLDEST_TALOS = '1.5';
export const NEWEST_TALOS = 'v1.14.2';

// Kubernetes per line, from constants.go at release-1.5 .. release-1.13 (v1.5.6 .. v1.13.9) and at
// pkg/machinery v1.14.1 for 1.14 (release-1.14 at v1.14.0-rc.1 still said 1.37.0-rc.0).
const V1ALPHA1 = { patch: 'v1alpha1', schema: 'v1.11.6', kubePrismByDefault: true } as const;

export const TALOS_LINES: readonly TalosLine[] = [
  {
    since: '1.5', ...V1ALPHA1, kubernetes: '1.28.3', kubePrismByDefault: false,
    note: 'v1alpha1 machine config: machine.install, cluster.network.cni, cluster.proxy; KubePrism off by default, the patch enables it',
  },
  { since: '1.6', ...V1ALPHA1, kubernetes: '1.29.7', note: 'KubePrism on by default (port 7445); Kubernetes 1.29' },
  { since: '1.7', ...V1ALPHA1, kubernetes: '1.30.5', note: 'Kubernetes 1.30' },
  { since: '1.8', ...V1ALPHA1, kubernetes: '1.31.4', note: 'Kubernetes 1.31' },
  { since: '1.9', ...V1ALPHA1, kubernetes: '1.32.4', note: 'Kubernetes 1.32' },
  { since: '1.10', ...V1ALPHA1, kubernetes: '1.33.6', note: 'Kubernetes 1.33' },
  { since: '1.11', ...V1ALPHA1, kubernetes: '1.34.1', note: 'Kubernetes 1.34' },
  { since: '1.12', ...V1ALPHA1, kubernetes: '1.35.4', note: 'Kubernetes 1.35' },
  { since: '1.13', ...V1ALPHA1, kubernetes: '1.36.3', note: 'Kubernetes 1.36' },
  {
    since: '1.14', patch: 'multi-doc', schema: 'v1.14.0-rc.1', kubernetes: '1.37.0', kubePrismByDefault: true,
    note: 'those v1alpha1 fields are deprecated and gone from the schema; separate documents replace them; Kubernetes 1.37',
  },
];

/** The row for a Talos version, or undefined when it is not a version or older than the oldest line. */
export function talosLineOf(version: string): TalosLine | undefined {
  const v = parseVersion(version);
  return v && rowFor(TALOS_LINES, v);
}
