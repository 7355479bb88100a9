package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/go-amplify/data/client/internal/redact"
	"github.com/go-amplify/data/client/internal/sigv4"
	"github.com/go-amplify/data/schema"
)

// Endpoint is what a Client needs to know about the API it talks to.
type Endpoint struct {
	// URL is the GraphQL endpoint, https://<id>.appsync-api.<region>.amazonaws.com/graphql.
	URL string
	// Region is the AWS region, used for SigV4.
	Region string
	// APIKey is the API key, if the API has one. It serves the apiKey mode
	// when that is the default mode or the mode a call forces; the client
	// falls back to it for other operations only when it is given with
	// WithAPIKey (see Options.APIKey).
	APIKey string
	// DefaultAuthMode is the API's default authorization mode.
	DefaultAuthMode AuthMode
	// Operations maps an operation name to the modes its schema allows, in
	// the schema's order. Generated code fills it from the @aws_* directives.
	// An operation that is absent allows every mode.
	Operations map[string][]AuthMode
}

// EndpointFromOutputs reads the data section of amplify_outputs.json.
func EndpointFromOutputs(o *schema.Outputs) (Endpoint, error) {
	if o == nil || o.Data == nil {
		return Endpoint{}, fmt.Errorf("amplify outputs have no data section: add defineData to the backend and run `npx ampx generate outputs`")
	}
	mode, err := AuthModeFromOutputs(o.Data.DefaultAuthorizationType)
	if err != nil {
		return Endpoint{}, fmt.Errorf("data.default_authorization_type: %w", err)
	}
	return Endpoint{URL: o.Data.URL, Region: o.Data.AWSRegion, APIKey: o.Data.APIKey, DefaultAuthMode: mode}, nil
}

// Client sends GraphQL requests to AppSync. It implements genqlient's
// graphql.Client. It is safe for concurrent use.
type Client struct {
	url        string
	opts       Options
	signer     sigv4.Signer          // one v4.Signer per credentials identity
	operations map[string][]AuthMode // Endpoint.Operations
	retryer    aws.Retryer           // the default, when a call's options have none
	// queries holds the JSON form of the documents sent.
	queries queryCache
	// template is the request every attempt copies.
	template *http.Request
	// apiKeyHeader is the x-api-key header value of opts.APIKey.
	apiKeyHeader []string
	// skew is the offset, in nanoseconds, of AppSync's clock from ours,
	// learnt from the Date of a reply that refused a signature as expired
	// or not yet current; it is added to the signing time.
	skew atomic.Int64
}

var _ graphql.Client = (*Client)(nil)

// defaultHTTPClient sends the requests of clients built without
// WithHTTPClient, all through one transport: http.DefaultTransport's
// settings (proxies from the environment, dial and TLS handshake timeouts,
// HTTP/2) with a pool of idle connections sized for one API host, as
// aws-sdk-go-v2's default HTTP client sizes its pool for a service
// endpoint. http.DefaultTransport keeps 2 idle connections per host: beyond
// 2 concurrent calls, most would close their connection at the end and the
// next would dial (and, over TLS, shake hands) again. A Client talks to one
// host, so the whole pool may serve it.
var defaultHTTPClient HTTPClient = &noRedirects{c: &http.Client{Transport: defaultTransport(), CheckRedirect: refuseRedirect}}

// defaultIdleConns is the idle connections the default transport keeps, in
// all and per host: aws-sdk-go-v2's MaxIdleConns (its BuildableClient's
// DefaultHTTPTransportMaxIdleConns), all of them for the API's one host
// (aws-sdk-go-v2 keeps 10 per host, for clients whose calls may go to
// several endpoints).
const defaultIdleConns = 100

func defaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		// A package initialized before this one replaced net/http's
		// default: that choice is the program's.
		return http.DefaultTransport
	}
	t = t.Clone()
	t.MaxIdleConns = defaultIdleConns
	t.MaxIdleConnsPerHost = defaultIdleConns
	return t
}

