// keepalived for a datacentre with several routers: they share the LAN's first host as the nodes'
// gateway by VRRP (IPv4; several routers are refused in a dual-stack lab, rules6.ts). One keepalived.conf serves both runtimes: the twin runs
// Debian's keepalived on it, and OpenWRT's keepalived package uses it through alt_config_file.
import type { DatacentreModel, LabModel, RouterModel } from '../topology/model.ts';
import { LAN_BRIDGE } from './ports.ts';
import { uci } from './uci.ts';

/** Where OpenWRT's package installs its sample keepalived.conf (net/keepalived/Makefile), replaced by ours. */
export const KEEPALIVED_CONF_PATH = '/etc/keepalived/keepalived.conf';

/** The preferred master gets the highest priority, the others 10 less each (255 is for an address owner). */
export function vrrpPriority(r: RouterModel): number {
  return 200 - 10 * r.index;
}

/**
 * How long the backups wait before one takes over from a silent master: three advertisement
 * intervals plus the skew of the highest backup, (256 - priority) / 256 of an interval (keepalived
 * 2.2.7 vrrp.c: down_timer_adverts 3; VRRPv3 RFC 5798 Skew_Time; VRRPv2's is the same at 1 s).
 */
export function masterDownMs(dc: DatacentreModel): number {
  if (!dc.vrrp || dc.routers.length < 2) return 0;
  const advert = dc.vrrp.advertInterval;
  const nextBackup = dc.routers[1]!;
  return Math.round((3 * advert + ((256 - vrrpPriority(nextBackup)) * advert) / 256) * 1000);
}

function instance(name: string, dc: DatacentreModel, r: RouterModel, address: string, prefix: number): string[] {
  return [
    `vrrp_instance ${name} {`,
    // Every router starts as backup and the highest priority wins the first election; nopreempt keeps
    // a master while it lives, so a router coming back takes nothing over (no second outage).
    '\tstate BACKUP',
    '\tnopreempt',
    `\tinterface ${LAN_BRIDGE}`,
    `\tvirtual_router_id ${dc.vrrp!.routerId}`,
    `\tpriority ${vrrpPriority(r)}`,
    `\tadvert_int ${dc.vrrp!.advertInterval}`,
    '\tvirtual_ipaddress {',
    `\t\t${address}/${prefix} dev ${LAN_BRIDGE}`,
    '\t}',
    '}',
  ];
}

export function renderKeepalivedConf(m: LabModel, dc: DatacentreModel, r: RouterModel): string {
  if (!dc.vrrp) throw new Error(`${dc.name} has one router: no VRRP`);
  const lines = [
    `# ${r.name}: keepalived for ${dc.name}'s VRRP gateway ${dc.gateway}. Rendered by native-routing-lab from topology "${m.name}".`,
    'global_defs {',
    `\trouter_id ${r.name}`,
    '}',
    '',
    ...instance(`lan_${dc.name.replace(/[^A-Za-z0-9]/g, '_')}`, dc, r, dc.gateway, dc.lanPrefix),
  ];
  return lines.join('\n') + '\n';
}

/**
 * /etc/config/keepalived: the package's init script uses our keepalived.conf when `alt_config_file`
 * names one that exists, read from the section named globals; 25.12 ships `enabled '0'` there and its
 * start_service returns unless it is 1 (openwrt/packages net/keepalived/files/keepalived.init,
 * branches openwrt-24.10 and openwrt-25.12).
 */
export function renderKeepalivedUci(): string {
  return uci([{ type: 'globals', name: 'globals', options: [['enabled', '1'], ['alt_config_file', KEEPALIVED_CONF_PATH]] }]);
}
