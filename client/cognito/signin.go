package cognito

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

// ErrNotAuthorized matches (with errors.Is) a *SignInError for which Cognito
// refused the credentials: NotAuthorizedException (a wrong password, a
// disabled user, an expired challenge session) or UserNotFoundException.
var ErrNotAuthorized = errors.New("cognito: not authorized")

// SignInError is returned by SignIn, SignInSRP, RespondToChallenge and
// RespondNewPassword when a Cognito call fails. It unwraps to the API error,
// so errors.As with smithy.APIError (or *types.NotAuthorizedException) works
// as well; errors.Is(err, ErrNotAuthorized) tells refused credentials apart.
// Its message names the flow, the failed call and, where known, the fix; it
// never holds the password, tokens, the client secret or SRP values.
type SignInError struct {
	// Flow is the sign-in flow: "USER_PASSWORD_AUTH", "USER_SRP_AUTH", or the
	// name of the challenge being answered.
	Flow string
	// Op is the failed operation: "InitiateAuth" or "RespondToAuthChallenge".
	Op string
	// Code is the API error code ("NotAuthorizedException"), "" for other errors.
	Code string
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *SignInError) Error() string {
	msg := "cognito: sign in with " + e.Flow + ": " + e.Op + ": " + e.Err.Error()
	if h := e.hint(); h != "" {
		msg += " (" + h + ")"
	}
	return msg
}

func (e *SignInError) hint() string {
	switch e.Code {
	case "NotAuthorizedException", "UserNotFoundException":
		return "Cognito refused the credentials: check the username and password, " +
			"that the user is enabled, and sign in again if the challenge session expired"
	case "Unsupported": // cognito-local: HTTP 500 CognitoLocal#Unsupported
		return "this endpoint does not implement " + e.Flow + " (cognito-local does not implement USER_SRP_AUTH): " +
			"set Options.SignInFlow to UserPasswordAuth for it"
	case "InvalidParameterException":
		if e.Flow == string(UserSRPAuth) || e.Flow == string(UserPasswordAuth) {
			return "if the flow is not enabled for the app client, allow ALLOW_" + e.Flow + " on it, or choose another Options.SignInFlow"
		}
	case "CodeMismatchException", "ExpiredCodeException":
		return "the code is wrong or expired: answer the challenge again with the right code, or sign in again"
	}
	return ""
}

// Unwrap returns Err.
func (e *SignInError) Unwrap() error { return e.Err }

// Is reports whether target is ErrNotAuthorized and Cognito refused the credentials.
func (e *SignInError) Is(target error) bool {
	return target == ErrNotAuthorized && (e.Code == "NotAuthorizedException" || e.Code == "UserNotFoundException")
}

func signInError(flow, op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("cognito: sign in with %s: %s: %w", flow, op, err)
	}
	e := &SignInError{Flow: flow, Op: op, Err: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code = ae.ErrorCode()
	}
	return e
}

// SignIn signs username in with the flow of Options.SignInFlow:
// USER_PASSWORD_AUTH by default, USER_SRP_AUTH with UserSRPAuth (see
// SignInSRP). It keeps the tokens. If Cognito answers with a challenge,
// SignIn returns a *ChallengeError to answer with RespondToChallenge (or
// RespondNewPassword). A failed call is a *SignInError; wrong credentials
// match errors.Is(err, ErrNotAuthorized).
func (s *TokenSource) SignIn(ctx context.Context, username, password string) error {
	switch s.opts.SignInFlow {
	case "", UserPasswordAuth:
		return s.signInPassword(ctx, username, password)
	case UserSRPAuth:
		return s.SignInSRP(ctx, username, password)
	}
	return fmt.Errorf("cognito: Options.SignInFlow %q is not a sign-in flow: use UserPasswordAuth (USER_PASSWORD_AUTH) or UserSRPAuth (USER_SRP_AUTH)", string(s.opts.SignInFlow))
}

func (s *TokenSource) signInPassword(ctx context.Context, username, password string) error {
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	if h := s.secretHash(username); h != "" {
		params["SECRET_HASH"] = h
	}
	out, err := s.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(s.opts.ClientID),
		AuthParameters: params,
	})
	if err != nil {
		return signInError(string(UserPasswordAuth), "InitiateAuth", err)
	}
	return s.accept(username, out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult)
}

// SignInSRP signs username in with Cognito's Secure Remote Password protocol,
// as Amplify JS does by default: InitiateAuth USER_SRP_AUTH with SRP_A, then
// RespondToAuthChallenge PASSWORD_VERIFIER with the claim signature. The
// password never leaves the process. It needs Options.UserPoolID, and an app
// client that allows ALLOW_USER_SRP_AUTH; with Options.ClientSecret both calls
// carry SECRET_HASH (the second one for USER_ID_FOR_SRP, the user's internal
// name, which differs from username when the user signs in with an alias such
// as the email address). Errors are as for SignIn.
func (s *TokenSource) SignInSRP(ctx context.Context, username, password string) error {
	const flow = string(UserSRPAuth)
	poolName, err := srpPoolName(s.opts.UserPoolID)
	if err != nil {
		return err
	}
	random := s.opts.Random
	if random == nil {
		random = rand.Reader
	}
	c, err := newSRPClient(poolName, random)
	if err != nil {
		return err
	}
	params := map[string]string{"USERNAME": username, "SRP_A": c.srpA()}
	if h := s.secretHash(username); h != "" {
		params["SECRET_HASH"] = h
	}
	out, err := s.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserSrpAuth,
		ClientId:       aws.String(s.opts.ClientID),
		AuthParameters: params,
	})
	if err != nil {
		return signInError(flow, "InitiateAuth", err)
	}
	if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		// Tokens straight away, or another challenge (e.g. a custom flow).
		return s.accept(username, out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult)
	}
	userID, responses, err := c.passwordVerifier(out.ChallengeParameters, password, s.opts.Now())
	if err != nil {
		return err
	}
	if h := s.secretHash(userID); h != "" {
		responses["SECRET_HASH"] = h
	}
	resp, err := s.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName:      types.ChallengeNameTypePasswordVerifier,
		ClientId:           aws.String(s.opts.ClientID),
		Session:            out.Session,
		ChallengeResponses: responses,
	})
	if err != nil {
		return signInError(flow, "RespondToAuthChallenge", err)
	}
	return s.accept(userID, resp.ChallengeName, resp.Session, resp.ChallengeParameters, resp.AuthenticationResult)
}

// accept keeps the tokens of a successful step, or returns the next challenge.
func (s *TokenSource) accept(username string, challenge types.ChallengeNameType, session *string, params map[string]string, res *types.AuthenticationResultType) error {
	if challenge != "" {
		return &ChallengeError{Name: string(challenge), Session: aws.ToString(session), Parameters: params, username: username}
	}
	if res == nil || (res.AccessToken == nil && res.IdToken == nil) {
		return errors.New("cognito: sign in: the response has neither tokens nor a challenge; is the endpoint a Cognito user pool?")
	}
	s.SetTokens(aws.ToString(res.IdToken), aws.ToString(res.AccessToken), aws.ToString(res.RefreshToken))
	s.mu.Lock()
	if s.username == "" { // prefer cognito:username from the ID token
		s.username = username
	}
	s.mu.Unlock()
	return nil
}
