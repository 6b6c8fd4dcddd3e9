package main

import (
	"github.com/cilium/hive/cell"
	"github.com/cilium/statedb"

	daemonk8s "github.com/cilium/cilium/daemon/k8s"
	"github.com/cilium/cilium/pkg/bgpv1"
	"github.com/cilium/cilium/pkg/bgpv1/agent"
	"github.com/cilium/cilium/pkg/datapath/tables"
	envoyCfg "github.com/cilium/cilium/pkg/envoy/config"
	ciliumhive "github.com/cilium/cilium/pkg/hive"
	k8sFake "github.com/cilium/cilium/pkg/k8s/client/testutils"
	"github.com/cilium/cilium/pkg/metrics"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/shared/speaker"
)

// agentHive is the agent's side as pkg/bgpv1/test/script_test.go composes it (v1.18.5): the BGP
// cell, the fake clientset and the daemon's Kubernetes resources. 1.18's BGP takes Services and
// their endpoints from those resources (store.DiffStore over slim Services and k8s.Endpoints,
// pkg/bgpv1/cell.go), not from load-balancer tables, so no load-balancer cells, no local node
// store and no kube-proxy-replacement config: nothing in pkg/bgpv1 reads them. The route and
// device tables are the default-gateway auto-discovery's (pkg/bgpv1/manager/reconcilerv2/
// default_gateway.go); they stay empty, as in the test. 1.18's BGP registers no bgp/* script
// commands (the test adds pkg/bgpv1/test/commands itself), so `cilium-dbg shell` has none either.
//
// Unlike the test it leaves the manager's destroyRouterOnStop at the agent's default, false
// (pkg/bgpv1/manager/manager.go, NewBGPRouterManager): on Stop the manager passes FullDestroy false
// and GoBGPServer.Stop (pkg/bgpv1/gobgp/server.go) then leaves GoBGP running until the process
// exits, so the peers see the TCP session close without a Cease and graceful restart holds
// (measured: BIRD logs no Cease; a capture shows a FIN and no NOTIFICATION).
func agentHive(dc *option.DaemonConfig, a *speaker.Agent) *ciliumhive.Hive {
	return ciliumhive.New(
		k8sFake.FakeClientCell(),
		daemonk8s.ResourcesCell,
		cell.Config(envoyCfg.SecretSyncConfig{}),
		metrics.Cell,
		bgpv1.Cell,
		cell.Provide(
			tables.NewRouteTable,
			tables.NewDeviceTable,
			statedb.RWTable[*tables.Route].ToTable,
			statedb.RWTable[*tables.Device].ToTable,
		),
		// 1.18's table constructors take no *statedb.DB (pkg/datapath/tables/route.go, device.go):
		// the tables are registered with it, as the test's register-tables module does.
		cell.Invoke(
			statedb.RegisterTable[*tables.Route],
			statedb.RegisterTable[*tables.Device],
		),
		cell.Provide(func() *option.DaemonConfig { return dc }),
		cell.Invoke(func(c *k8sFake.FakeClientset, m agent.BGPRouterManager) {
			a.Client = c
			a.BGP = ciliumDbg(m)
		}),
	)
}
