package main

import (
	"github.com/cilium/cilium/pkg/bgpv1/agent"
	"github.com/cilium/cilium/pkg/bgpv1/api"
	bgpTypes "github.com/cilium/cilium/pkg/bgpv1/types"

	"nrl/speaker/shared/dbg"
)

// ciliumDbg is cilium-dbg's view of this release: the manager calls the REST handlers of
// pkg/bgpv1/api make (get_peer.go GetPeers, get_routes.go GetRoutes, get_route_policies.go
// GetRoutePolicies) and the printers of pkg/bgpv1/api. 1.18's cilium-dbg has no `bgp peers -c`
// (cilium-dbg/cmd/bgp_peer_get.go; pkg/bgpv1/api has no PrintBGPPeersCaps).
func ciliumDbg(m agent.BGPRouterManager) dbg.BGP {
	return dbg.BGP{
		Peers:              m.GetPeers,
		Routes:             m.GetRoutes,
		RoutePolicies:      m.GetRoutePolicies,
		PrintPeers:         api.PrintBGPPeersTable,
		PrintRoutes:        api.PrintBGPRoutesTable,
		PrintRoutePolicies: api.PrintBGPRoutePoliciesTable,
		KnownFamily: func(afi, safi string) bool {
			return bgpTypes.ParseAfi(afi) != bgpTypes.AfiUnknown && bgpTypes.ParseSafi(safi) != bgpTypes.SafiUnknown
		},
	}
}
