package testenv

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCognito(t *testing.T) {
	c := StartCognito(t)
	require.True(t, strings.HasPrefix(c.Endpoint, "http://127.0.0.1:"))
	require.NotEmpty(t, c.PoolID)
	require.NotEmpty(t, c.ClientID)

	c.CreateGroup(t, "admins")
	sub := c.CreateUser(t, "alice", "Passw0rd!long", "admins")
	require.NotEmpty(t, sub)

	res := c.SignIn(t, "alice", "Passw0rd!long")
	require.NotNil(t, res.AccessToken)
	require.NotNil(t, res.IdToken)
	require.NotNil(t, res.RefreshToken)

	keys := c.JWKS(t)
	assert.Contains(t, keys, "CognitoLocal")

	t.Run("access token verifies", func(t *testing.T) {
		claims, err := c.VerifyJWT(aws.ToString(res.AccessToken))
		require.NoError(t, err)
		assert.Equal(t, "access", claims["token_use"])
		assert.Equal(t, sub, claims["sub"])
		assert.Equal(t, c.Issuer(), claims["iss"])
		assert.Equal(t, []any{"admins"}, claims["cognito:groups"])
	})
	t.Run("id token verifies", func(t *testing.T) {
		claims, err := c.VerifyJWT(aws.ToString(res.IdToken))
		require.NoError(t, err)
		assert.Equal(t, "id", claims["token_use"])
		assert.Equal(t, "alice", claims["cognito:username"])
	})
	t.Run("tampered tokens fail", func(t *testing.T) {
		tok := aws.ToString(res.IdToken)
		parts := strings.Split(tok, ".")
		require.Len(t, parts, 3)

		// Change a claim and re-encode the payload, keeping the signature.
		raw, err := base64.RawURLEncoding.DecodeString(parts[1])
		require.NoError(t, err)
		var claims map[string]any
		require.NoError(t, json.Unmarshal(raw, &claims))
		claims["cognito:username"] = "mallory"
		raw, err = json.Marshal(claims)
		require.NoError(t, err)
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
		_, err = c.VerifyJWT(forged)
		require.ErrorContains(t, err, "bad signature")

		// Flip a signature byte.
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		require.NoError(t, err)
		sig[10] ^= 0xff
		_, err = c.VerifyJWT(parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig))
		require.ErrorContains(t, err, "bad signature")

		// alg none.
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"CognitoLocal"}`))
		_, err = c.VerifyJWT(none + "." + parts[1] + ".")
		require.ErrorContains(t, err, "alg")

		_, err = c.VerifyJWT("not-a-jwt")
		require.Error(t, err)
	})
	t.Run("wrong password", func(t *testing.T) {
		_, err := c.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
			AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
			ClientId:       aws.String(c.ClientID),
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "wrong"},
		})
		var ae smithy.APIError
		require.True(t, errors.As(err, &ae), "%v", err)
		assert.Equal(t, "InvalidPasswordException", ae.ErrorCode())
	})
}

func TestVerifyJWTOtherIssuer(t *testing.T) {
	a := StartCognito(t)
	a.CreateUser(t, "bob", "Passw0rd!long")
	tok := aws.ToString(a.SignIn(t, "bob", "Passw0rd!long").AccessToken)

	// Same signing key (cognito-local uses one key), different pool: the
	// issuer check must reject it.
	ctx := context.Background()
	pool, err := a.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	require.NoError(t, err)
	other := &Cognito{Endpoint: a.Endpoint, Client: a.Client, PoolID: aws.ToString(pool.UserPool.Id)}
	_, err = other.VerifyJWT(tok)
	require.ErrorContains(t, err, "iss")
	_, err = a.VerifyJWT(tok)
	require.NoError(t, err)
}
