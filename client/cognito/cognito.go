package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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
	// InitiateAuth starts the USER_PASSWORD_AUTH, USER_SRP_AUTH and
	// REFRESH_TOKEN_AUTH flows.
	InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, optFns ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	// RespondToAuthChallenge answers PASSWORD_VERIFIER (SRP) and the other
	// challenges, such as NEW_PASSWORD_REQUIRED or SMS_MFA.
	RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, optFns ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
}

// RefreshTokenAPI is the operation that Options.RefreshFlow =
// GetTokensFromRefreshToken needs; *cognitoidentityprovider.Client has it.
// It is separate from API so that existing API implementations keep working.
type RefreshTokenAPI interface {
	GetTokensFromRefreshToken(ctx context.Context, in *cip.GetTokensFromRefreshTokenInput, optFns ...func(*cip.Options)) (*cip.GetTokensFromRefreshTokenOutput, error)
}

var (
	_ API             = (*cip.Client)(nil)
	_ RefreshTokenAPI = (*cip.Client)(nil)
)

// SignInFlow selects how SignIn proves the password to Cognito.
type SignInFlow string

const (
	// UserPasswordAuth sends the password to Cognito (over TLS) with
	// USER_PASSWORD_AUTH. It is the default (the zero SignInFlow) and the one
	// cognito-local supports. The app client must allow ALLOW_USER_PASSWORD_AUTH.
	UserPasswordAuth SignInFlow = "USER_PASSWORD_AUTH"
	// UserSRPAuth proves the password without sending it, with Cognito's
	// Secure Remote Password protocol (USER_SRP_AUTH, then the
	// PASSWORD_VERIFIER challenge), as Amplify JS does by default. It needs
	// Options.UserPoolID and an app client allowing ALLOW_USER_SRP_AUTH.
	UserSRPAuth SignInFlow = "USER_SRP_AUTH"
)

// RefreshFlow selects the API call that renews tokens.
type RefreshFlow string

const (
	// RefreshTokenAuth renews tokens with InitiateAuth REFRESH_TOKEN_AUTH. It
	// is the default (the zero RefreshFlow). Cognito refuses it for app
	// clients with refresh token rotation enabled.
	RefreshTokenAuth RefreshFlow = "REFRESH_TOKEN_AUTH"
	// GetTokensFromRefreshToken renews tokens with the GetTokensFromRefreshToken
	// operation, which works with and without refresh token rotation; with
	// rotation, Cognito returns a new refresh token and invalidates the old
	// one, and the TokenSource keeps the new one. The API passed to
	// NewTokenSource must implement RefreshTokenAPI.
	GetTokensFromRefreshToken RefreshFlow = "GetTokensFromRefreshToken"
)

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
// Options.RefreshBefore is zero. For tokens living less than four times as
// long (Cognito's shortest tokens live five minutes), the margin is a
// quarter of their lifetime instead; see Options.RefreshBefore.
const DefaultRefreshBefore = 5 * time.Minute

// marginDivisor caps the refresh margin at lifetime/marginDivisor, the
// lifetime being exp - iat. A quarter keeps a token in use for three
// quarters of its life, so tokens are renewed at most 4/3 as often as they
// expire, and leaves a quarter (75 s for Cognito's shortest, five-minute
// tokens) for the refresh call, its retries after a failure (see
// refreshBackoff) and clock skew. Without the cap, a margin at least as
// long as the lifetime makes every Token call a refresh.
const marginDivisor = 4

