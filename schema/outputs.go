package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Outputs is the content of amplify_outputs.json (outputs schema v1.x).
type Outputs struct {
	// Schema is the JSON schema URL ("$schema").
	Schema string `json:"$schema,omitempty"`
	// Version is the outputs schema version, e.g. "1.4".
	Version string `json:"version"`
	// Auth is the auth section (defineAuth), if any.
	Auth *AuthOutputs `json:"auth,omitempty"`
	// Data is the data section (defineData), if any.
	Data *DataOutputs `json:"data,omitempty"`
	// Extra keeps every other top-level section (storage, custom,
	// analytics, geo, notifications, ...) verbatim (compacted), so that
	// marshaling Outputs loses nothing.
	Extra map[string]json.RawMessage `json:"-"`
}

// AuthOutputs is the auth section of amplify_outputs.json.
type AuthOutputs struct {
	// AWSRegion is the region of the user pool.
	AWSRegion string `json:"aws_region"`
	// AuthenticationFlowType is USER_SRP_AUTH or CUSTOM_AUTH, if set.
	AuthenticationFlowType string `json:"authentication_flow_type,omitempty"`
	// UserPoolID is the Cognito user pool ID.
	UserPoolID string `json:"user_pool_id"`
	// UserPoolClientID is the Cognito user pool app client ID.
	UserPoolClientID string `json:"user_pool_client_id"`
	// IdentityPoolID is the Cognito identity pool ID, if any.
	IdentityPoolID string `json:"identity_pool_id,omitempty"`
	// PasswordPolicy is the user pool password policy, if any.
	PasswordPolicy *PasswordPolicy `json:"password_policy,omitempty"`
	// OAuth is the hosted UI / OAuth configuration, if any.
	OAuth *OAuthOutputs `json:"oauth,omitempty"`
	// StandardRequiredAttributes are the standard attributes required at
	// sign-up, e.g. "email".
	StandardRequiredAttributes []string `json:"standard_required_attributes,omitempty"`
	// UsernameAttributes are the attributes usable as user name ("email",
	// "phone_number", "username").
	UsernameAttributes []string `json:"username_attributes,omitempty"`
	// UserVerificationTypes are the verification mechanisms ("email",
	// "phone_number").
	UserVerificationTypes []string `json:"user_verification_types,omitempty"`
	// Groups are the user pool groups in file order, each a one-member map
	// from group name to its info.
	Groups []map[string]GroupInfo `json:"groups,omitempty"`
	// UnauthenticatedIdentitiesEnabled reports whether guest access is on.
	UnauthenticatedIdentitiesEnabled bool `json:"unauthenticated_identities_enabled,omitempty"`
	// MFAConfiguration is NONE, OPTIONAL or REQUIRED.
	MFAConfiguration string `json:"mfa_configuration,omitempty"`
	// MFAMethods are the enabled MFA methods ("SMS", "TOTP", ...).
	MFAMethods []string `json:"mfa_methods,omitempty"`
	// Extra keeps auth members this SDK does not know, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// GroupInfo describes one user pool group.
type GroupInfo struct {
	// Precedence is the group's precedence (lower wins).
	Precedence int `json:"precedence"`
}

// PasswordPolicy is the user pool password policy.
type PasswordPolicy struct {
	// MinLength is the minimum password length.
	MinLength int `json:"min_length,omitempty"`
	// RequireNumbers requires a digit.
	RequireNumbers bool `json:"require_numbers,omitempty"`
	// RequireLowercase requires a lower-case letter.
	RequireLowercase bool `json:"require_lowercase,omitempty"`
	// RequireUppercase requires an upper-case letter.
	RequireUppercase bool `json:"require_uppercase,omitempty"`
	// RequireSymbols requires a symbol.
	RequireSymbols bool `json:"require_symbols,omitempty"`
}

// OAuthOutputs is the OAuth (hosted UI) configuration of the auth section.
type OAuthOutputs struct {
	// IdentityProviders are GOOGLE, FACEBOOK, LOGIN_WITH_AMAZON,
	// SIGN_IN_WITH_APPLE or custom provider names.
	IdentityProviders []string `json:"identity_providers"`
	// Domain is the Cognito domain.
	Domain string `json:"domain"`
	// Scopes are the OAuth scopes.
	Scopes []string `json:"scopes"`
	// RedirectSignInURI are the sign-in redirect URIs.
	RedirectSignInURI []string `json:"redirect_sign_in_uri"`
	// RedirectSignOutURI are the sign-out redirect URIs.
	RedirectSignOutURI []string `json:"redirect_sign_out_uri"`
	// ResponseType is "code" or "token".
	ResponseType string `json:"response_type"`
}

// GroupNames returns the names of the user pool groups in file order.
func (a *AuthOutputs) GroupNames() []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, g := range a.Groups {
		names := make([]string, 0, len(g))
		for name := range g {
			names = append(names, name)
		}
		// A group entry has one member; sort in the unusual case it has more.
		if len(names) > 1 {
			slices.Sort(names)
		}
		out = append(out, names...)
	}
	return out
}

