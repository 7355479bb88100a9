package sigv4verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	akid   = "AKIDEXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	region = "us-east-1"
)

var now = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

func newVerifier() *Verifier {
	return &Verifier{
		Credentials: map[string]string{akid: secret},
		Service:     "appsync",
		Region:      region,
		Now:         func() time.Time { return now },
	}
}

// capture is a server that records the request as received and the
// verifier's verdict on it.
type capture struct {
	srv  *httptest.Server
	mu   sync.Mutex
	err  error
	body []byte
}

func newCapture(t *testing.T, v *Verifier) *capture {
	c := &capture{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		c.mu.Lock()
		c.body = body
		c.err = v.Verify(r, body)
		c.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *capture) send(t *testing.T, req *http.Request) error {
	t.Helper()
	resp, err := c.srv.Client().Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

type reqSpec struct {
	method      string
	path        string // appended to the server URL, may contain a query
	body        string
	headers     map[string]string
	creds       aws.Credentials
	service     string
	signRegion  string
	signingTime time.Time
}

func sign(t *testing.T, base string, s reqSpec) *http.Request {
	t.Helper()
	if s.method == "" {
		s.method = http.MethodPost
	}
	if s.path == "" {
		s.path = "/graphql"
	}
	if s.creds.AccessKeyID == "" {
		s.creds = aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	}
	if s.service == "" {
		s.service = "appsync"
	}
	if s.signRegion == "" {
		s.signRegion = region
	}
	if s.signingTime.IsZero() {
		s.signingTime = now
	}
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(s.body)
	}
	req, err := http.NewRequest(s.method, base+s.path, body)
	require.NoError(t, err)
	if s.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(s.body))
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), s.creds, req, hex.EncodeToString(sum[:]), s.service, s.signRegion, s.signingTime))
	return req
}

func setBody(req *http.Request, body string) {
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
}

