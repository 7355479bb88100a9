package realtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/internal/sigv4"
)

// An Authorizer returns the authorization headers of one realtime message.
//
// connect is true for the connection handshake, where body is "{}" and the
// headers travel base64-encoded in the header query parameter (and the
// header-<base64url> subprotocol); it is false for a subscription's start
// message, where body is exactly the start's payload.data string and the
// headers travel in payload.extensions.authorization.
//
// Headers is called for every connect and every start (reconnects and
// re-subscriptions included), so tokens and credentials are fetched fresh
// each time; it must be safe for concurrent use. The map must include the
// "host" header (the GraphQL endpoint's host).
//
// The signature uses only standard types so that a type of package client
// can satisfy it without importing this package.
type Authorizer interface {
	Headers(ctx context.Context, body []byte, connect bool) (map[string]string, error)
}

// Header values that are secrets: they are removed from every error and log
// line, in plain and encoded forms.
var secretHeaders = map[string]bool{
	"authorization":        true,
	"x-api-key":            true,
	"x-amz-security-token": true,
}

// APIKey authorizes with an AppSync API key (the apiKey mode): the headers
// are host, x-amz-date and x-api-key, and Header's.
type APIKey struct {
	// URL is the GraphQL endpoint (its host goes into the host header).
	URL string
	// Key is the API key.
	Key string
	// Clock returns the time of x-amz-date. Default time.Now.
	Clock func() time.Time
	// Header holds extra headers for the connection and every start (see
	// IAM.Header).
	Header http.Header
}

// Headers implements Authorizer.
func (a *APIKey) Headers(_ context.Context, _ []byte, _ bool) (map[string]string, error) {
	host, err := hostOf(a.URL)
	if err != nil {
		return nil, err
	}
	if a.Key == "" {
		return nil, errors.New("realtime: the API key is empty")
	}
	return withExtra(map[string]string{
		"host":       host,
		"x-amz-date": now(a.Clock).UTC().Format("20060102T150405Z"),
		"x-api-key":  a.Key,
	}, a.Header), nil
}

// Token authorizes with a token in the Authorization header (no "Bearer"
// prefix): the userPool, oidc and lambda modes. The token is asked of
// Source for every connect and every start, so a refreshing source (package
// client/cognito) keeps a long-lived subscription authorized across
// reconnects.
type Token struct {
	// URL is the GraphQL endpoint (its host goes into the host header).
	URL string
	// Source supplies the token.
	Source client.TokenSource
	// Header holds extra headers for the connection and every start (see
	// IAM.Header).
	Header http.Header
}

// Headers implements Authorizer.
func (a *Token) Headers(ctx context.Context, _ []byte, _ bool) (map[string]string, error) {
	host, err := hostOf(a.URL)
	if err != nil {
		return nil, err
	}
	if a.Source == nil {
		return nil, errors.New("realtime: no token source")
	}
	tok, err := a.Source.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("realtime: get token: %w", err)
	}
	if tok == "" {
		return nil, errors.New("realtime: get token: the token source returned an empty token")
	}
	return withExtra(map[string]string{"host": host, "Authorization": tok}, a.Header), nil
}

// IAM authorizes with AWS Signature Version 4 (the iam and identityPool
// modes), as AppSync's realtime protocol asks:
//
//   - connect: POST <URL>/connect over the body {};
//   - start: POST <URL> over exactly the start's data string;
//
// both with the headers accept: application/json, text/javascript,
// content-encoding: amz-1.0 and content-type: application/json;
// charset=UTF-8, service appsync. Every signed header is returned (host,
// x-amz-date, X-Amz-Security-Token when the credentials have a session
// token, and the three above) with Authorization.
//
// Credentials are retrieved for every message; pass an
// aws.CredentialsCache (aws.Config.Credentials is one) so that they are
// refreshed only when they expire.
type IAM struct {
	// URL is the GraphQL endpoint.
	URL string
	// Region is the signing region.
	Region string
	// Credentials sign the messages.
	Credentials aws.CredentialsProvider
	// Clock returns the signing time. Default time.Now.
	Clock func() time.Time
	// Header holds extra headers (client.WithHeader's, which AuthorizerFor
	// sets) for the connection and every start, as amplify-js's
	// additional headers: they are merged into the auth headers (the
	// header query parameter of the connection, extensions.authorization
	// of a start), the values of a name joined with ", ". A name the auth
	// headers have (host, x-amz-date, Authorization, ...) keeps the auth
	// header's value. The IAM authorizer signs them with the rest, as the
	// HTTP client signs its extra headers; those SigV4 never signs
	// (User-Agent, X-Amzn-Trace-Id, ...) are sent unsigned.
	Header http.Header
}

