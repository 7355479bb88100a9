package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAuthTable checks each mode's row against the names AppSync, Amplify's
// auth rules and the JavaScript client give it.
func TestAuthTable(t *testing.T) {
	tests := []struct {
		mode      AuthMode
		typ       AuthorizationType
		directive string
		provider  string
		goName    string
	}{
		{ModeAPIKey, AuthAPIKey, "aws_api_key", "apiKey", "APIKey"},
		{ModeIAM, AuthIAM, "aws_iam", "iam", "IAM"},
		{ModeIdentityPool, AuthIAM, "aws_iam", "identityPool", "IdentityPool"},
		{ModeUserPool, AuthUserPools, "aws_cognito_user_pools", "userPools", "UserPool"},
		{ModeOIDC, AuthOIDC, "aws_oidc", "oidc", "OIDC"},
		{ModeLambda, AuthLambda, "aws_lambda", "function", "Lambda"},
		{ModeNone, "", "", "", "None"},
		{"nope", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			assert.Equal(t, tt.goName != "", tt.mode.Valid())
			assert.Equal(t, tt.typ, tt.mode.AuthorizationType())
			assert.Equal(t, tt.directive, tt.mode.Directive())
			assert.Equal(t, tt.provider, tt.mode.Provider())
			assert.Equal(t, tt.goName, tt.mode.GoName())
			if tt.provider != "" {
				assert.Equal(t, tt.mode, ProviderMode(tt.provider))
			}
			if tt.directive != "" {
				assert.Contains(t, DirectiveModes(tt.directive), tt.mode)
				assert.Contains(t, DirectiveModes("@"+tt.directive), tt.mode)
			}
			if tt.typ != "" {
				assert.Contains(t, tt.typ.Modes(), tt.mode)
				assert.Equal(t, tt.directive, tt.typ.Directive())
			}
		})
	}
	assert.Equal(t, []AuthMode{ModeUserPool, ModeOIDC, ModeLambda, ModeIAM, ModeIdentityPool, ModeAPIKey, ModeNone}, AuthModes)
	assert.Equal(t, []AuthMode{ModeIAM, ModeIdentityPool}, AuthIAM.Modes())
	assert.Equal(t, []AuthMode{ModeUserPool}, DirectiveModes("aws_auth"))
	assert.Nil(t, DirectiveModes("aws_subscribe"))
	assert.Nil(t, DirectiveModes(""))
	assert.Nil(t, AuthorizationType("").Modes())
	assert.Equal(t, AuthMode(""), ProviderMode(""))
	for _, typ := range AuthorizationTypes {
		assert.NotEmpty(t, typ.Modes(), typ)
	}
}
