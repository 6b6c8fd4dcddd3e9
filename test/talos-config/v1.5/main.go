// Command talos-config-check does what `talosctl gen config --install-disk /dev/vda --config-patch @common
// --config-patch-control-plane @cp` does with Talos's own config library (pkg/machinery v1.5.5, the oldest
// Talos line the lab supports), then validates the control plane and worker configs in metal mode the way
// `talosctl validate --mode metal` does (cmd/talosctl/cmd/mgmt/validate.go: validation.WithLocal()).
//
// Exit 0: both valid; 1: Talos refused a patch or a config (its own message is printed); 2: bad usage.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
	"strings"

	"github.com/siderolabs/talos/pkg/machinery/config"
	"github.com/siderolabs/talos/pkg/machinery/config/bundle"
	"github.com/siderolabs/talos/pkg/machinery/config/configpatcher"
	"github.com/siderolabs/talos/pkg/machinery/config/generate"
	"github.com/siderolabs/talos/pkg/machinery/config/validation"
	"github.com/siderolabs/talos/pkg/machinery/constants"
)

const machineryModule = "github.com/siderolabs/talos/pkg/machinery"

// metalMode is Talos's metal runtime mode as machined defines it
// (internal/app/machined/pkg/runtime/mode.go: RequiresInstall is true only for metal).
type metalMode struct{}

func (metalMode) String() string        { return "metal" }
func (metalMode) RequiresInstall() bool { return true }

type patches []string

func (p *patches) String() string     { return strings.Join(*p, ",") }
func (p *patches) Set(v string) error { *p = append(*p, v); return nil }

type machineResult struct {
	Machine       string   `json:"machine"`
	Valid         bool     `json:"valid"`
	Error         string   `json:"error,omitempty"`
	Warnings      []string `json:"warnings"`
	KubePrismPort int      `json:"kubePrismPort"` // 0: KubePrism off
	KubeProxy     bool     `json:"kubeProxy"`
	CNI           string   `json:"cni"`
	PodCIDRs      []string `json:"podCIDRs"`
	ServiceCIDRs  []string `json:"serviceCIDRs"`
	// DHCP the config asks for, per device (interface name or selector); Talos 1.5 runs its default
	// DHCPv4 on every physical link no device names (operator_config.go), so defaultDHCP4 is always true.
	DHCP         []dhcpLink `json:"dhcp"`
	DefaultDHCP4 bool       `json:"defaultDHCP4"`
}

type dhcpLink struct {
	Link string `json:"link"`
	IPv4 bool   `json:"ipv4"`
	IPv6 bool   `json:"ipv6"`
	DUID string `json:"duid,omitempty"`
}

type result struct {
	Machinery  string          `json:"machinery"`
	Kubernetes string          `json:"defaultKubernetesVersion"`
	Error      string          `json:"error,omitempty"`
	Machines   []machineResult `json:"machines"`
}

func machineryVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == machineryModule {
				return d.Version
			}
		}
	}

	return "unknown"
}

func check(name string, cfg config.Provider) machineResult {
	r := machineResult{Machine: name, Warnings: []string{}}
	warnings, err := cfg.Validate(metalMode{}, validation.WithLocal())
	r.Warnings = append(r.Warnings, warnings...)
	r.Valid = err == nil

	if err != nil {
		r.Error = err.Error()
	}

	if prism := cfg.Machine().Features().KubePrism(); prism.Enabled() {
		r.KubePrismPort = prism.Port()
	}

	r.KubeProxy = cfg.Cluster().Proxy().Enabled()
	r.CNI = cfg.Cluster().Network().CNI().Name()
	r.PodCIDRs = cfg.Cluster().Network().PodCIDRs()
	r.ServiceCIDRs = cfg.Cluster().Network().ServiceCIDRs()

	r.DHCP = []dhcpLink{}
	r.DefaultDHCP4 = true

	for _, d := range cfg.Machine().Network().Devices() {
		if !d.DHCP() {
			continue
		}

		link := d.Interface()
		if s := d.Selector(); s != nil && !reflect.ValueOf(s).IsNil() {
			link = "hardwareAddr=" + s.HardwareAddress()
		}

		r.DHCP = append(r.DHCP, dhcpLink{Link: link, IPv4: d.DHCPOptions().IPv4(), IPv6: d.DHCPOptions().IPv6(), DUID: d.DHCPOptions().DUIDv6()})
	}

	return r
}

func run(common, controlPlane patches) (result, bool) {
	res := result{Machinery: machineryVersion(), Kubernetes: constants.DefaultKubernetesVersion, Machines: []machineResult{}}
	fail := func(err error) (result, bool) { res.Error = err.Error(); return res, false }

	commonPatches, err := configpatcher.LoadPatches(common)
	if err != nil {
		return fail(fmt.Errorf("--config-patch: %w", err))
	}

	cpPatches, err := configpatcher.LoadPatches(controlPlane)
	if err != nil {
		return fail(fmt.Errorf("--config-patch-control-plane: %w", err))
	}

	b, err := bundle.NewBundle(
		bundle.WithVerbose(false),
		bundle.WithInputOptions(&bundle.InputOptions{
			ClusterName: "talos-config-check",
			Endpoint:    "https://10.0.0.10:6443",
			KubeVersion: constants.DefaultKubernetesVersion,
			GenOptions:  []generate.Option{generate.WithInstallDisk("/dev/vda")},
		}),
		bundle.WithPatch(commonPatches),
		bundle.WithPatchControlPlane(cpPatches),
	)
	if err != nil {
		return fail(err)
	}

	ok := true

	for _, m := range []struct {
		name string
		cfg  config.Provider
	}{{"controlplane", b.ControlPlane()}, {"worker", b.Worker()}} {
		r := check(m.name, m.cfg)
		ok = ok && r.Valid
		res.Machines = append(res.Machines, r)
	}

	return res, ok
}

func main() {
	var common, controlPlane patches

	flag.Var(&common, "config-patch", "patch for every machine (@file), as talosctl gen config takes it; repeatable")
	flag.Var(&controlPlane, "config-patch-control-plane", "patch for control plane machines only (@file); repeatable")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	flag.Parse()

	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "talos-config-check: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}

	res, ok := run(common, controlPlane)

	if *asJSON {
		out, _ := json.Marshal(res) //nolint:errchkjson
		fmt.Println(string(out))
	} else {
		fmt.Printf("Talos machinery %s (default Kubernetes %s), metal mode\n", res.Machinery, res.Kubernetes)

		if res.Error != "" {
			fmt.Printf("refused: %s\n", res.Error)
		}

		for _, m := range res.Machines {
			if m.Valid {
				fmt.Printf("%s: valid\n", m.Machine)
			} else {
				fmt.Printf("%s: invalid: %s\n", m.Machine, m.Error)
			}
		}
	}

	if !ok {
		os.Exit(1)
	}
}
