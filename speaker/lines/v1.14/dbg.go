package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"

	restapi "github.com/cilium/cilium/api/v1/server/restapi/bgp"
	"github.com/cilium/cilium/pkg/bgpv1/agent"
	"github.com/cilium/cilium/pkg/bgpv1/api"
	"github.com/cilium/cilium/pkg/bgpv1/types"

	"nrl/speaker/core"
)

// bgpCommand answers `cilium bgp peers|routes` (1.14's CLI is `cilium`; `cilium-dbg` came in 1.15)
// with what the agent's REST handlers return (daemon/cmd/bgp.go: the controller's BGPMgr.GetPeers
// and GetRoutes) and the CLI's own printers (printers.go). 1.14 has no `bgp route-policies` and no peer
// capabilities. shared/dbg is not used: it needs the route-policies REST types 1.14 lacks.
func bgpCommand(ctx context.Context, mgr agent.BGPRouterManager, args []string, stdout, stderr io.Writer) int {
	args, asJSON, _ := core.OutputFlags(args)
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: cilium bgp peers|routes [-o json]")
		return 2
	}
	switch args[0] {
	case "peers", "neighbors":
		peers, err := mgr.GetPeers(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "cannot get peers list: %s\n", err)
			return 1
		}
		if asJSON {
			return core.PrintJSON(stdout, peers)
		}
		printSummary(newTabWriter(stdout), peers)
	case "routes":
		q, err := core.ParseRoutesArgs(args[1:])
		if err == nil && api.ToAgentAfi(q.Afi) == types.AfiUnknown {
			err = fmt.Errorf("unknown AFI %s", q.Afi)
		}
		if err == nil && api.ToAgentSafi(q.Safi) == types.SafiUnknown {
			err = fmt.Errorf("unknown SAFI %s", q.Safi)
		}
		if err != nil {
			fmt.Fprintf(stderr, "invalid argument: %s\n", err)
			return 2
		}
		if !asJSON {
			// cilium/cmd/bgp_route_get.go tells what it defaulted (unless printing JSON).
			switch len(args) - 1 {
			case 0:
				fmt.Fprint(stdout, "(Defaulting to `available ipv4 unicast` routes, please see help for more options)\n\n")
			case 1:
				fmt.Fprint(stdout, "(Defaulting to `ipv4 unicast` AFI & SAFI, please see help for more options)\n\n")
			case 2:
				fmt.Fprint(stdout, "(Defaulting to `unicast` SAFI, please see help for more options)\n\n")
			}
		}
		params := restapi.GetBgpRoutesParams{TableType: q.TableType, Afi: q.Afi, Safi: q.Safi, RouterAsn: q.RouterAsn}
		// cilium/cmd/bgp_route_get.go reads a peer only for advertised routes.
		if q.Neighbor != "" && q.TableType == "adj-rib-out" {
			addr, err := netip.ParseAddr(q.Neighbor)
			if err != nil {
				fmt.Fprintf(stderr, "failed to parse peer address: invalid peer IP address: %s\n", err)
				return 2
			}
			neighbor := addr.String()
			params.Neighbor = &neighbor
		}
		routes, err := mgr.GetRoutes(ctx, params)
		if err != nil {
			fmt.Fprintf(stderr, "failed retrieving routes: %s\n", err)
			return 1
		}
		if asJSON {
			return core.PrintJSON(stdout, routes)
		}
		printPeer := params.TableType == "adj-rib-out" && (params.Neighbor == nil || *params.Neighbor == "")
		if err := printBGPRoutesTable(newTabWriter(stdout), routes, printPeer); err != nil {
			fmt.Fprintf(stderr, "failed to decode API route: %s\n", err)
			return 1
		}
	default:
		fmt.Fprintf(stderr, "Error: unknown command %q for \"cilium bgp\"\n", args[0])
		return 2
	}
	return 0
}
