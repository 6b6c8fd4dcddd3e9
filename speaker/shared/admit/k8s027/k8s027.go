// Package k8s027 builds admit's schema check with the apiextensions-apiserver of Kubernetes 0.27
// (Cilium 1.14): NewSchemaValidator takes the whole CustomResourceValidation and returns the
// concrete *validate.SchemaValidator (the SchemaValidator interface came with ratcheting, later).
package k8s027

import (
	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"nrl/speaker/shared/admit"
)

// Compile is an admit.SchemaCompiler.
func Compile(v *apiextensionsinternal.CustomResourceValidation) (admit.SchemaCheck, error) {
	validator, _, err := apiservervalidation.NewSchemaValidator(v)
	if err != nil {
		return nil, err
	}
	return func(obj map[string]any) field.ErrorList {
		return apiservervalidation.ValidateCustomResource(nil, obj, validator)
	}, nil
}
