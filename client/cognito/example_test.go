package cognito_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-amplify/data/client/cognito"
	"github.com/go-amplify/data/client/cognito/internal/fakecognito"
)

// The examples run against fakecognito, a stand-in for Cognito on
// 127.0.0.1. Against AWS, make the client with
//
//	idp := cognitoidentityprovider.NewFromConfig(awsCfg) // the user pool's region
//
// and take the IDs from amplify_outputs.json: auth.user_pool_id,
// auth.user_pool_client_id.

const (
	poolID   = "us-east-1_AbCdEf123"
	clientID = "example-client-id"
)

func startPool(opts fakecognito.Options, users ...fakecognito.User) *fakecognito.Server {
	opts.PoolID, opts.ClientID = poolID, clientID
	fake := fakecognito.Start(opts)
	for _, u := range users {
		fake.AddUser(u)
	}
	return fake
}

// USER_SRP_AUTH: the password is proven, never sent. This is what Amplify JS
// does by default; the app client must allow ALLOW_USER_SRP_AUTH.
func ExampleTokenSource_SignInSRP() {
	fake := startPool(fakecognito.Options{}, fakecognito.User{Username: "alice", Password: "Corr3ct-Horse!"})
	defer fake.Close()
	idp := fake.Client()
	ctx := context.Background()

	ts := cognito.NewTokenSource(idp, cognito.Options{ClientID: clientID, UserPoolID: poolID})
	if err := ts.SignInSRP(ctx, "alice", "Corr3ct-Horse!"); err != nil {
		fmt.Println(err)
		return
	}
	claims, _ := ts.Claims(ctx)
	fmt.Println("signed in as", claims["cognito:username"])

	// A wrong password is Cognito's NotAuthorizedException, typed.
	err := ts.SignInSRP(ctx, "alice", "wrong password")
	fmt.Println(errors.Is(err, cognito.ErrNotAuthorized))
	// Output:
	// signed in as alice
	// true
}

// USER_PASSWORD_AUTH, the default of SignIn (and what cognito-local
// supports); Options.SignInFlow = cognito.UserSRPAuth makes SignIn use SRP.
func ExampleTokenSource_SignIn() {
	fake := startPool(fakecognito.Options{}, fakecognito.User{Username: "alice", Password: "Corr3ct-Horse!"})
	defer fake.Close()
	ctx := context.Background()

	ts := cognito.NewTokenSource(fake.Client(), cognito.Options{ClientID: clientID})
	if err := ts.SignIn(ctx, "alice", "Corr3ct-Horse!"); err != nil {
		fmt.Println(err)
		return
	}
	// Token gives the access token (client.WithUserPool(ts) sends it),
	// refreshed before it expires.
	tok, err := ts.Token(ctx)
	fmt.Println(tok != "", err)
	// Output: true <nil>
}

// An app client with a secret: SECRET_HASH is added to every call.
func ExampleOptions_clientSecret() {
	fake := startPool(fakecognito.Options{ClientSecret: "app-client-secret"},
		fakecognito.User{Username: "alice", Password: "Corr3ct-Horse!"})
	defer fake.Close()

	ts := cognito.NewTokenSource(fake.Client(), cognito.Options{
		ClientID: clientID, ClientSecret: "app-client-secret", UserPoolID: poolID, SignInFlow: cognito.UserSRPAuth,
	})
	fmt.Println(ts.SignIn(context.Background(), "alice", "Corr3ct-Horse!"))
	// Output: <nil>
}

// A first sign-in with a temporary password: NEW_PASSWORD_REQUIRED.
func ExampleTokenSource_RespondNewPassword() {
	fake := startPool(fakecognito.Options{}, fakecognito.User{
		Username: "newbie", Password: "Temp0rary-Pw!", Challenges: []string{"NEW_PASSWORD_REQUIRED"}})
	defer fake.Close()
	ctx := context.Background()

	ts := cognito.NewTokenSource(fake.Client(), cognito.Options{ClientID: clientID, UserPoolID: poolID})
	err := ts.SignInSRP(ctx, "newbie", "Temp0rary-Pw!")
	var ce *cognito.ChallengeError
	if errors.As(err, &ce) && ce.Name == "NEW_PASSWORD_REQUIRED" {
		err = ts.RespondNewPassword(ctx, ce, "Brand-New-Pw1!")
	}
	fmt.Println(err)
	// Output: <nil>
}

// MFA and other challenges: SignIn returns a *ChallengeError that keeps the
// session; answer it with RespondToChallenge.
func ExampleTokenSource_RespondToChallenge() {
	fake := startPool(fakecognito.Options{}, fakecognito.User{
		Username: "alice", Password: "Corr3ct-Horse!", Challenges: []string{"SMS_MFA"}, Code: "123456"})
	defer fake.Close()
	ctx := context.Background()

	ts := cognito.NewTokenSource(fake.Client(), cognito.Options{ClientID: clientID, UserPoolID: poolID})
	err := ts.SignInSRP(ctx, "alice", "Corr3ct-Horse!")
	var ce *cognito.ChallengeError
	for errors.As(err, &ce) {
		fmt.Println(ce.Name, ce.ResponseKeys(), "sent to", ce.Parameters["CODE_DELIVERY_DESTINATION"])
		code := "123456" // what the user typed
		err = ts.RespondToChallenge(ctx, ce, map[string]string{ce.ResponseKeys()[0]: code})
	}
	fmt.Println(err)
	// Output:
	// SMS_MFA [SMS_MFA_CODE] sent to +*******0100
	// <nil>
}

// Refresh token rotation: GetTokensFromRefreshToken renews the tokens and the
// refresh token; the used one stops working, the TokenSource keeps the new one.
func ExampleRefreshFlow() {
	now := time.Now()
	clock := func() time.Time { return now }
	fake := startPool(fakecognito.Options{RefreshTokenRotation: true, Now: clock},
		fakecognito.User{Username: "alice", Password: "Corr3ct-Horse!"})
	defer fake.Close()
	ctx := context.Background()

	ts := cognito.NewTokenSource(fake.Client(), cognito.Options{
		ClientID: clientID, UserPoolID: poolID, RefreshFlow: cognito.GetTokensFromRefreshToken, Now: clock,
	})
	if err := ts.SignInSRP(ctx, "alice", "Corr3ct-Horse!"); err != nil {
		fmt.Println(err)
		return
	}
	for range 3 {
		now = now.Add(time.Hour) // each Token call finds the token due, and renews it
		if _, err := ts.Token(ctx); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(fake.CallCount("GetTokensFromRefreshToken"), "refreshes, each with the previous one's refresh token")
	// Output: 3 refreshes, each with the previous one's refresh token
}

// Tokens obtained elsewhere (a hosted UI sign-in): SetTokens, then Token
// refreshes them as usual.
func ExampleTokenSource_SetTokens() {
	fake := startPool(fakecognito.Options{}, fakecognito.User{Username: "alice", Password: "Corr3ct-Horse!"})
	defer fake.Close()
	ctx := context.Background()
	other := cognito.NewTokenSource(fake.Client(), cognito.Options{ClientID: clientID})
	_ = other.SignIn(ctx, "alice", "Corr3ct-Horse!")
	idToken, _ := other.IDToken(ctx)
	accessToken, _ := other.Token(ctx)

	ts := cognito.NewTokenSource(fake.Client(), cognito.Options{ClientID: clientID})
	ts.SetTokens(idToken, accessToken, "" /* no refresh token: used until it expires */)
	claims, err := ts.Claims(ctx)
	fmt.Println(claims["cognito:username"], err)
	// Output: alice <nil>
}
