package identitypool_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/cognito"
	"github.com/go-amplify/data/client/cognito/identitypool"
	"github.com/go-amplify/data/client/cognito/internal/fakecognito"
	"github.com/go-amplify/data/internal/sigv4verify"
)

const pw = "Corr3ct-Horse!"

// clock is a settable time source shared by the doubles and the code under test.
type clock struct{ ns atomic.Int64 }

func newClock() *clock               { c := &clock{}; c.set(time.Now()); return c }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

// env is a user pool double with one user, an identity pool double trusting
// it, and a clock they share.
type env struct {
	clk   *clock
	users *fakecognito.Server
	ids   *fakecognito.IdentityServer
	sub   string
}

func newEnv(t *testing.T, opts fakecognito.IdentityOptions) *env {
	e := &env{clk: newClock()}
	e.users = fakecognito.New(t, fakecognito.Options{Now: e.clk.now})
	e.sub = e.users.AddUser(fakecognito.User{Username: "alice", Password: pw})
	e.users.AddUser(fakecognito.User{Username: "bob", Password: pw})
	opts.UserPool = e.users
	if opts.Now == nil {
		opts.Now = e.clk.now
	}
	e.ids = fakecognito.NewIdentity(t, opts)
	return e
}

// signIn signs a user in with SRP; the token source hands out access tokens
// (for userPool mode) and IDToken gives the identity pool its ID token.
func (e *env) signIn(t *testing.T, username string) *cognito.TokenSource {
	ts := cognito.NewTokenSource(e.users.Client(), cognito.Options{ClientID: e.users.ClientID, UserPoolID: e.users.PoolID, Now: e.clk.now})
	require.NoError(t, ts.SignInSRP(context.Background(), username, pw))
	return ts
}

func claims(t *testing.T, jwt string) map[string]any {
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

func TestGuest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, fakecognito.IdentityOptions{})
	p, err := identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: e.ids.PoolID, Now: e.clk.now})
	require.NoError(t, err)
	assert.True(t, p.Guest())

	c1, err := p.Retrieve(ctx)
	require.NoError(t, err)
	issued, ok := e.ids.Issued(c1.AccessKeyID)
	require.True(t, ok)
	assert.Equal(t, fakecognito.Guest, issued.Role)
	assert.Equal(t, issued.SecretKey, c1.SecretAccessKey)
	assert.Equal(t, issued.SessionToken, c1.SessionToken)
	assert.True(t, c1.CanExpire)
	assert.True(t, issued.Expiration.Add(-identitypool.DefaultRefreshBefore).Equal(c1.Expires), "renewed RefreshBefore ahead: %s", c1.Expires)
	for _, c := range e.ids.Calls() {
		assert.NotContains(t, c.Body, "Logins", "%s: guests send no logins", c.Op)
	}
	assert.Equal(t, e.ids.PoolID, e.ids.Calls()[0].Body["IdentityPoolId"])

	// Cached while fresh.
	e.clk.add(54 * time.Minute)
	c2, err := p.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, c1, c2)
	assert.Equal(t, 1, e.ids.CallCount("GetCredentialsForIdentity"))

	// Renewed 5 minutes before expiry, for the same identity.
	e.clk.add(time.Minute)
	c3, err := p.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, c1.AccessKeyID, c3.AccessKeyID)
	assert.Equal(t, 2, e.ids.CallCount("GetCredentialsForIdentity"))
	assert.Equal(t, 1, e.ids.CallCount("GetId"), "identity ID reused")
	id, err := p.IdentityID(ctx)
	require.NoError(t, err)
	assert.Equal(t, issued.IdentityID, id)
	i3, _ := e.ids.Issued(c3.AccessKeyID)
	assert.Equal(t, id, i3.IdentityID)

	// Clear (sign-out): a new guest identity.
	p.Clear()
	c4, err := p.Retrieve(ctx)
	require.NoError(t, err)
	i4, _ := e.ids.Issued(c4.AccessKeyID)
	assert.NotEqual(t, id, i4.IdentityID)
	assert.Equal(t, 2, e.ids.CallCount("GetId"))
}

