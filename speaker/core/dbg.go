package core

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// OutputFlags takes cilium-dbg's -o json / --output=json and -c / --capabilities out of args.
func OutputFlags(args []string) (rest []string, asJSON, caps bool) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-o" || a == "--output":
			if i+1 < len(args) {
				asJSON = args[i+1] == "json"
				i++
			}
		case a == "-ojson" || a == "--output=json" || a == "-o=json":
			asJSON = true
		case a == "-c" || a == "--capabilities":
			caps = true
		default:
			rest = append(rest, a)
		}
	}
	return rest, asJSON, caps
}

// PrintJSON prints as cilium-dbg's -o json does (pkg/command: json.MarshalIndent, two spaces).
func PrintJSON(w io.Writer, v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fmt.Fprintln(w, err)
		return 1
	}
	fmt.Fprintln(w, string(b))
	return 0
}

// RoutesQuery is `cilium-dbg bgp routes <available|advertised> <afi> <safi> [vrouter ASN] [peer ADDR]`.
type RoutesQuery struct {
	TableType string // loc-rib or adj-rib-out
	Afi       string
	Safi      string
	RouterAsn *int64
	Neighbor  string
}

// ParseRoutesArgs follows cilium-dbg/cmd/bgp_route_get.go: defaults available ipv4 unicast.
func ParseRoutesArgs(args []string) (RoutesQuery, error) {
	q := RoutesQuery{TableType: "loc-rib", Afi: "ipv4", Safi: "unicast"}
	if len(args) > 0 {
		switch args[0] {
		case "available":
		case "advertised":
			q.TableType = "adj-rib-out"
		default:
			return q, fmt.Errorf("invalid table type discriminator `%s` (should be `available` / `advertised`)", args[0])
		}
		args = args[1:]
	}
	if len(args) > 0 {
		q.Afi, args = args[0], args[1:]
	}
	if len(args) > 0 {
		q.Safi, args = args[0], args[1:]
	}
	if len(args) >= 2 && args[0] == "vrouter" {
		asn, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return q, fmt.Errorf("invalid vrouter ASN: %w", err)
		}
		q.RouterAsn = &asn
		args = args[2:]
	}
	if len(args) >= 2 && (args[0] == "peer" || args[0] == "neighbor") {
		q.Neighbor = args[1]
	}
	return q, nil
}

// HasIPv6PodCIDR says whether any CiliumNode carries an IPv6 pod CIDR (the agent then runs IPv6).
func HasIPv6PodCIDR(objs []Object) bool {
	for _, o := range objs {
		var n struct {
			Kind string `json:"kind"`
			Spec struct {
				IPAM struct {
					PodCIDRs []string `json:"podCIDRs"`
				} `json:"ipam"`
			} `json:"spec"`
		}
		if json.Unmarshal(o.Object, &n) != nil || n.Kind != "CiliumNode" {
			continue
		}
		for _, c := range n.Spec.IPAM.PodCIDRs {
			if strings.Contains(c, ":") {
				return true
			}
		}
	}
	return false
}

// LogLevel is slog's level from SPEAKER_LOG_LEVEL (debug, info, warn, error; info by default).
func LogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("SPEAKER_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// BuiltRelease is the Cilium release this binary was built against, read from its build info (a
// nightly may build a line's code against a newer patch release than its go.mod pins); fallback
// when the build info says nothing.
func BuiltRelease(fallback string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "github.com/cilium/cilium" {
				if d.Replace != nil {
					d = d.Replace
				}
				return strings.TrimPrefix(d.Version, "v")
			}
		}
	}
	return fallback
}
