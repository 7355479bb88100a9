package client

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// HTTPClient sends HTTP requests; *http.Client satisfies it.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Options configure a Client. Build them with the With* functions: passed
// to New they set the client's defaults, passed to one call they override
// the defaults for that call only.
type Options struct {
	// HTTPClient sends the requests. Default: a shared *http.Client with no
	// overall timeout (each attempt is bounded by AttemptTimeout, a call by
	// its context), whose transport is http.DefaultTransport's settings
	// with up to 100 idle connections kept for the API's host (net/http's
	// default keeps 2, so concurrent calls would dial again and again).
	// Redirects are never followed: an *http.Client without
	// a CheckRedirect of its own is used through a copy whose CheckRedirect
	// returns http.ErrUseLastResponse, so that a 3xx comes back as an
	// *HTTPError and the credentials go nowhere else; a CheckRedirect of
	// the caller's is respected.
	HTTPClient HTTPClient

	// AttemptTimeout bounds each attempt (signing, sending, reading the
	// whole reply) with a context deadline, so that a server that never
	// answers ends the attempt with a *NetworkError (retried for queries)
	// even when the call's context has no deadline. Zero:
	// DefaultAttemptTimeout; negative: no bound but the context's.
	AttemptTimeout time.Duration

	// AuthMode is the default mode. New sets it from the outputs'
	// default_authorization_type unless an option sets it.
	AuthMode AuthMode

	// APIKey is sent in x-api-key in the apiKey mode. New sets it to the
	// endpoint's (the api_key of amplify_outputs.json, which Amplify writes
	// whenever the API has a key). That key serves a request only when
	// apiKey is the default mode or the mode a call forces: the client
	// falls back to the apiKey mode, for an operation its default mode may
	// not call, only with a key the caller gave (WithAPIKey), as it falls
	// back to no other mode the caller did not configure.
	APIKey string

	// Credentials sign requests in the iam mode.
	Credentials aws.CredentialsProvider

	// IdentityPoolCredentials sign requests in the identityPool mode.
	IdentityPoolCredentials aws.CredentialsProvider

	// Region is the signing region; New sets it from the outputs.
	Region string

	// UserPoolTokens, OIDCTokens and LambdaTokens supply the Authorization
	// header for the userPool, oidc and lambda modes.
	UserPoolTokens TokenSource
	OIDCTokens     TokenSource
	LambdaTokens   TokenSource

	// Token, when set, replaces the token source of whichever token mode a
	// request uses. Usually set per call with WithToken.
	Token string

	// Headers are added to every request (and signed in the SigV4 modes):
	// HTTP calls, and a subscription's realtime connect and start, which
	// package realtime reads from here as it reads the credentials. The
	// map is shared: WithHeader makes a new one rather than change it.
	Headers http.Header

	// MaxResponseBytes bounds the response body read, after
	// decompression. Default 16 MiB (DefaultMaxResponseBytes).
	MaxResponseBytes int64

	// Limits are checked before sending. Default DefaultLimits.
	Limits Limits

	// Clock returns the time used for signing. Default time.Now. The
	// client adds to it the offset of AppSync's clock once AppSync has
	// refused a signature for a skewed clock.
	Clock func() time.Time

	// Retryer decides which failed attempts are retried, how often and
	// after what delay; any aws-sdk-go-v2 aws.Retryer will do. Default:
	// NewRetryer(DefaultRetryOptions), one per Client.
	Retryer aws.Retryer

	// RetryMaxElapsed bounds the time of a call with its retries (see
	// RetryOptions.MaxElapsed). Default 30 s; negative: no bound.
	RetryMaxElapsed time.Duration

	// RetryMutations retries mutations like queries (see
	// RetryOptions.RetryMutations). Default false.
	RetryMutations bool

	// Logger, when set, gets one record per call (operation, auth mode,
	// status, attempts, duration, error) and one per retry. Secrets are
	// never logged.
	Logger *slog.Logger

	// Realtime holds the options of the subscriptions' connection, values
	// of package realtime's Option type that realtime.WithOptions adds and
	// realtime.NewSession applies, so that a generated client's New takes
	// them with the others. Package client only carries them: it cannot
	// name their type, since realtime imports client. One connection
	// serves every subscription, so given to a single call they do
	// nothing.
	Realtime []any

	// explicitMode records that a per-call option chose the mode, which
	// disables the automatic choice among the operation's allowed modes.
	explicitMode bool

	// endpointAPIKey is the endpoint's API key, which New puts in APIKey;
	// apiKeyGiven records WithAPIKey. APIKey is the caller's when it was
	// given or differs from the endpoint's (an Option of the caller's set
	// it).
	endpointAPIKey string
	apiKeyGiven    bool
}

