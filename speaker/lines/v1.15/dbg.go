package main

import (
	"text/tabwriter"

	"github.com/cilium/cilium/api/v1/models"
	"github.com/cilium/cilium/pkg/bgpv1/agent"
	"github.com/cilium/cilium/pkg/bgpv1/types"

	"nrl/speaker/shared/dbg"
)

// ciliumDbg is cilium-dbg's view of this release: the controller's BGPMgr getters (what the REST
// handlers in pkg/bgpv1/api call) and cilium-dbg's own printers, which at 1.15 live in the CLI's
// package (cilium-dbg/cmd/bgp_*.go, unexported) and are copied in printers.go. 1.15 has
// no peer capabilities printer; the routes printer prints the age always.
func ciliumDbg(m agent.BGPRouterManager) dbg.BGP {
	return dbg.BGP{
		Peers:         m.GetPeers,
		Routes:        m.GetRoutes,
		RoutePolicies: m.GetRoutePolicies,
		PrintPeers: func(w *tabwriter.Writer, peers []*models.BgpPeer, _ bool) {
			printSummary(w, peers)
		},
		PrintRoutes: func(w *tabwriter.Writer, routes []*models.BgpRoute, printPeer, _ bool) error {
			return printBGPRoutesTable(w, routes, printPeer)
		},
		PrintRoutePolicies: printBGPRoutePoliciesTable,
		KnownFamily: func(afi, safi string) bool {
			return types.ParseAfi(afi) != types.AfiUnknown && types.ParseSafi(safi) != types.SafiUnknown
		},
	}
}
