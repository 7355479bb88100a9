package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-amplify/data/schema"
)

// AuthMode names an authorization mode the way the Amplify JavaScript client
// names it (the authMode option of generateClient and of each call).
type AuthMode string

// The authorization modes of AppSync, as Amplify names them.
const (
	AuthAPIKey       AuthMode = "apiKey"
	AuthIAM          AuthMode = "iam"
	AuthIdentityPool AuthMode = "identityPool"
	AuthUserPool     AuthMode = "userPool"
	AuthOIDC         AuthMode = "oidc"
	AuthLambda       AuthMode = "lambda"
	AuthNone         AuthMode = "none"
)

// AuthModes lists every mode, in the order the client prefers them when it
// has to pick one of several allowed modes.
var AuthModes = []AuthMode{AuthUserPool, AuthOIDC, AuthLambda, AuthIAM, AuthIdentityPool, AuthAPIKey, AuthNone}

// Valid reports whether m is one of the known modes.
func (m AuthMode) Valid() bool {
	for _, known := range AuthModes {
		if m == known {
			return true
		}
	}
	return false
}

// signsRequests reports whether m signs with SigV4.
func (m AuthMode) signsRequests() bool { return m == AuthIAM || m == AuthIdentityPool }

// usesToken reports whether m sends a token in the Authorization header.
func (m AuthMode) usesToken() bool { return m == AuthUserPool || m == AuthOIDC || m == AuthLambda }

// AuthModeFromOutputs maps an authorization type of amplify_outputs.json
// (AWS_IAM, AMAZON_COGNITO_USER_POOLS, ...) to the mode that uses it.
func AuthModeFromOutputs(t schema.AuthorizationType) (AuthMode, error) {
	switch t {
	case schema.AuthAPIKey:
		return AuthAPIKey, nil
	case schema.AuthIAM:
		return AuthIAM, nil
	case schema.AuthUserPools:
		return AuthUserPool, nil
	case schema.AuthOIDC:
		return AuthOIDC, nil
	case schema.AuthLambda:
		return AuthLambda, nil
	}
	return "", fmt.Errorf("unknown authorization type %q: want one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA", t)
}

// AuthModesForDirective maps an AppSync auth directive (aws_iam,
// aws_cognito_user_pools, ...) to the modes it admits. aws_iam admits both
// iam and identityPool, which both sign with SigV4.
func AuthModesForDirective(name string) []AuthMode {
	switch strings.TrimPrefix(name, "@") {
	case "aws_iam":
		return []AuthMode{AuthIAM, AuthIdentityPool}
	case "aws_cognito_user_pools", "aws_auth":
		return []AuthMode{AuthUserPool}
	case "aws_api_key":
		return []AuthMode{AuthAPIKey}
	case "aws_oidc":
		return []AuthMode{AuthOIDC}
	case "aws_lambda":
		return []AuthMode{AuthLambda}
	}
	return nil
}

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
