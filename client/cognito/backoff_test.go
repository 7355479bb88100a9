package cognito

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/cognito/internal/fakecognito"
)

// The schedule the tests below rely on: with 5-minute tokens the margin is
// 75 s; the first retry waits 0.5-1 s and each later one doubles, so
// failing calls made every second for 49 s reach Cognito at 0 s, then at
// the earliest at 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s (the next would be at
// 61.5 s or later): at most 7 calls, and at least 5 (the latest times are
// 1, 3, 7, 15 and 31 s, rounded up to the next whole second).
const (
	minFailedCalls = 5
	maxFailedCalls = 7
)

func firstErr(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

// unreachable is an HTTP client that refuses every request while down.
type unreachable struct {
	down     atomic.Bool
	attempts atomic.Int32
}

func (u *unreachable) Do(r *http.Request) (*http.Response, error) {
	u.attempts.Add(1)
	if u.down.Load() {
		return nil, errors.New("dial tcp 127.0.0.1:443: connect: connection refused")
	}
	return http.DefaultClient.Do(r)
}

// TestFailedRefreshServesTheValidToken: after a failed refresh, Token keeps
// serving the held token while it is valid and calls Cognito again only
// after a backoff; once the token has expired it returns the
// *RefreshError.
func TestFailedRefreshServesTheValidToken(t *testing.T) {
	ctx := context.Background()
	const pw = "Passw0rd!backoff"
	due := t0.Add(5*time.Minute - 75*time.Second)
	exp := t0.Add(5 * time.Minute)

	// fiftyCalls makes 50 Token calls one second apart from the clock's
	// time, and returns the n claims served.
	fiftyCalls := func(t *testing.T, ts *TokenSource, clk *clock) (served map[float64]int, errs []error) {
		t.Helper()
		served = map[float64]int{}
		start := clk.now()
		for i := range 50 {
			clk.set(start.Add(time.Duration(i) * time.Second))
			tok, err := ts.Token(ctx)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			served[tokenN(t, tok)]++
		}
		return served, errs
	}

	t.Run("revoked refresh token", func(t *testing.T) {
		clk := newClock(t0)
		srv := fakecognito.New(t, fakecognito.Options{TokenTTL: 5 * time.Minute, Now: clk.now})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, Now: clk.now})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		srv.RevokeRefreshToken(ts.tokens.refresh)

		clk.set(due)
		served, errs := fiftyCalls(t, ts, clk)
		assert.Zero(t, len(errs), "Token errors while the token is valid; the first: %v", firstErr(errs))
		assert.Equal(t, map[float64]int{1: 50}, served)
		calls := refreshCalls(srv)
		assert.GreaterOrEqual(t, calls, minFailedCalls, "retries, backing off")
		assert.LessOrEqual(t, calls, maxFailedCalls, "backs off instead of calling Cognito on every Token call")

		// Expired: the typed error, still without a call per Token call.
		clk.set(exp)
		before := refreshCalls(srv)
		served, errs = fiftyCalls(t, ts, clk)
		assert.Empty(t, served)
		require.Len(t, errs, 50)
		for _, err := range errs {
			var re *RefreshError
			require.ErrorAs(t, err, &re)
			var na *types.NotAuthorizedException
			require.ErrorAs(t, err, &na)
			assert.NotContains(t, err.Error(), ts.tokens.refresh)
		}
		assert.LessOrEqual(t, refreshCalls(srv)-before, maxFailedCalls)

		// Signing in again ends the backoff.
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		claims, err := decodePayload(tok)
		require.NoError(t, err)
		assert.Equal(t, float64(clk.now().Unix()), claims["iat"])
	})

	t.Run("Cognito unreachable", func(t *testing.T) {
		clk := newClock(t0)
		srv := fakecognito.New(t, fakecognito.Options{TokenTTL: 5 * time.Minute, Now: clk.now})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		link := &unreachable{}
		api := cip.New(cip.Options{
			Region: fakecognito.Region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1, HTTPClient: link,
			Credentials: credentials.NewStaticCredentialsProvider("AKIDBACKOFF", "backoff-secret", ""),
		})
		ts := NewTokenSource(api, Options{ClientID: srv.ClientID, Now: clk.now})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		link.attempts.Store(0)
		link.down.Store(true)

		clk.set(due)
		served, errs := fiftyCalls(t, ts, clk)
		assert.Zero(t, len(errs), "Token errors while the token is valid; the first: %v", firstErr(errs))
		assert.Equal(t, map[float64]int{1: 50}, served)
		calls := int(link.attempts.Load())
		assert.GreaterOrEqual(t, calls, minFailedCalls)
		assert.LessOrEqual(t, calls, maxFailedCalls)

		clk.set(exp)
		_, err := ts.Token(ctx)
		var re *RefreshError
		require.ErrorAs(t, err, &re)
		assert.Contains(t, err.Error(), "connection refused")

		// Cognito is back: the next attempt after the backoff succeeds,
		// and the renewed token is served from then on.
		link.down.Store(false)
		var tok string
		for i := range 120 {
			clk.set(exp.Add(time.Duration(i) * time.Second))
			if tok, err = ts.Token(ctx); err == nil {
				break
			}
		}
		require.NoError(t, err, "no successful retry within two minutes")
		assert.Equal(t, 2.0, tokenN(t, tok))
		attempts := link.attempts.Load()
		for range 50 {
			tok, err := ts.Token(ctx)
			require.NoError(t, err)
			require.Equal(t, 2.0, tokenN(t, tok))
		}
		assert.Equal(t, attempts, link.attempts.Load(), "no backoff left after a success")
	})

	t.Run("one failing refresh under 50 concurrent callers", func(t *testing.T) {
		clk := newClock(t0)
		release := make(chan struct{})
		var entered atomic.Int32
		srv := fakecognito.New(t, fakecognito.Options{TokenTTL: 5 * time.Minute, Now: clk.now, BeforeOp: func(op string) {
			if op == "InitiateAuth" && entered.Add(1) > 1 { // the sign-in passes
				<-release
			}
		}})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, Now: clk.now})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		srv.RevokeRefreshToken(ts.tokens.refresh)
		clk.set(due)

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
		require.Eventually(t, func() bool { return entered.Load() == 2 }, 5*time.Second, time.Millisecond)
		time.Sleep(20 * time.Millisecond) // let the others pile up behind the refresh
		close(release)
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i], "caller %d", i)
			assert.Equal(t, 1.0, tokenN(t, toks[i]))
		}
		assert.Equal(t, 1, refreshCalls(srv))
	})
}

