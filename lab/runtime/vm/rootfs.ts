// OpenWRT provisioning before boot: the rendered UCI files and bird.conf go into a per-run copy of
// the ext4 rootfs with `debugfs -w` (no loop mount, no privileges on the image), together with a
// /etc/uci-defaults/ script. OpenWRT runs uci-defaults scripts once, early at first boot (from
// /etc/init.d/boot, before the network is up) and deletes those that exit 0; so ours starts a
// background job that waits for the WAN, installs BIRD 2 with the release's package manager,
// puts the rendered bird.conf in place, restarts the services and says so on the console.
import { writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { parseVersion, rowFor } from '../../versions/semver.ts';
import { OPENWRT_LINES } from '../../versions/openwrt.ts';
import { KEEPALIVED_CONF_PATH } from '../../render/keepalived.ts';
import { must, run } from '../exec.ts';

export const ROUTER_READY = 'NRL-ROUTER-READY';
export const ROUTER_FAILED = 'NRL-ROUTER-FAILED';
/**
 * iproute2 for the routers' routes() and links(): BusyBox `ip` prints no next hops of a multipath
 * route and has no -j/-d (busybox.ts). Fact (openwrt/openwrt package/network/utils/iproute2/Makefile):
 * package ip-full installs /usr/libexec/ip-full (and the /sbin/ip alternative, priority 300); the lab
 * calls it by that path, so BusyBox's /sbin/ip never answers in its place.
 */
export const ROUTER_IP = '/usr/libexec/ip-full';
export const ROUTER_EXTRA_PACKAGES = ['ip-full'];
/** Where the rendered bird.conf waits until the package (which ships its own) is installed. */
export const STAGED_BIRD_CONF = '/etc/nrl/bird.conf';
/**
 * Several routers per datacentre: OpenWRT's keepalived package (packages feed) and where its rendered
 * files wait. The package lists /etc/config/keepalived and /etc/keepalived/keepalived.conf as
 * conffiles (openwrt/packages net/keepalived/Makefile, openwrt-24.10 and openwrt-25.12), so files
 * already there when it installs would be kept beside the package's or set aside by the package
 * manager: they are copied in after the install, as bird.conf is.
 */
export const KEEPALIVED_PACKAGE = 'keepalived';
export const STAGED_KEEPALIVED_UCI = '/etc/nrl/keepalived';
export const STAGED_KEEPALIVED_CONF = '/etc/nrl/keepalived.conf';

export interface InjectFile {
  /** Absolute path inside the image. */
  path: string;
  /** File on the host to copy in. */
  source: string;
  mode?: number;
}

/** The debugfs command file that writes `files` into the image, creating parent folders. Pure. */
export function debugfsScript(files: InjectFile[]): string {
  const lines: string[] = [];
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = posix.dirname(f.path).split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = `/${parts.slice(0, i).join('/')}`;
      if (!dirs.has(d)) {
        dirs.add(d);
        lines.push(`mkdir ${d}`); // an existing folder only prints an error; debugfs goes on
      }
    }
  }
  for (const f of files) {
    if (/\s/.test(f.path) || /\s/.test(f.source)) throw new Error(`debugfs paths must not contain spaces: ${f.path}`);
    lines.push(`rm ${f.path}`, `write ${f.source} ${f.path}`, `sif ${f.path} mode 0${(0o100000 | (f.mode ?? 0o644)).toString(8)}`,
      `sif ${f.path} uid 0`, `sif ${f.path} gid 0`);
  }
  return lines.join('\n') + '\n';
}

export async function injectFiles(image: string, files: InjectFile[], scratch: string): Promise<void> {
  const cmdFile = `${scratch}/debugfs.cmds`;
  writeFileSync(cmdFile, debugfsScript(files));
  const out = await run(['debugfs', '-w', '-f', cmdFile, image], { timeoutMs: 60_000 });
  if (out.code !== 0) throw new Error(`debugfs -w ${image} failed: ${(out.stderr || out.stdout).trim().slice(0, 500)}`);
  // debugfs exits 0 even when a write fails: read every file back.
  for (const f of files) {
    const r = await run(['debugfs', '-R', `stat ${f.path}`, image], { timeoutMs: 30_000 });
    if (r.code !== 0 || !/Type: regular/.test(r.stdout)) throw new Error(`debugfs: ${f.path} is not in ${image} after writing it: ${r.stderr.trim()}`);
  }
}

export async function readBack(image: string, path: string): Promise<string> {
  return must(['debugfs', '-R', `cat ${path}`, image], { timeoutMs: 30_000 });
}

/** The package manager and BIRD packages of an OpenWRT release line. */
export function openwrtPackages(version: string): { manager: 'opkg' | 'apk'; packages: string[] } {
  const v = parseVersion(version);
  const row = v && rowFor(OPENWRT_LINES, v);
  if (!row) throw new Error(`no OpenWRT line for ${version}`);
  return { manager: row.packageManager, packages: row.birdPackages };
}

