// Package cognito provides a token source backed by an Amazon Cognito user
// pool, for AppSync's AMAZON_COGNITO_USER_POOLS ("userPool") authorization.
//
// A *TokenSource signs a user in with USER_PASSWORD_AUTH, hands out the
// current access token (or ID token) and refreshes it with
// REFRESH_TOKEN_AUTH shortly before it expires. It has the method set of the
// SDK's client.TokenSource:
//
//	Token(ctx context.Context) (string, error)
//
// Errors returned by this package never contain tokens, passwords or the
// client secret, and the package does not log.
package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// API is the subset of *cognitoidentityprovider.Client that TokenSource
// uses, so that tests can substitute doubles.
type API interface {
	// InitiateAuth starts USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH flows.
	InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, optFns ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	// RespondToAuthChallenge answers challenges such as NEW_PASSWORD_REQUIRED.
	RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, optFns ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
}

var _ API = (*cip.Client)(nil)

// TokenKind selects which token Token returns.
type TokenKind int

const (
	// AccessToken is the Cognito access token; it is what Amplify JS sends
	// for userPool authorization, and the default.
	AccessToken TokenKind = iota
	// IDToken is the Cognito ID token, which carries user attributes.
	IDToken
)

// String returns "AccessToken" or "IDToken".
func (k TokenKind) String() string {
	switch k {
	case AccessToken:
		return "AccessToken"
	case IDToken:
		return "IDToken"
	}
	return fmt.Sprintf("TokenKind(%d)", int(k))
}

// DefaultRefreshBefore is how long before expiry tokens are refreshed when
// Options.RefreshBefore is zero.
const DefaultRefreshBefore = 5 * time.Minute

// refreshTimeout bounds one REFRESH_TOKEN_AUTH call. The call runs detached
// from the context of the caller that started it, so that one caller giving
// up does not fail the others waiting for the same refresh.
const refreshTimeout = time.Minute