// The headers AppSync's realtime protocol signs besides host and x-amz-date.
const (
	iamAccept          = "application/json, text/javascript"
	iamContentEncoding = "amz-1.0"
	iamContentType     = "application/json; charset=UTF-8"
)

// signer signs for every IAM authorizer of the process. It keeps one
// v4.Signer per credentials identity (key id and a hash of the secret, a
// bounded set), so the key it derives is always the key of the secret it
// is given: a v4.Signer alone caches derived keys by key id and day, and
// would sign a second secret under the same key id with the first one's
// key (aws-sdk-go-v2 issue 3350). The HTTP client signs with the same
// package.
var signer sigv4.Signer

// Headers implements Authorizer.
func (a *IAM) Headers(ctx context.Context, body []byte, connect bool) (map[string]string, error) {
	if a.Credentials == nil {
		return nil, errors.New("realtime: no AWS credentials provider")
	}
	if a.Region == "" {
		return nil, errors.New("realtime: no signing region")
	}
	target := a.URL
	if connect {
		u, err := url.Parse(a.URL)
		if err != nil {
			return nil, fmt.Errorf("realtime: GraphQL URL %q: %w", a.URL, err)
		}
		u.Path = strings.TrimSuffix(u.Path, "/") + "/connect"
		u.RawPath = ""
		target = u.String()
	}
	// No body on the request: the payload hash is given, and a request
	// without a body has no content-length to sign (amplify-js signs none).
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
	if err != nil || req.URL.Host == "" {
		return nil, fmt.Errorf("realtime: GraphQL URL %q is not an absolute http(s) URL", a.URL)
	}
	extra := joinExtra(a.Header, iamReserved)
	for name, v := range extra {
		req.Header.Set(name, v)
	}
	req.Header.Set("Accept", iamAccept)
	req.Header.Set("Content-Encoding", iamContentEncoding)
	req.Header.Set("Content-Type", iamContentType)
	creds, err := a.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("realtime: retrieve AWS credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "appsync", a.Region, now(a.Clock).UTC()); err != nil {
		return nil, fmt.Errorf("realtime: sign: %w", err)
	}
	authz := req.Header.Get("Authorization")
	out := make(map[string]string, 8+len(extra))
	out["Authorization"] = authz
	// The extra headers go by the caller's names (signed or not: the
	// server reads the names case-insensitively), the others by the names
	// of AppSync's documentation.
	for name, v := range extra {
		out[name] = v
	}
	for _, name := range signedHeaderNames(authz) {
		if _, ok := extra[http.CanonicalHeaderKey(name)]; ok {
			continue
		}
		switch name {
		case "host":
			host := req.Host
			if host == "" {
				host = req.URL.Host
			}
			out["host"] = host
		case "x-amz-security-token":
			out["X-Amz-Security-Token"] = req.Header.Get(name)
		default:
			out[name] = req.Header.Get(name)
		}
	}
	if tok := out["X-Amz-Security-Token"]; tok == "" {
		delete(out, "X-Amz-Security-Token")
	}
	return out, nil
}

// iamReserved are the headers of an IAM signature, which no extra header
// replaces (lower case).
var iamReserved = map[string]bool{
	"host": true, "authorization": true, "x-amz-date": true, "x-amz-security-token": true, "x-amz-content-sha256": true,
	"accept": true, "content-encoding": true, "content-type": true, "content-length": true,
}

