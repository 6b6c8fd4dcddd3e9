// Package speaker is the half of a line that does not depend on how the release composes its hives:
// admitting the manifests, the agent's configuration, starting the agent, feeding the fake clientset,
// starting the operator, and the control commands. For releases whose fake clientset is
// pkg/k8s/client/testutils with script commands (1.18 on, as shared/fakeclient).
package speaker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/cilium/hive/script"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ciliumhive "github.com/cilium/cilium/pkg/hive"
	ipamOption "github.com/cilium/cilium/pkg/ipam/option"
	k8sClient "github.com/cilium/cilium/pkg/k8s/client"
	k8sFake "github.com/cilium/cilium/pkg/k8s/client/testutils"
	"github.com/cilium/cilium/pkg/node/types"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/admit"
	"nrl/speaker/shared/admit/k8s029"
	"nrl/speaker/shared/dbg"
	"nrl/speaker/shared/fakeclient"
)

// Line is a release line as its folder (speaker/lines/vX.Y) composes it; it implements core.Line.
type Line struct {
	// Cilium is the exact release the line's go.mod pins; the release the binary was built against
	// (core.BuiltRelease) is reported where they differ (a nightly's newer patch release).
	Cilium string
	// Prepare, if set, runs once the agent's configuration is made and before any hive is built
	// (for process-wide settings a release reads from globals).
	Prepare func(dc *option.DaemonConfig) error
	// Agent composes the agent's hive; once it has started, its invokes have filled in a.
	Agent func(dc *option.DaemonConfig, a *Agent) *ciliumhive.Hive
	// Operator composes the operator's hive over the agent's fake clientset.
	Operator func(dc *option.DaemonConfig, cs k8sClient.Clientset) *ciliumhive.Hive
}

// Agent is what the line's agent hive hands out once it has started.
type Agent struct {
	// Client is the fake clientset the agent's hive made; the operator and the feeding share it.
	Client *k8sFake.FakeClientset
	// BGP is cilium-dbg's view of the agent's BGP control plane.
	BGP dbg.BGP
}

// Release implements core.Line.
func (l Line) Release() string { return core.BuiltRelease(l.Cilium) }

// Check implements core.Line: the manifests against the release's own CRDs.
func (l Line) Check(objs []core.Object) []core.Issue {
	_, issues := admit.Admit(l.Release(), fakeclient.CRDs(), objs, k8s029.Compile)
	return issues
}

// Config is the agent's configuration as the rendered Helm values give it
// (lab/render/cilium-values.ts): BGP control plane on, status reporting on (a default-true flag),
// IPAM kubernetes (PodCIDRs from the node), the agent's default router-ID mode (the node's
// InternalIP), IPv4, and IPv6 when a CiliumNode has an IPv6 pod CIDR. Kube-proxy replacement is
// not an option.DaemonConfig field on every release: a line provides it where its hive reads it.
func Config(objs []core.Object) *option.DaemonConfig {
	return &option.DaemonConfig{
		EnableBGPControlPlane:             true,
		EnableBGPControlPlaneStatusReport: true,
		BGPSecretsNamespace:               "kube-system",
		BGPRouterIDAllocationMode:         option.BGPRouterIDAllocationModeDefault,
		IPAM:                              ipamOption.IPAMKubernetes,
		EnableIPv4:                        true,
		EnableIPv6:                        core.HasIPv6PodCIDR(objs),
	}
}

// Start implements core.Line: the agent first (its hive makes the fake clientset), then the objects
// into the clientset, then the operator.
func (l Line) Start(ctx context.Context, node string, objs []core.Object, w io.Writer) (core.Running, error) {
	admitted, issues := admit.Admit(l.Release(), fakeclient.CRDs(), objs, k8s029.Compile)
	if len(issues) > 0 {
		return nil, fmt.Errorf("%d manifest issues", len(issues))
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: core.LogLevel()}))
	types.SetName(node)
	dc := Config(admitted)
	// The BGP manager and LB-IPAM read the global as well as the hive's *option.DaemonConfig.
	option.Config = dc
	if l.Prepare != nil {
		if err := l.Prepare(dc); err != nil {
			return nil, err
		}
	}
	r := &running{log: log, node: node}
	r.agent = l.Agent(dc, &r.parts)
	if err := r.agent.Start(log, ctx); err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	if r.parts.Client == nil {
		_ = r.agent.Stop(log, context.Background())
		return nil, errors.New("agent: the hive handed out no fake clientset")
	}
	cmds, err := r.agent.ScriptCommands(log)
	if err != nil {
		_ = r.agent.Stop(log, context.Background())
		return nil, err
	}
	// The agent's shell adds these of the script package's default commands to the hive's
	// (pkg/shell/server/server.go on 1.18, github.com/cilium/hive/shell/server.go from 1.19 on).
	for _, name := range []string{"cat", "exec", "help"} {
		cmds[name] = script.DefaultCmds()[name]
	}
	r.shell = &script.Engine{Cmds: cmds}
	if err := fakeclient.Feed(ctx, r.parts.Client, admitted, w); err != nil {
		_ = r.agent.Stop(log, context.Background())
		return nil, err
	}
	r.operator = l.Operator(dc, r.parts.Client)
	if err := r.operator.Start(log, ctx); err != nil {
		_ = r.agent.Stop(log, context.Background())
		return nil, fmt.Errorf("operator: %w", err)
	}
	return r, nil
}

type running struct {
	log      *slog.Logger
	agent    *ciliumhive.Hive
	operator *ciliumhive.Hive
	parts    Agent
	shell    *script.Engine
	node     string
}

// Stop stops the agent's hive, then the operator's. What the agent's BGP does on stop is the
// release's own (the line says, where it composes the agent).
func (r *running) Stop(ctx context.Context) error {
	return errors.Join(r.agent.Stop(r.log, ctx), r.operator.Stop(r.log, ctx))
}

func (r *running) Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) >= 2 && args[0] == "cilium-dbg" && args[1] == "bgp":
		return r.parts.BGP.Run(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "cilium-dbg" && args[1] == "shell":
		return r.runShell(ctx, args[2:], stdout, stderr)
	case len(args) == 1 && args[0] == "node-config":
		return r.nodeConfig(ctx, stdout, stderr)
	}
	fmt.Fprintf(stderr, "unknown command %q; try: cilium-dbg bgp peers|routes|route-policies [-o json], cilium-dbg shell -- CMD (help lists them), node-config\n", strings.Join(args, " "))
	return 2
}

// runShell runs hive script commands in the agent, as `cilium-dbg shell -- db/show ...` does; the
// commands are the release's own (bgp/peers only where the release's BGP cell registers it).
func (r *running) runShell(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	s, err := script.NewState(ctx, "/", nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var log strings.Builder
	err = r.shell.ExecuteLine(s, strings.Join(args, " "), &log)
	fmt.Fprint(stdout, strings.TrimPrefix(log.String(), "> "+strings.Join(args, " ")+"\n"))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// nodeConfig prints the CiliumBGPNodeConfig the operator wrote for this node.
func (r *running) nodeConfig(ctx context.Context, stdout, stderr io.Writer) int {
	nc, err := r.parts.Client.CiliumV2().CiliumBGPNodeConfigs().Get(ctx, r.node, metav1.GetOptions{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	b, _ := json.MarshalIndent(nc, "", "  ")
	fmt.Fprintln(stdout, string(b))
	return 0
}