func TestAuthenticated(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, fakecognito.IdentityOptions{})
	ts := e.signIn(t, "alice")
	p, err := identitypool.New(e.ids.Client(), identitypool.Options{
		IdentityPoolID: e.ids.PoolID, Tokens: ts, UserPoolID: e.users.PoolID, Now: e.clk.now,
	})
	require.NoError(t, err)
	assert.False(t, p.Guest())
	assert.Equal(t, "cognito-idp.us-east-1.amazonaws.com/"+e.users.PoolID, p.ProviderName())

	c1, err := p.Retrieve(ctx)
	require.NoError(t, err)
	issued, _ := e.ids.Issued(c1.AccessKeyID)
	assert.Equal(t, fakecognito.Authenticated, issued.Role)

	// Both calls carry Logins {provider: ID token}: the ID token, not the
	// access token the TokenSource hands out by default.
	idTok, err := ts.IDToken(ctx)
	require.NoError(t, err)
	for _, c := range e.ids.Calls() {
		logins, _ := c.Body["Logins"].(map[string]any)
		require.Len(t, logins, 1, c.Op)
		tok, _ := logins[p.ProviderName()].(string)
		assert.Equal(t, idTok, tok, c.Op)
		assert.Equal(t, "id", claims(t, tok)["token_use"])
		assert.Equal(t, e.sub, claims(t, tok)["sub"])
	}

	// An hour later: the ID token was refreshed by the TokenSource, the
	// credentials renewed, the identity the same.
	e.clk.add(time.Hour)
	c2, err := p.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, c1.AccessKeyID, c2.AccessKeyID)
	i2, _ := e.ids.Issued(c2.AccessKeyID)
	assert.Equal(t, issued.IdentityID, i2.IdentityID)
	assert.Equal(t, 1, e.ids.CallCount("GetId"))
	calls := e.ids.Calls()
	last := calls[len(calls)-1].Body["Logins"].(map[string]any)[p.ProviderName()].(string)
	assert.NotEqual(t, idTok, last, "the refreshed ID token")
	assert.Equal(t, 1, e.users.CallCount("InitiateAuth")-1, "one REFRESH_TOKEN_AUTH after the sign-in")

	// Another user on the same TokenSource gets their own identity.
	require.NoError(t, ts.SignInSRP(ctx, "bob", pw))
	p.Clear()
	c3, err := p.Retrieve(ctx)
	require.NoError(t, err)
	i3, _ := e.ids.Issued(c3.AccessKeyID)
	assert.NotEqual(t, issued.IdentityID, i3.IdentityID)
	assert.Equal(t, fakecognito.Authenticated, i3.Role)
}

func TestConcurrentRetrieveFetchesOnce(t *testing.T) {
	release := make(chan struct{})
	var entered atomic.Int32
	e := newEnv(t, fakecognito.IdentityOptions{BeforeOp: func(op string) {
		if op == "GetCredentialsForIdentity" {
			entered.Add(1)
			<-release
		}
	}})
	p, err := identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: e.ids.PoolID, Tokens: e.signIn(t, "alice"), UserPoolID: e.users.PoolID, Now: e.clk.now})
	require.NoError(t, err)
	const n = 20
	var wg sync.WaitGroup
	keys := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := p.Retrieve(context.Background())
			assert.NoError(t, err)
			keys[i] = c.AccessKeyID
		}()
	}
	require.Eventually(t, func() bool { return entered.Load() == 1 }, 5*time.Second, time.Millisecond)
	// A caller that gives up while waiting gets its context's error.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = p.Retrieve(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	wg.Wait()
	for i := range n {
		assert.Equal(t, keys[0], keys[i])
	}
	assert.Equal(t, 1, e.ids.CallCount("GetId"))
	assert.Equal(t, 1, e.ids.CallCount("GetCredentialsForIdentity"))
}

func TestDeletedIdentityIsReplaced(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, fakecognito.IdentityOptions{})
	p, err := identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: e.ids.PoolID, Tokens: e.signIn(t, "alice"), UserPoolID: e.users.PoolID, Now: e.clk.now})
	require.NoError(t, err)
	id1, err := p.IdentityID(ctx)
	require.NoError(t, err)
	e.ids.DeleteIdentity(id1)
	c, err := p.Retrieve(ctx)
	require.NoError(t, err)
	issued, _ := e.ids.Issued(c.AccessKeyID)
	assert.NotEqual(t, id1, issued.IdentityID)
	assert.Equal(t, 2, e.ids.CallCount("GetId"))
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, fakecognito.IdentityOptions{NoGuests: true})

	_, err := identitypool.New(e.ids.Client(), identitypool.Options{})
	require.ErrorContains(t, err, "Options.IdentityPoolID is required")
	_, err = identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: "abc"})
	require.ErrorContains(t, err, `Options.IdentityPoolID "abc" is not an identity pool ID`)
	_, err = identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: e.ids.PoolID, Tokens: e.signIn(t, "alice")})
	require.ErrorContains(t, err, "with Options.Tokens, Options.UserPoolID is required")
	_, err = identitypool.New(nil, identitypool.Options{IdentityPoolID: e.ids.PoolID})
	require.ErrorContains(t, err, "cognitoidentity.NewFromConfig")

	t.Run("guests refused", func(t *testing.T) {
		p, err := identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: e.ids.PoolID})
		require.NoError(t, err)
		_, err = p.Retrieve(ctx)
		var ie *identitypool.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "GetId", ie.Op)
		assert.Equal(t, "NotAuthorizedException", ie.Code)
		assert.Contains(t, err.Error(), "enable unauthenticated access on it, or set Options.Tokens")
	})

	t.Run("wrong provider", func(t *testing.T) {
		ts := e.signIn(t, "alice")
		p, err := identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: e.ids.PoolID, Tokens: ts, UserPoolID: "us-east-1_OtherPool"})
		require.NoError(t, err)
		_, err = p.Retrieve(ctx)
		var ie *identitypool.Error
		require.ErrorAs(t, err, &ie)
		assert.Contains(t, err.Error(), "check that it trusts the user pool")
		tok, _ := ts.IDToken(ctx)
		assert.NotContains(t, err.Error(), tok)
	})

	t.Run("not signed in", func(t *testing.T) {
		ts := cognito.NewTokenSource(e.users.Client(), cognito.Options{ClientID: e.users.ClientID})
		p, err := identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: e.ids.PoolID, Tokens: ts, UserPoolID: e.users.PoolID})
		require.NoError(t, err)
		_, err = p.Retrieve(ctx)
		require.ErrorIs(t, err, cognito.ErrNotSignedIn)
		assert.Zero(t, e.ids.CallCount("GetCredentialsForIdentity"))
	})

	t.Run("unknown pool", func(t *testing.T) {
		p, err := identitypool.New(e.ids.Client(), identitypool.Options{IdentityPoolID: "us-east-1:nope"})
		require.NoError(t, err)
		_, err = p.Retrieve(ctx)
		var ae smithy.APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, "ResourceNotFoundException", ae.ErrorCode())
		assert.Contains(t, err.Error(), "check Options.IdentityPoolID")
	})
}