// joinExtra returns the extra headers h by canonical name, the values of
// each joined with ", " (how HTTP combines a header's values, and how the
// one string of the header map holds them), without the names in reserved
// (lower case) and without host, which is always the endpoint's.
func joinExtra(h http.Header, reserved map[string]bool) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for name, vs := range h {
		lower := strings.ToLower(name)
		if len(vs) == 0 || lower == "host" || reserved[lower] {
			continue
		}
		out[http.CanonicalHeaderKey(name)] = strings.Join(vs, ", ")
	}
	return out
}

// withExtra adds the extra headers h to the auth headers out, none of
// which it replaces (names compared case-insensitively), and returns out.
func withExtra(out map[string]string, h http.Header) map[string]string {
	if len(h) == 0 {
		return out
	}
	reserved := make(map[string]bool, len(out))
	for name := range out {
		reserved[strings.ToLower(name)] = true
	}
	for name, v := range joinExtra(h, reserved) {
		out[name] = v
	}
	return out
}

// signedHeaderNames returns the SignedHeaders list of a SigV4 Authorization
// header value.
func signedHeaderNames(authz string) []string {
	for _, part := range strings.Split(authz, ",") {
		part = strings.TrimSpace(part)
		if i := strings.Index(part, "SignedHeaders="); i >= 0 {
			return strings.Split(part[i+len("SignedHeaders="):], ";")
		}
	}
	return nil
}

// AuthorizerFor returns the Authorizer of mode for the endpoint, configured
// by the same options as client.New (client.WithAPIKey, client.WithIAM,
// client.WithIdentityPool, client.WithUserPool, client.WithOIDC,
// client.WithLambda, client.WithToken, client.WithRegion, client.WithClock,
// client.WithHeader: its headers go with the connection and every start):
// the realtime counterpart of the HTTP client's auth modes. The none mode
// is refused: AppSync's realtime endpoint authorizes every connection.
func AuthorizerFor(endpoint client.Endpoint, mode client.AuthMode, opts ...client.Option) (Authorizer, error) {
	o := client.Options{APIKey: endpoint.APIKey, Region: endpoint.Region}
	for _, opt := range opts {
		opt(&o)
	}
	if _, err := hostOf(endpoint.URL); err != nil {
		return nil, err
	}
	tokens := func(ts client.TokenSource, option string) (Authorizer, error) {
		if o.Token != "" {
			ts = client.StaticToken(o.Token)
		}
		if ts == nil {
			return nil, fmt.Errorf("realtime: auth mode %s is not configured: pass %s", mode, option)
		}
		return &Token{URL: endpoint.URL, Source: ts, Header: o.Headers.Clone()}, nil
	}
	switch mode {
	case client.AuthAPIKey:
		if o.APIKey == "" {
			return nil, fmt.Errorf("realtime: auth mode %s is not configured: pass client.WithAPIKey", mode)
		}
		return &APIKey{URL: endpoint.URL, Key: o.APIKey, Clock: o.Clock, Header: o.Headers.Clone()}, nil
	case client.AuthIAM, client.AuthIdentityPool:
		p, option := o.Credentials, "client.WithIAM"
		if mode == client.AuthIdentityPool {
			p, option = o.IdentityPoolCredentials, "client.WithIdentityPool"
		}
		if p == nil {
			return nil, fmt.Errorf("realtime: auth mode %s is not configured: pass %s", mode, option)
		}
		return &IAM{URL: endpoint.URL, Region: o.Region, Credentials: p, Clock: o.Clock, Header: o.Headers.Clone()}, nil
	case client.AuthUserPool:
		return tokens(o.UserPoolTokens, "client.WithUserPool")
	case client.AuthOIDC:
		return tokens(o.OIDCTokens, "client.WithOIDC")
	case client.AuthLambda:
		return tokens(o.LambdaTokens, "client.WithLambda")
	}
	return nil, fmt.Errorf("realtime: auth mode %q cannot authorize a realtime connection: want one of apiKey, iam, identityPool, userPool, oidc, lambda", mode)
}

func hostOf(graphqlURL string) (string, error) {
	u, err := url.Parse(graphqlURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("realtime: GraphQL URL %q is not an absolute http(s) URL", graphqlURL)
	}
	return u.Host, nil
}

func now(clock func() time.Time) time.Time {
	if clock != nil {
		return clock()
	}
	return time.Now()
}
