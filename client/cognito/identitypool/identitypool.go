// Package identitypool provides AWS credentials from an Amazon Cognito
// identity pool, for AppSync's identityPool auth mode
// (client.WithIdentityPool), as Amplify JS's fetchAuthSession does:
//
//   - guest (unauthenticated) credentials when Options.Tokens is nil:
//     GetId without logins, then GetCredentialsForIdentity;
//   - authenticated credentials for a signed-in user: the same two calls
//     with Logins = {"cognito-idp.<region>.amazonaws.com/<userPoolId>": <ID
//     token>}, the ID token coming from a *cognito.TokenSource (which
//     refreshes it).
//
// The identity ID is fetched once and reused (it is the user's, or the
// guest's, stable identity in the pool); it is fetched anew when Cognito no
// longer knows it, or when the ID token belongs to another user. The
// credentials are cached and renewed RefreshBefore ahead of their
// expiration: the Expires that Retrieve reports is already moved forward by
// RefreshBefore, so any aws.CredentialsCache, including the one
// client.WithIdentityPool wraps the provider in, asks again in time.
//
// Errors never contain tokens or keys, and the package does not log.
package identitypool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"
)

// API is the subset of *cognitoidentity.Client that Provider uses.
type API interface {
	GetId(ctx context.Context, in *ci.GetIdInput, optFns ...func(*ci.Options)) (*ci.GetIdOutput, error)
	GetCredentialsForIdentity(ctx context.Context, in *ci.GetCredentialsForIdentityInput, optFns ...func(*ci.Options)) (*ci.GetCredentialsForIdentityOutput, error)
}

var _ API = (*ci.Client)(nil)

// IDTokenSource gives the signed-in user's current ID token;
// *cognito.TokenSource implements it (its IDToken method refreshes the
// token when due).
type IDTokenSource interface {
	IDToken(ctx context.Context) (string, error)
}

// DefaultRefreshBefore is how long before the credentials' expiration they
// are renewed when Options.RefreshBefore is zero.
const DefaultRefreshBefore = 5 * time.Minute

