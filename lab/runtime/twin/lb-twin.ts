// The twin's side of LoadBalancer Services: the Services as Cilium would read them from the rendered
// cluster/load-balancer.yaml, the backends' echo service, and the routers' rendered sysctls.
import { CLUSTER_FILES, routerPath, type RenderedFiles } from '../../render/index.ts';
import type { LabModel } from '../../topology/model.ts';
import { backendPods } from '../../topology/services.ts';
import { serviceIntents, type ServiceIntent } from './lb-services.ts';

export function twinServices(m: LabModel, files: RenderedFiles): ServiceIntent[] {
  const text = files.get(CLUSTER_FILES.loadBalancer);
  if (text === undefined) return [];
  const placed = new Map(backendPods(m).map((b) => [b.name, b]));
  return serviceIntents(text, (pod) => placed.get(pod));
}

/** `key=value` lines of a router's rendered /etc/sysctl.d file, as `sysctl -w` arguments. */
export function routerSysctls(files: RenderedFiles, dc: string): string[] {
  const text = files.get(routerPath(dc, 'sysctl'));
  return (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * socat's listening address for an echo service: IPv4, or (dual-stack) one IPv6 socket that takes
 * IPv4 clients too (ipv6only=0; they show as ::ffff:a.b.c.d, which parseWhoAmI reads as IPv4).
 */
export function listenAddress(port: number, dual: boolean): string {
  return dual ? `TCP6-LISTEN:${port},fork,reuseaddr,ipv6only=0` : `TCP-LISTEN:${port},fork,reuseaddr`;
}

/** A backend's echo service on its Service's port: the client address it saw, then its own. */
export function backendEchoArgv(port: number, dual = false): string[] {
  return ['socat', '-d', '-d', listenAddress(port, dual), 'SYSTEM:echo $SOCAT_PEERADDR $SOCAT_SOCKADDR'];
}
