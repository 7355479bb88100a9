package appsynctest_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
)

// clock is a settable clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestAPIKey(t *testing.T) {
	c := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	srv := engineServer(t, appsynctest.WithClock(c.Now))
	assert.Equal(t, "da2-engineapikey", srv.APIKey(), "the outputs' key")

	ok(t, srv.URL(), apiKey(srv.APIKey()), `{ hello }`, nil)

	status, body := gql(t, srv.URL(), apiKey("da2-wrong"), `{ hello }`, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.JSONEq(t, `{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call."}]}`, body)
	assert.NotContains(t, body, "da2-", "the key is not echoed")

	status, body = gql(t, srv.URL(), noAuth, `{ hello }`, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.JSONEq(t, `{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call."}]}`, body)

	c.Add(7*24*time.Hour + time.Second)
	status, _ = gql(t, srv.URL(), apiKey(srv.APIKey()), `{ hello }`, nil)
	assert.Equal(t, http.StatusUnauthorized, status, "the key expires after 7 days, as Amplify's default")

	srv2 := engineServer(t, appsynctest.WithAPIKey("da2-mine", time.Now().Add(time.Hour)))
	ok(t, srv2.URL(), apiKey("da2-mine"), `{ hello }`, nil)
	assert.Equal(t, "da2-mine", srv2.Outputs().Data.APIKey)
}

func TestUserPoolTokens(t *testing.T) {
	c := &clock{now: time.Now().UTC()}
	srv := engineServer(t, appsynctest.WithClock(c.Now))
	alice := srv.SignIn("alice", "ADMINS")

	t.Run("tokens are Cognito access tokens", func(t *testing.T) {
		tok, err := alice.Token(context.Background())
		require.NoError(t, err)
		claims := verifyWithJWKS(t, srv.JWKSURL(), tok)
		assert.Equal(t, alice.Sub(), claims["sub"])
		assert.Equal(t, "alice", claims["username"])
		assert.Equal(t, []any{"ADMINS"}, claims["cognito:groups"])
		assert.Equal(t, "engineclient", claims["client_id"])
		assert.Equal(t, "access", claims["token_use"])
		assert.Equal(t, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_ENGINE", claims["iss"])
		assert.Equal(t, srv.Issuer(), claims["iss"])
		assert.InDelta(t, float64(c.Now().Add(time.Hour).Unix()), claims["exp"], 1)
		assert.Equal(t, alice.Sub()+"::alice", alice.Owner())

		same, err := alice.Token(context.Background())
		require.NoError(t, err)
		assert.Equal(t, tok, same, "cached while valid")
		assert.Equal(t, alice.Sub(), srv.SignIn("alice").Sub(), "the sub is stable")
	})

	t.Run("accepted", func(t *testing.T) {
		data := ok(t, srv.URL(), session(alice), `{ secret adminSecret }`, nil)
		assert.Equal(t, map[string]any{"secret": "s3cret", "adminSecret": "admins only"}, data)
		ok(t, srv.URL(), token(alice.IDToken()), `{ secret }`, nil)
	})

	t.Run("rejected", func(t *testing.T) {
		tok, err := alice.Token(context.Background())
		require.NoError(t, err)
		parts := strings.Split(tok, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"alice"`, `"mallory"`, 1))) + "." + parts[2]
		other := appsynctest.NewServer(t, engineBackend(t))
		foreign, err := other.SignIn("alice").Token(context.Background())
		require.NoError(t, err)
		for name, tk := range map[string]string{"garbage": "nope", "forged payload": forged, "another server's key": foreign, "bearer prefix": "Bearer " + tok} {
			status, body := gql(t, srv.URL(), token(tk), `{ secret }`, nil)
			assert.Equal(t, http.StatusUnauthorized, status, name)
			assert.JSONEq(t, `{"errors":[{"errorType":"UnauthorizedException","message":"Valid authorization header not provided."}]}`, body, name)
		}
	})

	t.Run("expired", func(t *testing.T) {
		bob := srv.SignIn("bob")
		tok, err := bob.Token(context.Background())
		require.NoError(t, err)
		c.Add(time.Hour + time.Second)
		status, body := gql(t, srv.URL(), token(tok), `{ secret }`, nil)
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.JSONEq(t, `{"errors":[{"errorType":"UnauthorizedException","message":"Token has expired."}]}`, body)
		fresh, err := bob.Token(context.Background())
		require.NoError(t, err)
		assert.NotEqual(t, tok, fresh, "the session issues a new token, as a refreshing source does")
		ok(t, srv.URL(), token(fresh), `{ secret }`, nil)
	})
}

// verifyWithJWKS verifies an RS256 token against the JWKS the server
// serves, independently of the server's code.
func verifyWithJWKS(t *testing.T, jwksURL, tok string) map[string]any {
	t.Helper()
	resp, err := http.Get(jwksURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	var set struct {
		Keys []struct{ Kid, Kty, Alg, N, E string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&set))
	require.Len(t, set.Keys, 1)
	k := set.Keys[0]
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	e, _ := base64.RawURLEncoding.DecodeString(k.E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	var header map[string]string
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, json.Unmarshal(hb, &header))
	assert.Equal(t, map[string]string{"alg": "RS256", "kid": k.Kid}, header)
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig))
	var claims map[string]any
	pb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, json.Unmarshal(pb, &claims))
	return claims
}

func TestSigV4(t *testing.T) {
	srv := engineServer(t)
	creds := srv.AuthenticatedCredentials()

	t.Run("signed requests pass", func(t *testing.T) {
		data := ok(t, srv.URL(), sigv4(creds, time.Time{}), `{ signed }`, nil)
		assert.Equal(t, "signed", data["signed"])
		ok(t, srv.URL(), sigv4(srv.GuestCredentials(), time.Time{}), `{ signed }`, nil)
		ok(t, srv.URL(), sigv4(srv.IAMCredentials(), time.Time{}), `{ signed }`, nil)
	})

	t.Run("a changed body is rejected, naming the canonical request", func(t *testing.T) {
		body := `{"query":"{ signed }"}`
		req, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(`{"query":"{ hello }"}`))
		sigv4(creds, time.Time{})(t, req, []byte(body))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		var e struct {
			Errors []struct{ ErrorType, Message string }
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		require.Len(t, e.Errors, 1)
		assert.Equal(t, "InvalidSignatureException", e.Errors[0].ErrorType)
		assert.Contains(t, e.Errors[0].Message, "The Canonical String for this request should have been\n'POST\n/graphql\n")
		secret, _ := creds.Retrieve(context.Background())
		assert.NotContains(t, e.Errors[0].Message, secret.SecretAccessKey)
		assert.NotContains(t, e.Errors[0].Message, secret.SessionToken)
		assert.Contains(t, e.Errors[0].Message, "x-amz-security-token:<redacted>")
	})

	t.Run("a request signed 6 minutes ago is rejected", func(t *testing.T) {
		status, body := gql(t, srv.URL(), sigv4(creds, time.Now().Add(-6*time.Minute)), `{ signed }`, nil)
		assert.Equal(t, http.StatusForbidden, status)
		assert.Contains(t, body, `"errorType":"InvalidSignatureException"`)
		assert.Contains(t, body, "Signature expired")
		status, _ = gql(t, srv.URL(), sigv4(creds, time.Now().Add(-4*time.Minute)), `{ signed }`, nil)
		assert.Equal(t, http.StatusOK, status, "4 minutes is within the 5-minute skew")
	})

	t.Run("unknown credentials", func(t *testing.T) {
		unknown := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: "nope"}, nil
		})
		status, body := gql(t, srv.URL(), sigv4(unknown, time.Time{}), `{ signed }`, nil)
		assert.Equal(t, http.StatusForbidden, status)
		assert.JSONEq(t, `{"errors":[{"errorType":"UnrecognizedClientException","message":"The security token included in the request is invalid."}]}`, body)
	})
}

func TestAuthDirectives(t *testing.T) {
	srv := engineServer(t)
	key := apiKey(srv.APIKey())
	bob := srv.SignIn("bob")
	admin := srv.SignIn("root", "ADMINS")

	t.Run("a field of another mode", func(t *testing.T) {
		_, body := gql(t, srv.URL(), key, "{\n  hello\n  secret\n}", nil)
		assert.Equal(t, compact(t, `{"data":{"hello":"hello world","secret":null},"errors":[{"path":["secret"],"data":null,
			"errorType":"Unauthorized","errorInfo":null,"locations":[{"line":3,"column":3,"sourceName":null}],
			"message":"Not Authorized to access secret on type Query"}]}`), body)
		assert.Empty(t, invocationsOf(srv, "secret"), "the resolver did not run")
	})

	t.Run("fields without directives follow the default mode", func(t *testing.T) {
		r := decode(t, func() string { _, b := gql(t, srv.URL(), session(bob), `{ hello secret }`, nil); return b }())
		assert.Equal(t, map[string]any{"hello": nil, "secret": "s3cret"}, r.Data)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "Not Authorized to access hello on type Query", r.Errors[0].Message)
	})

	t.Run("cognito_groups", func(t *testing.T) {
		r := decode(t, func() string { _, b := gql(t, srv.URL(), session(bob), `{ adminSecret }`, nil); return b }())
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "Unauthorized", r.Errors[0].ErrorType)
		assert.Equal(t, map[string]any{"adminSecret": "admins only"}, ok(t, srv.URL(), session(admin), `{ adminSecret }`, nil))
	})

	t.Run("type directives apply to the type's fields, field directives override", func(t *testing.T) {
		r := decode(t, func() string { _, b := gql(t, srv.URL(), key, `{ mixed { open members } }`, nil); return b }())
		assert.Equal(t, map[string]any{"mixed": map[string]any{"open": "o", "members": nil}}, r.Data)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, []any{"mixed", "members"}, r.Errors[0].Path)
		assert.Equal(t, "Not Authorized to access members on type Mixed", r.Errors[0].Message)
		assert.Equal(t, map[string]any{"mixed": map[string]any{"open": "o", "members": "m"}}, ok(t, srv.URL(), session(bob), `{ mixed { open members } }`, nil))
	})
}

func invocationsOf(srv *appsynctest.Server, field string) []appsynctest.Invocation {
	var out []appsynctest.Invocation
	for _, inv := range srv.Invocations() {
		if inv.FieldName == field {
			out = append(out, inv)
		}
	}
	return out
}
