package cognito

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/cognito/internal/fakecognito"
)

// refreshCalls counts the refresh calls the double received (sign-ins
// excluded).
func refreshCalls(srv *fakecognito.Server) int {
	n := 0
	for _, c := range srv.Calls() {
		if c.Op == "GetTokensFromRefreshToken" {
			n++
		}
		if flow, _ := c.Body["AuthFlow"].(string); c.Op == "InitiateAuth" && flow == "REFRESH_TOKEN_AUTH" {
			n++
		}
	}
	return n
}

// shortTokens signs alice in on a double issuing tokens that live ttl, with
// the clock at t0.
func shortTokens(t *testing.T, ttl time.Duration, opts Options) (*fakecognito.Server, *TokenSource, *clock) {
	t.Helper()
	clk := newClock(t0)
	srv := fakecognito.New(t, fakecognito.Options{TokenTTL: ttl, Now: clk.now})
	srv.AddUser(fakecognito.User{Username: "alice", Password: "Passw0rd!margin"})
	opts.ClientID, opts.Now = srv.ClientID, clk.now
	ts := NewTokenSource(srv.Client(), opts)
	require.NoError(t, ts.SignIn(context.Background(), "alice", "Passw0rd!margin"))
	require.Equal(t, 0, refreshCalls(srv))
	return srv, ts, clk
}

// TestRefreshMarginCappedByLifetime: the refresh margin is
// min(RefreshBefore, lifetime/4), the lifetime being exp - iat. With
// Cognito's shortest access tokens (5 minutes) and the default 5-minute
// margin, a margin left uncapped would make every Token call a refresh.
func TestRefreshMarginCappedByLifetime(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		ttl           time.Duration
		refreshBefore time.Duration
		margin        time.Duration // the one expected
	}{
		{"5-minute tokens, default margin", 5 * time.Minute, 0, 75 * time.Second},
		{"1-hour tokens, default margin", time.Hour, 0, DefaultRefreshBefore},
		{"20-minute tokens, 10-minute margin", 20 * time.Minute, 10 * time.Minute, 5 * time.Minute},
		{"20-minute tokens, 1-minute margin", 20 * time.Minute, time.Minute, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, ts, clk := shortTokens(t, tc.ttl, Options{RefreshBefore: tc.refreshBefore})
			// 50 calls spread over the token's life up to the margin: none refreshes.
			due := t0.Add(tc.ttl - tc.margin)
			served := map[float64]int{}
			for i := range 50 {
				clk.set(t0.Add(time.Duration(i) * (due.Sub(t0) - time.Second) / 49))
				tok, err := ts.Token(ctx)
				require.NoError(t, err)
				served[tokenN(t, tok)]++
			}
			assert.Equal(t, 0, refreshCalls(srv), "refreshes before exp - margin")
			assert.Equal(t, map[float64]int{1: 50}, served, "the sign-in's token (n=1) every time")

			// At exp - margin, before exp: one refresh, then the new token is served.
			clk.set(due)
			renewed, err := ts.Token(ctx)
			require.NoError(t, err)
			assert.Equal(t, 2.0, tokenN(t, renewed), "renewed at exp - margin")
			assert.Equal(t, 1, refreshCalls(srv))
			for range 50 {
				tok, err := ts.Token(ctx)
				require.NoError(t, err)
				require.Equal(t, 2.0, tokenN(t, tok))
			}
			assert.Equal(t, 1, refreshCalls(srv), "the renewed token is fresh")
		})
	}
}

// TestRefreshMarginWithoutIat: a token without iat has no known lifetime,
// and RefreshBefore applies as configured.
func TestRefreshMarginWithoutIat(t *testing.T) {
	clk := newClock(t0)
	api, _ := newFake(t, clk)
	ts := NewTokenSource(api, Options{ClientID: "c", Now: clk.now})
	exp := t0.Add(5 * time.Minute).Unix()
	ts.SetTokens(fakeJWT(t, map[string]any{"exp": exp}), fakeJWT(t, map[string]any{"exp": exp}), "r")
	clk.set(t0.Add(time.Second)) // within 5 minutes of exp: due
	_, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"REFRESH_TOKEN_AUTH"}, flowNames(api))
}

func flowNames(api *fakeAPI) []string {
	var out []string
	for _, f := range api.flows() {
		out = append(out, string(f))
	}
	return out
}
