package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/Khan/genqlient/graphql"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/go-amplify/data/schema"
)

// Endpoint is what a Client needs to know about the API it talks to.
type Endpoint struct {
	// URL is the GraphQL endpoint, https://<id>.appsync-api.<region>.amazonaws.com/graphql.
	URL string
	// Region is the AWS region, used for SigV4.
	Region string
	// APIKey is the default API key, if the API has one.
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
	signer     *v4.Signer
	operations map[string][]AuthMode // Endpoint.Operations
}

var _ graphql.Client = (*Client)(nil)

var defaultHTTPClient = &http.Client{}

// New returns a client for endpoint, configured by opts.
func New(endpoint Endpoint, opts ...Option) (*Client, error) {
	u, err := url.Parse(endpoint.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("endpoint URL %q is not an absolute http(s) URL: use data.url of amplify_outputs.json", endpoint.URL)
	}
	o := Options{AuthMode: endpoint.DefaultAuthMode, APIKey: endpoint.APIKey, Region: endpoint.Region}
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
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 16 << 20
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return &Client{
		url:        u.String(),
		opts:       o,
		signer:     v4.NewSigner(),
		operations: endpoint.Operations,
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

func (c *Client) do(ctx context.Context, req *graphql.Request, resp *graphql.Response, callOpts []Option) error {
	o := c.opts
	for _, opt := range callOpts {
		opt(&o)
	}
	mode, err := c.chooseMode(req.OpName, &o)
	if err != nil {
		return &OperationError{Operation: req.OpName, AuthMode: o.AuthMode, Err: err}
	}
	wrap := func(err error) error { return &OperationError{Operation: req.OpName, AuthMode: mode, Err: err} }

	body, err := json.Marshal(req)
	if err != nil {
		return wrap(fmt.Errorf("encode request: %w", err))
	}
	httpReq, secrets, err := c.newRequest(ctx, body, mode, &o)
	if err != nil {
		return wrap(err)
	}
	httpResp, err := o.HTTPClient.Do(httpReq)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return wrap(ctxErr)
		}
		return wrap(&NetworkError{Err: redactError(err, secrets)})
	}
	defer httpResp.Body.Close()
	if err := decodeResponse(httpResp, o.MaxResponseBytes, resp, secrets); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !isGraphQLErrors(err) {
			return wrap(ctxErr)
		}
		return wrap(err)
	}
	return nil
}

// chooseMode picks the mode for one request: a mode forced per call is used
// as is; otherwise the default mode when the operation allows it and the
// client is configured for it, else the first allowed mode the client is
// configured for (in the schema's order).
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
	return "", &AuthModeError{Mode: o.AuthMode, Allowed: allowed, Reason: reason}
}

// newRequest builds the HTTP request for body, authorized for mode. It
// returns the secret values it used so errors can be scrubbed of them.
func (c *Client) newRequest(ctx context.Context, body []byte, mode AuthMode, o *Options) (*http.Request, []string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	for k, vs := range o.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	var secrets []string
	switch {
	case mode == AuthAPIKey:
		req.Header.Set("X-Api-Key", o.APIKey)
		secrets = append(secrets, o.APIKey)
	case mode.usesToken():
		tok, err := o.tokenSource(mode).Token(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("get %s token: %w", mode, err)
		}
		if tok == "" {
			return nil, nil, fmt.Errorf("get %s token: token source returned an empty token", mode)
		}
		req.Header.Set("Authorization", tok)
		secrets = append(secrets, tok)
	case mode.signsRequests():
		provider := o.Credentials
		if mode == AuthIdentityPool {
			provider = o.IdentityPoolCredentials
		}
		creds, err := provider.Retrieve(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("retrieve %s credentials: %w", mode, err)
		}
		sum := sha256.Sum256(body)
		if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "appsync", o.Region, o.Clock().UTC()); err != nil {
			return nil, nil, fmt.Errorf("sign request: %w", err)
		}
		secrets = append(secrets, creds.SecretAccessKey, creds.SessionToken, signatureOf(req.Header.Get("Authorization")))
	}
	return req, secrets, nil
}

// decodeResponse reads an AppSync reply into resp. GraphQL errors come back
// as GraphQLErrors with resp.Data holding whatever data came with them.
func decodeResponse(r *http.Response, limit int64, resp *graphql.Response, secrets []string) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return &NetworkError{Err: redactError(fmt.Errorf("read response: %w", err), secrets)}
	}
	if int64(len(body)) > limit {
		return &HTTPError{StatusCode: r.StatusCode, Reason: fmt.Sprintf("response body exceeds %d bytes (raise it with client.WithMaxResponseBytes)", limit), Snippet: snippet(body, secrets)}
	}
	if r.StatusCode != http.StatusOK {
		herr := &HTTPError{StatusCode: r.StatusCode, Snippet: snippet(body, secrets)}
		var wire struct {
			Errors GraphQLErrors `json:"errors"`
		}
		if json.Unmarshal(body, &wire) == nil {
			herr.Errors = redactErrors(wire.Errors, secrets)
		}
		return herr
	}
	wire := struct {
		Data       dataField      `json:"data"`
		Errors     GraphQLErrors  `json:"errors"`
		Extensions map[string]any `json:"extensions"`
	}{Data: dataField{target: resp.Data}}
	if err := json.Unmarshal(body, &wire); err != nil {
		return &HTTPError{StatusCode: r.StatusCode, Reason: "response is not a GraphQL JSON reply: " + err.Error(), Snippet: snippet(body, secrets)}
	}
	if !wire.Data.present && wire.Errors == nil {
		return &HTTPError{StatusCode: r.StatusCode, Reason: "response has neither data nor errors", Snippet: snippet(body, secrets)}
	}
	resp.Extensions = wire.Extensions
	if len(wire.Errors) > 0 {
		return redactErrors(wire.Errors, secrets)
	}
	return nil
}

// dataField decodes the data member of a reply into target and records
// whether the member was there at all.
type dataField struct {
	target  any
	present bool
}

func (d *dataField) UnmarshalJSON(b []byte) error {
	d.present = true
	if d.target == nil || string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, d.target)
}

// All walks the pages of a list operation, starting at the page of token
// (nil: the first), and yields each item. It stops when the loop breaks;
// an error ends the walk and is yielded as its last element, with a nil
// item. Empty pages that carry a NextToken (AppSync returns them when a
// filter drops every item of a scanned page) are walked through. A page
// whose NextToken repeats the token that read it ends the walk with an
// error, rather than looping.
func All[T any](token *string, page func(token *string) (*Page[T], error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for {
			p, err := page(token)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
			if p.NextToken == "" {
				return
			}
			if token != nil && *token == p.NextToken {
				yield(nil, errors.New("amplify data: the server returned the same nextToken again; stopping the walk"))
				return
			}
			next := p.NextToken
			token = &next
		}
	}
}

// Page is one page of a list operation.
type Page[T any] struct {
	// Items are the items of the page. AppSync may return an empty page
	// that still has a NextToken.
	Items []*T
	// NextToken reads the next page; empty on the last page.
	NextToken string
}