// TestWithIdentityPoolSignsRequests sends GraphQL requests through
// client.WithIdentityPool(provider) to an AppSync stand-in that verifies the
// SigV4 signature (internal/sigv4verify) with the secret keys the identity
// pool double issued, and checks the session token: guest and
// authenticated, before and after the credentials are renewed. The client
// wraps the provider in an aws.CredentialsCache, which reads the real
// clock: so this test runs on it, with 3-second credentials renewed 1
// second ahead.
func TestWithIdentityPoolSignsRequests(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, fakecognito.IdentityOptions{CredentialsTTL: 3 * time.Second, Now: time.Now})
	var mu sync.Mutex
	var seen []string // access key IDs of the verified requests
	appsync := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v := &sigv4verify.Verifier{Credentials: e.ids.SecretKeys(), Service: "appsync", Region: "us-east-1"}
		if err := v.Verify(r, body); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		akid := strings.TrimPrefix(strings.Split(r.Header.Get("Authorization"), "/")[0], "AWS4-HMAC-SHA256 Credential=")
		issued, ok := e.ids.Issued(akid)
		if !ok || r.Header.Get("X-Amz-Security-Token") != issued.SessionToken {
			http.Error(w, "unknown session", http.StatusForbidden)
			return
		}
		mu.Lock()
		seen = append(seen, akid)
		mu.Unlock()
		_, _ = io.WriteString(w, `{"data":{"role":"`+string(issued.Role)+`"}}`)
	}))
	defer appsync.Close()

	for _, tc := range []struct {
		name string
		opts identitypool.Options
		role string
	}{
		{"guest", identitypool.Options{}, "unauthenticated"},
		{"authenticated", identitypool.Options{Tokens: e.signIn(t, "alice"), UserPoolID: e.users.PoolID}, "authenticated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.IdentityPoolID, opts.RefreshBefore = e.ids.PoolID, time.Second
			p, err := identitypool.New(e.ids.Client(), opts)
			require.NoError(t, err)
			c, err := client.New(client.Endpoint{URL: appsync.URL + "/graphql", Region: "us-east-1", DefaultAuthMode: client.AuthIdentityPool},
				client.WithIdentityPool(p))
			require.NoError(t, err)
			ask := func() string {
				var data struct{ Role string }
				require.NoError(t, c.MakeRequest(ctx, &graphql.Request{OpName: "Role", Query: "query Role { role }"}, &graphql.Response{Data: &data}))
				return data.Role
			}
			mu.Lock()
			seen = nil
			mu.Unlock()
			getIDs := e.ids.CallCount("GetId")
			assert.Equal(t, tc.role, ask())
			assert.Equal(t, tc.role, ask())
			mu.Lock()
			first, _ := e.ids.Issued(seen[0])
			mu.Unlock()
			time.Sleep(time.Until(first.Expiration.Add(-time.Second)) + 50*time.Millisecond) // past Expires: renewed
			assert.Equal(t, tc.role, ask())
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, seen, 3)
			assert.Equal(t, seen[0], seen[1], "cached")
			assert.NotEqual(t, seen[1], seen[2], "renewed")
			assert.Equal(t, getIDs+1, e.ids.CallCount("GetId"), "identity reused")
		})
	}
}
