package main

import (
	ipamOption "github.com/cilium/cilium/pkg/ipam/option"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/admit/k8s027"
	"nrl/speaker/shared/bgpv1line"
)

// line is what differs at 1.14: the agent reads its own Node (not its CiliumNode); Kubernetes 1.27
// (the release's client-go v0.27); the apiextensions v0.27 schema check; the CLI named cilium
// (cilium-dbg came with 1.15; both are accepted).
var line = bgpv1line.Line{Parts: bgpv1line.Parts{
	Release:           release,
	KubernetesVersion: "1.27",
	OwnNode:           "Node",
	OwnNodeWhy:        "the agent waits for its own Node before anything starts: daemon/cmd/local_node_init.go",
	Schema:            k8s027.Compile,
	Config:            daemonConfig,
	Operator:          operatorHive,
	Agent:             agentHive,
	CLI:               []string{"cilium", "cilium-dbg"},
	Command:           bgpCommand,
}}

// daemonConfig is the configuration of the agent and the operator (both read option.Config), as
// the rendered Helm values give it (lab/render/cilium-values.ts); the chart's defaults otherwise.
func daemonConfig(objs []core.Object) *option.DaemonConfig {
	// BGP control plane on, IPAM kubernetes (the agent's kubernetesNodeSpecer then takes labels,
	// annotations and pod CIDRs from the Node, spec.podCIDRs or else spec.podCIDR, not from the
	// CiliumNode: pkg/bgpv1/agent/nodespecer.go), IPv4 on, kube-proxy replacement on; the flags'
	// defaults for EndpointSlices (on) and the node addresses ("auto": from the Node).
	return &option.DaemonConfig{
		EnableBGPControlPlane:     true,
		IPAM:                      ipamOption.IPAMKubernetes,
		EnableIPv4:                true,
		EnableIPv6:                core.HasIPv6PodCIDR(objs),
		KubeProxyReplacement:      option.KubeProxyReplacementTrue,
		K8sEnableK8sEndpointSlice: true,
		IPv4NodeAddr:              "auto",
		IPv6NodeAddr:              "auto",
	}
}
