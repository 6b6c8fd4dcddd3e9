// Package bgpv1fake fills the fake clientset of the releases with only the BGP control plane v1
// (Cilium 1.14 and 1.15): pkg/k8s/client.FakeClientset, four client-go NewSimpleClientsets (slim,
// Kubernetes, Cilium, apiextensions), each with its own object tracker and no script commands.
// It also teaches those trackers the label and field selectors the API server honours and the fake
// ignores, which the agent relies on to see only its own Node and CiliumNode.
package bgpv1fake

import (
	"encoding/json"
	"fmt"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextfake "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset/fake"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/watch"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	ciliumCRDs "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/client"
	k8sClient "github.com/cilium/cilium/pkg/k8s/client"
	ciliumfake "github.com/cilium/cilium/pkg/k8s/client/clientset/versioned/fake"
	slimfake "github.com/cilium/cilium/pkg/k8s/slim/k8s/client/clientset/versioned/fake"
	"github.com/cilium/cilium/pkg/k8s/synced"

	"nrl/speaker/core"
	"nrl/speaker/shared/feed"
)

// CRDs are the CRDs the release's operator installs (pkg/k8s/apis/cilium.io/client/register.go:
// CreateCustomResourceDefinitions): those named by synced.AllCiliumCRDResourceNames(), which reads
// option.Config (CiliumBGPPeeringPolicy only with the BGP control plane on), so the caller sets
// option.Config first, as the operator does. The module embeds more than that: 1.15's embeds the
// BGP control plane v2 CRDs (CiliumBGPClusterConfig, ...), which its operator never installs.
func CRDs() []apiextensionsv1.CustomResourceDefinition {
	list := ciliumCRDs.CustomResourceDefinitionList()
	var out []apiextensionsv1.CustomResourceDefinition
	for _, r := range synced.AllCiliumCRDResourceNames() {
		if c, ok := list[r]; ok {
			out = append(out, ciliumCRDs.GetPregeneratedCRD(c.Name))
		}
	}
	return out
}

// tracked is one of the fake clientset's four clientsets: its reactors, its tracker and the scheme
// its tracker decodes with.
type tracked struct {
	name    string
	fake    *k8stesting.Fake
	tracker k8stesting.ObjectTracker
	decode  runtime.Decoder
}

func clientsets(fc *k8sClient.FakeClientset) []tracked {
	scheme := func(add func(*runtime.Scheme) error) runtime.Decoder {
		s := runtime.NewScheme()
		if err := add(s); err != nil {
			panic(err)
		}
		return serializer.NewCodecFactory(s).UniversalDeserializer()
	}
	return []tracked{
		{"slim", &fc.SlimFakeClientset.Fake, fc.SlimFakeClientset.Tracker(), scheme(slimfake.AddToScheme)},
		{"kubernetes", &fc.KubernetesFakeClientset.Fake, fc.KubernetesFakeClientset.Tracker(), scheme(k8sfake.AddToScheme)},
		{"cilium", &fc.CiliumFakeClientset.Fake, fc.CiliumFakeClientset.Tracker(), scheme(ciliumfake.AddToScheme)},
		{"apiextensions", &fc.APIExtFakeClientset.Fake, fc.APIExtFakeClientset.Tracker(), scheme(apiextfake.AddToScheme)},
	}
}

// New is a fake clientset whose trackers honour list and watch selectors.
func New() *k8sClient.FakeClientset {
	fc, _ := k8sClient.NewFakeClientset()
	for _, t := range clientsets(fc) {
		honourSelectors(t)
	}
	return fc
}

