// The twin's side of LoadBalancer Services: the Services as Cilium would read them from the rendered
// cluster/load-balancer.yaml, the backends' echo service, and the routers' rendered sysctls.
import { CLUSTER_FILES, routerPath, type RenderedFiles } from '../../render/index.ts';
import type { LabModel } from '../../topology/model.ts';
import { backendPods } from '../../topology/services.ts';
import { listenAddress } from '../echo.ts';
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

/** A backend's echo service on its Service's port: the client address it saw, then its own. */
export function backendEchoArgv(port: number, dual = false): string[] {
  return ['socat', '-d', '-d', listenAddress(port, dual), 'SYSTEM:echo $SOCAT_PEERADDR $SOCAT_SOCKADDR'];
}
