package schema

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Schema is a validated AppSync GraphQL schema.
type Schema struct {
	// Schema is the validated schema, with the AppSync prelude merged in.
	*ast.Schema
	// Name is the name of the file the schema came from.
	Name string
	// SDL is the schema without the prelude: the file text verbatim for
	// SDL input, or SDL rendered by gqlparser's formatter for introspection
	// input.
	SDL string
	// Prelude holds the AppSync prelude definitions that were added because
	// the SDL did not declare them itself.
	Prelude string
	// FromIntrospection reports a schema read from introspection JSON,
	// which carries no applied directive: AuthDirectives finds none on
	// any field, whatever the real schema's rules are.
	FromIntrospection bool
}

// preludeFile is the source name of the AppSync prelude in positions.
const preludeFile = "appsync-prelude.graphql"

// preludeDefs are the definitions of AppSyncPrelude, one each with its
// doc string, keyed by name (directives without the "@").
var preludeDefs = splitPrelude(AppSyncPrelude)

// splitPrelude splits prelude SDL at blank lines into named definitions.
func splitPrelude(sdl string) []struct{ name, sdl string } {
	var out []struct{ name, sdl string }
	for _, chunk := range strings.Split(strings.TrimSpace(sdl), "\n\n") {
		for _, line := range strings.Split(chunk, "\n") {
			rest, ok := strings.CutPrefix(line, "scalar ")
			if !ok {
				rest, ok = strings.CutPrefix(line, "directive @")
			}
			if ok {
				name := strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == '(' })[0]
				out = append(out, struct{ name, sdl string }{name, chunk + "\n"})
			}
		}
	}
	return out
}

// AppSyncPrelude is the SDL of the scalars and directives AppSync defines
// implicitly, which final AppSync schemas use without declaring.
const AppSyncPrelude = `"The AWSDate scalar type represents a valid extended ISO 8601 date string, YYYY-MM-DD, optionally followed by a time zone offset."
scalar AWSDate

"The AWSTime scalar type represents a valid extended ISO 8601 time string, hh:mm:ss.sss, optionally followed by a time zone offset."
scalar AWSTime

"The AWSDateTime scalar type represents a valid extended ISO 8601 date-time string, YYYY-MM-DDThh:mm:ss.sssZ; the time zone offset is required."
scalar AWSDateTime

"The AWSTimestamp scalar type represents a number of seconds since 1970-01-01T00:00Z, as an integer."
scalar AWSTimestamp

"The AWSEmail scalar type represents an email address as defined by RFC 822, e.g. example@example.com."
scalar AWSEmail

"The AWSJSON scalar type represents a JSON value; it is sent and received as a string holding JSON."
scalar AWSJSON

"The AWSURL scalar type represents a URL as defined by RFC 1738, with a scheme, e.g. https://example.com/path."
scalar AWSURL

"The AWSPhone scalar type represents a phone number; it may contain spaces or hyphens, and an international number starts with + and the country code."
scalar AWSPhone

"The AWSIPAddress scalar type represents a valid IPv4 or IPv6 address, optionally in CIDR notation."
scalar AWSIPAddress

"Allows access to the type or field with AWS IAM (SigV4-signed) requests."
directive @aws_iam on OBJECT | FIELD_DEFINITION

"Allows access to the type or field with the API key."
directive @aws_api_key on OBJECT | FIELD_DEFINITION

"Allows access to the type or field with an OpenID Connect token."
directive @aws_oidc on OBJECT | FIELD_DEFINITION

"Allows access to the type or field through the AWS Lambda authorizer."
directive @aws_lambda on OBJECT | FIELD_DEFINITION

"Allows access to the type or field with Amazon Cognito user pools tokens; when cognito_groups is set, only to members of those groups."
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION

"Makes the subscription field receive the results of the listed mutations."
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION

"Allows access with Amazon Cognito user pools tokens of members of cognito_groups (the older form of @aws_cognito_user_pools)."
directive @aws_auth(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
`

// LoadSchema reads the AppSync schema at path: SDL for .graphql, .gql and
// .graphqls files, introspection JSON for .json files.
func LoadSchema(path string) (*Schema, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".graphql", ".gql", ".graphqls", ".json":
	default:
		return nil, &Error{File: path, offset: -1,
			Msg:  fmt.Sprintf("unsupported schema file extension %q", ext),
			Hint: "pass the AppSync schema as SDL (.graphql, .gql, .graphqls) or as introspection JSON (.json)"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read schema: " + errText(err), Err: err, offset: -1,
			Hint: "download the schema from the AppSync console, or run `npx ampx generate graphql-client-code --format introspection`"}
	}
	if ext == ".json" {
		return ParseIntrospection(path, data)
	}
	return ParseSDL(path, data)
}

