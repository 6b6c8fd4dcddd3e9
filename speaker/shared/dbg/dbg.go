// Package dbg answers `cilium-dbg bgp peers|routes|route-policies` in the speaker: the agent's own
// calls behind its REST API (the legacy BGP handlers) and the printers cilium-dbg uses, both
// supplied by the line from its Cilium release (their package moved between releases).
package dbg

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"text/tabwriter"

	"github.com/cilium/cilium/api/v1/models"
	restapi "github.com/cilium/cilium/api/v1/server/restapi/bgp"

	"nrl/speaker/core"
)

// BGP is a line's BGP control plane as cilium-dbg sees it.
type BGP struct {
	Peers              func(context.Context) ([]*models.BgpPeer, error)
	Routes             func(context.Context, restapi.GetBgpRoutesParams) ([]*models.BgpRoute, error)
	RoutePolicies      func(context.Context, restapi.GetBgpRoutePoliciesParams) ([]*models.BgpRoutePolicy, error)
	PrintPeers         func(w *tabwriter.Writer, peers []*models.BgpPeer, printUptime bool)
	PrintPeersCaps     func(w io.Writer, peers []*models.BgpPeer) // nil where the release has none (-c is refused)
	PrintRoutes        func(w *tabwriter.Writer, routes []*models.BgpRoute, printPeer, printAge bool) error
	PrintRoutePolicies func(w *tabwriter.Writer, policies []*models.BgpRoutePolicy)
	// KnownFamily says whether the release parses an AFI and a SAFI (cilium-dbg refuses others).
	KnownFamily func(afi, safi string) bool
}

// Run answers args after `cilium-dbg bgp`, with -o json as cilium-dbg prints it.
func (b BGP) Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	args, asJSON, caps := core.OutputFlags(args)
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: cilium-dbg bgp peers|routes|route-policies [-o json]")
		return 2
	}
	tw := tabwriter.NewWriter(stdout, 5, 0, 3, ' ', 0) // cilium-dbg's NewTabWriter
	defer tw.Flush()
	switch args[0] {
	case "peers", "neighbors":
		if caps && b.PrintPeersCaps == nil {
			// cobra's words for a flag the release's cilium-dbg does not define.
			fmt.Fprintln(stderr, "Error: unknown shorthand flag: 'c' in -c (this release's cilium-dbg bgp peers has no --capabilities)")
			return 1
		}
		peers, err := b.Peers(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "cannot get peers list: %s\n", err)
			return 1
		}
		switch {
		case asJSON:
			return core.PrintJSON(stdout, peers)
		case caps:
			b.PrintPeersCaps(tw, peers)
		default:
			b.PrintPeers(tw, peers, true)
		}
	case "routes":
		q, err := core.ParseRoutesArgs(args[1:])
		if err != nil {
			fmt.Fprintf(stderr, "invalid argument: %s\n", err)
			return 2
		}
		if !b.KnownFamily(q.Afi, q.Safi) {
			fmt.Fprintf(stderr, "invalid argument: unknown AFI/SAFI %s %s\n", q.Afi, q.Safi)
			return 2
		}
		params := restapi.GetBgpRoutesParams{TableType: q.TableType, Afi: q.Afi, Safi: q.Safi, RouterAsn: q.RouterAsn}
		if q.Neighbor != "" {
			if _, err := netip.ParseAddr(q.Neighbor); err != nil {
				fmt.Fprintf(stderr, "failed to parse peer address: %s\n", err)
				return 2
			}
			params.Neighbor = &q.Neighbor
		}
		routes, err := b.Routes(ctx, params)
		if err != nil {
			fmt.Fprintf(stderr, "failed retrieving routes: %s\n", err)
			return 1
		}
		if asJSON {
			return core.PrintJSON(stdout, routes)
		}
		if err := b.PrintRoutes(tw, routes, q.TableType == "adj-rib-out" && q.Neighbor == "", true); err != nil {
			fmt.Fprintf(stderr, "failed printing BGP routes: %s\n", err)
			return 1
		}
	case "route-policies":
		policies, err := b.RoutePolicies(ctx, restapi.GetBgpRoutePoliciesParams{})
		if err != nil {
			fmt.Fprintf(stderr, "failed retrieving route policies: %s\n", err)
			return 1
		}
		if asJSON {
			return core.PrintJSON(stdout, policies)
		}
		b.PrintRoutePolicies(tw, policies)
	default:
		fmt.Fprintf(stderr, "unknown bgp command %q\n", args[0])
		return 2
	}
	return 0
}