// Feed adds the release's CRDs and then every object, each with a UID (feed.WithUID), into every
// tracker whose scheme knows its kind (slim and typed alike, as Cilium's fake clientset of 1.18 on
// does), before anything watches: the releases' own tests add their objects to the trackers before
// starting the hive (pkg/bgpv1/test/fixtures.go).
func Feed(fc *k8sClient.FakeClientset, objs []core.Object) error {
	all := make([]core.Object, 0, len(objs))
	for _, c := range CRDs() {
		c.APIVersion, c.Kind = "apiextensions.k8s.io/v1", "CustomResourceDefinition"
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		all = append(all, core.Object{Source: "CRD " + c.Name, Object: b})
	}
	all = append(all, objs...)
	sets := clientsets(fc)
	for _, o := range all {
		b := feed.WithUID(o.Object)
		var took []string
		for _, t := range sets {
			obj, _, err := t.decode.Decode(b, nil, nil)
			if err != nil {
				continue // not a kind of this clientset
			}
			if err := t.tracker.Add(obj); err != nil {
				return fmt.Errorf("%s: adding to the %s clientset: %w", o.Source, t.name, err)
			}
			took = append(took, t.name)
		}
		if len(took) == 0 {
			return fmt.Errorf("%s: no clientset of this release takes this kind", o.Source)
		}
	}
	return nil
}

// honourSelectors makes a clientset's list and watch honour field selectors (metadata.name,
// metadata.namespace, any other path of the object) and its watch label selectors, as the API
// server does: the generated fake filters lists by label only, and watches not at all. The agent
// watches its own Node and CiliumNode with metadata.name=<node> (daemon/k8s/resources.go).
func honourSelectors(t tracked) {
	t.fake.PrependReactor("list", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		la, ok := a.(k8stesting.ListAction)
		if !ok {
			return false, nil, nil
		}
		r := la.GetListRestrictions()
		if r.Fields == nil || r.Fields.Empty() {
			return false, nil, nil
		}
		// The ListAction interface has no GetKind; the ListActionImpl the fake clients make has.
		kinded, ok := a.(interface {
			GetKind() schema.GroupVersionKind
		})
		if !ok {
			return false, nil, nil
		}
		list, err := t.tracker.List(la.GetResource(), kinded.GetKind(), la.GetNamespace())
		if err != nil {
			return true, nil, err
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return true, nil, err
		}
		var kept []runtime.Object
		for _, item := range items {
			if matches(item, r.Labels, r.Fields) {
				kept = append(kept, item)
			}
		}
		if err := meta.SetList(list, kept); err != nil {
			return true, nil, err
		}
		return true, list, nil
	})
	t.fake.PrependWatchReactor("*", func(a k8stesting.Action) (bool, watch.Interface, error) {
		wa, ok := a.(k8stesting.WatchAction)
		if !ok {
			return false, nil, nil
		}
		r := wa.GetWatchRestrictions()
		if (r.Fields == nil || r.Fields.Empty()) && (r.Labels == nil || r.Labels.Empty()) {
			return false, nil, nil
		}
		w, err := t.tracker.Watch(wa.GetResource(), wa.GetNamespace())
		if err != nil {
			return true, nil, err
		}
		return true, watch.Filter(w, func(e watch.Event) (watch.Event, bool) {
			return e, e.Type == watch.Error || matches(e.Object, r.Labels, r.Fields)
		}), nil
	})
}

func matches(obj runtime.Object, l labels.Selector, f fields.Selector) bool {
	m, err := meta.Accessor(obj)
	if err != nil {
		return true
	}
	if l != nil && !l.Empty() && !l.Matches(labels.Set(m.GetLabels())) {
		return false
	}
	if f == nil || f.Empty() {
		return true
	}
	set := fields.Set{"metadata.name": m.GetName(), "metadata.namespace": m.GetNamespace()}
	var u map[string]any
	for _, req := range f.Requirements() {
		if _, ok := set[req.Field]; ok {
			continue
		}
		if u == nil {
			if u, err = runtime.DefaultUnstructuredConverter.ToUnstructured(obj); err != nil {
				return true
			}
		}
		var v any = u
		for _, p := range strings.Split(req.Field, ".") {
			mm, _ := v.(map[string]any)
			v = mm[p]
		}
		if v != nil {
			set[req.Field] = fmt.Sprint(v)
		} else {
			set[req.Field] = ""
		}
	}
	return f.Matches(set)
}
