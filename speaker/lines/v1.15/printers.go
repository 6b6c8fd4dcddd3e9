// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of Cilium

// Cilium 1.15.19's own BGP table printers, copied from its CLI (cilium-dbg/cmd/bgp_*.go at v1.15.19,
// where they are unexported, so nothing can call them), changed only to write to a given writer.
// Cilium is Apache-2.0, as this project is. Later releases export them (pkg/bgpv1/api, pkg/bgp/api).

package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	bgppacket "github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"github.com/cilium/cilium/api/v1/models"
	"github.com/cilium/cilium/pkg/bgpv1/api"
)

// printSummary is cilium-dbg/cmd/bgp_peer_get.go's (v1.15.19), given its writer.
func printSummary(w *tabwriter.Writer, peers []*models.BgpPeer) {
	// sort by local AS, if peers from same AS then sort by peer address.
	sort.Slice(peers, func(i, j int) bool {
		return peers[i].LocalAsn < peers[j].LocalAsn || peers[i].PeerAddress < peers[j].PeerAddress
	})

	fmt.Fprintln(w, "Local AS\tPeer AS\tPeer Address\tSession\tUptime\tFamily\tReceived\tAdvertised")
	for _, peer := range peers {
		fmt.Fprintf(w, "%d\t", peer.LocalAsn)
		fmt.Fprintf(w, "%d\t", peer.PeerAsn)
		fmt.Fprintf(w, "%s:%d\t", peer.PeerAddress, peer.PeerPort)
		fmt.Fprintf(w, "%s\t", peer.SessionState)

		// Time is rounded to nearest second
		fmt.Fprintf(w, "%s\t", time.Duration(peer.UptimeNanoseconds).Round(time.Second).String())

		for i, afisafi := range peer.Families {
			if i > 0 {
				// move by 5 tabs to align with afi-safi
				fmt.Fprint(w, strings.Repeat("\t", 5))
			}
			// AFI and SAFI are concatenated for brevity
			fmt.Fprintf(w, "%s/%s\t", afisafi.Afi, afisafi.Safi)
			fmt.Fprintf(w, "%d\t", afisafi.Received)
			fmt.Fprintf(w, "%d\t", afisafi.Advertised)
			fmt.Fprintf(w, "\n")
		}
	}
	w.Flush()
}

// printBGPRoutesTable is cilium-dbg/cmd/bgp_route_get.go's (v1.15.19), given its writer and
// returning the decoding error it would exit with (Fatalf).
func printBGPRoutesTable(w *tabwriter.Writer, routes []*models.BgpRoute, printPeer bool) error {
	// sort first by ASN, then by neighbor, then by prefix
	sort.Slice(routes, func(i, j int) bool {
		return routes[i].RouterAsn < routes[j].RouterAsn || routes[i].Neighbor < routes[j].Neighbor || routes[i].Prefix < routes[j].Prefix
	})

	if printPeer {
		fmt.Fprintln(w, "VRouter\tPeer\tPrefix\tNextHop\tAge\tAttrs")
	} else {
		fmt.Fprintln(w, "VRouter\tPrefix\tNextHop\tAge\tAttrs")
	}

	for _, route := range routes {
		r, err := api.ToAgentRoute(route)
		if err != nil {
			return fmt.Errorf("failed to decode API route: %w", err)
		}
		for _, path := range r.Paths {
			fmt.Fprintf(w, "%d\t", route.RouterAsn)
			if printPeer {
				fmt.Fprintf(w, "%s\t", route.Neighbor)
			}
			fmt.Fprintf(w, "%s\t", path.NLRI)
			fmt.Fprintf(w, "%s\t", nextHopFromPathAttributes(path.PathAttributes))
			fmt.Fprintf(w, "%s\t", time.Duration(path.AgeNanoseconds).Round(time.Second))
			fmt.Fprintf(w, "%s\t", path.PathAttributes)
			fmt.Fprintf(w, "\n")
		}
	}
	w.Flush()
	return nil
}

// nextHopFromPathAttributes is cilium-dbg/cmd/bgp_route_get.go's (v1.15.19).
func nextHopFromPathAttributes(pathAttributes []bgppacket.PathAttributeInterface) string {
	for _, a := range pathAttributes {
		switch attr := a.(type) {
		case *bgppacket.PathAttributeNextHop:
			return attr.Value.String()
		case *bgppacket.PathAttributeMpReachNLRI:
			return attr.Nexthop.String()
		}
	}
	return "0.0.0.0"
}

// printBGPRoutePoliciesTable and its helpers are cilium-dbg/cmd/bgp_route_policy_get.go's
// (v1.15.19), given its writer.
func printBGPRoutePoliciesTable(w *tabwriter.Writer, policies []*models.BgpRoutePolicy) {
	// sort by router ASN, if policies from same ASN then sort by policy name.
	sort.Slice(policies, func(i, j int) bool {
		return policies[i].RouterAsn < policies[j].RouterAsn && policies[i].Name < policies[j].Name
	})

	fmt.Fprintln(w, "VRouter\tPolicy Name\tType\tMatch Peers\tMatch Prefixes (Min..Max Len)\tRIB Action\tPath Actions")
	for _, policy := range policies {
		fmt.Fprintf(w, "%d\t", policy.RouterAsn)
		fmt.Fprintf(w, "%s\t", trimString(policy.Name, 40))
		fmt.Fprintf(w, "%s\t", policy.Type)

		for i, stmt := range policy.Statements {
			if i > 0 {
				fmt.Fprint(w, strings.Repeat("\t", 3))
			}
			fmt.Fprintf(w, "%s\t", formatStringArray(stmt.MatchNeighbors))
			fmt.Fprintf(w, "%s\t", formatStringArray(formatMatchPrefixes(stmt.MatchPrefixes)))
			fmt.Fprintf(w, "%s\t", stmt.RouteAction)
			fmt.Fprintf(w, "%s\t", formatStringArray(formatPathActions(stmt)))
			fmt.Fprintf(w, "\n")
		}
		if len(policy.Statements) == 0 {
			fmt.Fprintf(w, "\n")
		}
	}
	w.Flush()
}

func trimString(str string, length int) string {
	if len(str) <= length {
		return str
	}
	return str[:length] + "..."
}

func formatStringArray(arr []string) string {
	if len(arr) == 1 {
		return arr[0]
	}
	res := ""
	for _, str := range arr {
		res += "{" + str + "} "
	}
	return strings.TrimSpace(res)
}

func formatMatchPrefixes(pfxs []*models.BgpRoutePolicyPrefixMatch) []string {
	var res []string
	for _, p := range pfxs {
		res = append(res, fmt.Sprintf("%s (%d..%d)", p.Cidr, p.PrefixLenMin, p.PrefixLenMax))
	}
	return res
}

func formatPathActions(stmt *models.BgpRoutePolicyStatement) []string {
	var res []string
	if stmt.SetLocalPreference >= 0 {
		res = append(res, fmt.Sprintf("SetLocalPreference: %d", stmt.SetLocalPreference))
	}
	if len(stmt.AddCommunities) > 0 {
		res = append(res, fmt.Sprintf("AddCommunities: %v", stmt.AddCommunities))
	}
	if len(stmt.AddLargeCommunities) > 0 {
		res = append(res, fmt.Sprintf("AddLargeCommunities: %v", stmt.AddLargeCommunities))
	}
	return res
}
