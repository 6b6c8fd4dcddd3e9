// Package agenthive composes the agent's side for the releases whose BGP control plane is pkg/bgp
// and whose Services reach it through the load-balancer tables (1.19 on), as their
// pkg/bgp/test/script_test.go does. The two differ only in where the Kubernetes tables cell lives
// (daemon/k8s on 1.19, pkg/k8s/tables on 1.20) and in cilium-dbg's calls, which the line passes in.
package agenthive

import (
	"github.com/cilium/hive/cell"
	"github.com/cilium/statedb"

	daemonk8s "github.com/cilium/cilium/daemon/k8s"
	"github.com/cilium/cilium/pkg/bgp"
	"github.com/cilium/cilium/pkg/bgp/agent"
	"github.com/cilium/cilium/pkg/datapath/tables"
	envoyCfg "github.com/cilium/cilium/pkg/envoy/config"
	ciliumhive "github.com/cilium/cilium/pkg/hive"
	k8sFake "github.com/cilium/cilium/pkg/k8s/client/testutils"
	"github.com/cilium/cilium/pkg/kpr"
	"github.com/cilium/cilium/pkg/lbipamconfig"
	"github.com/cilium/cilium/pkg/loadbalancer"
	"github.com/cilium/cilium/pkg/loadbalancer/reflectors"
	"github.com/cilium/cilium/pkg/loadbalancer/writer"
	"github.com/cilium/cilium/pkg/metrics"
	"github.com/cilium/cilium/pkg/node"
	"github.com/cilium/cilium/pkg/nodeipamconfig"
	"github.com/cilium/cilium/pkg/option"
	"github.com/cilium/cilium/pkg/source"
	"github.com/cilium/cilium/pkg/svcrouteconfig"

	"nrl/speaker/shared/dbg"
	"nrl/speaker/shared/speaker"
)

// New is the agent's hive: the BGP cell (with its bgp/* script commands), the load-balancer tables
// it advertises Services from (filled by the reflectors from Services and EndpointSlices), the
// local node store and the fake clientset, which it hands out in a with cilium-dbg's view
// (ciliumDbg) of the BGP manager. k8sTables is the release's Kubernetes tables cell.
//
// Unlike the test it leaves the manager's destroyRouterOnStop at the agent's default, false
// (pkg/bgp/manager/manager.go, NewBGPRouterManager), as the real agent runs. What GoBGP then does
// on stop is not the same on 1.19 and 1.20 (pkg/bgp/gobgp/server.go, GoBGPServer.Stop): each line
// says what its release does.
func New(dc *option.DaemonConfig, k8sTables cell.Cell, ciliumDbg func(agent.BGPRouterManager) dbg.BGP, a *speaker.Agent) *ciliumhive.Hive {
	return ciliumhive.New(
		metrics.Cell,
		bgp.Cell,
		svcrouteconfig.Cell,
		cell.Provide(
			tables.NewRouteTable,
			tables.NewDeviceTable,
			tables.NewNodeAddressTable,
			statedb.RWTable[*tables.Route].ToTable,
			statedb.RWTable[*tables.Device].ToTable,
			statedb.RWTable[tables.NodeAddress].ToTable,
		),
		k8sFake.FakeClientCell(),
		daemonk8s.ResourcesCell,
		k8sTables,
		node.LocalNodeStoreTestCell,
		cell.Config(envoyCfg.SecretSyncConfig{}),
		loadbalancer.ConfigCell,
		writer.Cell,
		reflectors.Cell,
		lbipamconfig.Cell,
		nodeipamconfig.Cell,
		cell.Provide(func() source.Sources { return source.Sources{} }),
		cell.Provide(
			func() *option.DaemonConfig { return dc },
			// The rendered values set kubeProxyReplacement: true (lab/render/cilium-values.ts).
			func() kpr.KPRConfig { return kpr.KPRConfig{KubeProxyReplacement: true} },
		),
		cell.Invoke(func(c *k8sFake.FakeClientset, m agent.BGPRouterManager) {
			a.Client = c
			a.BGP = ciliumDbg(m)
		}),
	)
}
