package main

import (
	agentK8s "github.com/cilium/cilium/daemon/k8s"
	"github.com/cilium/cilium/pkg/bgpv1"
	"github.com/cilium/cilium/pkg/bgpv1/agent"
	"github.com/cilium/cilium/pkg/hive"
	"github.com/cilium/cilium/pkg/hive/cell"
	"github.com/cilium/cilium/pkg/hive/job"
	k8sClient "github.com/cilium/cilium/pkg/k8s/client"
	"github.com/cilium/cilium/pkg/metrics"
	"github.com/cilium/cilium/pkg/option"
)

// agentHive is the agent's side as pkg/bgpv1/test/fixtures.go composes it (v1.15.19: metrics,
// jobs, the clientset, the daemon config and bgpv1.Cell), with the real agent's k8s resources where
// the fixture provides its own (daemon/k8s/resources.go: its k8s Config, Services,
// Endpoints(Slices), and the local CiliumNode selected by metadata.name, from which the controller
// takes the node's labels, annotations, pod CIDRs and router ID: pkg/bgpv1/agent/controller.go,
// pkg/bgpv1/manager/manager.go). ctrl is the agent's controller, whose BGPMgr the REST handlers of
// pkg/bgpv1/api call.
func agentHive(dc *option.DaemonConfig, fc k8sClient.Clientset, ctrl **agent.Controller) *hive.Hive {
	return hive.New(
		metrics.Cell,
		job.Cell,
		cell.Provide(
			func() k8sClient.Clientset { return fc },
			func() *option.DaemonConfig { return dc },
		),
		agentK8s.ResourcesCell,
		bgpv1.Cell,
		cell.Invoke(func(c *agent.Controller) { *ctrl = c }),
	)
}
