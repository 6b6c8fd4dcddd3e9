package main

import (
	"context"
	"io"

	"github.com/cilium/cilium/pkg/bgpv1/agent"
	ipamOption "github.com/cilium/cilium/pkg/ipam/option"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/admit/k8s029"
	"nrl/speaker/shared/bgpv1line"
)

// line is what differs at 1.15: the agent reads its own CiliumNode; Kubernetes 1.29 (the release's
// client-go v0.29); the apiextensions v0.29 schema check; the CLI named cilium-dbg.
var line = bgpv1line.Line{Parts: bgpv1line.Parts{
	Release:           release,
	KubernetesVersion: "1.29",
	OwnNode:           "CiliumNode",
	OwnNodeWhy:        "the controller reconciles nothing until its own CiliumNode arrives: pkg/bgpv1/agent/controller.go",
	Schema:            k8s029.Compile,
	Config:            daemonConfig,
	Operator:          operatorHive,
	Agent:             agentHive,
	CLI:               []string{"cilium-dbg"},
	Command: func(ctx context.Context, mgr agent.BGPRouterManager, args []string, stdout, stderr io.Writer) int {
		return ciliumDbg(mgr).Run(ctx, args, stdout, stderr)
	},
}}

// daemonConfig is the configuration of the agent and the operator (both read option.Config), as
// the rendered Helm values give it (lab/render/cilium-values.ts); the chart's defaults otherwise.
func daemonConfig(objs []core.Object) *option.DaemonConfig {
	// BGP control plane on with the chart's secrets namespace (bgpControlPlane.secretsNamespace.name),
	// IPAM kubernetes, IPv4 on, kube-proxy replacement on. Whatever the IPAM mode, the BGP agent at
	// 1.15 reads labels, annotations, pod CIDRs and the router ID (the InternalIP, unless annotated)
	// from its CiliumNode, which the real agent writes from its Node in IPAM kubernetes mode
	// (pkg/nodediscovery/nodediscovery.go: labels, annotations, addresses, spec.ipam.podCIDRs from
	// the Node's podCIDRs). EndpointSlices are on by the default of the agent's k8s Config
	// (pkg/k8s/resource_ctors.go: DefaultConfig).
	return &option.DaemonConfig{
		EnableBGPControlPlane: true,
		BGPSecretsNamespace:   "kube-system",
		IPAM:                  ipamOption.IPAMKubernetes,
		EnableIPv4:            true,
		EnableIPv6:            core.HasIPv6PodCIDR(objs),
		KubeProxyReplacement:  option.KubeProxyReplacementTrue,
	}
}
