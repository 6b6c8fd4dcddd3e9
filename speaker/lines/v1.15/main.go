// The speaker at Cilium 1.15: Cilium's own BGP control plane v1 (pkg/bgpv1: the agent reads
// CiliumBGPPeeringPolicies itself) and the operator's LB-IPAM, sharing one fake clientset, for one
// twin node. The composition follows Cilium's own pkg/bgpv1/test/fixtures.go (agent) and
// operator/pkg/lbipam/lbipam_fixture_test.go (LB-IPAM), with the agent's own cells where the real
// agent has them (daemon/cmd/cells.go).
package main

import "nrl/speaker/core"

// release is the Cilium module this line is built against (go.mod).
const release = "1.15.19"

func main() { core.Main(line) }
