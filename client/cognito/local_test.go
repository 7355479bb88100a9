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
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/internal/testenv"
)

// countingAPI wraps a real client and records the auth flows it was asked for.
type countingAPI struct {
	API
	mu    sync.Mutex
	flows []types.AuthFlowType
}

func (c *countingAPI) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, optFns ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	c.mu.Lock()
	c.flows = append(c.flows, in.AuthFlow)
	c.mu.Unlock()
	return c.API.InitiateAuth(ctx, in, optFns...)
}

func (c *countingAPI) count(flow types.AuthFlowType) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, f := range c.flows {
		if f == flow {
			n++
		}
	}
	return n
}

func TestCognitoLocal(t *testing.T) {
	env := testenv.StartCognito(t)
	ctx := context.Background()
	const pw = "Corr3ct-Horse!"
	sub := env.CreateUser(t, "alice", pw)

	t.Run("access token", func(t *testing.T) {
		ts := NewTokenSource(env.Client, Options{ClientID: env.ClientID})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		claims, err := env.VerifyJWT(tok)
		require.NoError(t, err)
		assert.Equal(t, "access", claims["token_use"])
		assert.Equal(t, sub, claims["sub"])
	})

	t.Run("id token", func(t *testing.T) {
		ts := NewTokenSource(env.Client, Options{ClientID: env.ClientID, Token: IDToken})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		claims, err := env.VerifyJWT(tok)
		require.NoError(t, err)
		assert.Equal(t, "id", claims["token_use"])
		assert.Equal(t, "alice", claims["cognito:username"])
	})

	t.Run("groups appear after new sign-in", func(t *testing.T) {
		env.CreateUser(t, "gina", pw)
		ts := NewTokenSource(env.Client, Options{ClientID: env.ClientID})
		require.NoError(t, ts.SignIn(ctx, "gina", pw))
		claims, err := ts.Claims(ctx)
		require.NoError(t, err)
		assert.NotContains(t, claims, "cognito:groups")

		env.CreateGroup(t, "editors")
		env.AddUserToGroup(t, "gina", "editors")
		require.NoError(t, ts.SignIn(ctx, "gina", pw))
		claims, err = ts.Claims(ctx)
		require.NoError(t, err)
		assert.Equal(t, []any{"editors"}, claims["cognito:groups"])
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		access, err := env.VerifyJWT(tok)
		require.NoError(t, err)
		assert.Equal(t, []any{"editors"}, access["cognito:groups"])
	})

	t.Run("refresh when within RefreshBefore", func(t *testing.T) {
		api := &countingAPI{API: env.Client}
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		ts := NewTokenSource(api, Options{ClientID: env.ClientID, Now: clock})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		tok1, err := ts.Token(ctx)
		require.NoError(t, err)
		claims1, err := env.VerifyJWT(tok1)
		require.NoError(t, err)
		exp := time.Unix(int64(claims1["exp"].(float64)), 0)
		assert.Equal(t, 0, api.count(types.AuthFlowTypeRefreshTokenAuth))

		// Just before exp-RefreshBefore: still the same token.
		mu.Lock()
		now = exp.Add(-DefaultRefreshBefore - time.Second)
		mu.Unlock()
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, tok1, tok)
		assert.Equal(t, 0, api.count(types.AuthFlowTypeRefreshTokenAuth))

		// At exp-RefreshBefore: refreshed (cognito-local tokens carry a random jti).
		mu.Lock()
		now = exp.Add(-DefaultRefreshBefore)
		mu.Unlock()
		tok2, err := ts.Token(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, tok1, tok2)
		assert.Equal(t, 1, api.count(types.AuthFlowTypeRefreshTokenAuth))
		claims2, err := env.VerifyJWT(tok2)
		require.NoError(t, err)
		assert.Equal(t, "access", claims2["token_use"])
		assert.Equal(t, claims1["sub"], claims2["sub"])
	})

	t.Run("wrong password", func(t *testing.T) {
		const wrong = "Wr0ng-Password-xyz"
		ts := NewTokenSource(env.Client, Options{ClientID: env.ClientID})
		err := ts.SignIn(ctx, "alice", wrong)
		require.Error(t, err)
		var ae smithy.APIError
		require.True(t, errors.As(err, &ae), "%v", err)
		assert.Equal(t, "InvalidPasswordException", ae.ErrorCode())
		assert.NotContains(t, err.Error(), wrong)
		_, err = ts.Token(ctx)
		require.ErrorIs(t, err, ErrNotSignedIn)
	})

	t.Run("revoked refresh token", func(t *testing.T) {
		now := time.Now()
		ts := NewTokenSource(env.Client, Options{ClientID: env.ClientID, Now: func() time.Time { return now }})
		res := env.SignIn(t, "alice", pw)
		ts.SetTokens(aws.ToString(res.IdToken), aws.ToString(res.AccessToken), aws.ToString(res.RefreshToken))
		_, err := env.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(env.ClientID), Token: res.RefreshToken})
		require.NoError(t, err)
		now = now.Add(2 * time.Hour * 24)
		_, err = ts.Token(ctx)
		var re *RefreshError
		require.ErrorAs(t, err, &re)
		var ae smithy.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "NotAuthorizedException", ae.ErrorCode())
		assert.NotContains(t, err.Error(), aws.ToString(res.RefreshToken))
	})

	t.Run("new password required", func(t *testing.T) {
		_, err := env.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId:        aws.String(env.PoolID),
			Username:          aws.String("newbie"),
			TemporaryPassword: aws.String("Temp0rary-Pw!"),
			MessageAction:     types.MessageActionTypeSuppress,
		})
		require.NoError(t, err)
		ts := NewTokenSource(env.Client, Options{ClientID: env.ClientID})
		err = ts.SignIn(ctx, "newbie", "Temp0rary-Pw!")
		var ce *ChallengeError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "NEW_PASSWORD_REQUIRED", ce.Name)
		require.NotEmpty(t, ce.Session)
		require.NoError(t, ts.RespondNewPassword(ctx, ce, "Brand-New-Pw1!"))
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		claims, err := env.VerifyJWT(tok)
		require.NoError(t, err)
		assert.Equal(t, "newbie", claims["username"])

		require.NoError(t, NewTokenSource(env.Client, Options{ClientID: env.ClientID}).SignIn(ctx, "newbie", "Brand-New-Pw1!"))
	})

	// cognito-local does not implement USER_SRP_AUTH: it answers HTTP 500
	// CognitoLocal#Unsupported. This is why SRP is proven against
	// internal/fakecognito (TestSignInSRP) and amazon-cognito-identity-js
	// (TestSRPMatchesAmazonCognitoIdentityJS) instead.
	t.Run("USER_SRP_AUTH is unsupported by cognito-local", func(t *testing.T) {
		var requests atomic.Int32
		client := cip.New(cip.Options{
			Region:           testenv.Region,
			BaseEndpoint:     aws.String(env.Endpoint),
			RetryMaxAttempts: 1, // a 500 is retried by default
			HTTPClient: doerFunc(func(r *http.Request) (*http.Response, error) {
				requests.Add(1)
				return http.DefaultClient.Do(r)
			}),
		})
		ts := NewTokenSource(client, Options{ClientID: env.ClientID, UserPoolID: env.PoolID})
		err := ts.SignInSRP(ctx, "alice", pw)
		var se *SignInError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "Unsupported", se.Code)
		assert.Equal(t, "InitiateAuth", se.Op)
		var re *smithyhttp.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, http.StatusInternalServerError, re.HTTPStatusCode())
		assert.Contains(t, err.Error(), "Cognito Local unsupported feature: InitAuth with AuthFlow=USER_SRP_AUTH")
		assert.Contains(t, err.Error(), "set Options.SignInFlow to UserPasswordAuth")
		assert.NotErrorIs(t, err, ErrNotAuthorized)
		assert.Equal(t, int32(1), requests.Load(), "one attempt, no retries")
		assert.NotContains(t, err.Error(), pw)
	})

	// Nor GetTokensFromRefreshToken: rotation is proven against
	// internal/fakecognito (TestRefreshTokenRotation).
	t.Run("GetTokensFromRefreshToken is unsupported by cognito-local", func(t *testing.T) {
		ts := NewTokenSource(env.Client, Options{ClientID: env.ClientID, RefreshFlow: GetTokensFromRefreshToken})
		require.NoError(t, ts.SignIn(ctx, "alice", pw))
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		err = ts.Refresh(ctx, tok) // renews at once, as after a 401
		var re *RefreshError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "GetTokensFromRefreshToken", re.Flow)
		var ae smithy.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "Unsupported", ae.ErrorCode())
		assert.Contains(t, ae.ErrorMessage(), `Unsupported x-amz-target header "GetTokensFromRefreshToken"`)
	})
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
