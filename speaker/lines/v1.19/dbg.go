package main

import (
	"github.com/cilium/cilium/pkg/bgp/agent"
	"github.com/cilium/cilium/pkg/bgp/api"
	bgpTypes "github.com/cilium/cilium/pkg/bgp/types"

	"nrl/speaker/shared/dbg"
)

// ciliumDbg is cilium-dbg's view of this release: the manager calls the REST handlers of
// pkg/bgp/api make (get_peer.go GetPeersLegacy, get_routes.go GetRoutesLegacy,
// get_route_policies.go GetRoutePolicies, which 1.20 renamed GetRoutePoliciesLegacy) and the
// printers of pkg/bgp/api (peers -c exists: cilium-dbg/cmd/bgp_peer_get.go).
func ciliumDbg(m agent.BGPRouterManager) dbg.BGP {
	return dbg.BGP{
		Peers:              m.GetPeersLegacy,
		Routes:             m.GetRoutesLegacy,
		RoutePolicies:      m.GetRoutePolicies,
		PrintPeers:         api.PrintBGPPeersTable,
		PrintPeersCaps:     api.PrintBGPPeersCaps,
		PrintRoutes:        api.PrintBGPRoutesTable,
		PrintRoutePolicies: api.PrintBGPRoutePoliciesTable,
		KnownFamily: func(afi, safi string) bool {
			return bgpTypes.ParseAfi(afi) != bgpTypes.AfiUnknown && bgpTypes.ParseSafi(safi) != bgpTypes.SafiUnknown
		},
	}
}
