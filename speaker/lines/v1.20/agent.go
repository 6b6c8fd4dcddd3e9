package main

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
	k8sTables "github.com/cilium/cilium/pkg/k8s/tables"
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
)

// agentHive is the agent's side as pkg/bgp/test/script_test.go composes it (v1.20.2): the BGP cell,
// the load-balancer tables it advertises Services from (filled by the reflectors from Services and
// EndpointSlices), the local node store and the fake clientset, which it also hands out (fc) for
// the operator and the feeding. Unlike the test it leaves the manager's destroyRouterOnStop at the
// agent's default (false: no Cease on stop, so graceful restart holds; pkg/bgp/manager/manager.go).
func agentHive(dc *option.DaemonConfig, fc **k8sFake.FakeClientset, mgr *agent.BGPRouterManager) *ciliumhive.Hive {
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
		k8sTables.TablesCell,
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
			*fc = c
			*mgr = m
		}),
	)
}
