// Package feed prepares what the speaker puts into its fake clientset: the release's CRDs first,
// as a cluster has them, then every object, each with a UID.
package feed

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"nrl/speaker/core"
)

// Files writes one JSON file per object into dir, CRDs first (the operator's storage-version
// migration lists them; without any it errors), in the order to add them.
func Files(dir string, crds []apiextensionsv1.CustomResourceDefinition, objs []core.Object) ([]string, error) {
	var files []string
	write := func(b []byte) error {
		f := filepath.Join(dir, fmt.Sprintf("%04d.json", len(files)))
		files = append(files, f)
		return os.WriteFile(f, b, 0o600)
	}
	for _, c := range crds {
		c.APIVersion, c.Kind = "apiextensions.k8s.io/v1", "CustomResourceDefinition"
		b, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		if err := write(WithUID(b)); err != nil {
			return nil, err
		}
	}
	for _, o := range objs {
		if err := write(WithUID(o.Object)); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// WithUID gives an object a UID derived from its kind, namespace and name. The fake tracker assigns
// none, and the operator compares owner UIDs before it keeps a CiliumBGPNodeConfig (without them two
// ClusterConfigs delete each other's NodeConfigs in a loop). Derived, so every speaker of a run (and a
// restarted one) sees the same UID, as every agent of a cluster sees the one API server's.
func WithUID(b []byte) []byte {
	var u map[string]any
	if json.Unmarshal(b, &u) != nil {
		return b
	}
	meta, _ := u["metadata"].(map[string]any)
	if meta == nil {
		return b
	}
	if uid, _ := meta["uid"].(string); uid != "" {
		return b
	}
	h := sha1.Sum([]byte(fmt.Sprint(u["apiVersion"], "/", u["kind"], "/", meta["namespace"], "/", meta["name"])))
	meta["uid"] = fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	out, err := json.Marshal(u)
	if err != nil {
		return b
	}
	return out
}