func TestVerify(t *testing.T) {
	const gql = `{"query":"query { listTodos { items { id } } }"}`
	tests := []struct {
		name    string
		spec    reqSpec
		mutate  func(*http.Request)
		v       func(*Verifier)
		errType string // "" means the request must verify
		msg     string // substring of the message
	}{
		{name: "valid without session token", spec: reqSpec{body: gql}},
		{name: "valid with session token", spec: reqSpec{body: gql, creds: aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: "FwoGZXIvYXdzEXAMPLE//token+with/chars=="}}},
		{name: "valid GET without body", spec: reqSpec{method: http.MethodGet}},
		{name: "valid path with space", spec: reqSpec{path: "/a b/graphql", body: gql}},
		{name: "valid path with percent", spec: reqSpec{path: "/100%25/x~y", body: gql}},
		{name: "valid sorted query", spec: reqSpec{path: "/graphql?b=2&a=z&a=1&sp=a%20b&plus=%2B&empty=", body: gql}},
		{name: "valid header with inner spaces", spec: reqSpec{body: gql, headers: map[string]string{"X-Custom": "  a    b  c "}}},
		{name: "valid within skew", spec: reqSpec{body: gql, signingTime: now.Add(-4 * time.Minute)}},
		{name: "valid with custom skew", spec: reqSpec{body: gql, signingTime: now.Add(-20 * time.Minute)}, v: func(v *Verifier) { v.MaxSkew = 30 * time.Minute }},

		{name: "changed body", spec: reqSpec{body: gql},
			mutate:  func(r *http.Request) { setBody(r, strings.Replace(gql, "id", "ix", 1)) },
			errType: InvalidSignature, msg: "The request signature we calculated does not match the signature you provided."},
		{name: "changed body length", spec: reqSpec{body: gql},
			mutate:  func(r *http.Request) { setBody(r, gql+" ") },
			errType: InvalidSignature, msg: "does not match"},
		{name: "changed signed header", spec: reqSpec{body: gql},
			mutate:  func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
			errType: InvalidSignature, msg: "does not match"},
		{name: "changed signed custom header", spec: reqSpec{body: gql, headers: map[string]string{"X-Custom": "a"}},
			mutate:  func(r *http.Request) { r.Header.Set("X-Custom", "b") },
			errType: InvalidSignature, msg: "does not match"},
		{name: "changed path", spec: reqSpec{body: gql},
			mutate:  func(r *http.Request) { r.URL.Path = "/other" },
			errType: InvalidSignature, msg: "does not match"},
		{name: "changed query", spec: reqSpec{path: "/graphql?a=1", body: gql},
			mutate:  func(r *http.Request) { r.URL.RawQuery = "a=2" },
			errType: InvalidSignature, msg: "does not match"},
		{name: "added security token not signed", spec: reqSpec{body: gql},
			mutate:  func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "injected") },
			errType: InvalidSignature, msg: "'X-Amz-Security-Token' must be a 'SignedHeader'"},
		{name: "wrong secret", spec: reqSpec{body: gql, creds: aws.Credentials{AccessKeyID: akid, SecretAccessKey: "not-the-secret"}},
			errType: InvalidSignature, msg: "does not match"},
		{name: "wrong service", spec: reqSpec{body: gql, service: "execute-api"},
			errType: InvalidSignature, msg: "correct service"},
		{name: "wrong region", spec: reqSpec{body: gql, signRegion: "eu-west-1"},
			errType: InvalidSignature, msg: "valid region"},
		{name: "stale date", spec: reqSpec{body: gql, signingTime: now.Add(-6 * time.Minute)},
			errType: InvalidSignature, msg: "Signature expired"},
		{name: "future date", spec: reqSpec{body: gql, signingTime: now.Add(6 * time.Minute)},
			errType: InvalidSignature, msg: "Signature expired"},
		{name: "missing Credential", spec: reqSpec{body: gql},
			mutate: func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", regexp.MustCompile(`Credential=[^,]*, `).ReplaceAllString(a, ""))
			},
			errType: IncompleteSignature, msg: "'Credential'"},
		{name: "missing Signature", spec: reqSpec{body: gql},
			mutate: func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", regexp.MustCompile(`, Signature=.*$`).ReplaceAllString(a, ""))
			},
			errType: IncompleteSignature, msg: "'Signature'"},
		{name: "missing X-Amz-Date", spec: reqSpec{body: gql},
			mutate:  func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			errType: IncompleteSignature, msg: "X-Amz-Date"},
		{name: "malformed credential scope", spec: reqSpec{body: gql},
			mutate: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "", 1))
			},
			errType: IncompleteSignature, msg: "aws4_request"},
		{name: "unknown key id", spec: reqSpec{body: gql, creds: aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: secret}},
			errType: UnrecognizedClient, msg: "security token included in the request is invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier()
			if tc.v != nil {
				tc.v(v)
			}
			c := newCapture(t, v)
			req := sign(t, c.srv.URL, tc.spec)
			if tc.mutate != nil {
				tc.mutate(req)
			}
			err := c.send(t, req)
			if tc.errType == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var ve *Error
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, http.StatusForbidden, ve.Status)
			assert.Equal(t, tc.errType, ve.ErrorType)
			assert.Contains(t, ve.Message, tc.msg)
		})
	}
}