// The backoff after a failed refresh: the first retry waits about
// refreshBackoffBase, each next one twice as long, up to refreshBackoffMax.
// A refresh failing throughout the 75 s margin of a five-minute token is
// thus tried at most eight times, throughout the default five-minute margin
// at most fifteen times, and after exp about once a minute.
const (
	refreshBackoffBase = time.Second
	refreshBackoffMax  = time.Minute
)

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
	// base64(HMAC-SHA256(ClientSecret, username+ClientID)), and
	// GetTokensFromRefreshToken carries ClientSecret.
	ClientSecret string
	// UserPoolID is the user pool ID ("us-east-1_AbCdEf123", auth.user_pool_id
	// in amplify_outputs.json). USER_SRP_AUTH needs it: the SRP proof hashes
	// the part after "_".
	UserPoolID string
	// SignInFlow selects what SignIn does: UserPasswordAuth (the default) or
	// UserSRPAuth. SignInSRP always uses SRP.
	SignInFlow SignInFlow
	// RefreshFlow selects how tokens are renewed: RefreshTokenAuth (the
	// default) or GetTokensFromRefreshToken (needed with refresh token rotation).
	RefreshFlow RefreshFlow
	// Random is the source of SRP's secret random value; nil means
	// crypto/rand.Reader. Only tests should set it.
	Random io.Reader
	// Token selects the token returned by Token: AccessToken (default) or IDToken.
	Token TokenKind
	// RefreshBefore is how long before the token's exp claim it is
	// refreshed; zero means DefaultRefreshBefore. It is capped at a quarter
	// of the token's lifetime (exp - iat), so that short-lived tokens are
	// used for most of their life instead of being refreshed on every call;
	// a token without an iat claim gets RefreshBefore as it is.
	RefreshBefore time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// ErrNotSignedIn is returned by Token and Claims before SignIn or SetTokens.
var ErrNotSignedIn = errors.New("cognito: not signed in")

// ErrExpired is returned by Token when the token has expired and there is no
// refresh token to renew it with.
var ErrExpired = errors.New("cognito: token expired and no refresh token is available")

// RefreshError is returned by Token, IDToken and Claims when renewing the
// tokens failed, e.g. with NotAuthorizedException because the refresh token
// was revoked, has expired, or (with refresh token rotation) was already
// used, or because Cognito could not be reached. Token returns it only once
// the held token has expired: until then it serves the held token and
// retries with backoff. Err is the API error; the message never holds a
// token. The held tokens stay as they were: sign in again (or SetTokens) to
// go on.
type RefreshError struct {
	// Flow is the refresh flow: "REFRESH_TOKEN_AUTH" or "GetTokensFromRefreshToken".
	Flow string
	// Err is the underlying error, usually a smithy.APIError.
	Err error
}

// Error implements error.
func (e *RefreshError) Error() string {
	flow := e.Flow
	if flow == "" {
		flow = string(RefreshTokenAuth)
	}
	return "cognito: refreshing tokens with " + flow + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *RefreshError) Unwrap() error { return e.Err }

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

	// After a failed refresh of the held tokens: how many failed in a row,
	// the time before which Token does not try again, and the last error,
	// returned meanwhile once the tokens have expired.
	failures int
	retryAt  time.Time
	lastErr  error
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
	s.failures, s.retryAt, s.lastErr = 0, time.Time{}, nil
}

// Token returns the current token of the configured kind. When now is at or
// after the token's exp claim minus the refresh margin (RefreshBefore, at
// most a quarter of the token's lifetime), it first refreshes the tokens
// with Options.RefreshFlow. Concurrent callers share a single refresh; each
// stops waiting when its ctx is done.
//
// When the refresh fails (a revoked refresh token, Cognito unreachable),
// Token goes on returning the held token while it is valid, and tries again
// only after a backoff (exponential with jitter, from about a second up to a
// minute, with a last try at exp); meanwhile it does not call Cognito. Once
// the token has expired, it returns the failure, a *RefreshError. Before
// SignIn or SetTokens, Token returns ErrNotSignedIn.
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

