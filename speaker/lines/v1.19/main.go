// The speaker at Cilium 1.19: Cilium's own BGP control plane, the operator's side and the agent's,
// sharing one fake clientset, for one twin node. 1.19 composes both sides as 1.20 does
// (shared/agenthive after pkg/bgp/test/script_test.go, shared/operatorhive after
// operator/pkg/bgp/fixture_test.go); what is its own is where the Kubernetes tables cell lives and
// which manager calls cilium-dbg's REST handlers make (dbg.go).
package main

import (
	daemonk8s "github.com/cilium/cilium/daemon/k8s"
	ciliumhive "github.com/cilium/cilium/pkg/hive"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/agenthive"
	"nrl/speaker/shared/operatorhive"
	"nrl/speaker/shared/speaker"
)

// release is the Cilium module this line is built against (go.mod).
const release = "1.19.3"

// On stop the agent's BGP manager passes FullDestroy false (destroyRouterOnStop, default false:
// pkg/bgp/manager/manager.go), and 1.19's GoBGPServer.Stop then leaves GoBGP running until the
// process exits (pkg/bgp/gobgp/server.go: GoBGP's Stop would send every peer a Cease, breaking
// graceful restart): a peer sees a plain TCP close, no NOTIFICATION, whether or not graceful
// restart was negotiated (measured: BIRD logs no Cease, a capture shows a FIN and no NOTIFICATION).
func main() {
	core.Main(speaker.Line{
		Cilium: release,
		Agent: func(dc *option.DaemonConfig, a *speaker.Agent) *ciliumhive.Hive {
			// 1.19 keeps the Kubernetes tables cell in daemon/k8s (daemon/k8s/tables.go);
			// 1.20 moved it to pkg/k8s/tables.
			return agenthive.New(dc, daemonk8s.TablesCell, ciliumDbg, a)
		},
		Operator: operatorhive.New,
	})
}