// Options configures a TokenSource.
type Options struct {
	// ClientID is the user pool app client ID. Required.
	ClientID string
	// ClientSecret is the app client secret, for app clients that have one.
	// When set, requests carry SECRET_HASH =
	// base64(HMAC-SHA256(ClientSecret, username+ClientID)).
	ClientSecret string
	// Token selects the token returned by Token: AccessToken (default) or IDToken.
	Token TokenKind
	// RefreshBefore is how long before the token's exp claim it is
	// refreshed; zero means DefaultRefreshBefore.
	RefreshBefore time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// ErrNotSignedIn is returned by Token and Claims before SignIn or SetTokens.
var ErrNotSignedIn = errors.New("cognito: not signed in")

// ErrExpired is returned by Token when the token has expired and there is no
// refresh token to renew it with.
var ErrExpired = errors.New("cognito: token expired and no refresh token is available")

// RefreshError is returned by Token and Claims when refreshing the tokens
// with REFRESH_TOKEN_AUTH failed, e.g. with NotAuthorizedException because
// the refresh token was revoked or has expired. Err is the API error.
type RefreshError struct {
	// Err is the underlying error, usually a smithy.APIError.
	Err error
}

// Error implements error.
func (e *RefreshError) Error() string { return "cognito: refreshing tokens: " + e.Err.Error() }

// Unwrap returns Err.
func (e *RefreshError) Unwrap() error { return e.Err }

// ChallengeError is returned by SignIn (and RespondNewPassword) when Cognito
// answers with a challenge instead of tokens. For NEW_PASSWORD_REQUIRED pass
// it to RespondNewPassword.
type ChallengeError struct {
	// Name is the challenge name, e.g. "NEW_PASSWORD_REQUIRED".
	Name string
	// Session is the opaque session to answer the challenge with.
	Session string
	// Parameters are the challenge parameters Cognito sent.
	Parameters map[string]string

	username string
}

// Error implements error; it names the challenge only.
func (e *ChallengeError) Error() string {
	return "cognito: sign-in requires answering challenge " + e.Name
}

// TokenSource holds a user's Cognito tokens and refreshes them when needed.
// It is safe for concurrent use.
type TokenSource struct {
	api  API
	opts Options

	mu       sync.Mutex
	username string // as given to SignIn, or cognito:username from SetTokens
	tokens   tokenSet
	gen      uint64  // bumped whenever tokens are replaced from outside a refresh
	flight   *flight // the refresh in progress, if any
}

type tokenSet struct {
	id, access, refresh string
}

type flight struct {
	done   chan struct{}
	tokens tokenSet
	err    error
}

// NewTokenSource returns a TokenSource that uses api with opts.
func NewTokenSource(api API, opts Options) *TokenSource {
	if opts.RefreshBefore == 0 {
		opts.RefreshBefore = DefaultRefreshBefore
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &TokenSource{api: api, opts: opts}
}

// secretHash returns SECRET_HASH for username, or "" without a client secret.
func (s *TokenSource) secretHash(username string) string {
	if s.opts.ClientSecret == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(s.opts.ClientSecret))
	m.Write([]byte(username + s.opts.ClientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SignIn signs username in with USER_PASSWORD_AUTH and keeps the tokens.
// If Cognito answers with a challenge, SignIn returns a *ChallengeError; for
// NEW_PASSWORD_REQUIRED, answer it with RespondNewPassword. API errors are
// wrapped, so errors.As with smithy.APIError gives their ErrorCode (e.g.
// NotAuthorizedException or, with cognito-local, InvalidPasswordException).
func (s *TokenSource) SignIn(ctx context.Context, username, password string) error {
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
		return fmt.Errorf("cognito: sign in: %w", err)
	}
	return s.accept(username, out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult)
}

// RespondNewPassword answers a NEW_PASSWORD_REQUIRED challenge returned by
// SignIn with a new password, and keeps the resulting tokens. It may return
// a further *ChallengeError.
func (s *TokenSource) RespondNewPassword(ctx context.Context, challenge *ChallengeError, newPassword string) error {
	if challenge == nil || challenge.Name != string(types.ChallengeNameTypeNewPasswordRequired) {
		return errors.New("cognito: RespondNewPassword needs a NEW_PASSWORD_REQUIRED challenge")
	}
	username := challenge.username
	if u := challenge.Parameters["USER_ID_FOR_SRP"]; u != "" {
		username = u
	}
	resp := map[string]string{"USERNAME": username, "NEW_PASSWORD": newPassword}
	if h := s.secretHash(username); h != "" {
		resp["SECRET_HASH"] = h
	}
	out, err := s.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
		ClientId:           aws.String(s.opts.ClientID),
		Session:            aws.String(challenge.Session),
		ChallengeResponses: resp,
	})
	if err != nil {
		return fmt.Errorf("cognito: responding to %s: %w", challenge.Name, err)
	}
	return s.accept(username, out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult)
}

func (s *TokenSource) accept(username string, challenge types.ChallengeNameType, session *string, params map[string]string, res *types.AuthenticationResultType) error {
	if challenge != "" {
		return &ChallengeError{Name: string(challenge), Session: aws.ToString(session), Parameters: params, username: username}
	}
	if res == nil || (res.AccessToken == nil && res.IdToken == nil) {
		return errors.New("cognito: sign in: response has neither tokens nor a challenge")
	}
	s.SetTokens(aws.ToString(res.IdToken), aws.ToString(res.AccessToken), aws.ToString(res.RefreshToken))
	s.mu.Lock()
	if s.username == "" { // prefer cognito:username from the ID token
		s.username = username
	}
	s.mu.Unlock()
	return nil
}

// SetTokens replaces the held tokens, for apps that already have them (for
// example from a hosted UI sign-in). An empty refreshToken means the tokens
// cannot be renewed.
func (s *TokenSource) SetTokens(idToken, accessToken, refreshToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = tokenSet{id: idToken, access: accessToken, refresh: refreshToken}
	s.username = ""
	if c, err := decodePayload(idToken); err == nil {
		s.username, _ = c["cognito:username"].(string)
	}
	s.gen++
	s.flight = nil // a refresh in progress belongs to the old tokens
}

// Token returns the current token of the configured kind. When now is at or
// after the token's exp claim minus RefreshBefore, it first refreshes the
// tokens with REFRESH_TOKEN_AUTH. Concurrent callers share a single refresh;
// each stops waiting when its ctx is done. A failed refresh is returned as a
// *RefreshError; before SignIn or SetTokens, Token returns ErrNotSignedIn.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	t, err := s.fresh(ctx)
	if err != nil {
		return "", err
	}
	if s.opts.Token == IDToken {
		return t.id, nil
	}
	return t.access, nil
}

