package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/cognito/internal/fakecognito"
)

func secretHashFor(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// requestParams returns the AuthParameters or ChallengeResponses of a recorded call.
func requestParams(t *testing.T, c fakecognito.Call) map[string]string {
	t.Helper()
	key := "AuthParameters"
	if c.Op == "RespondToAuthChallenge" {
		key = "ChallengeResponses"
	}
	out := map[string]string{}
	m, _ := c.Body[key].(map[string]any)
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

// assertNoSecretSent checks that no request carried the password.
func assertNoSecretSent(t *testing.T, srv *fakecognito.Server, secrets ...string) {
	t.Helper()
	for _, c := range srv.Calls() {
		b, err := json.Marshal(c.Body)
		require.NoError(t, err)
		for _, s := range secrets {
			assert.NotContains(t, string(b), s, "%s request", c.Op)
		}
	}
}

func TestSignInSRP(t *testing.T) {
	ctx := context.Background()
	const pw = "Corr3ct-Horse-Battery!"

	t.Run("the double checks the proof: tokens", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{})
		sub := srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, UserPoolID: srv.PoolID})
		require.NoError(t, ts.SignInSRP(ctx, "alice", pw))
		claims, err := ts.Claims(ctx)
		require.NoError(t, err)
		assert.Equal(t, sub, claims["sub"])
		assert.Equal(t, "alice", claims["cognito:username"])
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		access, err := decodePayload(tok)
		require.NoError(t, err)
		assert.Equal(t, "access", access["token_use"])

		calls := srv.Calls()
		require.Len(t, calls, 2)
		assert.Equal(t, "InitiateAuth", calls[0].Op)
		assert.Equal(t, "USER_SRP_AUTH", calls[0].Body["AuthFlow"])
		p := requestParams(t, calls[0])
		assert.Equal(t, []string{"SRP_A", "USERNAME"}, sortedKeys(p), "no SECRET_HASH without a client secret")
		assert.Equal(t, "RespondToAuthChallenge", calls[1].Op)
		assert.Equal(t, "PASSWORD_VERIFIER", calls[1].Body["ChallengeName"])
		assert.Equal(t, []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "USERNAME"}, sortedKeys(requestParams(t, calls[1])))
		assertNoSecretSent(t, srv, pw)
	})

	t.Run("Options.SignInFlow makes SignIn use SRP", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, UserPoolID: srv.PoolID, SignInFlow: UserSRPAuth})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		assert.Equal(t, "USER_SRP_AUTH", srv.Calls()[0].Body["AuthFlow"])
		assertNoSecretSent(t, srv, pw)

		// The default stays USER_PASSWORD_AUTH.
		ts = NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		assert.Equal(t, "USER_PASSWORD_AUTH", srv.Calls()[2].Body["AuthFlow"])

		err := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, SignInFlow: "USER_AUTH"}).SignIn(ctx, "alice", pw)
		require.ErrorContains(t, err, `Options.SignInFlow "USER_AUTH" is not a sign-in flow`)
	})

	t.Run("alias and client secret", func(t *testing.T) {
		const secret = "cl13nt-s3cr3t-value"
		srv := fakecognito.New(t, fakecognito.Options{ClientSecret: secret})
		const internal = "5468d468-4061-70ed-8870-45c766d26225"
		srv.AddUser(fakecognito.User{Username: internal, Alias: "carol@example.com", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, ClientSecret: secret, UserPoolID: srv.PoolID})
		require.NoError(t, ts.SignInSRP(ctx, "carol@example.com", pw))
		claims, err := ts.Claims(ctx)
		require.NoError(t, err)
		assert.Equal(t, internal, claims["cognito:username"])

		calls := srv.Calls()
		require.Len(t, calls, 2)
		// SECRET_HASH for the name typed, then for USER_ID_FOR_SRP; the double refuses any other.
		assert.Equal(t, secretHashFor(secret, "carol@example.com", srv.ClientID), requestParams(t, calls[0])["SECRET_HASH"])
		r := requestParams(t, calls[1])
		assert.Equal(t, internal, r["USERNAME"])
		assert.Equal(t, secretHashFor(secret, internal, srv.ClientID), r["SECRET_HASH"])
		assertNoSecretSent(t, srv, pw, secret)

		// A wrong client secret is refused with Cognito's message.
		bad := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, ClientSecret: "wrong", UserPoolID: srv.PoolID})
		err = bad.SignInSRP(ctx, "carol@example.com", pw)
		require.ErrorIs(t, err, ErrNotAuthorized)
		require.ErrorContains(t, err, "Unable to verify secret hash")
	})

	t.Run("wrong password is NotAuthorizedException, typed", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, UserPoolID: srv.PoolID})
		const wrong = "Wr0ng-Horse-Battery!"
		err := ts.SignInSRP(ctx, "alice", wrong)
		require.ErrorIs(t, err, ErrNotAuthorized)
		var se *SignInError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "USER_SRP_AUTH", se.Flow)
		assert.Equal(t, "RespondToAuthChallenge", se.Op, "the server refuses the proof, not the user")
		assert.Equal(t, "NotAuthorizedException", se.Code)
		var na *types.NotAuthorizedException
		require.ErrorAs(t, err, &na)
		assert.Equal(t, "Incorrect username or password.", na.ErrorMessage())
		assert.Contains(t, err.Error(), "check the username and password")
		assert.NotContains(t, err.Error(), wrong)
		_, err = ts.Token(ctx)
		require.ErrorIs(t, err, ErrNotSignedIn)
		assertNoSecretSent(t, srv, wrong)

		// The right password still works after a failed attempt.
		require.NoError(t, ts.SignInSRP(ctx, "alice", pw))
	})

	t.Run("unknown user", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, UserPoolID: srv.PoolID})
		err := ts.SignInSRP(ctx, "nobody", pw)
		require.ErrorIs(t, err, ErrNotAuthorized)
		var se *SignInError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "UserNotFoundException", se.Code)
		assert.Equal(t, "InitiateAuth", se.Op)
	})

	t.Run("the timestamp is checked", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		// The proof signs a timestamp an hour off the server's clock: refused.
		skewed := func() time.Time { return time.Now().Add(time.Hour) }
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, UserPoolID: srv.PoolID, Now: skewed})
		require.ErrorIs(t, ts.SignInSRP(ctx, "alice", pw), ErrNotAuthorized)
	})

	t.Run("a pool ID is needed", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID})
		err := ts.SignInSRP(ctx, "alice", pw)
		require.ErrorContains(t, err, "USER_SRP_AUTH needs Options.UserPoolID")
		assert.Empty(t, srv.Calls(), "nothing sent")
	})

	t.Run("refresh after an SRP sign-in with a client secret", func(t *testing.T) {
		const secret = "s3cr3t"
		now := time.Now()
		clock := func() time.Time { return now }
		srv := fakecognito.New(t, fakecognito.Options{ClientSecret: secret, Now: clock})
		srv.AddUser(fakecognito.User{Username: "alice", Password: pw})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, ClientSecret: secret, UserPoolID: srv.PoolID, Now: clock})
		require.NoError(t, ts.SignInSRP(ctx, "alice", pw))
		tok1, err := ts.Token(ctx)
		require.NoError(t, err)
		now = now.Add(time.Hour)
		tok2, err := ts.Token(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, tok1, tok2)
		assert.Equal(t, 1, countFlow(srv, "REFRESH_TOKEN_AUTH"))
	})
}

func countFlow(srv *fakecognito.Server, flow string) int {
	n := 0
	for _, c := range srv.Calls() {
		if c.Body["AuthFlow"] == flow {
			n++
		}
	}
	return n
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// The error from a context cancelled during sign-in is the context's, not a SignInError.
func TestSignInCancelled(t *testing.T) {
	srv := fakecognito.New(t, fakecognito.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, UserPoolID: srv.PoolID})
	err := ts.SignInSRP(ctx, "alice", "pw")
	require.ErrorIs(t, err, context.Canceled)
	var se *SignInError
	assert.False(t, errors.As(err, &se))
	var ae smithy.APIError
	assert.False(t, errors.As(err, &ae))
}