// schemaHint explains which schema this package expects.
const schemaHint = "the schema must be the final AppSync schema (`npx ampx generate graphql-client-code --format introspection`, or the schema.graphql the AppSync console shows), not the Amplify input schema"

// ParseSDL parses and validates the AppSync schema SDL in src; name is the
// file name used in errors. The AppSync scalars and directives that src does
// not declare itself are added from AppSyncPrelude.
func ParseSDL(name string, src []byte) (*Schema, error) {
	user := &ast.Source{Name: name, Input: string(src)}
	doc, err := parser.ParseSchema(user)
	if err != nil {
		return nil, sdlError(name, err)
	}
	declared := map[string]bool{}
	for _, d := range doc.Definitions {
		declared[d.Name] = true
	}
	for _, d := range doc.Directives {
		declared[d.Name] = true
	}
	var prelude strings.Builder
	for _, d := range preludeDefs {
		if !declared[d.name] {
			if prelude.Len() > 0 {
				prelude.WriteByte('\n')
			}
			prelude.WriteString(d.sdl)
		}
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: preludeFile, Input: prelude.String()}, user)
	if err != nil {
		return nil, sdlError(name, err)
	}
	return &Schema{Schema: s, Name: name, SDL: string(src), Prelude: prelude.String()}, nil
}

// sdlError converts a gqlparser error into an *Error.
func sdlError(name string, err error) error {
	var ge *gqlerror.Error
	var list gqlerror.List
	switch {
	case errors.As(err, &list) && len(list) > 0:
		ge = list[0]
	case errors.As(err, &ge):
	default:
		return &Error{File: name, Msg: err.Error(), Err: err, offset: -1}
	}
	e := &Error{File: name, Msg: lowerMessage(ge.Message), Err: err, offset: -1}
	if len(ge.Locations) > 0 {
		e.Line, e.Column = ge.Locations[0].Line, ge.Locations[0].Column
	}
	if f, _ := ge.Extensions["file"].(string); f != "" && f != name {
		e.File = f
	}
	msg := ge.Message
	switch {
	case strings.HasPrefix(msg, "Undefined type"):
		e.Hint = schemaHint + "; check the spelling"
	case strings.HasPrefix(msg, "Undefined directive"):
		e.Hint = schemaHint + "; Amplify directives such as @model, @auth and @function exist only in the input schema"
	case strings.Contains(msg, "is not applicable on"):
		e.Hint = "use the directive only where its definition allows: AppSync auth directives on types and fields, @aws_subscribe on subscription fields"
	case msg == "Unexpected <Invalid>":
		e.Msg = "invalid token (an unterminated string, or a character GraphQL does not allow)"
		e.Hint = "fix the GraphQL syntax"
	case strings.HasPrefix(msg, "Cannot redeclare"):
		e.Hint = "remove the duplicate declaration"
	case ge.Rule == "" && isSyntax(msg):
		e.Hint = "fix the GraphQL syntax"
	}
	return e
}

// isSyntax reports whether a gqlparser message is a syntax error.
func isSyntax(msg string) bool {
	for _, p := range []string{"Expected", "Unexpected", "Unterminated", "Invalid", "Cannot parse", "Unknown"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// lowerMessage lower-cases the first letter of a message (unless it starts
// an identifier-like word with more capitals) and drops a final period.
func lowerMessage(s string) string {
	s = strings.TrimSuffix(s, ".")
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	if n < len(s) {
		r2, _ := utf8.DecodeRuneInString(s[n:])
		if unicode.IsUpper(r2) {
			return s
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}

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

// authDirectiveTypes maps the auth directive names to authorization modes.
var authDirectiveTypes = map[string]AuthorizationType{
	"aws_iam":                AuthIAM,
	"aws_api_key":            AuthAPIKey,
	"aws_oidc":               AuthOIDC,
	"aws_lambda":             AuthLambda,
	"aws_cognito_user_pools": AuthUserPools,
	"aws_auth":               AuthUserPools,
}

// Directive returns the name (without "@") of the auth directive that
// allows t: aws_iam for AWS_IAM, aws_api_key for API_KEY, and so on; ""
// for an unknown type.
func (t AuthorizationType) Directive() string {
	for name, typ := range authDirectiveTypes {
		if typ == t && name != "aws_auth" {
			return name
		}
	}
	return ""
}

// AuthorizationType returns the authorization mode the directive allows.
func (d AuthDirective) AuthorizationType() AuthorizationType {
	return authDirectiveTypes[d.Name]
}

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
		if _, ok := authDirectiveTypes[d.Name]; !ok {
			continue
		}
		ad := AuthDirective{Name: d.Name}
		if d.Name == "aws_auth" {
			ad.Name = "aws_cognito_user_pools"
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
