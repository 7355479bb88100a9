package e2e_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/internal/testenv"
)

// TestStricterThanTheSimulator shows what AppSync checks and the simulator
// does not: a wrong SigV4 signature, a forged token and an expired one all
// pass the simulator itself. The stack's front and appsynctest refuse them
// as AppSync does (403 InvalidSignatureException naming the canonical
// request; 401 UnauthorizedException).
func TestStricterThanTheSimulator(t *testing.T) {
	ctx := context.Background()
	get := func(c *amplifydata.Client) error {
		_, err := c.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: "none"})
		return err
	}
	requireHTTPError := func(t *testing.T, err error, status int, errorType string) *client.GraphQLError {
		t.Helper()
		var he *client.HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, status, he.StatusCode)
		require.NotEmpty(t, he.Errors)
		assert.Equal(t, errorType, he.Errors[0].ErrorType)
		return he.Errors[0]
	}
	each(t, "seed-todo", nil, []string{"ADMINS"}, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		viaFront := func(opts ...client.Option) *amplifydata.Client {
			c, err := amplifydata.New(e.outputs, e.opts(opts...)...)
			require.NoError(t, err)
			return c
		}
		// direct talks to the simulator itself, without the front.
		direct := func(opts ...client.Option) *amplifydata.Client {
			c, err := amplifydata.NewFromEndpoint(client.Endpoint{URL: e.stack.Simulator.URL, Region: testenv.Region, DefaultAuthMode: client.AuthIAM}, opts...)
			require.NoError(t, err)
			return c
		}

		t.Run("a wrong secret key", func(t *testing.T) {
			creds, err := e.authCreds.Retrieve(ctx)
			require.NoError(t, err)
			creds.SecretAccessKey = "not-the-secret"
			opt := client.WithIdentityPool(iam(creds))
			if e.kind == simulator {
				require.NoError(t, get(direct(opt)), "the simulator reads only the access key id")
			}
			err = get(viaFront(opt))
			ge := requireHTTPError(t, err, http.StatusForbidden, "InvalidSignatureException")
			assert.Contains(t, ge.Message, "The Canonical String for this request should have been")
			assert.NotContains(t, err.Error(), "not-the-secret")
		})

		t.Run("a forged token", func(t *testing.T) {
			tok, err := alice.tokens.Token(ctx)
			require.NoError(t, err)
			// Alice's claims with a signature nobody made.
			forged := forge(t, tok, func(map[string]any) {})
			if e.kind == simulator {
				require.NoError(t, get(direct(client.WithUserPool(client.StaticToken(forged)))), "the simulator verifies no JWT signature")
			}
			err = get(viaFront(client.WithUserPool(client.StaticToken(forged))))
			requireHTTPError(t, err, http.StatusUnauthorized, "UnauthorizedException")
		})

		t.Run("the real signature and token pass", func(t *testing.T) {
			require.NoError(t, get(viaFront(client.WithIdentityPool(e.authCreds))))
			require.NoError(t, get(viaFront(client.WithUserPool(alice.tokens), client.WithAuthMode(client.AuthUserPool))))
		})

		if e.kind == simulator {
			t.Run("an expired token passes the simulator, not the front", func(t *testing.T) {
				tok, err := alice.tokens.Token(ctx)
				require.NoError(t, err)
				expired := forge(t, tok, func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
				require.NoError(t, get(direct(client.WithUserPool(client.StaticToken(expired)))))
				err = get(viaFront(client.WithUserPool(client.StaticToken(expired))))
				requireHTTPError(t, err, http.StatusUnauthorized, "UnauthorizedException")
			})
		}
	})

	t.Run(local+"/an expired token", func(t *testing.T) {
		generated := filepath.Join(backends, "seed-todo", "generated")
		b, err := appsynctest.LoadBackend(filepath.Join(generated, "amplify_outputs.json"), filepath.Join(generated, "appsync.graphql"))
		require.NoError(t, err)
		var mu sync.Mutex
		now := time.Now()
		srv := appsynctest.NewServer(t, b, appsynctest.WithClock(func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return now
		}))
		tok, err := srv.SignIn("alice").Token(ctx)
		require.NoError(t, err)
		mu.Lock()
		now = now.Add(2 * time.Hour)
		mu.Unlock()
		c, err := amplifydata.New(srv.Outputs(), client.WithUserPool(client.StaticToken(tok)))
		require.NoError(t, err)
		ge := requireHTTPError(t, get(c), http.StatusUnauthorized, "UnauthorizedException")
		assert.Equal(t, "Token has expired.", ge.Message)
	})
}

// forge returns tok's claims, changed by edit and with the issuer the
// simulator accepts, under a signature nobody made.
func forge(t *testing.T, tok string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	var claims map[string]any
	require.NoError(t, decodeJWTPart(parts[1], &claims))
	if iss, _ := claims["iss"].(string); !strings.HasPrefix(iss, "https://cognito-idp.") {
		claims["iss"] = testenv.BridgedIssuer(iss[strings.LastIndex(iss, "/")+1:])
	}
	edit(claims)
	return parts[0] + "." + encodeJWTPart(t, claims) + ".c2lnbmF0dXJl"
}
