// The speaker at Cilium 1.20: Cilium's own BGP control plane, the operator's side and the agent's,
// sharing one fake clientset, for one twin node. The composition follows Cilium's own
// pkg/bgp/test/script_test.go (agent) and operator/pkg/bgp/fixture_test.go (operator).
package main

import "nrl/speaker/core"

// release is the Cilium module this line is built against (go.mod).
const release = "1.20.2"

func main() { core.Main(line{}) }
