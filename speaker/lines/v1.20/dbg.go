package main

import (
	"github.com/cilium/cilium/pkg/bgp/agent"
	"github.com/cilium/cilium/pkg/bgp/api"
	bgpTypes "github.com/cilium/cilium/pkg/bgp/types"

	"nrl/speaker/shared/dbg"
)

// ciliumDbg is cilium-dbg's view of this release: the manager's legacy getters (what the REST
// handlers in pkg/bgp/api call) and the printers of pkg/bgp/api.
func ciliumDbg(m agent.BGPRouterManager) dbg.BGP {
	return dbg.BGP{
		Peers:              m.GetPeersLegacy,
		Routes:             m.GetRoutesLegacy,
		RoutePolicies:      m.GetRoutePoliciesLegacy,
		PrintPeers:         api.PrintBGPPeersTable,
		PrintPeersCaps:     api.PrintBGPPeersCaps,
		PrintRoutes:        api.PrintBGPRoutesTable,
		PrintRoutePolicies: api.PrintBGPRoutePoliciesTable,
		KnownFamily: func(afi, safi string) bool {
			return bgpTypes.ParseAfi(afi) != bgpTypes.AfiUnknown && bgpTypes.ParseSafi(safi) != bgpTypes.SafiUnknown
		},
	}
}
