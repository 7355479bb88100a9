package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeJWT builds an unsigned JWT with the given claims.
func fakeJWT(t testing.TB, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	require.NoError(t, err)
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"test"}`))
	return h + "." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

// fakeAPI is a scripted Cognito double that records its calls.
type fakeAPI struct {
	mu        sync.Mutex
	initiates []*cip.InitiateAuthInput
	responds  []*cip.RespondToAuthChallengeInput
	initiate  func(ctx context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error)
	respond   func(ctx context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error)
}

func (f *fakeAPI) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	f.mu.Lock()
	f.initiates = append(f.initiates, in)
	f.mu.Unlock()
	return f.initiate(ctx, in)
}

func (f *fakeAPI) RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	f.mu.Lock()
	f.responds = append(f.responds, in)
	f.mu.Unlock()
	return f.respond(ctx, in)
}

func (f *fakeAPI) flows() []types.AuthFlowType {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []types.AuthFlowType
	for _, in := range f.initiates {
		out = append(out, in.AuthFlow)
	}
	return out
}

func (f *fakeAPI) count(flow types.AuthFlowType) int {
	n := 0
	for _, fl := range f.flows() {
		if fl == flow {
			n++
		}
	}
	return n
}

// clock is a settable time source.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time   { return time.Unix(0, c.ns.Load()) }

var t0 = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

// issuer hands out numbered token sets expiring an hour after the clock.
type issuer struct {
	t   testing.TB
	clk *clock
	n   atomic.Int64
}

func (is *issuer) result(withRefresh bool) *types.AuthenticationResultType {
	n := is.n.Add(1)
	exp := is.clk.now().Add(time.Hour).Unix()
	r := &types.AuthenticationResultType{
		AccessToken: aws.String(fakeJWT(is.t, map[string]any{"token_use": "access", "n": n, "exp": exp, "username": "alice-user"})),
		IdToken:     aws.String(fakeJWT(is.t, map[string]any{"token_use": "id", "n": n, "exp": exp, "cognito:username": "alice-user", "sub": "sub-1"})),
	}
	if withRefresh {
		r.RefreshToken = aws.String(fmt.Sprintf("refresh-token-%d", n))
	}
	return r
}

func tokenN(t testing.TB, tok string) float64 {
	c, err := decodePayload(tok)
	require.NoError(t, err)
	return c["n"].(float64)
}

// newFake returns a double that signs in anyone and refreshes with fresh tokens
// (without rotating the refresh token).
func newFake(t testing.TB, clk *clock) (*fakeAPI, *issuer) {
	is := &issuer{t: t, clk: clk}
	return &fakeAPI{
		initiate: func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
			return &cip.InitiateAuthOutput{AuthenticationResult: is.result(in.AuthFlow == types.AuthFlowTypeUserPasswordAuth)}, nil
		},
	}, is
}

func TestNotSignedIn(t *testing.T) {
	ts := NewTokenSource(&fakeAPI{}, Options{ClientID: "c"})
	_, err := ts.Token(context.Background())
	require.ErrorIs(t, err, ErrNotSignedIn)
	_, err = ts.Claims(context.Background())
	require.ErrorIs(t, err, ErrNotSignedIn)
}

func TestSignInTokenKinds(t *testing.T) {
	clk := newClock(t0)
	for _, tc := range []struct {
		kind TokenKind
		want string
	}{{AccessToken, "access"}, {IDToken, "id"}} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			api, _ := newFake(t, clk)
			ts := NewTokenSource(api, Options{ClientID: "client-1", Token: tc.kind, Now: clk.now})
			require.NoError(t, ts.SignIn(context.Background(), "alice", "pw-123456"))
			require.Len(t, api.initiates, 1)
			in := api.initiates[0]
			assert.Equal(t, types.AuthFlowTypeUserPasswordAuth, in.AuthFlow)
			assert.Equal(t, "client-1", aws.ToString(in.ClientId))
			assert.Equal(t, map[string]string{"USERNAME": "alice", "PASSWORD": "pw-123456"}, in.AuthParameters, "no SECRET_HASH without a client secret")

			tok, err := ts.Token(context.Background())
			require.NoError(t, err)
			c, err := decodePayload(tok)
			require.NoError(t, err)
			assert.Equal(t, tc.want, c["token_use"])

			claims, err := ts.Claims(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "id", claims["token_use"])
			assert.Equal(t, "sub-1", claims["sub"])
			assert.Equal(t, []types.AuthFlowType{types.AuthFlowTypeUserPasswordAuth}, api.flows(), "no refresh while fresh")
		})
	}
}

func TestRefreshTiming(t *testing.T) {
	clk := newClock(t0)
	api, _ := newFake(t, clk)
	ts := NewTokenSource(api, Options{ClientID: "c", RefreshBefore: 10 * time.Minute, Now: clk.now})
	require.NoError(t, ts.SignIn(context.Background(), "alice", "pw"))
	tok1, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1.0, tokenN(t, tok1))

	clk.set(t0.Add(50*time.Minute - time.Second)) // exp-RefreshBefore-1s: not yet
	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, tok1, tok)
	assert.Equal(t, 0, api.count(types.AuthFlowTypeRefreshTokenAuth))

	clk.set(t0.Add(50 * time.Minute)) // exactly exp-RefreshBefore: refresh
	tok2, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, tok1, tok2)
	assert.Equal(t, 1, api.count(types.AuthFlowTypeRefreshTokenAuth))
	last := api.initiates[len(api.initiates)-1]
	assert.Equal(t, map[string]string{"REFRESH_TOKEN": "refresh-token-1"}, last.AuthParameters)

	// The refresh did not return a refresh token: the old one is kept.
	clk.set(t0.Add(2 * time.Hour))
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	require.Equal(t, 2, api.count(types.AuthFlowTypeRefreshTokenAuth))
	last = api.initiates[len(api.initiates)-1]
	assert.Equal(t, "refresh-token-1", last.AuthParameters["REFRESH_TOKEN"])
}

func TestNoRefreshToken(t *testing.T) {
	clk := newClock(t0)
	exp := t0.Add(time.Hour).Unix()
	ts := NewTokenSource(&fakeAPI{}, Options{ClientID: "c", Now: clk.now})
	access := fakeJWT(t, map[string]any{"exp": exp})
	ts.SetTokens(fakeJWT(t, map[string]any{"exp": exp}), access, "")

	clk.set(t0.Add(58 * time.Minute)) // due, but still valid and cannot be renewed
	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, access, tok)

	clk.set(t0.Add(time.Hour))
	_, err = ts.Token(context.Background())
	require.ErrorIs(t, err, ErrExpired)
}

func TestSecretHash(t *testing.T) {
	const (
		clientID = "3n0v3bnf1vfoq0ca8ik9v6s0b"
		secret   = "s3cr3t-cl13nt"
	)
	// Independently: base64(HMAC-SHA256(secret, username+clientID)).
	want := func(username string) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(username + clientID))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	// Computed with: printf %s alice3n0v3bnf1vfoq0ca8ik9v6s0b | openssl dgst -sha256 -hmac s3cr3t-cl13nt -binary | base64
	require.Equal(t, "/xITnq5Mqb7b+Dd5urPIBG9Zu2/3W0eMAIAxB1aWX/Y=", want("alice"))

	clk := newClock(t0)
	api, _ := newFake(t, clk)
	ts := NewTokenSource(api, Options{ClientID: clientID, ClientSecret: secret, Now: clk.now})
	require.NoError(t, ts.SignIn(context.Background(), "alice", "pw"))
	assert.Equal(t, "/xITnq5Mqb7b+Dd5urPIBG9Zu2/3W0eMAIAxB1aWX/Y=", api.initiates[0].AuthParameters["SECRET_HASH"])

	// The refresh uses the user's cognito:username from the ID token.
	clk.set(t0.Add(time.Hour))
	_, err := ts.Token(context.Background())
	require.NoError(t, err)
	require.Len(t, api.initiates, 2)
	p := api.initiates[1].AuthParameters
	assert.Equal(t, types.AuthFlowTypeRefreshTokenAuth, api.initiates[1].AuthFlow)
	assert.Equal(t, "alice-user", p["USERNAME"])
	assert.Equal(t, want("alice-user"), p["SECRET_HASH"])
	assert.NotEqual(t, want("alice"), p["SECRET_HASH"])
}

func TestConcurrentRefreshIsSingle(t *testing.T) {
	clk := newClock(t0)
	api, is := newFake(t, clk)
	release := make(chan struct{})
	var refreshes atomic.Int32
	api.initiate = func(ctx context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if in.AuthFlow == types.AuthFlowTypeRefreshTokenAuth {
			refreshes.Add(1)
			<-release
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: is.result(in.AuthFlow == types.AuthFlowTypeUserPasswordAuth)}, nil
	}
	ts := NewTokenSource(api, Options{ClientID: "c", Now: clk.now})
	require.NoError(t, ts.SignIn(context.Background(), "alice", "pw"))
	clk.set(t0.Add(56 * time.Minute))

	const n = 50
	var started, done sync.WaitGroup
	toks := make([]string, n)
	errs := make([]error, n)
	started.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			started.Done()
			toks[i], errs[i] = ts.Token(context.Background())
		}()
	}
	started.Wait()
	require.Eventually(t, func() bool { return refreshes.Load() == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond) // let the others pile up behind the refresh
	close(release)
	done.Wait()

	assert.Equal(t, int32(1), refreshes.Load())
	assert.Equal(t, 1, api.count(types.AuthFlowTypeRefreshTokenAuth))
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, 2.0, tokenN(t, toks[i]), "goroutine %d", i)
	}
}

func TestRevokedRefreshToken(t *testing.T) {
	clk := newClock(t0)
	api, is := newFake(t, clk)
	api.initiate = func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if in.AuthFlow == types.AuthFlowTypeRefreshTokenAuth {
			return nil, &types.NotAuthorizedException{Message: aws.String("Refresh Token has been revoked")}
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: is.result(true)}, nil
	}
	ts := NewTokenSource(api, Options{ClientID: "c", ClientSecret: "very-secret", Now: clk.now})
	require.NoError(t, ts.SignIn(context.Background(), "alice", "pw-abcdef"))
	clk.set(t0.Add(time.Hour))
	_, err := ts.Token(context.Background())
	require.Error(t, err)
	var re *RefreshError
	require.ErrorAs(t, err, &re)
	var na *types.NotAuthorizedException
	require.ErrorAs(t, err, &na)
	assert.Contains(t, err.Error(), "Refresh Token has been revoked")
	for _, secret := range []string{"refresh-token-1", "very-secret", "pw-abcdef"} {
		assert.NotContains(t, err.Error(), secret)
	}
	_, err = ts.Claims(context.Background())
	require.ErrorAs(t, err, &re)
}

func TestContextCancelWhileWaiting(t *testing.T) {
	clk := newClock(t0)
	api, is := newFake(t, clk)
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	api.initiate = func(ctx context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if in.AuthFlow == types.AuthFlowTypeRefreshTokenAuth {
			entered <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: is.result(in.AuthFlow == types.AuthFlowTypeUserPasswordAuth)}, nil
	}
	ts := NewTokenSource(api, Options{ClientID: "c", Now: clk.now})
	require.NoError(t, ts.SignIn(context.Background(), "alice", "pw"))
	clk.set(t0.Add(time.Hour))

	// The caller that started the refresh gives up...
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := ts.Token(ctx)
		errc <- err
	}()
	<-entered
	// ...while a second caller keeps waiting for the same refresh.
	type res struct {
		tok string
		err error
	}
	other := make(chan res, 1)
	go func() {
		tok, err := ts.Token(context.Background())
		other <- res{tok, err}
	}()
	cancel()
	select {
	case err := <-errc:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("Token did not return after its context was cancelled")
	}
	select {
	case r := <-other:
		t.Fatalf("second caller returned before the refresh finished: %v", r.err)
	case <-time.After(20 * time.Millisecond):
	}

	// A deadline while waiting is honoured as well.
	dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer dcancel()
	_, err := ts.Token(dctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// The refresh itself was not cancelled with the first caller's context.
	close(release)
	r := <-other
	require.NoError(t, r.err)
	assert.Equal(t, 2.0, tokenN(t, r.tok))
	assert.Equal(t, 1, api.count(types.AuthFlowTypeRefreshTokenAuth))
}

func TestNewPasswordRequired(t *testing.T) {
	clk := newClock(t0)
	api, is := newFake(t, clk)
	api.initiate = func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return &cip.InitiateAuthOutput{
			ChallengeName:       types.ChallengeNameTypeNewPasswordRequired,
			Session:             aws.String("session-abc"),
			ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": "bob-id", "requiredAttributes": "[]"},
		}, nil
	}
	api.respond = func(_ context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
		return &cip.RespondToAuthChallengeOutput{AuthenticationResult: is.result(true)}, nil
	}
	ts := NewTokenSource(api, Options{ClientID: "c", ClientSecret: "cs", Now: clk.now})
	err := ts.SignIn(context.Background(), "bob", "temp-pw-1")
	var ce *ChallengeError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "NEW_PASSWORD_REQUIRED", ce.Name)
	assert.Equal(t, "session-abc", ce.Session)
	assert.Equal(t, "bob-id", ce.Parameters["USER_ID_FOR_SRP"])
	assert.NotContains(t, err.Error(), "session-abc")
	assert.NotContains(t, err.Error(), "temp-pw-1")

	_, err = ts.Token(context.Background())
	require.ErrorIs(t, err, ErrNotSignedIn)

	require.NoError(t, ts.RespondNewPassword(context.Background(), ce, "new-pw-2"))
	require.Len(t, api.responds, 1)
	in := api.responds[0]
	assert.Equal(t, types.ChallengeNameTypeNewPasswordRequired, in.ChallengeName)
	assert.Equal(t, "session-abc", aws.ToString(in.Session))
	assert.Equal(t, "c", aws.ToString(in.ClientId))
	m := hmac.New(sha256.New, []byte("cs"))
	m.Write([]byte("bob-id" + "c"))
	assert.Equal(t, map[string]string{
		"USERNAME":     "bob-id",
		"NEW_PASSWORD": "new-pw-2",
		"SECRET_HASH":  base64.StdEncoding.EncodeToString(m.Sum(nil)),
	}, in.ChallengeResponses)

	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1.0, tokenN(t, tok))

	require.Error(t, ts.RespondNewPassword(context.Background(), &ChallengeError{Name: "SMS_MFA"}, "x"))
}

func TestSetTokensDuringRefreshWins(t *testing.T) {
	clk := newClock(t0)
	api, is := newFake(t, clk)
	release := make(chan struct{})
	api.initiate = func(ctx context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if in.AuthFlow == types.AuthFlowTypeRefreshTokenAuth {
			<-release
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: is.result(in.AuthFlow == types.AuthFlowTypeUserPasswordAuth)}, nil
	}
	ts := NewTokenSource(api, Options{ClientID: "c", Now: clk.now})
	require.NoError(t, ts.SignIn(context.Background(), "alice", "pw"))
	clk.set(t0.Add(time.Hour))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = ts.Token(context.Background())
	}()
	require.Eventually(t, func() bool { return api.count(types.AuthFlowTypeRefreshTokenAuth) == 1 }, 5*time.Second, time.Millisecond)
	newAccess := fakeJWT(t, map[string]any{"exp": t0.Add(3 * time.Hour).Unix(), "n": 99})
	ts.SetTokens(fakeJWT(t, map[string]any{"exp": t0.Add(3 * time.Hour).Unix()}), newAccess, "r")
	close(release)
	<-done
	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, newAccess, tok)
}
