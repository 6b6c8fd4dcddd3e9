// The speaker at Cilium 1.20: Cilium's own BGP control plane, the operator's side and the agent's,
// sharing one fake clientset, for one twin node. The composition follows Cilium's own
// pkg/bgp/test/script_test.go (agent, shared/agenthive) and operator/pkg/bgp/fixture_test.go
// (operator, shared/operatorhive); what is 1.20's own is where the Kubernetes tables cell lives and
// which manager calls cilium-dbg's REST handlers make (dbg.go).
package main

import (
	ciliumhive "github.com/cilium/cilium/pkg/hive"
	k8sTables "github.com/cilium/cilium/pkg/k8s/tables"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/agenthive"
	"nrl/speaker/shared/operatorhive"
	"nrl/speaker/shared/speaker"
)

// release is the Cilium module this line is built against (go.mod).
const release = "1.20.2"

// On stop the agent's BGP manager passes FullDestroy false (destroyRouterOnStop, default false:
// pkg/bgp/manager/manager.go), and 1.20's GoBGPServer.Stop then calls GoBGP's StopBgp with
// AllowGracefulRestart (pkg/bgp/gobgp/server.go), which still sends a Cease to every peer whose
// session has no graceful restart in effect (gobgp/v4 pkg/server/server.go, StopBgp:
// isGracefulRestartEnabled). The lab's rendered CiliumBGPPeerConfig enables no graceful restart,
// so BIRD receives a Cease, subcode Peer De-configured (measured), unlike on 1.18 and 1.19, whose
// GoBGP is left to the process's exit.
func main() {
	core.Main(speaker.Line{
		Cilium: release,
		Agent: func(dc *option.DaemonConfig, a *speaker.Agent) *ciliumhive.Hive {
			// 1.20 moved the Kubernetes tables cell from daemon/k8s to pkg/k8s/tables.
			return agenthive.New(dc, k8sTables.TablesCell, ciliumDbg, a)
		},
		Operator: operatorhive.New,
	})
}