func TestMismatchMessageShowsCanonicalRequest(t *testing.T) {
	v := newVerifier()
	c := newCapture(t, v)
	req := sign(t, c.srv.URL, reqSpec{path: "/a b?x=1", body: "{}", creds: aws.Credentials{AccessKeyID: akid, SecretAccessKey: "wrong"}})
	err := c.send(t, req)
	var ve *Error
	require.ErrorAs(t, err, &ve)
	host := strings.TrimPrefix(c.srv.URL, "http://")
	wantCanonical := "POST\n/a%2520b\nx=1\n" +
		"content-length:2\ncontent-type:application/json\nhost:" + host + "\nx-amz-date:20240101T120000Z\n\n" +
		"content-length;content-type;host;x-amz-date\n" +
		"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
	assert.Contains(t, ve.Message, "The Canonical String for this request should have been\n'"+wantCanonical+"'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20240101T120000Z\n20240101/us-east-1/appsync/aws4_request\n")
	assert.True(t, strings.HasPrefix(ve.Message, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."))
}

// TestKnownVector checks the key derivation and string-to-sign against the
// example in the AWS SigV4 documentation ("Examples of how to derive a
// signing key"), independently of aws-sdk-go-v2.
func TestKnownVector(t *testing.T) {
	key := SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
	assert.Equal(t, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", hex.EncodeToString(key))

	// The get-vanilla request from the AWS SigV4 test suite.
	r := httptest.NewRequest(http.MethodGet, "http://example.amazonaws.com/", nil)
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	canonical := CanonicalRequest(r, []string{"host", "x-amz-date"}, nil)
	assert.Equal(t, "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", canonical)
	sts := StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical)
	sig := hex.EncodeToString(hmacSHA256(SigningKey(secret, "20150830", "us-east-1", "service"), []byte(sts)))
	assert.Equal(t, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", sig)
}

func TestCanonicalURIAndQuery(t *testing.T) {
	tests := []struct{ raw, wantURI, wantQuery string }{
		{"http://h", "/", ""},
		{"http://h/", "/", ""},
		{"http://h/a%20b/c", "/a%2520b/c", ""},
		{"http://h/50%25", "/50%2525", ""},
		{"http://h/x?b=2&a=3&a=1", "/x", "a=1&a=3&b=2"},
		{"http://h/x?q=a+b&r=a%2Bb&s=%7E&t", "/x", "q=a%20b&r=a%2Bb&s=~&t="},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			u, err := url.Parse(tc.raw)
			require.NoError(t, err)
			assert.Equal(t, tc.wantURI, CanonicalURI(u))
			assert.Equal(t, tc.wantQuery, CanonicalQuery(u.RawQuery))
		})
	}
}

func TestMiddleware(t *testing.T) {
	v := newVerifier()
	var (
		mu      sync.Mutex
		gotBody []byte
		calls   int
	)
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		mu.Lock()
		calls++
		gotBody = b
		mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})))
	t.Cleanup(srv.Close)
	reset := func() {
		mu.Lock()
		calls, gotBody = 0, nil
		mu.Unlock()
	}
	state := func() (int, string) {
		mu.Lock()
		defer mu.Unlock()
		return calls, string(gotBody)
	}
	do := func(req *http.Request) (*http.Response, []byte) {
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, b
	}

	t.Run("valid passes with body restored", func(t *testing.T) {
		reset()
		resp, _ := do(sign(t, srv.URL, reqSpec{body: `{"query":"{ a }"}`}))
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		n, body := state()
		assert.Equal(t, 1, n)
		assert.Equal(t, `{"query":"{ a }"}`, body)
	})
	t.Run("invalid gets 403 AppSync error", func(t *testing.T) {
		reset()
		req := sign(t, srv.URL, reqSpec{body: `{"query":"{ a }"}`})
		setBody(req, `{"query":"{ b }"}`)
		resp, b := do(req)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		n, _ := state()
		assert.Equal(t, 0, n)
		var out struct {
			Errors []struct {
				ErrorType string `json:"errorType"`
				Message   string `json:"message"`
			} `json:"errors"`
		}
		require.NoError(t, json.Unmarshal(b, &out), string(b))
		require.Len(t, out.Errors, 1)
		assert.Equal(t, InvalidSignature, out.Errors[0].ErrorType)
		assert.Contains(t, out.Errors[0].Message, "does not match")
	})
	t.Run("other authorization passes through", func(t *testing.T) {
		reset()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader([]byte("{}")))
		require.NoError(t, err)
		req.Header.Set("Authorization", "eyJhbGciOi.fake.jwt")
		resp, _ := do(req)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		n, body := state()
		assert.Equal(t, 1, n)
		assert.Equal(t, "{}", body)
	})
}
