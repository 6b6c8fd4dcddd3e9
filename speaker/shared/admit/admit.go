// Package admit does to manifests what the Kubernetes API server does before it stores them, for
// the Cilium release a line is built against (its own CRDs, Kubernetes' own validation code).
package admit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	"nrl/speaker/core"
)

// SchemaCheck validates an object against one CRD version's OpenAPI schema, as the API server does
// (apiextensions-apiserver's ValidateCustomResource).
type SchemaCheck func(obj map[string]any) field.ErrorList

// SchemaCompiler builds a SchemaCheck: the one step whose Kubernetes API moved between the lines'
// releases (admit/k8s027 for Kubernetes 0.27, admit/k8s029 from 0.29).
type SchemaCompiler func(v *apiextensionsinternal.CustomResourceValidation) (SchemaCheck, error)

// crdVersion is one served version of one of this release's CRDs, ready to admit objects.
type crdVersion struct {
	structural *structuralschema.Structural
	validate   SchemaCheck
	cel        *cel.Validator
}

func servedVersions(crds []apiextensionsv1.CustomResourceDefinition) map[string]map[string]*apiextensionsv1.CustomResourceValidation {
	out := map[string]map[string]*apiextensionsv1.CustomResourceValidation{}
	for _, c := range crds {
		versions := map[string]*apiextensionsv1.CustomResourceValidation{}
		for _, v := range c.Spec.Versions {
			if v.Served {
				versions[c.Spec.Group+"/"+v.Name] = v.Schema
			}
		}
		out[c.Spec.Names.Kind] = versions
	}
	return out
}

func compile(v *apiextensionsv1.CustomResourceValidation, schema SchemaCompiler) (*crdVersion, error) {
	internal := &apiextensionsinternal.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(v, internal, nil); err != nil {
		return nil, err
	}
	s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	validate, err := schema(internal)
	if err != nil {
		return nil, err
	}
	return &crdVersion{structural: s, validate: validate, cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}, nil
}

// Admit does to each object what the API server does on `kubectl apply` (strict field validation):
// a Cilium resource is pruned of unknown fields (each an issue), defaulted and validated against this
// release's CRD schema and its CEL rules; a Kubernetes object is decoded strictly. It returns the
// objects as the API server would store them: the fake clientset validates and defaults nothing.
func Admit(release string, crds []apiextensionsv1.CustomResourceDefinition, objs []core.Object, schema SchemaCompiler) ([]core.Object, []core.Issue) {
	kinds := servedVersions(crds)
	compiled := map[string]*crdVersion{}
	strict := serializer.NewCodecFactory(clientgoscheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	var issues []core.Issue
	var out []core.Object
	for _, o := range objs {
		issue := func(fieldPath, problem string) {
			issues = append(issues, core.Issue{Source: o.Source, Field: fieldPath, Problem: problem})
		}
		var u map[string]any
		// The API server's JSON: integers as int64 (CEL and the schema check types).
		if err := utiljson.Unmarshal(o.Object, &u); err != nil {
			issue("", err.Error())
			continue
		}
		apiVersion, _ := u["apiVersion"].(string)
		kind, _ := u["kind"].(string)
		if meta, _ := u["metadata"].(map[string]any); meta == nil || meta["name"] == nil || meta["name"] == "" {
			issue("metadata.name", "missing: every object needs a name")
			continue
		}
		if !strings.HasPrefix(apiVersion, "cilium.io/") {
			if _, _, err := strict.Decode(o.Object, nil, nil); err != nil {
				issue("", err.Error())
				continue
			}
			out = append(out, o)
			continue
		}
		versions, known := kinds[kind]
		if !known {
			issue("kind", fmt.Sprintf("Cilium %s has no %s resource", release, kind))
			continue
		}
		schemaOf, served := versions[apiVersion]
		if !served {
			issue("apiVersion", fmt.Sprintf("Cilium %s does not serve %s %s (it serves %s)", release, apiVersion, kind, strings.Join(keys(versions), ", ")))
			continue
		}
		c := compiled[apiVersion+"/"+kind]
		if c == nil {
			var err error
			if c, err = compile(schemaOf, schema); err != nil {
				issue("", fmt.Sprintf("the %s schema does not compile: %v", kind, err))
				continue
			}
			compiled[apiVersion+"/"+kind] = c
		}
		for _, p := range structuralpruning.PruneWithOptions(u, c.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}) {
			issue(p, "unknown field (the API server refuses it under kubectl's default strict validation)")
		}
		structuraldefaulting.Default(u, c.structural)
		errs := c.validate(u)
		celErrs, _ := c.cel.Validate(context.Background(), nil, c.structural, u, nil, celconfig.RuntimeCELCostBudget)
		for _, e := range append(errs, celErrs...) {
			issue(fieldOf(e), e.ErrorBody())
		}
		if len(errs)+len(celErrs) > 0 {
			continue
		}
		b, _ := json.Marshal(u)
		out = append(out, core.Object{Source: o.Source, Object: b})
	}
	return out, issues
}

func fieldOf(e *field.Error) string { return e.Field }

func keys(m map[string]*apiextensionsv1.CustomResourceValidation) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
