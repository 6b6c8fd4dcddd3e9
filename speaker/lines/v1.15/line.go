package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/cilium/cilium/pkg/bgpv1/agent"
	"github.com/cilium/cilium/pkg/hive"
	ipamOption "github.com/cilium/cilium/pkg/ipam/option"
	k8sversion "github.com/cilium/cilium/pkg/k8s/version"
	"github.com/cilium/cilium/pkg/logging"
	nodeTypes "github.com/cilium/cilium/pkg/node/types"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/admit"
	"nrl/speaker/shared/admit/k8s029"
	"nrl/speaker/shared/bgpv1fake"
)

// kubernetesVersion is the API server version the agent is told it talks to. The agent learns it
// from the API server's discovery (pkg/k8s/version.Update), which the fake clientset does not
// answer; without it the version's capabilities are all off and the agent watches v1.Endpoints
// instead of EndpointSlices (pkg/k8s/resource_ctors.go: endpointsListerWatcher). 1.29 is the
// Kubernetes of this release's client-go (v0.29).
const kubernetesVersion = "1.29"

// lbipamWait bounds how long Start waits for LB-IPAM to assign addresses before starting the agent.
const lbipamWait = 10 * time.Second

type line struct{}

func (line) Release() string { return release }

func (line) Check(objs []core.Object) []core.Issue {
	option.Config = daemonConfig(objs)
	_, issues := admit.Admit(release, bgpv1fake.CRDs(), objs, k8s029.Compile)
	return issues
}

type running struct {
	agent    *hive.Hive
	operator *hive.Hive
	ctrl     *agent.Controller
}

func (line) Start(ctx context.Context, node string, objs []core.Object, w io.Writer) (core.Running, error) {
	dc := daemonConfig(objs)
	option.Config = dc
	admitted, issues := admit.Admit(release, bgpv1fake.CRDs(), objs, k8s029.Compile)
	if len(issues) > 0 {
		return nil, fmt.Errorf("%d manifest issues", len(issues))
	}
	if !hasObject(admitted, "CiliumNode", node) {
		// The controller reconciles nothing until its own CiliumNode arrives (pkg/bgpv1/agent/controller.go).
		return nil, fmt.Errorf("no CiliumNode %q among the objects: the agent at %s takes its labels, pod CIDRs and router ID from it", node, release)
	}
	log := logging.DefaultLogger
	log.SetOutput(w)
	log.SetLevel(logrusLevel())
	nodeTypes.SetName(node)
	if err := k8sversion.Force(kubernetesVersion); err != nil {
		return nil, err
	}
	fc := bgpv1fake.New()
	if err := bgpv1fake.Feed(fc, admitted); err != nil {
		return nil, err
	}
	r := &running{}
	// LB-IPAM first, as in a cluster whose operator already ran: the fake tracker does not replay
	// by resourceVersion, so a Service status written between an informer's list and its watch
	// would be lost to the agent.
	ready := make(chan struct{})
	var once sync.Once
	r.operator = operatorHive(dc, fc, func() { once.Do(func() { close(ready) }) })
	if err := r.operator.Start(ctx); err != nil {
		return nil, fmt.Errorf("operator: %w", err)
	}
	if hasKind(admitted, "CiliumLoadBalancerIPPool") {
		select {
		case <-ready:
		case <-time.After(lbipamWait):
			log.Warn("LB-IPAM did not finish initializing; starting the agent anyway")
		case <-ctx.Done():
		}
	}
	r.agent = agentHive(dc, fc, &r.ctrl)
	if err := r.agent.Start(ctx); err != nil {
		_ = r.operator.Stop(context.Background())
		return nil, fmt.Errorf("agent: %w", err)
	}
	return r, nil
}

// Stop stops the agent's and the operator's hives, as the agent does on SIGTERM. At 1.15 nothing
// in the agent stops the GoBGP servers (BGPRouterManager.Stop is called only by pkg/bgpv1/test/
// fixtures.go): they send no Cease, and their sessions end when the process exits and the kernel
// closes the sockets.
func (r *running) Stop(ctx context.Context) error {
	return errors.Join(r.agent.Stop(ctx), r.operator.Stop(ctx))
}

func (r *running) Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) >= 2 && args[0] == "cilium-dbg" && args[1] == "bgp" {
		return ciliumDbg(r.ctrl.BGPMgr).Run(ctx, args[2:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "unknown command %q; try: cilium-dbg bgp peers|routes|route-policies [-o json]\n", strings.Join(args, " "))
	return 2
}

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

func logrusLevel() logrus.Level {
	switch l := core.LogLevel(); {
	case l < 0:
		return logrus.DebugLevel
	case l < 4:
		return logrus.InfoLevel
	case l < 8:
		return logrus.WarnLevel
	default:
		return logrus.ErrorLevel
	}
}

func hasKind(objs []core.Object, kind string) bool {
	for _, o := range objs {
		var m struct {
			Kind string `json:"kind"`
		}
		if json.Unmarshal(o.Object, &m) == nil && m.Kind == kind {
			return true
		}
	}
	return false
}

func hasObject(objs []core.Object, kind, name string) bool {
	for _, o := range objs {
		var m struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if json.Unmarshal(o.Object, &m) == nil && m.Kind == kind && m.Metadata.Name == name {
			return true
		}
	}
	return false
}
