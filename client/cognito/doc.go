// Package cognito provides a token source backed by an Amazon Cognito user
// pool, for AppSync's AMAZON_COGNITO_USER_POOLS ("userPool") authorization,
// and (in package identitypool) AWS credentials from a Cognito identity pool
// for the "identityPool" mode.
//
// A *TokenSource signs a user in, hands out the current access token (or ID
// token) and renews the tokens shortly before they expire. It has the method
// set of the SDK's client.TokenSource:
//
//	Token(ctx context.Context) (string, error)
//
// # Ways to sign in
//
//   - USER_PASSWORD_AUTH: SignIn with the default Options. The password goes
//     to Cognito (over TLS). The app client must allow ALLOW_USER_PASSWORD_AUTH.
//     This is the flow cognito-local implements.
//   - USER_SRP_AUTH: SignInSRP, or SignIn with Options.SignInFlow =
//     UserSRPAuth. The password is proven with Cognito's Secure Remote
//     Password protocol and never sent. This is Amplify JS's default, and
//     Cognito's default for app clients that list no explicit auth flows
//     (ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_CUSTOM_AUTH),
//     which then refuse USER_PASSWORD_AUTH. It needs Options.UserPoolID.
//     The implementation gives the same bytes as AWS's JavaScript SDK
//     (amazon-cognito-identity-js), which a test checks by running it.
//   - App clients with a secret: set Options.ClientSecret; every call then
//     carries SECRET_HASH (GetTokensFromRefreshToken: ClientSecret).
//   - Challenges: when Cognito asks for more than the password, SignIn and
//     SignInSRP return a *ChallengeError holding the challenge's name,
//     parameters and session. Answer NEW_PASSWORD_REQUIRED with
//     RespondNewPassword, and any challenge (SMS_MFA, SOFTWARE_TOKEN_MFA,
//     EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP, CUSTOM_CHALLENGE, ...) with
//     RespondToChallenge; ChallengeError.ResponseKeys and its message name
//     the responses each needs. Device authentication (DEVICE_SRP_AUTH) is not
//     supported.
//   - Tokens from elsewhere (a hosted UI): SetTokens.
//
// # Renewing tokens
//
// Token, IDToken and Claims renew the tokens when they are within the
// refresh margin of their exp claim, with one call at a time however many
// goroutines ask. The margin is Options.RefreshBefore (five minutes by
// default), capped at a quarter of the token's lifetime (exp - iat): a
// five-minute token, Cognito's shortest, is renewed 75 s before it expires
// rather than on every call. Options.RefreshFlow selects the call:
// InitiateAuth REFRESH_TOKEN_AUTH (the default), or GetTokensFromRefreshToken,
// which app clients with refresh token rotation require: Cognito then returns a
// new refresh token and invalidates the old one, and the TokenSource keeps the
// new one.
//
// A refresh that fails, because Cognito refuses the refresh token (revoked,
// expired, already rotated) or cannot be reached, does not fail callers while
// the held token is valid: they get that token, and Cognito is asked again
// only after a backoff (exponential with jitter, from about a second up to a
// minute, and once more at exp), not on every call. Once the token has
// expired, the failure is returned, a *RefreshError. Refresh, which the
// runtime calls when AppSync rejects a token, renews at once, whatever the
// margin and the backoff.
//
// # Errors
//
// A failed sign-in call is a *SignInError naming the flow, the operation and,
// where known, the fix; errors.Is(err, ErrNotAuthorized) tells a wrong
// password (NotAuthorizedException) apart, and errors.As with
// smithy.APIError gives Cognito's error code. Errors returned by this
// package never contain passwords, tokens, the client secret or SRP values,
// and the package does not log.
package cognito
