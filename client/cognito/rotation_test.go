package cognito

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/cognito/internal/fakecognito"
)

// refreshTokensSent lists the refresh tokens of the GetTokensFromRefreshToken calls.
func refreshTokensSent(srv *fakecognito.Server) []string {
	var out []string
	for _, c := range srv.Calls() {
		if c.Op == "GetTokensFromRefreshToken" {
			s, _ := c.Body["RefreshToken"].(string)
			out = append(out, s)
		}
	}
	return out
}

// TestRefreshTokenRotation runs against a double that enforces rotation:
// each GetTokensFromRefreshToken returns a new refresh token and invalidates
// the one it was given, and REFRESH_TOKEN_AUTH is refused.
func TestRefreshTokenRotation(t *testing.T) {
	ctx := context.Background()
	const pw = "Corr3ct-Horse!"
	const secret = "rot-secret"

	setup := func(t *testing.T, before func(op string)) (*fakecognito.Server, *TokenSource, *clock) {
		clk := newClock(time.Now())
		srv := fakecognito.New(t, fakecognito.Options{RefreshTokenRotation: true, ClientSecret: secret, Now: clk.now, BeforeOp: before})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{
			ClientID: srv.ClientID, ClientSecret: secret, UserPoolID: srv.PoolID,
			RefreshFlow: GetTokensFromRefreshToken, Now: clk.now,
		})
		require.NoError(t, ts.SignInSRP(ctx, "alice", pw))
		return srv, ts, clk
	}

	t.Run("the rotated refresh token replaces the old one", func(t *testing.T) {
		srv, ts, clk := setup(t, nil)
		rt0 := ts.tokens.refresh
		tok0, err := ts.Token(ctx)
		require.NoError(t, err)

		clk.set(clk.now().Add(time.Hour))
		tok1, err := ts.Token(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, tok0, tok1)
		clk.set(clk.now().Add(time.Hour))
		tok2, err := ts.Token(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, tok1, tok2)

		sent := refreshTokensSent(srv)
		require.Len(t, sent, 2)
		assert.Equal(t, rt0, sent[0], "first refresh: the sign-in's refresh token")
		assert.NotEqual(t, rt0, sent[1], "second refresh: the rotated one")
		for _, c := range srv.Calls() {
			if c.Op == "GetTokensFromRefreshToken" {
				assert.Equal(t, secret, c.Body["ClientSecret"])
				assert.Equal(t, srv.ClientID, c.Body["ClientId"])
			}
		}

		// The used token is dead: asking Cognito with it again fails.
		_, err = srv.Client().GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{
			ClientId: aws.String(srv.ClientID), ClientSecret: aws.String(secret), RefreshToken: aws.String(rt0),
		})
		var na *types.NotAuthorizedException
		require.ErrorAs(t, err, &na)
	})

	t.Run("one refresh under 50 concurrent callers", func(t *testing.T) {
		var inRefresh atomic.Int32
		release := make(chan struct{})
		srv, ts, clk := setup(t, func(op string) {
			if op == "GetTokensFromRefreshToken" {
				inRefresh.Add(1)
				<-release
			}
		})
		clk.set(clk.now().Add(56 * time.Minute))
		const n = 50
		var wg sync.WaitGroup
		toks := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				toks[i], errs[i] = ts.Token(ctx)
			}()
		}
		require.Eventually(t, func() bool { return inRefresh.Load() == 1 }, 5*time.Second, time.Millisecond)
		time.Sleep(20 * time.Millisecond) // let the others pile up behind the refresh
		close(release)
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i], "caller %d", i) // a second refresh with the old token would fail
			assert.Equal(t, toks[0], toks[i])
		}
		assert.Equal(t, 1, srv.CallCount("GetTokensFromRefreshToken"))
	})

	t.Run("a revoked refresh token is a RefreshError", func(t *testing.T) {
		srv, ts, clk := setup(t, nil)
		rt := ts.tokens.refresh
		srv.RevokeRefreshToken(rt)
		clk.set(clk.now().Add(time.Hour))
		_, err := ts.Token(ctx)
		var re *RefreshError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "GetTokensFromRefreshToken", re.Flow)
		var na *types.NotAuthorizedException
		require.ErrorAs(t, err, &na)
		assert.Contains(t, err.Error(), "refreshing tokens with GetTokensFromRefreshToken")
		assert.NotContains(t, err.Error(), rt)
		assert.NotContains(t, err.Error(), secret)
		_, err = ts.IDToken(ctx)
		require.ErrorAs(t, err, &re)
	})

	t.Run("REFRESH_TOKEN_AUTH is refused under rotation", func(t *testing.T) {
		srv, ts, clk := setup(t, nil)
		ts.opts.RefreshFlow = RefreshTokenAuth
		clk.set(clk.now().Add(time.Hour))
		_, err := ts.Token(ctx)
		var re *RefreshError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "REFRESH_TOKEN_AUTH", re.Flow)
		assert.Contains(t, err.Error(), "use GetTokensFromRefreshToken")
		assert.Equal(t, 0, srv.CallCount("GetTokensFromRefreshToken"))
	})

	t.Run("without rotation the refresh token is kept", func(t *testing.T) {
		clk := newClock(time.Now())
		srv := fakecognito.New(t, fakecognito.Options{Now: clk.now})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, RefreshFlow: GetTokensFromRefreshToken, Now: clk.now})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		for range 2 {
			clk.set(clk.now().Add(time.Hour))
			_, err := ts.IDToken(ctx)
			require.NoError(t, err)
		}
		sent := refreshTokensSent(srv)
		require.Len(t, sent, 2)
		assert.Equal(t, sent[0], sent[1])
		for _, c := range srv.Calls() {
			if c.Op == "GetTokensFromRefreshToken" {
				assert.NotContains(t, c.Body, "ClientSecret", "no secret without one")
			}
		}
	})

	t.Run("an API without GetTokensFromRefreshToken", func(t *testing.T) {
		clk := newClock(t0)
		api, _ := newFake(t, clk)
		ts := NewTokenSource(api, Options{ClientID: "c", RefreshFlow: GetTokensFromRefreshToken, Now: clk.now})
		require.NoError(t, ts.SignIn(ctx, "alice", "pw"))
		clk.set(t0.Add(time.Hour))
		_, err := ts.Token(ctx)
		var re *RefreshError
		require.ErrorAs(t, err, &re)
		assert.Contains(t, err.Error(), "has no GetTokensFromRefreshToken method: pass a *cognitoidentityprovider.Client")

		ts = NewTokenSource(api, Options{ClientID: "c", RefreshFlow: "ROTATE", Now: clk.now})
		require.NoError(t, ts.SignIn(ctx, "alice", "pw"))
		clk.set(t0.Add(3 * time.Hour))
		_, err = ts.Token(ctx)
		require.ErrorAs(t, err, &re)
		assert.Contains(t, err.Error(), `Options.RefreshFlow "ROTATE" is not a refresh flow`)
	})
}
