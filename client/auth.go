package client

import (
	"context"
	"fmt"

	"github.com/go-amplify/data/schema"
)

// AuthMode names an authorization mode the way the Amplify JavaScript client
// names it (the authMode option of generateClient and of each call). It is
// schema.AuthMode, whose table maps each mode to its authorization type of
// amplify_outputs.json and its AppSync directive.
type AuthMode = schema.AuthMode

// The authorization modes of AppSync, as Amplify names them.
const (
	AuthAPIKey       = schema.ModeAPIKey
	AuthIAM          = schema.ModeIAM
	AuthIdentityPool = schema.ModeIdentityPool
	AuthUserPool     = schema.ModeUserPool
	AuthOIDC         = schema.ModeOIDC
	AuthLambda       = schema.ModeLambda
	AuthNone         = schema.ModeNone
)

// AuthModes lists every mode, in the order the client prefers them when it
// has to pick one of several allowed modes.
var AuthModes = schema.AuthModes

// signsRequests reports whether m signs with SigV4.
func signsRequests(m AuthMode) bool { return m.AuthorizationType() == schema.AuthIAM }

// usesToken reports whether m sends a token in the Authorization header.
func usesToken(m AuthMode) bool {
	switch m.AuthorizationType() {
	case schema.AuthUserPools, schema.AuthOIDC, schema.AuthLambda:
		return true
	}
	return false
}

// AuthModeFromOutputs maps an authorization type of amplify_outputs.json
// (AWS_IAM, AMAZON_COGNITO_USER_POOLS, ...) to the mode that uses it (iam
// for AWS_IAM).
func AuthModeFromOutputs(t schema.AuthorizationType) (AuthMode, error) {
	if ms := t.Modes(); len(ms) > 0 {
		return ms[0], nil
	}
	return "", fmt.Errorf("unknown authorization type %q: want one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA", t)
}

// AuthModesForDirective maps an AppSync auth directive (aws_iam,
// aws_cognito_user_pools, ...) to the modes it admits. aws_iam admits both
// iam and identityPool, which both sign with SigV4.
func AuthModesForDirective(name string) []AuthMode { return schema.DirectiveModes(name) }

// A TokenSource supplies the token for the userPool, oidc and lambda modes.
// Token is called for every request, so an implementation should cache and
// refresh; it must be safe for concurrent use. Package
// github.com/go-amplify/data/client/cognito has one for Cognito user pools.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a TokenSource that always returns the same token, for
// tokens the application already holds.
type StaticToken string

// Token returns the token.
func (t StaticToken) Token(context.Context) (string, error) {
	if t == "" {
		return "", fmt.Errorf("static token is empty")
	}
	return string(t), nil
}
