// Package bgpv1line is the speaker of the lines whose BGP control plane is v1 (Cilium 1.14 and
// 1.15): the agent (pkg/bgpv1) reads CiliumBGPPeeringPolicy itself, and the operator's side is
// LB-IPAM alone. A line supplies only what differs (Parts): its hives, its configuration, which of
// its node's objects the agent reads, its schema check and its CLI.
package bgpv1line

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
	k8sClient "github.com/cilium/cilium/pkg/k8s/client"
	k8sversion "github.com/cilium/cilium/pkg/k8s/version"
	"github.com/cilium/cilium/pkg/logging"
	nodeTypes "github.com/cilium/cilium/pkg/node/types"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/admit"
	"nrl/speaker/shared/bgpv1fake"
)

// lbipamWait bounds how long Start waits for LB-IPAM to assign addresses before starting the agent.
const lbipamWait = 10 * time.Second

// Parts is what a v1 line supplies.
type Parts struct {
	// Release is the Cilium release the line's go.mod pins (core.BuiltRelease reads the real one).
	Release string
	// KubernetesVersion is the API server version the agent is told it talks to. The agent learns it
	// from discovery (pkg/k8s/version.Update), which the fake clientset does not answer; without it
	// the version's capabilities are all off and the agent watches v1.Endpoints instead of
	// EndpointSlices. The Kubernetes of the release's client-go.
	KubernetesVersion string
	// OwnNode is the kind of the node's own object the agent reads its labels, pod CIDRs and router
	// ID from ("Node" at 1.14, "CiliumNode" at 1.15), and why.
	OwnNode, OwnNodeWhy string
	Schema              admit.SchemaCompiler
	// Config is the agent's and the operator's configuration (both read option.Config).
	Config   func(objs []core.Object) *option.DaemonConfig
	Operator func(dc *option.DaemonConfig, fc k8sClient.Clientset, ready func()) *hive.Hive
	Agent    func(dc *option.DaemonConfig, fc k8sClient.Clientset, ctrl **agent.Controller) *hive.Hive
	// CLI names the agent's debug CLI accepts and what answers `<cli> bgp ARGS`.
	CLI     []string
	Command func(ctx context.Context, mgr agent.BGPRouterManager, args []string, stdout, stderr io.Writer) int
}

// Line is a core.Line of a v1 release.
type Line struct{ Parts }

func (l Line) Release() string { return core.BuiltRelease(l.Parts.Release) }

func (l Line) Check(objs []core.Object) []core.Issue {
	option.Config = l.Config(objs)
	_, issues := admit.Admit(l.Release(), bgpv1fake.CRDs(), objs, l.Schema)
	return issues
}

type running struct {
	agent    *hive.Hive
	operator *hive.Hive
	ctrl     *agent.Controller
	parts    Parts
}

func (l Line) Start(ctx context.Context, node string, objs []core.Object, w io.Writer) (core.Running, error) {
	dc := l.Config(objs)
	option.Config = dc
	admitted, issues := admit.Admit(l.Release(), bgpv1fake.CRDs(), objs, l.Schema)
	if len(issues) > 0 {
		return nil, fmt.Errorf("%d manifest issues", len(issues))
	}
	if !hasObject(admitted, l.OwnNode, node) {
		return nil, fmt.Errorf("no %s %q among the objects: the agent at %s takes its labels, pod CIDRs and router ID from it (%s)", l.OwnNode, node, l.Release(), l.OwnNodeWhy)
	}
	log := logging.DefaultLogger
	log.SetOutput(w)
	log.SetLevel(logrusLevel())
	nodeTypes.SetName(node)
	if err := k8sversion.Force(l.KubernetesVersion); err != nil {
		return nil, err
	}
	fc := bgpv1fake.New()
	if err := bgpv1fake.Feed(fc, admitted); err != nil {
		return nil, err
	}
	r := &running{parts: l.Parts}
	// LB-IPAM first, as in a cluster whose operator already ran: the fake tracker does not replay
	// by resourceVersion, so a Service status written between an informer's list and its watch
	// would be lost to the agent.
	ready := make(chan struct{})
	var once sync.Once
	r.operator = l.Operator(dc, fc, func() { once.Do(func() { close(ready) }) })
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
	r.agent = l.Agent(dc, fc, &r.ctrl)
	if err := r.agent.Start(ctx); err != nil {
		_ = r.operator.Stop(context.Background())
		return nil, fmt.Errorf("agent: %w", err)
	}
	return r, nil
}

// Stop stops the agent's and the operator's hives, as the agent does on SIGTERM. At 1.14 and 1.15
// nothing in the agent stops the GoBGP servers (BGPRouterManager.Stop is called only by
// pkg/bgpv1/test/fixtures.go): they send no Cease, and their sessions end when the process exits
// and the kernel closes the sockets.
func (r *running) Stop(ctx context.Context) error {
	return errors.Join(r.agent.Stop(ctx), r.operator.Stop(ctx))
}

func (r *running) Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	for _, cli := range r.parts.CLI {
		if len(args) >= 2 && args[0] == cli && args[1] == "bgp" {
			return r.parts.Command(ctx, r.ctrl.BGPMgr, args[2:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "unknown command %q; try: %s bgp peers|routes [-o json]\n", strings.Join(args, " "), r.parts.CLI[0])
	return 2
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
