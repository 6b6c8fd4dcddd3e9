package main

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

	"github.com/cilium/cilium/pkg/bgp/agent"
	ciliumhive "github.com/cilium/cilium/pkg/hive"
	ipamOption "github.com/cilium/cilium/pkg/ipam/option"
	k8sFake "github.com/cilium/cilium/pkg/k8s/client/testutils"
	"github.com/cilium/cilium/pkg/node/types"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/admit"
	"nrl/speaker/shared/fakeclient"
)

type line struct{}

func (line) Release() string { return release }

func (line) Check(objs []core.Object) []core.Issue {
	_, issues := admit.Admit(release, fakeclient.CRDs(), objs)
	return issues
}

type running struct {
	log      *slog.Logger
	agent    *ciliumhive.Hive
	operator *ciliumhive.Hive
	fc       *k8sFake.FakeClientset
	mgr      agent.BGPRouterManager
	shell    *script.Engine
	node     string
}

func (line) Start(ctx context.Context, node string, objs []core.Object, w io.Writer) (core.Running, error) {
	admitted, issues := admit.Admit(release, fakeclient.CRDs(), objs)
	if len(issues) > 0 {
		return nil, fmt.Errorf("%d manifest issues", len(issues))
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: core.LogLevel()}))
	types.SetName(node)
	// The agent's configuration as the rendered Helm values give it (lab/render/cilium-values.ts):
	// BGP control plane on, IPAM kubernetes (PodCIDRs from the node), the agent's default router-ID
	// mode (the node's InternalIP) and status reporting (a default-true flag).
	dc := &option.DaemonConfig{
		EnableBGPControlPlane:             true,
		EnableBGPControlPlaneStatusReport: true,
		BGPSecretsNamespace:               "kube-system",
		BGPRouterIDAllocationMode:         option.BGPRouterIDAllocationModeDefault,
		IPAM:                              ipamOption.IPAMKubernetes,
		EnableIPv4:                        true,
		EnableIPv6:                        core.HasIPv6PodCIDR(admitted),
	}
	option.Config = dc
	r := &running{log: log, node: node}
	r.agent = agentHive(dc, &r.fc, &r.mgr)
	if err := r.agent.Start(log, ctx); err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	cmds, err := r.agent.ScriptCommands(log)
	if err != nil {
		return nil, err
	}
	r.shell = &script.Engine{Cmds: cmds}
	if err := fakeclient.Feed(ctx, r.fc, admitted, w); err != nil {
		_ = r.agent.Stop(log, context.Background())
		return nil, err
	}
	r.operator = operatorHive(dc, r.fc)
	if err := r.operator.Start(log, ctx); err != nil {
		_ = r.agent.Stop(log, context.Background())
		return nil, fmt.Errorf("operator: %w", err)
	}
	return r, nil
}

func (r *running) Stop(ctx context.Context) error {
	return errors.Join(r.agent.Stop(r.log, ctx), r.operator.Stop(r.log, ctx))
}

func (r *running) Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) >= 2 && args[0] == "cilium-dbg" && args[1] == "bgp":
		return ciliumDbg(r.mgr).Run(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "cilium-dbg" && args[1] == "shell":
		return r.runShell(ctx, args[2:], stdout, stderr)
	case len(args) == 1 && args[0] == "node-config":
		return r.nodeConfig(ctx, stdout, stderr)
	}
	fmt.Fprintf(stderr, "unknown command %q; try: cilium-dbg bgp peers|routes|route-policies [-o json], cilium-dbg shell -- bgp/peers, node-config\n", strings.Join(args, " "))
	return 2
}

// runShell runs hive script commands in the agent, as `cilium-dbg shell -- bgp/peers` does.
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
	nc, err := r.fc.CiliumV2().CiliumBGPNodeConfigs().Get(ctx, r.node, metav1.GetOptions{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	b, _ := json.MarshalIndent(nc, "", "  ")
	fmt.Fprintln(stdout, string(b))
	return 0
}
