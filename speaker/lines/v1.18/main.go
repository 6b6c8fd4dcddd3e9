// The speaker at Cilium 1.18: Cilium's own BGP control plane, the operator's side and the agent's,
// sharing one fake clientset, for one twin node. The composition follows Cilium 1.18's own
// pkg/bgpv1/test/script_test.go (agent) and operator/pkg/bgpv2/fixture_test.go (operator).
package main

import (
	"fmt"

	k8sTestutils "github.com/cilium/cilium/pkg/k8s/testutils"
	"github.com/cilium/cilium/pkg/k8s/version"
	"github.com/cilium/cilium/pkg/option"

	"nrl/speaker/core"
	"nrl/speaker/shared/speaker"
)

// release is the Cilium module this line is built against (go.mod).
const release = "1.18.5"

func main() {
	core.Main(speaker.Line{
		Cilium:   release,
		Prepare:  forceKubernetesVersion,
		Agent:    agentHive,
		Operator: operatorHive,
	})
}

// forceKubernetesVersion sets the Kubernetes version the agent believes the API server runs. 1.18's
// agent advertises Services from the k8s.Endpoints resource (daemon/k8s ResourcesCell), whose
// list-watch uses EndpointSlices only if version.Capabilities().EndpointSliceV1
// (pkg/k8s/resource_ctors.go, endpointsListerWatcher) and falls back to v1 Endpoints otherwise;
// the capability comes from the discovered server version (pkg/k8s/version/version.go), which
// nothing discovers from a fake clientset, so without this no backend is seen and the LoadBalancer
// /32 is never advertised. The version forced is the one the fake clientset advertises
// (pkg/k8s/client/testutils/fake.go: testutils.DefaultVersion, pkg/k8s/testutils/resources.go), as
// Cilium's own script tests do (operator/watchers/script_test.go).
func forceKubernetesVersion(*option.DaemonConfig) error {
	if err := version.Force(k8sTestutils.DefaultVersion); err != nil {
		return fmt.Errorf("forcing Kubernetes version %s: %w", k8sTestutils.DefaultVersion, err)
	}
	return nil
}