// Options configures a Provider.
type Options struct {
	// IdentityPoolID is the identity pool ("us-east-1:1a2b3c4d-...",
	// auth.identity_pool_id in amplify_outputs.json). Required.
	IdentityPoolID string
	// Tokens gives the signed-in user's ID token, for authenticated
	// credentials. Nil means guest credentials.
	Tokens IDTokenSource
	// UserPoolID is the user pool that issued Tokens' ID tokens
	// ("us-east-1_AbCdEf123", auth.user_pool_id in amplify_outputs.json):
	// the Logins key is cognito-idp.<region>.amazonaws.com/<UserPoolID>,
	// the region being the part before "_". Required with Tokens, unless
	// ProviderName is set.
	UserPoolID string
	// ProviderName, when set, is the Logins key instead (another OpenID
	// Connect provider, or a user pool in a partition with another domain).
	ProviderName string
	// AccountID is passed to GetId when set; Cognito does not need it.
	AccountID string
	// RefreshBefore is how long before the credentials expire they are
	// renewed; zero means DefaultRefreshBefore.
	RefreshBefore time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Error is a failed identity-pool call. It unwraps to the API error
// (errors.As with smithy.APIError works); its message names the operation
// and, where known, the fix.
type Error struct {
	// Op is "GetId" or "GetCredentialsForIdentity".
	Op string
	// Guest tells whether guest credentials were asked for.
	Guest bool
	// Code is the API error code ("NotAuthorizedException"), "" for other errors.
	Code string
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := "identitypool: " + e.Op + ": " + e.Err.Error()
	if h := e.hint(); h != "" {
		msg += " (" + h + ")"
	}
	return msg
}

func (e *Error) hint() string {
	switch e.Code {
	case "NotAuthorizedException":
		if e.Guest {
			return "the identity pool refuses guests: enable unauthenticated access on it, or set Options.Tokens for authenticated credentials"
		}
		return "the identity pool refuses the login: check that it trusts the user pool and app client that issued the ID token " +
			"(Options.UserPoolID or Options.ProviderName), and that the user is signed in"
	case "ResourceNotFoundException":
		return "check Options.IdentityPoolID (auth.identity_pool_id in amplify_outputs.json) and its region"
	case "InvalidIdentityPoolConfigurationException":
		return "the identity pool's roles are misconfigured: check its authenticated and unauthenticated roles and their trust policies"
	}
	return ""
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Provider is an aws.CredentialsProvider of identity-pool credentials. It is
// safe for concurrent use; concurrent Retrieve calls share one fetch.
type Provider struct {
	api  API
	opts Options

	sem chan struct{} // held while fetching; one fetch at a time

	// guarded by sem
	identityID string
	sub        string // the sub of the ID token identityID belongs to
	creds      aws.Credentials
	valid      bool
}

var _ aws.CredentialsProvider = (*Provider)(nil)

// New returns a Provider for api (a *cognitoidentity.Client, in the
// identity pool's region) with opts. It checks opts and calls nothing.
func New(api API, opts Options) (*Provider, error) {
	if api == nil {
		return nil, errors.New("identitypool: New needs a Cognito identity client: cognitoidentity.NewFromConfig(cfg) in the identity pool's region")
	}
	if opts.IdentityPoolID == "" {
		return nil, errors.New(`identitypool: Options.IdentityPoolID is required: the identity pool ID, e.g. "us-east-1:1a2b3c4d-...", auth.identity_pool_id in amplify_outputs.json`)
	}
	if !strings.Contains(opts.IdentityPoolID, ":") {
		return nil, fmt.Errorf(`identitypool: Options.IdentityPoolID %q is not an identity pool ID: want <region>:<uuid>, e.g. "us-east-1:1a2b3c4d-...", auth.identity_pool_id in amplify_outputs.json`, opts.IdentityPoolID)
	}
	if opts.Tokens != nil && opts.ProviderName == "" {
		region, _, ok := strings.Cut(opts.UserPoolID, "_")
		if !ok || region == "" {
			return nil, fmt.Errorf(`identitypool: with Options.Tokens, Options.UserPoolID is required (got %q): the user pool ID, e.g. "us-east-1_AbCdEf123", auth.user_pool_id in amplify_outputs.json; or set Options.ProviderName`, opts.UserPoolID)
		}
		opts.ProviderName = "cognito-idp." + region + ".amazonaws.com/" + opts.UserPoolID
	}
	if opts.RefreshBefore <= 0 {
		opts.RefreshBefore = DefaultRefreshBefore
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Provider{api: api, opts: opts, sem: make(chan struct{}, 1)}, nil
}

// Guest reports whether the provider gives guest credentials.
func (p *Provider) Guest() bool { return p.opts.Tokens == nil }

// ProviderName is the Logins key used for authenticated credentials, "" for guests.
func (p *Provider) ProviderName() string {
	if p.Guest() {
		return ""
	}
	return p.opts.ProviderName
}

func (p *Provider) lock(ctx context.Context) error {
	select {
	case p.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Provider) unlock() { <-p.sem }

// Retrieve returns the cached credentials while they are more than
// RefreshBefore from expiring, else fetches new ones: GetId once (the
// identity ID is kept), then GetCredentialsForIdentity, with the user's ID
// token in Logins for authenticated credentials. The credentials' Expires
// is their expiration minus RefreshBefore.
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if err := p.lock(ctx); err != nil {
		return aws.Credentials{}, err
	}
	defer p.unlock()
	if p.valid && (!p.creds.CanExpire || p.opts.Now().Before(p.creds.Expires)) {
		return p.creds, nil
	}
	creds, err := p.fetch(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	p.creds, p.valid = creds, true
	return creds, nil
}

// IdentityID returns the identity ID, calling GetId if none is known yet.
func (p *Provider) IdentityID(ctx context.Context) (string, error) {
	if err := p.lock(ctx); err != nil {
		return "", err
	}
	defer p.unlock()
	logins, sub, err := p.logins(ctx)
	if err != nil {
		return "", err
	}
	return p.ensureID(ctx, logins, sub)
}

// Clear forgets the identity ID and the credentials, for example when the
// user signs out: the next Retrieve starts with GetId.
func (p *Provider) Clear() {
	p.sem <- struct{}{}
	defer p.unlock()
	p.identityID, p.sub, p.valid, p.creds = "", "", false, aws.Credentials{}
}

// logins returns the Logins map and the ID token's sub, or nil for guests.
func (p *Provider) logins(ctx context.Context) (map[string]string, string, error) {
	if p.opts.Tokens == nil {
		return nil, "", nil
	}
	tok, err := p.opts.Tokens.IDToken(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("identitypool: getting the ID token for authenticated credentials: %w", err)
	}
	return map[string]string{p.opts.ProviderName: tok}, tokenSub(tok), nil
}

func (p *Provider) ensureID(ctx context.Context, logins map[string]string, sub string) (string, error) {
	if p.identityID != "" && sub == p.sub {
		return p.identityID, nil
	}
	in := &ci.GetIdInput{IdentityPoolId: aws.String(p.opts.IdentityPoolID), Logins: logins}
	if p.opts.AccountID != "" {
		in.AccountId = aws.String(p.opts.AccountID)
	}
	out, err := p.api.GetId(ctx, in)
	if err != nil {
		return "", p.apiError("GetId", err)
	}
	if aws.ToString(out.IdentityId) == "" {
		return "", errors.New("identitypool: GetId returned no IdentityId; is the endpoint a Cognito identity pool?")
	}
	p.identityID, p.sub = aws.ToString(out.IdentityId), sub
	return p.identityID, nil
}

func (p *Provider) fetch(ctx context.Context) (aws.Credentials, error) {
	logins, sub, err := p.logins(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	for attempt := 0; ; attempt++ {
		id, err := p.ensureID(ctx, logins, sub)
		if err != nil {
			return aws.Credentials{}, err
		}
		out, err := p.api.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String(id), Logins: logins})
		if err != nil {
			var ae smithy.APIError
			if attempt == 0 && errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException" {
				p.identityID = "" // the identity was deleted: get a new one, once
				continue
			}
			return aws.Credentials{}, p.apiError("GetCredentialsForIdentity", err)
		}
		c := out.Credentials
		if c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretKey) == "" {
			return aws.Credentials{}, errors.New("identitypool: GetCredentialsForIdentity returned no credentials; is the endpoint a Cognito identity pool?")
		}
		creds := aws.Credentials{
			AccessKeyID:     aws.ToString(c.AccessKeyId),
			SecretAccessKey: aws.ToString(c.SecretKey),
			SessionToken:    aws.ToString(c.SessionToken),
			Source:          "CognitoIdentityPool",
		}
		if c.Expiration != nil {
			creds.CanExpire = true
			creds.Expires = c.Expiration.Add(-p.opts.RefreshBefore)
		}
		return creds, nil
	}
}

func (p *Provider) apiError(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("identitypool: %s: %w", op, err)
	}
	e := &Error{Op: op, Guest: p.Guest(), Err: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code = ae.ErrorCode()
	}
	return e
}

// tokenSub reads the sub claim of a JWT without verifying it ("" if unreadable).
func tokenSub(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var c struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.Sub
}