// TestRefreshForces: Refresh, which the runtime calls when AppSync rejects
// a token, renews the tokens at once, before they are due and during a
// backoff after a failed refresh.
func TestRefreshForces(t *testing.T) {
	ctx := context.Background()
	const pw = "Passw0rd!forced"
	clk := newClock(t0)
	srv := fakecognito.New(t, fakecognito.Options{TokenTTL: 5 * time.Minute, Now: clk.now})
	srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
	link := &unreachable{}
	api := cip.New(cip.Options{
		Region: fakecognito.Region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1, HTTPClient: link,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFORCED", "forced-secret", ""),
	})
	ts := NewTokenSource(api, Options{ClientID: srv.ClientID, Now: clk.now})
	require.NoError(t, ts.SignIn(ctx, "alice", pw))

	// Fresh, not due: Refresh renews anyway.
	tok1, err := ts.Token(ctx)
	require.NoError(t, err)
	require.NoError(t, ts.Refresh(ctx, tok1))
	assert.Equal(t, 1, refreshCalls(srv))
	tok2, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2.0, tokenN(t, tok2))

	// A failed refresh starts a backoff; Refresh ignores it.
	link.down.Store(true)
	clk.set(t0.Add(5*time.Minute - 75*time.Second))
	tok, err := ts.Token(ctx)
	require.NoError(t, err)
	require.Equal(t, tok2, tok, "still valid")
	attempts := link.attempts.Load()
	tok, err = ts.Token(ctx)
	require.NoError(t, err)
	require.Equal(t, tok2, tok)
	require.Equal(t, attempts, link.attempts.Load(), "in backoff: no call")
	var re *RefreshError
	require.ErrorAs(t, ts.Refresh(ctx, tok2), &re, "Refresh calls Cognito, and reports its failure")
	assert.Equal(t, attempts+1, link.attempts.Load())
	link.down.Store(false)
	require.NoError(t, ts.Refresh(ctx, tok2))
	tok3, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3.0, tokenN(t, tok3))
}