/**
 * The install step of the uci-defaults script: refresh the package lists, install BIRD 2, up to
 * `tries` times `pauseSeconds` apart. Pure. Facts relied on:
 *  - opkg's update returns the number of package lists it could not fetch (libopkg/opkg_cmd.c,
 *    opkg_update_cmd), so one unreachable feed fails `update` although the routing feed BIRD comes
 *    from was fetched; only the install's own exit status decides (apk likewise: `apk add` fails
 *    when a package is not in any index it has);
 *  - the first lease reaches netifd before dnsmasq (restarted by its interface triggers) answers
 *    on 127.0.0.1, so the first name lookup can fail: retried, not fatal.
 */
export function installLoop(manager: 'opkg' | 'apk', packages: string[], opts: { tries?: number; pauseSeconds?: number; log?: string } = {}): string {
  const tries = opts.tries ?? 5;
  const pause = opts.pauseSeconds ?? 10;
  const log = opts.log ?? '/tmp/nrl-install.log';
  const update = manager === 'apk' ? 'apk update' : 'opkg update';
  const install = manager === 'apk' ? `apk add ${packages.join(' ')}` : `opkg install ${packages.join(' ')}`;
  return `nrl_install() {
  n=0
  while :; do
    n=$((n+1))
    echo "attempt $n" >>${log}
    ${update} >>${log} 2>&1
    ${install} >>${log} 2>&1 && return 0
    [ $n -ge ${tries} ] && return 1
    sleep ${pause}
  done
}`;
}

/**
 * /etc/uci-defaults/90-nrl-bird: install BIRD 2 (and keepalived on a router with VRRP partners) and
 * restart the services, in the background. Pure. keepalived's init script (procd) links
 * /tmp/keepalived.conf to the UCI globals' alt_config_file when that file exists and runs
 * `keepalived -n -f /tmp/keepalived.conf` (net/keepalived/files/keepalived.init, process_config).
 */
export function uciDefaultsScript(version: string, opts: { waitSeconds?: number; tries?: number; pauseSeconds?: number; keepalived?: boolean } = {}): string {
  const { manager, packages: bird } = openwrtPackages(version);
  const packages = [...bird, ...(opts.keepalived ? [KEEPALIVED_PACKAGE] : [])];
  const wait = opts.waitSeconds ?? 300;
  const keepalived = opts.keepalived
    ? `
    cp ${STAGED_KEEPALIVED_UCI} /etc/config/keepalived
    mkdir -p ${posix.dirname(KEEPALIVED_CONF_PATH)}
    cp ${STAGED_KEEPALIVED_CONF} ${KEEPALIVED_CONF_PATH}
    /etc/init.d/keepalived enable
    /etc/init.d/keepalived restart`
    : '';
  return `#!/bin/sh
# Written by native-routing-lab. OpenWRT ${version}: ${manager}.
# uci-defaults run before the network starts, so the install runs in the background once the WAN
# has a default route; the result goes to the serial console for the lab to read.
${installLoop(manager, [...packages, ...ROUTER_EXTRA_PACKAGES], { ...(opts.tries ? { tries: opts.tries } : {}), ...(opts.pauseSeconds !== undefined ? { pauseSeconds: opts.pauseSeconds } : {}) })}
(
  i=0
  while ! ip route show default 2>/dev/null | grep -q default; do
    i=$((i+1)); [ $i -ge ${wait} ] && { echo "${ROUTER_FAILED} no WAN default route after ${wait} s" >/dev/console; exit 1; }
    sleep 1
  done
  if nrl_install; then
    cp ${STAGED_BIRD_CONF} /etc/bird.conf
    /etc/init.d/bird enable
    /etc/init.d/bird restart
    /etc/init.d/dnsmasq restart
    /etc/init.d/firewall restart${keepalived}
    echo "${ROUTER_READY} $(cat /proc/sys/kernel/hostname)" >/dev/console
  else
    echo "${ROUTER_FAILED} ${manager} could not install ${packages.join(' ')}: $(tail -n 3 /tmp/nrl-install.log | tr '\\n' ' ')" >/dev/console
  fi
) </dev/null >/dev/null 2>&1 &
exit 0
`;
}

/** Files to inject into a router's rootfs copy: rendered configs, staged bird.conf (and keepalived's files), uci-defaults, ssh key. */
export function routerFiles(configs: { network: string; firewall: string; dhcp: string; bird: string; uciDefaults: string; authorizedKey?: string; sysctl?: string; keepalived?: { uci: string; conf: string } }): InjectFile[] {
  return [
    { path: '/etc/config/network', source: configs.network },
    // procd's sysctl service applies /etc/sysctl.d/*.conf at boot (ECMP hashing for LoadBalancer routes).
    ...(configs.sysctl ? [{ path: '/etc/sysctl.d/90-ecmp.conf', source: configs.sysctl }] : []),
    { path: '/etc/config/firewall', source: configs.firewall },
    { path: '/etc/config/dhcp', source: configs.dhcp },
    { path: STAGED_BIRD_CONF, source: configs.bird },
    ...(configs.keepalived ? [{ path: STAGED_KEEPALIVED_UCI, source: configs.keepalived.uci }, { path: STAGED_KEEPALIVED_CONF, source: configs.keepalived.conf }] : []),
    { path: '/etc/uci-defaults/90-nrl-bird', source: configs.uciDefaults, mode: 0o755 },
    ...(configs.authorizedKey ? [{ path: '/etc/dropbear/authorized_keys', source: configs.authorizedKey, mode: 0o600 }] : []),
  ];
}