// noRedirects is the copy of an *http.Client of the caller's that the
// client sends through when it has no CheckRedirect of its own: the same
// client, whose CheckRedirect returns a redirect as the reply. AppSync does
// not redirect, and following a redirect would send the request's
// credentials (x-api-key, Authorization, X-Amz-Security-Token) to
// wherever it points: the reply becomes an *HTTPError instead.
type noRedirects struct{ c *http.Client }

func (n *noRedirects) Do(req *http.Request) (*http.Response, error) { return roundTrip(n, req) }

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// withoutRedirects returns hc, or for an *http.Client without a
// CheckRedirect, a copy of it that does not follow redirects.
func withoutRedirects(hc HTTPClient) HTTPClient {
	c, ok := hc.(*http.Client)
	if !ok || c.CheckRedirect != nil {
		return hc
	}
	cp := *c
	cp.CheckRedirect = refuseRedirect
	return &noRedirects{c: &cp}
}

// New returns a client for endpoint, configured by opts.
func New(endpoint Endpoint, opts ...Option) (*Client, error) {
	u, err := url.Parse(endpoint.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("endpoint URL %q is not an absolute http(s) URL: use data.url of amplify_outputs.json", endpoint.URL)
	}
	o := Options{AuthMode: endpoint.DefaultAuthMode, APIKey: endpoint.APIKey, endpointAPIKey: endpoint.APIKey, Region: endpoint.Region}
	for _, opt := range opts {
		opt(&o)
	}
	o.explicitMode = false
	if o.AuthMode == "" {
		o.AuthMode = AuthIAM
	}
	if !o.AuthMode.Valid() {
		return nil, fmt.Errorf("unknown auth mode %q: want one of %v", o.AuthMode, AuthModes)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = defaultHTTPClient
	}
	o.HTTPClient = withoutRedirects(o.HTTPClient)
	if o.AttemptTimeout == 0 {
		o.AttemptTimeout = DefaultAttemptTimeout
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Retryer == nil {
		o.Retryer = NewRetryer(DefaultRetryOptions)
	}
	if o.RetryMaxElapsed == 0 {
		o.RetryMaxElapsed = DefaultRetryOptions.MaxElapsed
	}
	if o.Limits.MaxRequestBytes == 0 {
		o.Limits.MaxRequestBytes = DefaultLimits.MaxRequestBytes
	}
	template, err := http.NewRequest(http.MethodPost, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("endpoint URL %q: %w", endpoint.URL, err)
	}
	return &Client{
		template:     template,
		url:          u.String(),
		opts:         o,
		operations:   endpoint.Operations,
		retryer:      o.Retryer,
		apiKeyHeader: []string{o.APIKey},
	}, nil
}

// With returns a graphql.Client that sends through c with opts applied on
// top of c's options. Generated code calls it for per-call options.
func (c *Client) With(opts ...Option) graphql.Client {
	if len(opts) == 0 {
		return c
	}
	return &callClient{c: c, opts: opts}
}

type callClient struct {
	c    *Client
	opts []Option
}

func (cc *callClient) MakeRequest(ctx context.Context, req *graphql.Request, resp *graphql.Response) error {
	return cc.c.do(ctx, req, resp, cc.opts)
}

// MakeRequest implements graphql.Client.
func (c *Client) MakeRequest(ctx context.Context, req *graphql.Request, resp *graphql.Response) error {
	return c.do(ctx, req, resp, nil)
}

// call is the state of one call across its attempts.
type call struct {
	c        *Client
	o        *Options
	req      *graphql.Request
	mode     AuthMode
	start    time.Time
	attempts int
	status   int            // of the last reply, 0 when none
	sec      redact.Secrets // every secret the attempts used
	token    string         // the token of the last attempt, in the token modes
}

func (c *Client) do(ctx context.Context, req *graphql.Request, resp *graphql.Response, callOpts []Option) error {
	// The client's options are read in place; a call with options of its
	// own gets a copy.
	o := &c.opts
	if len(callOpts) > 0 {
		cp := c.opts
		for _, opt := range callOpts {
			opt(&cp)
		}
		// An *http.Client here is the call's own (New wrapped the client's):
		// it gets its copy that does not follow redirects once per call.
		if cp.HTTPClient == nil {
			cp.HTTPClient = c.opts.HTTPClient
		} else if hc, ok := cp.HTTPClient.(*http.Client); ok {
			cp.HTTPClient = withoutRedirects(hc)
		}
		o = &cp
	}
	cl := call{c: c, o: o, req: req, start: time.Now()}
	mode, err := c.chooseMode(req.OpName, o)
	if err != nil {
		cl.mode = o.AuthMode
		return cl.finish(ctx, err)
	}
	cl.mode = mode

	body, err := c.encodeRequest(req)
	if err != nil {
		return cl.finish(ctx, fmt.Errorf("encode request: %w", err))
	}
	if err := o.Limits.check(body, req); err != nil {
		return cl.finish(ctx, err)
	}
	if mode == AuthAPIKey {
		cl.sec.Add(o.APIKey)
	}
	retryer := o.Retryer
	if retryer == nil {
		retryer = c.retryer
	}
	tokens := !quotaFree(retryer)
	var releaseRetry func(error) error
	var skewed, refreshed bool
	for {
		cl.attempts++
		if cl.attempts > 1 {
			resetData(resp)
		}
		var releaseAttempt func(error) error
		if tokens {
			releaseAttempt = attemptToken(ctx, retryer)
		}
		date, err := cl.send(ctx, body, resp)
		if releaseRetry != nil {
			_ = releaseRetry(err)
			releaseRetry = nil
		}
		if releaseAttempt != nil {
			_ = releaseAttempt(err)
		}
		if err == nil {
			return cl.finish(ctx, nil)
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !isGraphQLErrors(err) {
			return cl.finish(ctx, ctxErr)
		}

		// AppSync refused the signature for a clock that is off: learn the
		// offset from its Date and sign once more with the corrected time,
		// as aws-sdk-go-v2 does. The request was not executed, so this is
		// safe for mutations too.
		if !skewed && signsRequests(mode) && date != "" {
			if offset, ok := cl.skewOffset(err, date); ok {
				skewed = true
				c.skew.Store(int64(offset))
				cl.logRetry(ctx, err, 0, "clock skew: signing again with AppSync's time")
				continue
			}
		}

		// AppSync rejected the token: ask a TokenRefresher for a new one,
		// once. The request was not executed.
		var herr *HTTPError
		if cl.status == http.StatusUnauthorized && usesToken(mode) && o.Token == "" && errors.As(err, &herr) {
			if ref, ok := o.tokenSource(mode).(TokenRefresher); ok {
				if refreshed {
					return cl.finish(ctx, &TokenRejectedError{Mode: mode, Refreshed: true, Err: herr})
				}
				refreshed = true
				if rerr := ref.Refresh(ctx, cl.token); rerr != nil {
					if ctxErr := ctx.Err(); ctxErr != nil {
						return cl.finish(ctx, ctxErr)
					}
					return cl.finish(ctx, &TokenRejectedError{Mode: mode, RefreshErr: redactError(rerr, &cl.sec), Err: herr})
				}
				cl.logRetry(ctx, err, 0, "token rejected: sending again with a refreshed token")
				continue
			}
		}

		delay, release, ok := cl.retryDelay(ctx, retryer, err, tokens)
		if !ok {
			return cl.finish(ctx, err)
		}
		releaseRetry = release
		cl.logRetry(ctx, err, delay, "retrying")
		if serr := sleep(ctx, delay); serr != nil {
			return cl.finish(ctx, serr)
		}
	}
}

// send makes one attempt: it builds and authorizes the request, sends it
// and decodes the reply into resp, within the attempt timeout. For a 403 it
// returns the reply's Date.
func (cl *call) send(ctx context.Context, body []byte, resp *graphql.Response) (date string, err error) {
	cl.status = 0
	// The attempt's own deadline, unless the caller's comes first.
	timeout := cl.o.AttemptTimeout
	if timeout == 0 {
		timeout = DefaultAttemptTimeout
	}
	attemptCtx, bounded := ctx, false
	if dl, ok := ctx.Deadline(); timeout > 0 && (!ok || time.Until(dl) > timeout) {
		var cancel context.CancelFunc
		attemptCtx, cancel = context.WithTimeout(ctx, timeout)
		bounded = true
		defer cancel()
	}
	// timedOut tells an attempt that ran out of its time from other
	// failures (the caller's context ending is the caller's error).
	timedOut := func(err error) error {
		if bounded && attemptCtx.Err() != nil && ctx.Err() == nil {
			return &attemptTimeoutError{timeout: timeout, err: err}
		}
		return err
	}
	httpReq, err := cl.c.newRequest(attemptCtx, body, cl.mode, cl.o, &cl.sec, &cl.token)
	if err != nil {
		return "", timedOut(err)
	}
	httpResp, err := roundTrip(cl.o.HTTPClient, httpReq)
	if err != nil {
		return "", &NetworkError{Err: timedOut(redactError(err, &cl.sec))}
	}
	defer httpResp.Body.Close()
	cl.status = httpResp.StatusCode
	buf := getBuffer()
	defer putBuffer(buf)
	raw, err := readReply(httpResp, cl.o.MaxResponseBytes, buf, &cl.sec)
	if err != nil {
		var nerr *NetworkError
		if errors.As(err, &nerr) {
			nerr.Err = timedOut(nerr.Err)
		}
		return "", err
	}
	if httpResp.StatusCode != http.StatusOK {
		if httpResp.StatusCode == http.StatusForbidden {
			date = httpResp.Header.Get("Date")
		}
		return date, decodeErrorReply(httpResp, raw, &cl.sec)
	}
	return "", decodeReply(httpResp.StatusCode, raw, resp, &cl.sec)
}

// roundTrip sends req with hc. It never follows a redirect, unless hc is
// an *http.Client with a CheckRedirect of the caller's, which is respected:
// a 3xx is returned as it is (and becomes an *HTTPError). An *http.Client
// with no cookie jar and no timeout is bypassed for its transport, which
// does not follow redirects: the client's redirect bookkeeping (a clone of
// every request's headers) would serve nothing. One with a Jar or a
// Timeout is used through its copy that does not follow redirects (New,
// and a call given a client of its own, make it once; it is made here only
// for a client that reached roundTrip another way).
func roundTrip(hc HTTPClient, req *http.Request) (*http.Response, error) {
	var c *http.Client
	switch h := hc.(type) {
	case *noRedirects:
		c = h.c
	case *http.Client:
		if h.CheckRedirect != nil {
			return h.Do(req) // the caller's own redirect policy
		}
		if h.Jar != nil || h.Timeout != 0 || req.URL.User != nil {
			return withoutRedirects(h).Do(req)
		}
		c = h
	default:
		return hc.Do(req)
	}
	if c.Jar != nil || c.Timeout != 0 || req.URL.User != nil {
		return c.Do(req)
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		// As http.Client reports it, so that errors.As finds a *url.Error.
		return nil, &url.Error{Op: "Post", URL: req.URL.Redacted(), Err: err}
	}
	if resp == nil {
		return nil, fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", rt)
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	return resp, nil
}

// skewOffset reports whether err is AppSync refusing a signature whose time
// is too far from its own ("Signature expired", "Signature not yet
// current"), and the offset of AppSync's clock (the reply's Date) from the
// signing clock.
func (cl *call) skewOffset(err error, date string) (time.Duration, bool) {
	var herr *HTTPError
	if !errors.As(err, &herr) || herr.StatusCode != http.StatusForbidden {
		return 0, false
	}
	skewed := false
	for _, e := range herr.Errors {
		if e != nil && e.ErrorType == "InvalidSignatureException" &&
			(strings.Contains(e.Message, "Signature expired") || strings.Contains(e.Message, "Signature not yet current")) {
			skewed = true
		}
	}
	if !skewed {
		return 0, false
	}
	server, perr := http.ParseTime(date)
	if perr != nil {
		return 0, false
	}
	return server.Sub(cl.o.Clock()), true
}

// retryDelay decides whether the failed attempt is retried and after how
// long: the retryer must find the error retryable and allow another
// attempt; a mutation is retried only when its request never reached the
// server, unless the caller opted in; the delay (at least the server's
// Retry-After) must end within the call's time bound and its context's
// deadline.
func (cl *call) retryDelay(ctx context.Context, r aws.Retryer, err error, tokens bool) (time.Duration, func(error) error, bool) {
	if !r.IsErrorRetryable(err) {
		return 0, nil, false
	}
	if max := r.MaxAttempts(); max > 0 && cl.attempts >= max {
		return 0, nil, false
	}
	if !cl.o.RetryMutations && !neverSent(err) && operationType(cl.req.Query, cl.req.OpName) != "query" {
		return 0, nil, false
	}
	delay, derr := r.RetryDelay(cl.attempts, err)
	if derr != nil {
		return 0, nil, false
	}
	var herr *HTTPError
	if errors.As(err, &herr) && herr.RetryAfter > delay {
		delay = herr.RetryAfter
	}
	if maxElapsed := cl.o.RetryMaxElapsed; maxElapsed > 0 && time.Since(cl.start)+delay > maxElapsed {
		return 0, nil, false
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
		return 0, nil, false
	}
	var release func(error) error
	if tokens {
		var terr error
		if release, terr = r.GetRetryToken(ctx, err); terr != nil {
			return 0, nil, false
		}
	}
	return delay, release, true
}

// attemptToken takes the retryer's token for an attempt, as aws-sdk-go-v2's
// retry middleware does.
func attemptToken(ctx context.Context, r aws.Retryer) func(error) error {
	if v2, ok := r.(aws.RetryerV2); ok {
		release, err := v2.GetAttemptToken(ctx)
		if err != nil {
			return nil
		}
		return release
	}
	return r.GetInitialToken()
}

// finish wraps err with the operation and mode, and logs the call.
func (cl *call) finish(ctx context.Context, err error) error {
	if err != nil {
		err = &OperationError{Operation: cl.req.OpName, AuthMode: cl.mode, Attempts: cl.attempts, Err: err}
	}
	if l := cl.o.Logger; l != nil {
		cl.log(ctx, l, err)
	}
	return err
}

// chooseMode picks the mode for one request: a mode forced per call is used
// as is; otherwise the default mode when the operation allows it and the
// client is configured for it, else the first allowed mode the client is
// configured for (in the schema's order). The endpoint's API key counts as
// configured only for the apiKey mode as the default or forced one: the
// caller who did not give it did not choose it.
func (c *Client) chooseMode(op string, o *Options) (AuthMode, error) {
	if !o.AuthMode.Valid() {
		return "", fmt.Errorf("unknown auth mode %q: want one of %v", o.AuthMode, AuthModes)
	}
	allowed := c.operations[op] // empty: the schema names no modes, any may do
	permitted := func(m AuthMode) bool { return len(allowed) == 0 || slices.Contains(allowed, m) }
	if o.explicitMode || permitted(o.AuthMode) && o.configured(o.AuthMode) {
		if !o.configured(o.AuthMode) {
			return "", &AuthModeError{Mode: o.AuthMode, Allowed: allowed, Reason: "not configured"}
		}
		return o.AuthMode, nil
	}
	candidates := allowed
	if len(candidates) == 0 {
		candidates = AuthModes
	}
	for _, m := range candidates {
		if m != AuthNone && o.configured(m) {
			return m, nil
		}
	}
	reason := "not allowed"
	if permitted(o.AuthMode) {
		reason = "not configured"
	}
	endpointKey := o.APIKey != "" && o.endpointKeyOnly() && slices.Contains(candidates, AuthAPIKey)
	return "", &AuthModeError{Mode: o.AuthMode, Allowed: allowed, Reason: reason, endpointKey: endpointKey}
}

// newRequest builds the HTTP request for body, authorized for mode. The
// secret values it uses are added to sec so errors can be scrubbed of them;
// the token of a token mode is left in token.
func (c *Client) newRequest(ctx context.Context, body []byte, mode AuthMode, o *Options, sec *redact.Secrets, token *string) (*http.Request, error) {
	if ctx == nil {
		return nil, errors.New("net/http: nil Context")
	}
	// A copy of the template with the call's context, a URL of its own (the
	// signer writes URL.RawQuery) and the body: what
	// http.NewRequestWithContext makes, without parsing the URL again.
	p := &requestParts{req: *c.template.WithContext(ctx), url: *c.template.URL}
	p.reader.Reset(body)
	p.body = body
	req := &p.req
	req.URL = &p.url
	req.Header = make(http.Header, 8)
	// A NopCloser of a *bytes.Reader is what the transport knows to be in
	// memory: it writes the headers and the body in one go.
	req.Body = io.NopCloser(&p.reader)
	req.GetBody = p.getBody
	req.ContentLength = int64(len(body))
	// The fixed header values are shared slices (len == cap, so an Add
	// copies them), as nothing in net/http or the signer changes a value in
	// place: no allocation per request.
	req.Header["Content-Type"] = headerContentType
	req.Header["Accept"] = headerAccept
	for k, vs := range o.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	switch {
	case mode == AuthAPIKey:
		if o.APIKey == c.opts.APIKey {
			req.Header["X-Api-Key"] = c.apiKeyHeader
		} else {
			req.Header.Set("X-Api-Key", o.APIKey)
		}
	case usesToken(mode):
		tok, err := o.tokenSource(mode).Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("get %s token: %w", mode, redactError(err, sec))
		}
		if tok == "" {
			return nil, fmt.Errorf("get %s token: token source returned an empty token", mode)
		}
		sec.Add(tok)
		*token = tok
		req.Header.Set("Authorization", tok)
	case signsRequests(mode):
		provider := o.Credentials
		if mode == AuthIdentityPool {
			provider = o.IdentityPoolCredentials
		}
		creds, err := provider.Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("retrieve %s credentials: %w", mode, redactError(err, sec))
		}
		sec.Add(creds.SecretAccessKey)
		sec.Add(creds.SessionToken)
		sum := sha256.Sum256(body)
		now := o.Clock().Add(time.Duration(c.skew.Load()))
		if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "appsync", o.Region, now.UTC()); err != nil {
			return nil, fmt.Errorf("sign request: %w", err)
		}
		sec.Add(signatureOf(req.Header.Get("Authorization")))
	}
	// Asked for after signing, so that no proxy's rewriting of it can break
	// the signature; readReply decompresses.
	req.Header["Accept-Encoding"] = headerGzip
	return req, nil
}

// requestParts are the parts of a request, allocated together.
type requestParts struct {
	req    http.Request
	url    url.URL
	reader bytes.Reader
	body   []byte
}

// getBody returns a new reader of the body, for a redirect or a retry by
// the transport.
func (p *requestParts) getBody() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(p.body)), nil
}

var (
	headerContentType = []string{"application/json; charset=UTF-8"}
	headerAccept      = []string{"application/json"}
	headerGzip        = []string{"gzip"}
)
