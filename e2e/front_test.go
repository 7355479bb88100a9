package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/internal/testenv"
)

// TestFrontChecksWhatTheSimulatorDoesNot shows why the stack has a front:
// the simulator accepts a wrong SigV4 signature and a forged token, which
// AppSync refuses; through the front they are refused as AppSync does.
func TestFrontChecksWhatTheSimulatorDoesNot(t *testing.T) {
	e := start(t, "seed-todo", nil, "ADMINS")
	alice := e.newUser(t, "alice")
	outputs := e.outputs(t)
	ctx := context.Background()
	get := func(c *amplifydata.Client) error {
		_, err := c.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: "none"})
		return err
	}
	direct := func(opts ...client.Option) *amplifydata.Client {
		c, err := amplifydata.NewFromEndpoint(client.Endpoint{URL: e.Simulator.URL, Region: testenv.Region, DefaultAuthMode: client.AuthIAM}, opts...)
		require.NoError(t, err)
		return c
	}
	viaFront := func(opts ...client.Option) *amplifydata.Client {
		c, err := amplifydata.New(outputs, opts...)
		require.NoError(t, err)
		return c
	}

	t.Run("a wrong secret key", func(t *testing.T) {
		wrong := testenv.AuthCredentials
		wrong.SecretAccessKey = "not-the-secret"
		opt := client.WithIdentityPool(iam(wrong))

		require.NoError(t, get(direct(opt)), "the simulator reads only the access key id")

		err := get(viaFront(opt))
		var he *client.HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, http.StatusForbidden, he.StatusCode)
		require.NotEmpty(t, he.Errors)
		assert.Equal(t, "InvalidSignatureException", he.Errors[0].ErrorType)
		assert.Contains(t, he.Errors[0].Message, "The Canonical String for this request should have been")
		assert.NotContains(t, err.Error(), "not-the-secret")
	})

	t.Run("a forged token", func(t *testing.T) {
		tok, err := alice.tokens.Token(ctx)
		require.NoError(t, err)
		parts := strings.Split(tok, ".")
		// Alice's claims with the issuer the simulator wants and a
		// signature nobody made.
		forged := parts[0] + "." + forgedPayload(t, tok) + ".c2lnbmF0dXJl"
		opt := client.WithUserPool(client.StaticToken(forged))

		require.NoError(t, get(direct(opt)), "the simulator verifies no JWT signature")

		err = get(viaFront(opt))
		var he *client.HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, http.StatusUnauthorized, he.StatusCode)
		require.NotEmpty(t, he.Errors)
		assert.Equal(t, "UnauthorizedException", he.Errors[0].ErrorType)
		assert.False(t, errors.Is(err, context.Canceled))
	})

	t.Run("the real signature and token pass", func(t *testing.T) {
		require.NoError(t, get(viaFront(client.WithIdentityPool(iam(testenv.AuthCredentials)))))
		require.NoError(t, get(viaFront(client.WithUserPool(alice.tokens), client.WithAuthMode(client.AuthUserPool))))
	})
}

// forgedPayload returns the base64url payload of tok with its issuer
// replaced by the https://cognito-idp. form the simulator accepts.
func forgedPayload(t *testing.T, tok string) string {
	t.Helper()
	var claims map[string]any
	require.NoError(t, decodeJWTPart(strings.Split(tok, ".")[1], &claims))
	iss, _ := claims["iss"].(string)
	claims["iss"] = testenv.BridgedIssuer(iss[strings.LastIndex(iss, "/")+1:])
	return encodeJWTPart(t, claims)
}
