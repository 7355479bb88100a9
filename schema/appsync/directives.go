package appsync

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/schema"
)

// AuthDirective is an AppSync authorization directive applied to a type or
// field.
type AuthDirective struct {
	// Name is the directive name without "@": aws_iam, aws_api_key,
	// aws_oidc, aws_lambda or aws_cognito_user_pools (@aws_auth is reported
	// as aws_cognito_user_pools).
	Name string
	// CognitoGroups are the cognito_groups argument values, if any.
	CognitoGroups []string
}

// AuthorizationType returns the authorization mode the directive allows.
func (d AuthDirective) AuthorizationType() schema.AuthorizationType {
	if ms := schema.DirectiveModes(d.Name); len(ms) > 0 {
		return ms[0].AuthorizationType()
	}
	return ""
}

// Modes returns the client auth modes the directive admits (iam and
// identityPool for aws_iam).
func (d AuthDirective) Modes() []schema.AuthMode { return schema.DirectiveModes(d.Name) }

// AuthDirectives returns the AppSync auth directives that apply to the field
// typeName.fieldName: the field's own if it has any, else its type's, else
// nil (the API's default authorization mode applies). It returns nil when
// the type or field does not exist.
func (s *Schema) AuthDirectives(typeName, fieldName string) []AuthDirective {
	def := s.Types[typeName]
	if def == nil {
		return nil
	}
	f := def.Fields.ForName(fieldName)
	if f == nil {
		return nil
	}
	if ds := authDirectives(f.Directives); ds != nil {
		return ds
	}
	return authDirectives(def.Directives)
}

// authDirectives extracts the auth directives from ds, in order.
func authDirectives(ds ast.DirectiveList) []AuthDirective {
	var out []AuthDirective
	for _, d := range ds {
		if schema.DirectiveModes(d.Name) == nil {
			continue
		}
		ad := AuthDirective{Name: d.Name}
		if d.Name == "aws_auth" {
			ad.Name = schema.ModeUserPool.Directive()
		}
		if a := d.Arguments.ForName("cognito_groups"); a != nil && a.Value != nil {
			switch a.Value.Kind {
			case ast.ListValue:
				for _, c := range a.Value.Children {
					if c.Value != nil && c.Value.Kind == ast.StringValue {
						ad.CognitoGroups = append(ad.CognitoGroups, c.Value.Raw)
					}
				}
			case ast.StringValue:
				ad.CognitoGroups = []string{a.Value.Raw}
			}
		}
		out = append(out, ad)
	}
	return out
}
