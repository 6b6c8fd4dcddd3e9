// Package core is the speaker's process: subcommands, inputs, signals and the control socket. A
// line (speaker/lines/vX.Y) supplies only what differs by Cilium release: how its operator and
// agent are composed, how objects reach its fake clientset, and its commands.
package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Object is one Kubernetes object to feed, with where it came from (for error messages).
type Object struct {
	Source string          `json:"source"`
	Object json.RawMessage `json:"object"`
}

// Inputs is what the lab writes for a speaker: every object a cluster would hold that Cilium's BGP
// and LB-IPAM read (the manifests, and the cluster's own Nodes, CiliumNodes and EndpointSlices).
type Inputs struct {
	Objects []Object `json:"objects"`
}

// Issue is a manifest problem found before anything runs: which document, which field, what is wrong.
type Issue struct {
	Source  string `json:"source"`
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// Line is one Cilium release line's side of the speaker.
type Line interface {
	// Release is the exact Cilium release this binary was built against.
	Release() string
	// Check validates objects against this release's own CRD schemas (the fake clientset validates nothing).
	Check(objs []Object) []Issue
	// Start composes the operator and the agent, feeds the objects and starts both.
	Start(ctx context.Context, node string, objs []Object, log io.Writer) (Running, error)
}

// Running is a started speaker.
type Running interface {
	// Command runs one control command (e.g. "cilium-dbg bgp peers -o json"); returns its exit code.
	Command(ctx context.Context, args []string, stdout, stderr io.Writer) int
	// Stop stops the agent (its GoBGP sends each peer a Cease) and then the operator.
	Stop(ctx context.Context) error
}

// Version is what `version` prints: the lab reads it to say which speaker ran.
type Version struct {
	Cilium string `json:"cilium"`
	Go     string `json:"go"`
}

const usage = `usage:
  speaker run --node NAME --objects FILE --socket PATH
  speaker check --objects FILE        exit 0 valid, 2 with issues (JSON on stdout)
  speaker ctl --socket PATH -- ARGS   runs ARGS in a running speaker (e.g. cilium-dbg bgp peers)
  speaker version`

// Main is every line's main.
func Main(line Line) {
	os.Exit(run(line, os.Args[1:]))
}

func run(line Line, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	flags, rest := parseFlags(args[1:])
	switch args[0] {
	case "version":
		out, _ := json.Marshal(Version{Cilium: line.Release(), Go: runtime.Version()})
		fmt.Println(string(out))
		return 0
	case "check":
		objs, err := readObjects(flags["objects"])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		issues := line.Check(objs)
		if issues == nil {
			issues = []Issue{}
		}
		out, _ := json.MarshalIndent(issues, "", "  ")
		fmt.Println(string(out))
		if len(issues) > 0 {
			return 2
		}
		return 0
	case "ctl":
		return ctl(flags["socket"], rest, os.Stdout, os.Stderr)
	case "run":
		return serve(line, flags)
	}
	fmt.Fprintln(os.Stderr, usage)
	return 2
}

// parseFlags reads --name value pairs up to "--"; what follows "--" is returned as is.
func parseFlags(args []string) (map[string]string, []string) {
	flags := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, args[i+1:]
		}
		if name, ok := strings.CutPrefix(a, "--"); ok && i+1 < len(args) {
			if k, v, eq := strings.Cut(name, "="); eq {
				flags[k] = v
				continue
			}
			flags[name] = args[i+1]
			i++
		}
	}
	return flags, nil
}

func readObjects(file string) ([]Object, error) {
	if file == "" {
		return nil, errors.New("--objects FILE is required")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var in Inputs
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return in.Objects, nil
}

func serve(line Line, flags map[string]string) int {
	node, socket := flags["node"], flags["socket"]
	if node == "" || socket == "" {
		fmt.Fprintln(os.Stderr, "run needs --node and --socket")
		return 2
	}
	objs, err := readObjects(flags["objects"])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if issues := line.Check(objs); len(issues) > 0 {
		for _, i := range issues {
			fmt.Fprintf(os.Stderr, "%s: %s: %s\n", i.Source, i.Field, i.Problem)
		}
		return 2
	}
	objs = nodeView(objs, node)
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	started := time.Now()
	running, err := line.Start(ctx, node, objs, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "speaker: start failed: %v\n", err)
		return 1
	}
	ln, err := listen(socket, running)
	if err != nil {
		fmt.Fprintf(os.Stderr, "speaker: control socket: %v\n", err)
		_ = running.Stop(context.Background())
		return 1
	}
	// The lab waits for this line (lab/runtime/twin/speaker/cilium.ts).
	fmt.Fprintf(os.Stderr, "speaker ready: cilium %s, node %s, %d objects, in %d ms\n", line.Release(), node, len(objs), time.Since(started).Milliseconds())
	<-ctx.Done()
	_ = ln.Close()
	stopCtx, stopCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer stopCancel()
	if err := running.Stop(stopCtx); err != nil {
		fmt.Fprintf(os.Stderr, "speaker: stop: %v\n", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "speaker stopped")
	return 0
}

// nodeView is what this node's speaker needs of the cluster: everything but the other nodes' Node
// and CiliumNode. The agent watches its own Node and CiliumNode only; the operator side here writes
// the CiliumBGPNodeConfig of this node alone, the only one its agent reads, where a cluster's one
// operator writes them all. A lab of N nodes then feeds each speaker O(1) node objects, not O(N).
func nodeView(objs []Object, node string) []Object {
	out := make([]Object, 0, len(objs))
	for _, o := range objs {
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if json.Unmarshal(o.Object, &meta) == nil && (meta.Kind == "Node" || meta.Kind == "CiliumNode") && meta.Metadata.Name != node {
			continue
		}
		out = append(out, o)
	}
	return out
}
