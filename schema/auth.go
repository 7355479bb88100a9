package schema

import "strings"

// AuthorizationType is an AppSync authorization mode as amplify_outputs.json
// and the AppSync API name it.
type AuthorizationType string

// The AppSync authorization modes.
const (
	// AuthAPIKey is API key authorization (x-api-key header).
	AuthAPIKey AuthorizationType = "API_KEY"
	// AuthIAM is AWS IAM (SigV4) authorization.
	AuthIAM AuthorizationType = "AWS_IAM"
	// AuthUserPools is Amazon Cognito user pools authorization.
	AuthUserPools AuthorizationType = "AMAZON_COGNITO_USER_POOLS"
	// AuthOIDC is OpenID Connect authorization.
	AuthOIDC AuthorizationType = "OPENID_CONNECT"
	// AuthLambda is AWS Lambda authorizer authorization.
	AuthLambda AuthorizationType = "AWS_LAMBDA"
)

// AuthorizationTypes lists every known authorization mode.
var AuthorizationTypes = []AuthorizationType{AuthAPIKey, AuthIAM, AuthUserPools, AuthOIDC, AuthLambda}

// Valid reports whether t is one of the known authorization modes.
func (t AuthorizationType) Valid() bool {
	for _, k := range AuthorizationTypes {
		if t == k {
			return true
		}
	}
	return false
}

// Modes returns the modes that use t, in the order of AuthModes: iam and
// identityPool for AWS_IAM, one mode for each other type, nil for an
// unknown type.
func (t AuthorizationType) Modes() []AuthMode {
	var out []AuthMode
	for _, e := range authTable {
		if t != "" && e.typ == t {
			out = append(out, e.mode)
		}
	}
	return out
}

// Directive returns the name (without "@") of the auth directive that
// allows t: aws_iam for AWS_IAM, aws_api_key for API_KEY, and so on; ""
// for an unknown type.
func (t AuthorizationType) Directive() string {
	if ms := t.Modes(); len(ms) > 0 {
		return ms[0].Directive()
	}
	return ""
}

// AuthMode names an authorization mode the way the Amplify JavaScript client
// names it (the authMode option of generateClient and of each call). Package
// client re-exports it as client.AuthMode.
type AuthMode string

// The authorization modes, as Amplify names them. Package client declares
// the same constants as client.AuthAPIKey, client.AuthIAM, and so on.
const (
	ModeAPIKey       AuthMode = "apiKey"
	ModeIAM          AuthMode = "iam"
	ModeIdentityPool AuthMode = "identityPool"
	ModeUserPool     AuthMode = "userPool"
	ModeOIDC         AuthMode = "oidc"
	ModeLambda       AuthMode = "lambda"
	ModeNone         AuthMode = "none"
)

// authEntry is a row of authTable.
type authEntry struct {
	mode      AuthMode
	typ       AuthorizationType
	directive string
	provider  string
	goName    string
}

// authTable is the one table of the auth vocabularies: each mode with the
// authorization type of amplify_outputs.json it uses, the AppSync directive
// that admits it, the provider Amplify's auth rules name it by, and the
// suffix of its Go constants' names. Its order is AuthModes'.
var authTable = []authEntry{
	{ModeUserPool, AuthUserPools, "aws_cognito_user_pools", "userPools", "UserPool"},
	{ModeOIDC, AuthOIDC, "aws_oidc", "oidc", "OIDC"},
	{ModeLambda, AuthLambda, "aws_lambda", "function", "Lambda"},
	{ModeIAM, AuthIAM, "aws_iam", "iam", "IAM"},
	{ModeIdentityPool, AuthIAM, "aws_iam", "identityPool", "IdentityPool"},
	{ModeAPIKey, AuthAPIKey, "aws_api_key", "apiKey", "APIKey"},
	{ModeNone, "", "", "", "None"},
}

// AuthModes lists every mode, in the order a client prefers them when it
// has to pick one of several allowed modes.
var AuthModes = func() []AuthMode {
	out := make([]AuthMode, len(authTable))
	for i, e := range authTable {
		out[i] = e.mode
	}
	return out
}()

// entry returns m's row of authTable; the zero row for an unknown mode.
func (m AuthMode) entry() authEntry {
	for _, e := range authTable {
		if e.mode == m {
			return e
		}
	}
	return authEntry{}
}

// Valid reports whether m is one of the known modes.
func (m AuthMode) Valid() bool { return m != "" && m.entry().mode == m }

// AuthorizationType returns the authorization type of amplify_outputs.json
// that m uses (AWS_IAM for both iam and identityPool); "" for none and for
// an unknown mode.
func (m AuthMode) AuthorizationType() AuthorizationType { return m.entry().typ }

// Directive returns the name (without "@") of the AppSync directive that
// admits m; "" for none and for an unknown mode.
func (m AuthMode) Directive() string { return m.entry().directive }

// Provider returns the provider an Amplify auth rule names m by (apiKey,
// iam, identityPool, userPools, oidc, function); "" for none and for an
// unknown mode.
func (m AuthMode) Provider() string { return m.entry().provider }

// GoName returns the suffix of the names of m's Go constants: "APIKey" for
// ModeAPIKey and client.AuthAPIKey; "" for an unknown mode.
func (m AuthMode) GoName() string { return m.entry().goName }

// DirectiveModes returns the modes an AppSync auth directive (aws_iam,
// aws_cognito_user_pools, ..., with or without "@") admits: aws_iam admits
// both iam and identityPool, which both sign with SigV4, and the older
// aws_auth admits userPool. It returns nil for any other directive.
func DirectiveModes(name string) []AuthMode {
	name = strings.TrimPrefix(name, "@")
	if name == "aws_auth" {
		name = ModeUserPool.Directive()
	}
	var out []AuthMode
	for _, e := range authTable {
		if name != "" && e.directive == name {
			out = append(out, e.mode)
		}
	}
	return out
}

// ProviderMode returns the mode of an Amplify auth rule's provider (apiKey,
// iam, identityPool, userPools, oidc, function); "" for an unknown one.
func ProviderMode(provider string) AuthMode {
	for _, e := range authTable {
		if provider != "" && e.provider == provider {
			return e.mode
		}
	}
	return ""
}
