// Package operatorhive composes the operator's side for the releases whose operator BGP cell is
// operator/pkg/bgp and whose resource.New takes a workqueue.MetricsProvider (1.19 on).
package operatorhive

import (
	"github.com/cilium/hive/cell"
	k8sRuntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"

	operatorBGP "github.com/cilium/cilium/operator/pkg/bgp"
	"github.com/cilium/cilium/operator/pkg/lbipam"
	ciliumhive "github.com/cilium/cilium/pkg/hive"
	v2 "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2"
	k8sClient "github.com/cilium/cilium/pkg/k8s/client"
	"github.com/cilium/cilium/pkg/k8s/resource"
	slim_corev1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/api/core/v1"
	"github.com/cilium/cilium/pkg/k8s/utils"
	"github.com/cilium/cilium/pkg/metrics"
	"github.com/cilium/cilium/pkg/option"
)

// New is the operator's side: the BGP reconciler that turns CiliumBGPClusterConfigs into each
// node's CiliumBGPNodeConfig, and LB-IPAM, which gives LoadBalancer Services their addresses. The
// resources are provided as operator/pkg/bgp/fixture_test.go does: on 1.20 the operator's own
// operator/k8s ResourcesCell cannot be built (it imports pkg/clustermesh/mcsapi, whose
// sigs.k8s.io/mcs-api/controllers v0.5.2 the module proxy refuses; 1.19's pin of it is served, but
// both lines feed the operator alike). The CiliumBGPAdvertisement resource is read by 1.20's operator
// (operator/pkg/bgp/manager.go, BGPParams); 1.19's does not ask for it, so there it is never built.
func New(dc *option.DaemonConfig, cs k8sClient.Clientset) *ciliumhive.Hive {
	return ciliumhive.New(
		metrics.Cell,
		cell.Provide(
			func() k8sClient.Clientset { return cs },
			func() *option.DaemonConfig { return dc },
			watch[*v2.CiliumBGPClusterConfig](func(c k8sClient.Clientset) cache.ListerWatcher {
				return utils.ListerWatcherFromTyped[*v2.CiliumBGPClusterConfigList](c.CiliumV2().CiliumBGPClusterConfigs())
			}),
			watch[*v2.CiliumBGPNodeConfig](func(c k8sClient.Clientset) cache.ListerWatcher {
				return utils.ListerWatcherFromTyped[*v2.CiliumBGPNodeConfigList](c.CiliumV2().CiliumBGPNodeConfigs())
			}),
			watch[*v2.CiliumBGPNodeConfigOverride](func(c k8sClient.Clientset) cache.ListerWatcher {
				return utils.ListerWatcherFromTyped[*v2.CiliumBGPNodeConfigOverrideList](c.CiliumV2().CiliumBGPNodeConfigOverrides())
			}),
			watch[*v2.CiliumBGPPeerConfig](func(c k8sClient.Clientset) cache.ListerWatcher {
				return utils.ListerWatcherFromTyped[*v2.CiliumBGPPeerConfigList](c.CiliumV2().CiliumBGPPeerConfigs())
			}),
			watch[*v2.CiliumBGPAdvertisement](func(c k8sClient.Clientset) cache.ListerWatcher {
				return utils.ListerWatcherFromTyped[*v2.CiliumBGPAdvertisementList](c.CiliumV2().CiliumBGPAdvertisements())
			}),
			watch[*v2.CiliumNode](func(c k8sClient.Clientset) cache.ListerWatcher {
				return utils.ListerWatcherFromTyped[*v2.CiliumNodeList](c.CiliumV2().CiliumNodes())
			}),
			watch[*v2.CiliumLoadBalancerIPPool](func(c k8sClient.Clientset) cache.ListerWatcher {
				return utils.ListerWatcherFromTyped[*v2.CiliumLoadBalancerIPPoolList](c.CiliumV2().CiliumLoadBalancerIPPools())
			}),
			watch[*slim_corev1.Service](func(c k8sClient.Clientset) cache.ListerWatcher {
				return utils.ListerWatcherFromTyped[*slim_corev1.ServiceList](c.Slim().CoreV1().Services(""))
			}),
		),
		operatorBGP.Cell,
		lbipam.Cell,
	)
}

// watch provides a resource.Resource[T] over a typed list-watch of the shared clientset.
func watch[T k8sRuntime.Object](lw func(k8sClient.Clientset) cache.ListerWatcher) func(cell.Lifecycle, k8sClient.Clientset) resource.Resource[T] {
	return func(lc cell.Lifecycle, c k8sClient.Clientset) resource.Resource[T] {
		return resource.New[T](lc, lw(c), nil)
	}
}