// DataOutputs is the data section of amplify_outputs.json.
type DataOutputs struct {
	// URL is the AppSync GraphQL endpoint.
	URL string `json:"url"`
	// AWSRegion is the region of the API.
	AWSRegion string `json:"aws_region"`
	// APIKey is the API key, when API_KEY authorization is enabled.
	APIKey string `json:"api_key,omitempty"`
	// DefaultAuthorizationType is the API's default authorization mode.
	DefaultAuthorizationType AuthorizationType `json:"default_authorization_type"`
	// AuthorizationTypes are the additional authorization modes.
	AuthorizationTypes []AuthorizationType `json:"authorization_types"`
	// ModelIntrospection is the model introspection schema, if present.
	ModelIntrospection *ModelIntrospection `json:"model_introspection,omitempty"`
	// Extra keeps data members this SDK does not know, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// Modes returns the default authorization mode followed by the additional
// ones, without duplicates.
func (d *DataOutputs) Modes() []AuthorizationType {
	out := []AuthorizationType{d.DefaultAuthorizationType}
	for _, t := range d.AuthorizationTypes {
		dup := false
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

// HasMode reports whether t is the default or an additional mode.
func (d *DataOutputs) HasMode(t AuthorizationType) bool {
	for _, m := range d.Modes() {
		if m == t {
			return true
		}
	}
	return false
}

// LoadOutputs reads and validates the amplify_outputs.json file at path.
func LoadOutputs(path string) (*Outputs, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		e := FileError(path, "amplify outputs", err)
		if errors.Is(err, fs.ErrNotExist) {
			e.Msg = "file not found"
			e.Hint = "run `npx ampx generate outputs` (or `npx ampx sandbox`) in your Amplify project to write amplify_outputs.json, or pass its path"
		}
		return nil, e
	}
	return ParseOutputs(path, data)
}

// outputsHint is the hint for outputs files that do not parse.
const outputsHint = "amplify_outputs.json is written by Amplify; regenerate it with `npx ampx generate outputs` rather than editing it"

// ParseOutputs parses and validates the content of an amplify_outputs.json
// file; name is the file name used in errors.
func ParseOutputs(name string, data []byte) (*Outputs, error) {
	if err := checkSyntax(name, data); err != nil {
		if e, ok := asError(err); ok {
			e.Hint = "fix the JSON syntax; " + outputsHint
		}
		return nil, err
	}
	var o Outputs
	if err := o.UnmarshalJSON(data); err != nil {
		err = locate(err, name, data, 0, "")
		if e, ok := asError(err); ok && e.Hint == "" {
			e.Hint = outputsHint
		}
		return nil, err
	}
	if err := o.validate(name, data); err != nil {
		return nil, err
	}
	return &o, nil
}

// validate checks what this SDK needs from the outputs.
func (o *Outputs) validate(name string, data []byte) error {
	fail := func(msg, hint string, keys ...string) error {
		e := &Error{File: name, Field: joinPath(keys...), Msg: msg, Hint: hint, offset: -1}
		if off := valueOffset(data, keys...); off >= 0 && len(keys) > 0 {
			e.Line, e.Column = lineCol(data, off)
		}
		return e
	}
	switch {
	case o.Version == "":
		return fail("missing version", "this SDK reads amplify_outputs schema v1; "+outputsHint, "version")
	case o.Version != "1" && !strings.HasPrefix(o.Version, "1."):
		return fail(fmt.Sprintf("unsupported outputs version %q: this SDK reads amplify_outputs schema v1 (\"1\" or \"1.x\")", o.Version),
			"generate the file with an Amplify Gen 2 backend CLI that writes schema v1, or use a version of this SDK that supports it", "version")
	}
	d := o.Data
	if d == nil {
		return fail("no data section: this SDK needs an Amplify Data (AppSync) API",
			"add defineData to your backend (amplify/data/resource.ts), deploy it, then run `npx ampx generate outputs`")
	}
	if d.URL == "" {
		return fail("missing url", outputsHint, "data", "url")
	}
	if u, err := url.Parse(d.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(fmt.Sprintf("invalid url %q: must be an absolute http or https URL", d.URL),
			"set it to the AppSync GraphQL endpoint, e.g. https://xxxx.appsync-api.us-east-1.amazonaws.com/graphql", "data", "url")
	}
	if d.AWSRegion == "" {
		return fail("missing aws_region", outputsHint, "data", "aws_region")
	}
	known := "expected one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA"
	if d.DefaultAuthorizationType == "" {
		return fail("missing default_authorization_type; "+known, outputsHint, "data", "default_authorization_type")
	}
	if !d.DefaultAuthorizationType.Valid() {
		return fail(fmt.Sprintf("unknown authorization type %q; %s", d.DefaultAuthorizationType, known), outputsHint, "data", "default_authorization_type")
	}
	for i, t := range d.AuthorizationTypes {
		if !t.Valid() {
			e := fail(fmt.Sprintf("unknown authorization type %q; %s", t, known), outputsHint).(*Error)
			e.Field = "data.authorization_types[" + strconv.Itoa(i) + "]"
			if off := elementOffset(data, i, "data", "authorization_types"); off >= 0 {
				e.Line, e.Column = lineCol(data, off)
			}
			return e
		}
	}
	if d.HasMode(AuthAPIKey) && d.APIKey == "" {
		return fail("API_KEY authorization is enabled but api_key is missing or empty",
			"add an apiKeyAuthorizationMode to defineData (or remove API_KEY), deploy, then run `npx ampx generate outputs`", "data", "api_key")
	}
	if d.ModelIntrospection != nil {
		if err := d.ModelIntrospection.validate(); err != nil {
			err = locateKeys(err, name, data, []string{"data", "model_introspection"})
			if e, ok := asError(err); ok {
				e.Field = joinPath("data.model_introspection", e.Field)
			}
			return err
		}
	}
	return nil
}

// elementOffset returns the offset in data of element i of the array at the
// key path, or -1.
func elementOffset(data []byte, i int, path ...string) int {
	base := valueOffset(data, path...)
	if base < 0 {
		return -1
	}
	dec := json.NewDecoder(bytes.NewReader(data[base:]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return -1
	}
	for n := 0; dec.More(); n++ {
		off := skipSpace(data, base+int(dec.InputOffset()), true)
		if n == i {
			return off
		}
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return -1
		}
	}
	return -1
}

// wire types: the promoted fields of the embedded plain types are shadowed
// by the shallower fields, so model_introspection is decoded separately
// (keeping its order and its positions) and the top-level decode never
// calls a nested UnmarshalJSON.
type (
	outputsPlain Outputs
	dataPlain    DataOutputs
	authPlain    AuthOutputs
	dataWire     struct {
		dataPlain
		ModelIntrospection json.RawMessage `json:"model_introspection,omitempty"`
	}
	outputsWire struct {
		outputsPlain
		Data *dataWire `json:"data,omitempty"`
	}
)

// UnmarshalJSON decodes amplify_outputs.json content, keeping unknown
// sections in Extra. It does not validate; ParseOutputs does. Errors are
// *Error values.
func (o *Outputs) UnmarshalJSON(data []byte) error {
	var w outputsWire
	if err := decodeJSON(data, "", &w); err != nil {
		if e, ok := asError(err); ok {
			// Drop the names of the embedded wire types from the path.
			e.Field = strings.NewReplacer("dataPlain.", "", "outputsPlain.", "").Replace(e.Field)
		}
		return err
	}
	out := Outputs(w.outputsPlain)
	out.Extra = extraMembers(data, jsonKeys(reflect.TypeFor[Outputs]())...)
	if out.Auth != nil {
		if off := valueOffset(data, "auth"); off >= 0 {
			out.Auth.Extra = extraMembers(data[off:], jsonKeys(reflect.TypeFor[AuthOutputs]())...)
		}
	}
	if w.Data != nil {
		d := DataOutputs(w.Data.dataPlain)
		if off := valueOffset(data, "data"); off >= 0 {
			d.Extra = extraMembers(data[off:], jsonKeys(reflect.TypeFor[DataOutputs]())...)
		}
		if raw := w.Data.ModelIntrospection; len(raw) > 0 && string(raw) != "null" {
			mi, err := parseModelIntrospection(raw)
			if err != nil {
				if e, ok := asError(err); ok {
					e.Field = joinPath("data.model_introspection", e.Field)
				}
				return shift(err, valueOffset(data, "data", "model_introspection"))
			}
			d.ModelIntrospection = mi
		}
		out.Data = &d
	}
	*o = out
	return nil
}

// MarshalJSON writes the outputs, including the Extra sections.
func (o Outputs) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(outputsPlain(o))
	if err != nil {
		return nil, err
	}
	return appendExtra(b, o.Extra)
}

// MarshalJSON writes the auth section, including its Extra members.
func (a AuthOutputs) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(authPlain(a))
	if err != nil {
		return nil, err
	}
	return appendExtra(b, a.Extra)
}

// MarshalJSON writes the data section, including its Extra members.
func (d DataOutputs) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(dataPlain(d))
	if err != nil {
		return nil, err
	}
	return appendExtra(b, d.Extra)
}

// jsonKeys returns the JSON member names of the struct type t.
func jsonKeys(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}
