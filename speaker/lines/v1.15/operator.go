package main

import (
	operatorK8s "github.com/cilium/cilium/operator/k8s"
	"github.com/cilium/cilium/operator/pkg/lbipam"
	"github.com/cilium/cilium/pkg/hive"
	"github.com/cilium/cilium/pkg/hive/cell"
	"github.com/cilium/cilium/pkg/hive/job"
	k8sClient "github.com/cilium/cilium/pkg/k8s/client"
	"github.com/cilium/cilium/pkg/option"
)

// operatorHive is the operator's side at 1.15, LB-IPAM only (the agent reads the peering policies
// itself): lbipam.Cell over the operator's own k8s resources (operator/k8s/resources.go: the pools
// and Services it watches), as operator/cmd/root.go composes it; operator/pkg/lbipam/
// lbipam_fixture_test.go provides the same two resources, the clientset, a DaemonConfig with the
// BGP control plane on (which adds the io.cilium/bgp-control-plane load-balancer class) and
// job.Cell. ready is called when LB-IPAM has assigned the addresses of the Services it found.
func operatorHive(dc *option.DaemonConfig, fc k8sClient.Clientset, ready func()) *hive.Hive {
	return hive.New(
		job.Cell,
		cell.Provide(
			func() k8sClient.Clientset { return fc },
			func() *option.DaemonConfig { return dc },
		),
		operatorK8s.ResourcesCell,
		lbipam.Cell,
		cell.Invoke(func(l *lbipam.LBIPAM) { l.RegisterOnReady(ready) }),
	)
}
