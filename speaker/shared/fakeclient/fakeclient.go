// Package fakeclient fills the fake clientset of the releases whose fake clientset lives in
// pkg/k8s/client/testutils with script commands (1.18 on), and lists their CRDs.
package fakeclient

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/cilium/hive/script"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	ciliumCRDs "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/client"
	k8sFake "github.com/cilium/cilium/pkg/k8s/client/testutils"

	"nrl/speaker/core"
	"nrl/speaker/shared/feed"
)

// CRDs are the CRDs embedded in the release's module (what its operator installs).
func CRDs() []apiextensionsv1.CustomResourceDefinition {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out []apiextensionsv1.CustomResourceDefinition
	for _, c := range ciliumCRDs.CustomResourceDefinitionList() {
		out = append(out, ciliumCRDs.GetPregeneratedCRD(log, c.Name))
	}
	return out
}

// Feed adds the CRDs and objects as Cilium's own tests do, through the fake clientset's `k8s/add`
// script command (into every tracker that takes the type: slim and typed alike).
func Feed(ctx context.Context, fc *k8sFake.FakeClientset, objs []core.Object, log io.Writer) error {
	dir, err := os.MkdirTemp("", "nrl-speaker-feed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files, err := feed.Files(dir, CRDs(), objs)
	if err != nil {
		return err
	}
	s, err := script.NewState(ctx, dir, nil)
	if err != nil {
		return err
	}
	engine := &script.Engine{Cmds: k8sFake.FakeClientCommands(fc)}
	for _, f := range files {
		if err := engine.ExecuteLine(s, "k8s/add "+f, log); err != nil {
			return fmt.Errorf("feeding %s: %w", f, err)
		}
	}
	return nil
}