// DefaultAttemptTimeout is the attempt timeout of a client built without
// WithAttemptTimeout. AppSync ends the execution of every request at 30
// seconds (it then answers with an error), so no reply comes later than
// that plus the time to connect and transfer: an attempt still without a
// whole reply after 35 seconds is a connection that hangs. (aws-sdk-go-v2
// sets no per-attempt timeout, but its HTTP client bounds dialling and the
// TLS handshake; a client of AppSync knows the bound of the server.)
const DefaultAttemptTimeout = 35 * time.Second

// An Option changes Options. The same options serve New and a single call.
type Option func(*Options)

// WithAttemptTimeout bounds each attempt of a call to d (see
// Options.AttemptTimeout); a negative d removes the bound, leaving the
// call's context as the only one.
func WithAttemptTimeout(d time.Duration) Option { return func(o *Options) { o.AttemptTimeout = d } }

// WithHTTPClient sets the HTTP client that sends requests.
func WithHTTPClient(c HTTPClient) Option { return func(o *Options) { o.HTTPClient = c } }

// WithAuthMode sets the authorization mode. Given to New it sets the default
// mode; given to a call it forces that mode for the call, even when the
// operation's schema does not list it (AppSync then answers Unauthorized).
func WithAuthMode(m AuthMode) Option {
	return func(o *Options) { o.AuthMode = m; o.explicitMode = true }
}

// WithAPIKey sets the API key sent in the apiKey mode, replacing the one of
// amplify_outputs.json. A key given with WithAPIKey, even the outputs' own,
// also lets the client fall back to the apiKey mode for an operation that
// the default mode may not call (see Options.APIKey).
func WithAPIKey(key string) Option {
	return func(o *Options) { o.APIKey = key; o.apiKeyGiven = true }
}

// WithIAM signs requests in the iam mode with the credentials of cfg, the
// aws.Config that config.LoadDefaultConfig returns. Credentials are
// retrieved for every request through the config's cache, so rotation and
// expiry are handled as the AWS SDK handles them.
func WithIAM(cfg aws.Config) Option {
	return func(o *Options) { o.Credentials = cachedCredentials(cfg.Credentials) }
}

// WithCredentials signs requests in the iam mode with p.
func WithCredentials(p aws.CredentialsProvider) Option {
	return func(o *Options) { o.Credentials = cachedCredentials(p) }
}

// WithIdentityPool signs requests in the identityPool mode with credentials
// from p, typically Cognito identity-pool credentials.
func WithIdentityPool(p aws.CredentialsProvider) Option {
	return func(o *Options) { o.IdentityPoolCredentials = cachedCredentials(p) }
}

// WithUserPool sends tokens from ts in the userPool mode.
func WithUserPool(ts TokenSource) Option { return func(o *Options) { o.UserPoolTokens = ts } }

// WithOIDC sends tokens from ts in the oidc mode.
func WithOIDC(ts TokenSource) Option { return func(o *Options) { o.OIDCTokens = ts } }

// WithLambda sends tokens from ts in the lambda mode.
func WithLambda(ts TokenSource) Option { return func(o *Options) { o.LambdaTokens = ts } }

// WithToken sends token as the Authorization header of whichever token mode
// (userPool, oidc, lambda) the request uses, instead of asking the mode's
// token source.
func WithToken(token string) Option { return func(o *Options) { o.Token = token } }

// WithHeader adds a header to the requests, HTTP and realtime alike (see
// Options.Headers). The authorization headers of the mode used
// (Authorization, x-api-key) replace a header of the same name.
func WithHeader(key, value string) Option {
	return func(o *Options) {
		h := make(http.Header, len(o.Headers)+1)
		for k, v := range o.Headers {
			h[k] = v
		}
		h.Add(key, value)
		o.Headers = h
	}
}

