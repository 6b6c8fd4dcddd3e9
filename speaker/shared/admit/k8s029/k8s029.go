// Package k8s029 builds admit's schema check with the apiextensions-apiserver of Kubernetes 0.29
// and later (Cilium 1.15 on): NewSchemaValidator takes the schema's JSONSchemaProps and returns
// the SchemaValidator interface.
package k8s029

import (
	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"nrl/speaker/shared/admit"
)

// Compile is an admit.SchemaCompiler.
func Compile(v *apiextensionsinternal.CustomResourceValidation) (admit.SchemaCheck, error) {
	validator, _, err := apiservervalidation.NewSchemaValidator(v.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	return func(obj map[string]any) field.ErrorList {
		return apiservervalidation.ValidateCustomResource(nil, obj, validator)
	}, nil
}
