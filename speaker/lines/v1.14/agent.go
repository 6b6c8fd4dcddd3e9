package main

import (
	"context"
	"net"

	agentK8s "github.com/cilium/cilium/daemon/k8s"
	"github.com/cilium/cilium/pkg/bgpv1"
	"github.com/cilium/cilium/pkg/bgpv1/agent"
	"github.com/cilium/cilium/pkg/hive"
	"github.com/cilium/cilium/pkg/hive/cell"
	"github.com/cilium/cilium/pkg/hive/job"
	"github.com/cilium/cilium/pkg/k8s"
	k8sClient "github.com/cilium/cilium/pkg/k8s/client"
	"github.com/cilium/cilium/pkg/k8s/resource"
	slim_corev1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/api/core/v1"
	"github.com/cilium/cilium/pkg/metrics"
	"github.com/cilium/cilium/pkg/node"
	"github.com/cilium/cilium/pkg/node/addressing"
	"github.com/cilium/cilium/pkg/option"
	"github.com/cilium/cilium/pkg/source"
)

// agentHive is the agent's side as pkg/bgpv1/test/fixtures.go composes it (v1.14.19: metrics,
// jobs, the clientset, the daemon config and bgpv1.Cell), with the real agent's cells where the
// fixture mocks them (daemon/cmd/cells.go): the agent's k8s resources (daemon/k8s/resources.go:
// Services, Endpoints(Slices), and the local Node and CiliumNode selected by metadata.name) and the
// LocalNodeStore, which the agent's Reconcile reads the router ID from (pkg/bgpv1/agent/
// controller.go: nodeaddr.GetIPv4(), unless a cilium.io/bgp-virtual-router.<asn> annotation names
// one). ctrl is the agent's controller, whose BGPMgr the REST handlers of daemon/cmd/bgp.go call.
func agentHive(dc *option.DaemonConfig, fc k8sClient.Clientset, ctrl **agent.Controller) *hive.Hive {
	h := hive.New(
		metrics.Cell,
		job.Cell,
		cell.Provide(
			func() k8sClient.Clientset { return fc },
			func() *option.DaemonConfig { return dc },
		),
		node.LocalNodeStoreCell,
		cell.Provide(newLocalNodeInitializer),
		// The agent's daemon depends on the LocalNodeStore; nothing in bgpv1.Cell does (it reads
		// it through the pkg/node globals the store sets on start), so it is invoked here.
		cell.Invoke(func(*node.LocalNodeStore) {}),
		agentK8s.ResourcesCell,
		bgpv1.Cell,
		cell.Invoke(func(c *agent.Controller) { *ctrl = c }),
	)
	noMetricsServer(h)
	return h
}

// noMetricsServer turns off the Prometheus server metrics.Cell starts by default (:9962): the
// speaker serves no metrics, and its two hives would both bind the port.
func noMetricsServer(h *hive.Hive) {
	hive.AddConfigOverride(h, func(c *metrics.RegistryConfig) { c.PrometheusServeAddr = "" })
}

// localNodeInitializer fills the LocalNodeStore from the node's Kubernetes Node as the agent does
// (daemon/cmd/local_node_init.go, v1.14.19, initFromK8s): name, labels, annotations and the
// InternalIP/ExternalIP addresses, from which node.GetIPv4() (pkg/node/address.go) takes the
// InternalIP first. Its initFromConfig (the --ipv4-node/--ipv6-node flags, both "auto" in the
// rendered values) and the CiliumInternalIP restore (cilium_host, no part of BGP) are left out.
type localNodeInitializer struct {
	nodes agentK8s.LocalNodeResource
}

func newLocalNodeInitializer(nodes agentK8s.LocalNodeResource) node.LocalNodeInitializer {
	return &localNodeInitializer{nodes: nodes}
}

func (ini *localNodeInitializer) InitLocalNode(ctx context.Context, n *node.LocalNode) error {
	n.Source = source.Local
	k8sNode, err := ini.localNode(ctx)
	if err != nil {
		return err
	}
	parsed := k8s.ParseNode(k8sNode, source.Kubernetes)
	n.Name = parsed.Name
	n.Labels = parsed.Labels
	n.Annotations = parsed.Annotations
	n.Cluster = parsed.Cluster
	for _, addr := range parsed.IPAddresses {
		switch addr.Type {
		case addressing.NodeInternalIP:
			n.SetNodeInternalIP(net.IP(addr.IP))
		case addressing.NodeExternalIP:
			n.SetNodeExternalIP(net.IP(addr.IP))
		}
	}
	return nil
}

// localNode waits for the node's own Node, as getK8sLocalNode does.
func (ini *localNodeInitializer) localNode(ctx context.Context) (*slim_corev1.Node, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for ev := range ini.nodes.Events(ctx) {
		ev.Done(nil)
		if ev.Kind == resource.Upsert {
			return ev.Object, nil
		}
	}
	return nil, ctx.Err()
}