// IDToken returns the current ID token whatever Options.Token selects,
// refreshing the tokens first if due, as Token does. Identity pools take the
// ID token (see package identitypool).
func (s *TokenSource) IDToken(ctx context.Context) (string, error) {
	t, err := s.fresh(ctx)
	if err != nil {
		return "", err
	}
	if t.id == "" {
		return "", errors.New("cognito: no ID token: Cognito returned none (the sign-in's scopes lack openid?) or SetTokens was given none")
	}
	return t.id, nil
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

// schedule returns when the held tokens are due for a refresh and when
// they expire: the earliest of each over the ID and access tokens, each
// token's margin being min(margin, its lifetime/marginDivisor). Both are
// zero (due and expired) if a token's exp cannot be read.
func schedule(t tokenSet, margin time.Duration) (due, exp time.Time) {
	for _, tok := range []string{t.id, t.access} {
		if tok == "" {
			continue
		}
		e, iat, ok := tokenTimes(tok)
		if !ok {
			return time.Time{}, time.Time{}
		}
		m := margin
		if life := e.Sub(iat); !iat.IsZero() && life > 0 {
			m = min(m, life/marginDivisor)
		}
		if exp.IsZero() || e.Before(exp) {
			exp = e
		}
		if d := e.Add(-m); due.IsZero() || d.Before(due) {
			due = d
		}
	}
	return due, exp
}

// refreshBackoff is how long to wait after the n-th failed refresh in a
// row: d = min(refreshBackoffBase * 2^(n-1), refreshBackoffMax), jittered
// to between d/2 and d so that clients failing together do not retry
// together.
func refreshBackoff(n int) time.Duration {
	d := refreshBackoffBase
	for i := 1; i < n && d < refreshBackoffMax; i++ {
		d *= 2
	}
	d = min(d, refreshBackoffMax)
	return d/2 + rand.N(d/2+1)
}

// startRefresh returns the refresh in flight, starting one for t if there
// is none. s.mu must be held.
func (s *TokenSource) startRefresh(ctx context.Context, t tokenSet) *flight {
	if s.flight == nil {
		s.flight = &flight{done: make(chan struct{})}
		go s.refresh(context.WithoutCancel(ctx), s.flight, t, s.username, s.gen)
	}
	return s.flight
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
	due, exp := schedule(t, s.opts.RefreshBefore)
	if now.Before(due) {
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
	if s.flight == nil && now.Before(s.retryAt) {
		// Backing off after a failed refresh.
		err := s.lastErr
		s.mu.Unlock()
		if now.Before(exp) {
			return t, nil
		}
		return tokenSet{}, err
	}
	f := s.startRefresh(ctx, t)
	s.mu.Unlock()

	select {
	case <-f.done:
		if f.err != nil && s.opts.Now().Before(exp) {
			return t, nil // the refresh failed, but the held tokens are still valid
		}
		return f.tokens, f.err
	case <-ctx.Done():
		return tokenSet{}, ctx.Err()
	}
}

// refresh runs one refresh call and publishes its result to f.
func (s *TokenSource) refresh(ctx context.Context, f *flight, old tokenSet, username string, gen uint64) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	var (
		res *types.AuthenticationResultType
		err error
	)
	flow := s.opts.RefreshFlow
	switch flow {
	case "", RefreshTokenAuth:
		flow = RefreshTokenAuth
		res, err = s.refreshTokenAuth(ctx, old.refresh, username)
	case GetTokensFromRefreshToken:
		res, err = s.getTokensFromRefreshToken(ctx, old.refresh)
	default:
		err = fmt.Errorf("Options.RefreshFlow %q is not a refresh flow: use RefreshTokenAuth or GetTokensFromRefreshToken", string(flow))
	}
	var next tokenSet
	switch {
	case err != nil:
		err = &RefreshError{Flow: string(flow), Err: err}
	case res == nil:
		err = &RefreshError{Flow: string(flow), Err: errors.New("the response has no tokens")}
	default:
		next = tokenSet{id: aws.ToString(res.IdToken), access: aws.ToString(res.AccessToken), refresh: aws.ToString(res.RefreshToken)}
		if next.id == "" {
			next.id = old.id
		}
		if next.access == "" {
			next.access = old.access
		}
		if next.refresh == "" {
			next.refresh = old.refresh // not rotated: the old one stays valid
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flight == f {
		s.flight = nil
	}
	if s.gen == gen { // the tokens were not replaced meanwhile
		if err == nil {
			s.tokens = next
			s.failures, s.retryAt, s.lastErr = 0, time.Time{}, nil
		} else {
			s.failures++
			now := s.opts.Now()
			s.retryAt = now.Add(refreshBackoff(s.failures))
			if _, exp := schedule(old, s.opts.RefreshBefore); now.Before(exp) && s.retryAt.After(exp) {
				s.retryAt = exp // one more try before the error reaches callers
			}
			s.lastErr = err
		}
	}
	f.tokens, f.err = next, err
	close(f.done)
}

// refreshTokenAuth renews tokens with InitiateAuth REFRESH_TOKEN_AUTH.
func (s *TokenSource) refreshTokenAuth(ctx context.Context, refreshToken, username string) (*types.AuthenticationResultType, error) {
	params := map[string]string{"REFRESH_TOKEN": refreshToken}
	if s.opts.ClientSecret != "" && username != "" {
		params["USERNAME"] = username
		params["SECRET_HASH"] = s.secretHash(username)
	}
	out, err := s.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		ClientId:       aws.String(s.opts.ClientID),
		AuthParameters: params,
	})
	if err != nil {
		return nil, err
	}
	if out.AuthenticationResult == nil {
		return nil, fmt.Errorf("unexpected challenge %q instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult, nil
}

// getTokensFromRefreshToken renews tokens with GetTokensFromRefreshToken,
// which returns a new refresh token when the app client rotates them.
func (s *TokenSource) getTokensFromRefreshToken(ctx context.Context, refreshToken string) (*types.AuthenticationResultType, error) {
	api, ok := s.api.(RefreshTokenAPI)
	if !ok {
		return nil, fmt.Errorf("Options.RefreshFlow is GetTokensFromRefreshToken, but the API given to NewTokenSource (%T) "+
			"has no GetTokensFromRefreshToken method: pass a *cognitoidentityprovider.Client, or use RefreshTokenAuth", s.api)
	}
	in := &cip.GetTokensFromRefreshTokenInput{
		ClientId:     aws.String(s.opts.ClientID),
		RefreshToken: aws.String(refreshToken),
	}
	if s.opts.ClientSecret != "" {
		in.ClientSecret = aws.String(s.opts.ClientSecret)
	}
	out, err := api.GetTokensFromRefreshToken(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
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

// tokenTimes reads the exp and iat claims (seconds since the epoch) of a
// JWT; ok is false without exp, iat is zero without iat.
func tokenTimes(token string) (exp, iat time.Time, ok bool) {
	c, err := decodePayload(token)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	e, ok := c["exp"].(float64)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	if i, ok := c["iat"].(float64); ok {
		iat = time.Unix(int64(i), 0)
	}
	return time.Unix(int64(e), 0), iat, true
}

// Refresh renews the tokens at once when rejected is still the token Token
// returns: AppSync refused it (revoked, or expired before its exp). It calls
// Cognito whether or not the tokens are due, and also during the backoff
// after a failed refresh, since the held token is of no use any more. A
// refresh already in flight is shared; when another caller has renewed the
// tokens since, it returns nil at once. A failed refresh (a revoked refresh
// token) is a *RefreshError. It makes the TokenSource a
// client.TokenRefresher, so the runtime refreshes once and retries once on a
// 401.
func (s *TokenSource) Refresh(ctx context.Context, rejected string) error {
	s.mu.Lock()
	t := s.tokens
	if s.selected(t) != rejected {
		s.mu.Unlock()
		return nil
	}
	if t.refresh == "" {
		s.mu.Unlock()
		return ErrExpired
	}
	f := s.startRefresh(ctx, t)
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