// WithRegion sets the SigV4 signing region, replacing the outputs' region.
func WithRegion(region string) Option { return func(o *Options) { o.Region = region } }

// WithMaxResponseBytes bounds the size of a response body.
func WithMaxResponseBytes(n int64) Option { return func(o *Options) { o.MaxResponseBytes = n } }

// WithClock sets the clock used for signing (for tests and skew handling).
func WithClock(now func() time.Time) Option { return func(o *Options) { o.Clock = now } }

// WithRetry configures the retries of throttled and transiently failed
// calls with the standard retryer (NewRetryer); zero fields keep the
// defaults of DefaultRetryOptions. WithRetry(RetryOptions{MaxAttempts: 1})
// turns retries off. Given to a call, it applies to that call only.
func WithRetry(ro RetryOptions) Option {
	r := NewRetryer(ro)
	ro = ro.withDefaults()
	return func(o *Options) {
		o.Retryer = r
		o.RetryMaxElapsed = ro.MaxElapsed
		o.RetryMutations = ro.RetryMutations
	}
}

// WithRetryer sets the retryer, for instance retry.NewStandard of
// aws-sdk-go-v2 with options of your own, or aws.NopRetryer{} for no
// retries. The client still retries only what is safe (queries, and
// mutations that never reached the server unless WithRetryMutations), and
// within the call's context and RetryMaxElapsed.
func WithRetryer(r aws.Retryer) Option { return func(o *Options) { o.Retryer = r } }

// WithRetryMutations lets the retryer retry mutations like queries, for
// mutations that are idempotent (an update setting fixed values, a create
// with a client-chosen id); typically given to one call.
func WithRetryMutations(on bool) Option { return func(o *Options) { o.RetryMutations = on } }

// WithLogger logs every call to l: one record when it ends (debug level
// when it succeeded, warn when it failed) with the operation, auth mode,
// HTTP status, attempts and duration, and one at info level per retry.
// Keys, tokens, credentials and signatures never appear in them.
func WithLogger(l *slog.Logger) Option { return func(o *Options) { o.Logger = l } }

// WithLimits sets the limits checked before sending; zero fields keep the
// defaults of DefaultLimits, negative ones turn a check off.
func WithLimits(l Limits) Option {
	return func(o *Options) {
		if l.MaxRequestBytes == 0 {
			l.MaxRequestBytes = DefaultLimits.MaxRequestBytes
		}
		o.Limits = l
	}
}

// cachedCredentials wraps p in an aws.CredentialsCache unless it already is
// one, as aws-sdk-go-v2's service clients do.
func cachedCredentials(p aws.CredentialsProvider) aws.CredentialsProvider {
	if p == nil {
		return nil
	}
	if _, ok := p.(*aws.CredentialsCache); ok {
		return p
	}
	return aws.NewCredentialsCache(p)
}

// configured reports whether o holds what mode m needs.
func (o *Options) configured(m AuthMode) bool {
	switch m {
	case AuthAPIKey:
		return o.APIKey != "" && (o.AuthMode == AuthAPIKey || !o.endpointKeyOnly())
	case AuthIAM:
		return o.Credentials != nil
	case AuthIdentityPool:
		return o.IdentityPoolCredentials != nil
	case AuthUserPool:
		return o.Token != "" || o.UserPoolTokens != nil
	case AuthOIDC:
		return o.Token != "" || o.OIDCTokens != nil
	case AuthLambda:
		return o.Token != "" || o.LambdaTokens != nil
	case AuthNone:
		return true
	}
	return false
}

// endpointKeyOnly reports whether APIKey is the endpoint's and the caller
// did not give it: it serves the apiKey mode as the default mode or the
// mode of a call, and is no fallback.
func (o *Options) endpointKeyOnly() bool {
	return !o.apiKeyGiven && o.APIKey == o.endpointAPIKey
}

func (o *Options) tokenSource(m AuthMode) TokenSource {
	if o.Token != "" {
		return StaticToken(o.Token)
	}
	switch m {
	case AuthUserPool:
		return o.UserPoolTokens
	case AuthOIDC:
		return o.OIDCTokens
	case AuthLambda:
		return o.LambdaTokens
	}
	return nil
}
