// OpenWRT release boundaries: the package manager that installs BIRD on the router.

export interface OpenwrtLine {
  since: string;
  packageManager: 'opkg' | 'apk';
  birdPackages: string[];
  note: string;
}

export const OLDEST_OPENWRT = '23.05';
export const NEWEST_OPENWRT = '25.12.5';

export const OPENWRT_LINES: readonly OpenwrtLine[] = [
  { since: '23.05', packageManager: 'opkg', birdPackages: ['bird2', 'bird2c'], note: 'opkg; the reference ran 23.05.3' },
  { since: '25.12', packageManager: 'apk', birdPackages: ['bird2', 'bird2c'], note: 'apk replaces opkg' },
];