// Claims returns the decoded, unverified payload of the ID token (for
// example "sub" and "cognito:groups"), refreshing the tokens first if due.
func (s *TokenSource) Claims(ctx context.Context) (map[string]any, error) {
	t, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	if t.id == "" {
		return nil, errors.New("cognito: no ID token")
	}
	c, err := decodePayload(t.id)
	if err != nil {
		return nil, fmt.Errorf("cognito: decoding ID token: %w", err)
	}
	return c, nil
}

func (s *TokenSource) selected(t tokenSet) string {
	if s.opts.Token == IDToken {
		return t.id
	}
	return t.access
}

// expiry is the earliest exp of the held tokens; zero if none can be read.
func expiry(t tokenSet) time.Time {
	var exp time.Time
	for _, tok := range []string{t.id, t.access} {
		if tok == "" {
			continue
		}
		e, ok := tokenExp(tok)
		if !ok {
			return time.Time{}
		}
		if exp.IsZero() || e.Before(exp) {
			exp = e
		}
	}
	return exp
}

// fresh returns tokens that are not due for refresh, refreshing if needed.
func (s *TokenSource) fresh(ctx context.Context) (tokenSet, error) {
	s.mu.Lock()
	t := s.tokens
	if s.selected(t) == "" {
		s.mu.Unlock()
		return tokenSet{}, ErrNotSignedIn
	}
	now := s.opts.Now()
	exp := expiry(t)
	if now.Before(exp.Add(-s.opts.RefreshBefore)) {
		s.mu.Unlock()
		return t, nil
	}
	if t.refresh == "" {
		s.mu.Unlock()
		if now.Before(exp) {
			return t, nil // cannot renew, but still valid
		}
		return tokenSet{}, ErrExpired
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		go s.refresh(context.WithoutCancel(ctx), f, t, s.username, s.gen)
	}
	s.mu.Unlock()

	select {
	case <-f.done:
		return f.tokens, f.err
	case <-ctx.Done():
		return tokenSet{}, ctx.Err()
	}
}

// refresh runs one REFRESH_TOKEN_AUTH call and publishes its result to f.
func (s *TokenSource) refresh(ctx context.Context, f *flight, old tokenSet, username string, gen uint64) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	params := map[string]string{"REFRESH_TOKEN": old.refresh}
	if s.opts.ClientSecret != "" && username != "" {
		params["USERNAME"] = username
		params["SECRET_HASH"] = s.secretHash(username)
	}
	out, err := s.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		ClientId:       aws.String(s.opts.ClientID),
		AuthParameters: params,
	})
	var next tokenSet
	switch {
	case err != nil:
		err = &RefreshError{Err: err}
	case out.AuthenticationResult == nil:
		err = &RefreshError{Err: fmt.Errorf("unexpected challenge %q", out.ChallengeName)}
	default:
		r := out.AuthenticationResult
		next = tokenSet{id: aws.ToString(r.IdToken), access: aws.ToString(r.AccessToken), refresh: aws.ToString(r.RefreshToken)}
		if next.id == "" {
			next.id = old.id
		}
		if next.access == "" {
			next.access = old.access
		}
		if next.refresh == "" {
			next.refresh = old.refresh // Cognito usually does not rotate it
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flight == f {
		s.flight = nil
	}
	if err == nil && s.gen == gen {
		s.tokens = next
	}
	f.tokens, f.err = next, err
	close(f.done)
}

// decodePayload returns the unverified claims of a JWT.
func decodePayload(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, errors.New("JWT payload is not base64url")
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, errors.New("JWT payload is not a JSON object")
	}
	return c, nil
}

// tokenExp reads the exp claim (seconds since the epoch) of a JWT.
func tokenExp(token string) (time.Time, bool) {
	c, err := decodePayload(token)
	if err != nil {
		return time.Time{}, false
	}
	exp, ok := c["exp"].(float64)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(int64(exp), 0), true
}
