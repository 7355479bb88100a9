package client_test

// Per-request overhead of the generated typed client against a hand-written
// net/http + encoding/json request doing the same POST.
//
//	go test -run '^$' -bench BenchmarkGetTodo -benchmem -benchtime 2s -count 5 ./client/ | tee /tmp/getTodo.txt
//	awk -f client/testdata/benchratio.awk /tmp/getTodo.txt
//
// -count repeats each sub-benchmark in a row, so on a shared machine a
// change of load between the two variants moves the ratio; running the
// test binary several times interleaves them, and the median is not moved
// by a few slowed runs:
//
//	go test -c -o /tmp/client.test ./client/ && cd client &&
//	  for i in $(seq 10); do /tmp/client.test -test.run '^$' -test.bench BenchmarkGetTodo -test.benchmem -test.benchtime 2s; done > /tmp/getTodo.txt
//	awk -v stat=median -f client/testdata/benchratio.awk /tmp/getTodo.txt
//
// Both sides share one loopback httptest server that answers every request
// with the same canned getTodo reply, and one *http.Client, so connection
// reuse is the same. The server does the least it can in the timed loop
// (drain the body, check an auth header is there, write the canned bytes);
// before timing, each sub-benchmark sends one request that the server checks
// fully: query, operation name and variables, headers, and for iam the SigV4
// signature (with internal/sigv4verify, as AppSync would).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
	"github.com/go-amplify/data/internal/sigv4verify"
	"github.com/go-amplify/data/schema"
)

const (
	benchAPIKey = "da2-benchkey0123456789"
	benchAKID   = "AKIDBENCHEXAMPLE"
	benchSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYBENCHKEY"
	benchRegion = "us-east-1"
)

// benchGetTodoReply is the canned AppSync reply; the Todo fragment aliases id
// as ID.
var benchGetTodoReply = []byte(`{"data":{"getTodo":{"content":"milk","done":false,"priority":"HIGH","ID":"t1","createdAt":"2024-01-02T03:04:05.123Z","updatedAt":"2024-01-02T03:04:05.123Z","owner":"alice"}}}`)

// benchServer is the fake AppSync of the benchmarks.
type benchServer struct {
	*httptest.Server
	// strict makes the next requests go through the full checks.
	strict atomic.Bool
	mu     sync.Mutex
	failed string // why the last strict request was refused
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	s := &benchServer{}
	verifier := &sigv4verify.Verifier{
		Credentials: map[string]string{benchAKID: benchSecret},
		Service:     "appsync", Region: benchRegion,
	}
	reply := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(benchGetTodoReply)
	}
	checked := verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if why := checkGetTodoRequest(r); why != "" {
			s.mu.Lock()
			s.failed = why
			s.mu.Unlock()
			http.Error(w, why, http.StatusBadRequest)
			return
		}
		reply(w)
	}))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.strict.Load() {
			checked.ServeHTTP(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Header.Get("X-Api-Key") != benchAPIKey && !strings.HasPrefix(r.Header.Get("Authorization"), sigv4verify.Algorithm) {
			http.Error(w, `{"errors":[{"errorType":"UnauthorizedException"}]}`, http.StatusUnauthorized)
			return
		}
		reply(w)
	}))
	b.Cleanup(s.Close)
	return s
}

// checkGetTodoRequest says what is wrong with a getTodo request, or "".
func checkGetTodoRequest(r *http.Request) string {
	if r.Method != http.MethodPost || r.URL.Path != "/graphql" {
		return fmt.Sprintf("request is %s %s, want POST /graphql", r.Method, r.URL.Path)
	}
	for k, want := range map[string]string{"Content-Type": "application/json; charset=UTF-8", "Accept": "application/json"} {
		if got := r.Header.Get(k); got != want {
			return fmt.Sprintf("%s is %q, want %q", k, got, want)
		}
	}
	if r.Header.Get("X-Api-Key") == "" && r.Header.Get("Authorization") == "" {
		return "request has neither X-Api-Key nor Authorization"
	}
	if r.Header.Get("X-Api-Key") != "" && r.Header.Get("Authorization") != "" {
		return "request has both X-Api-Key and Authorization"
	}
	if k := r.Header.Get("X-Api-Key"); k != "" && k != benchAPIKey {
		return fmt.Sprintf("X-Api-Key is %q, want %q", k, benchAPIKey)
	}
	var body struct {
		Query         string            `json:"query"`
		OperationName string            `json:"operationName"`
		Variables     map[string]string `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return "body: " + err.Error()
	}
	if body.Query != getTodoQuery() || body.OperationName != "GetTodo" || len(body.Variables) != 1 || body.Variables["id"] != "t1" {
		return fmt.Sprintf("body is not GetTodo(id: t1): %+v", body)
	}
	return ""
}

// getTodoQuery is the document the generated client sends for getTodo
// (its constant is unexported), read from one request of it, so that the
// hand-written side sends the same. It panics if that request is not a
// getTodo query.
var getTodoQuery = sync.OnceValue(func() string {
	var query string
	rec := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		var body struct {
			Query string `json:"query"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return nil, err
		}
		query = body.Query
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(benchGetTodoReply)), Request: r}, nil
	})
	c, err := tododata.NewFromEndpoint(client.Endpoint{URL: "http://appsync.test/graphql", Region: benchRegion, APIKey: benchAPIKey},
		client.WithHTTPClient(&http.Client{Transport: rec}))
	if err == nil {
		_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthAPIKey))
	}
	if err != nil || !strings.Contains(query, "query GetTodo") || !strings.Contains(query, "getTodo(id: $id)") {
		panic(fmt.Sprintf("the generated getTodo sent %q (%v)", query, err))
	}
	return query
})

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// strictCall runs call once with the server checking the request fully.
func (s *benchServer) strictCall(b *testing.B, call func() error) {
	b.Helper()
	s.mu.Lock()
	s.failed = ""
	s.mu.Unlock()
	s.strict.Store(true)
	defer s.strict.Store(false)
	if err := call(); err != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		b.Fatalf("checked request failed: %v (server: %q)", err, s.failed)
	}
}

// The hand-written side.

type hwGetTodoRequest struct {
	Query     string `json:"query"`
	Variables struct {
		ID string `json:"id"`
	} `json:"variables"`
	OperationName string `json:"operationName"`
}

type hwTodo struct {
	Content   *string   `json:"content"`
	Done      *bool     `json:"done"`
	Priority  *string   `json:"priority"`
	ID        string    `json:"ID"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Owner     *string   `json:"owner"`
}

type hwGetTodoResponse struct {
	Data struct {
		GetTodo *hwTodo `json:"getTodo"`
	} `json:"data"`
	Errors []json.RawMessage `json:"errors"`
}

// hwClient is what someone would write by hand without the SDK.
type hwClient struct {
	http   *http.Client
	url    string
	apiKey string                  // apiKey mode when set
	creds  aws.CredentialsProvider // iam mode when set
	signer *v4.Signer
}

func (h *hwClient) getTodo(ctx context.Context, id string) (*hwTodo, error) {
	in := hwGetTodoRequest{Query: getTodoQuery(), OperationName: "GetTodo"}
	in.Variables.ID = id
	body, err := json.Marshal(&in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	if h.creds != nil {
		creds, err := h.creds.Retrieve(ctx)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		if err := h.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "appsync", benchRegion, time.Now().UTC()); err != nil {
			return nil, err
		}
	} else {
		req.Header.Set("X-Api-Key", h.apiKey)
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	var out hwGetTodoResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("GraphQL errors: %s", out.Errors)
	}
	return out.Data.GetTodo, nil
}

// The generated side.

func benchOutputs(b *testing.B, url string) *schema.Outputs {
	b.Helper()
	o, err := schema.LoadOutputs("../internal/fixture/testdata/amplify_outputs.json")
	if err != nil {
		b.Fatal(err)
	}
	o.Data.URL = url + "/graphql"
	o.Data.APIKey = benchAPIKey
	return o
}

func BenchmarkGetTodo(b *testing.B) {
	srv := newBenchServer(b)
	benchGetTodo(b, srv.Client(), srv.URL, srv.strictCall)
}

// BenchmarkGetTodoNoNetwork is BenchmarkGetTodo with the server replaced by
// a transport that answers in memory (after the same full check of one
// request): the cost of the client alone, without the loopback round trip
// and the server, which make most of BenchmarkGetTodo's time and of its
// noise on a shared machine.
func BenchmarkGetTodoNoNetwork(b *testing.B) {
	t := newMemTransport()
	benchGetTodo(b, &http.Client{Transport: t}, "http://appsync.test", t.strictCall)
}

// memTransport answers every request with the canned reply, as
// newBenchServer does, without a connection.
type memTransport struct {
	verifier *sigv4verify.Verifier
	strict   atomic.Bool
	failed   atomic.Value // string: why the last strict request was refused
}

func newMemTransport() *memTransport {
	return &memTransport{verifier: &sigv4verify.Verifier{
		Credentials: map[string]string{benchAKID: benchSecret},
		Service:     "appsync", Region: benchRegion,
	}}
}

func (t *memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	status := http.StatusOK
	if t.strict.Load() {
		why := ""
		if strings.HasPrefix(r.Header.Get("Authorization"), sigv4verify.Algorithm) {
			if err := t.verifier.Verify(r, body); err != nil {
				why = err.Error()
			}
		}
		if why == "" {
			r.Body = io.NopCloser(bytes.NewReader(body))
			why = checkGetTodoRequest(r)
		}
		if why != "" {
			t.failed.Store(why)
			status = http.StatusBadRequest
		}
	} else if r.Header.Get("X-Api-Key") != benchAPIKey && !strings.HasPrefix(r.Header.Get("Authorization"), sigv4verify.Algorithm) {
		status = http.StatusUnauthorized
	}
	return &http.Response{StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(benchGetTodoReply)),
		ContentLength: int64(len(benchGetTodoReply)), Request: r}, nil
}

func (t *memTransport) strictCall(b *testing.B, call func() error) {
	b.Helper()
	t.failed.Store("")
	t.strict.Store(true)
	defer t.strict.Store(false)
	if err := call(); err != nil {
		b.Fatalf("checked request failed: %v (server: %q)", err, t.failed.Load())
	}
}

// benchGetTodo runs the four variants against the server at base, reached
// with hc; strictCall runs one call with the request checked fully.
func benchGetTodo(b *testing.B, hc *http.Client, base string, strictCall func(*testing.B, func() error)) {
	url := base + "/graphql"
	ctx := context.Background()
	static := credentials.NewStaticCredentialsProvider(benchAKID, benchSecret, "")

	// The seed schema allows getTodo in iam, identityPool and userPool only.
	// For the apiKey group the generated client gets the seed's operation
	// table with apiKey added to GetTodo, as a backend whose getTodo had
	// @aws_api_key would generate: the call then takes the default path (no
	// per-call client.WithAuthMode).
	apiKeyOps := maps.Clone(tododata.OperationAuthModes)
	apiKeyOps["GetTodo"] = append([]client.AuthMode{client.AuthAPIKey}, apiKeyOps["GetTodo"]...)

	newGenerated := func(b *testing.B, mode client.AuthMode) *tododata.Client {
		b.Helper()
		o := benchOutputs(b, base)
		var c *tododata.Client
		var err error
		switch mode {
		case client.AuthAPIKey:
			ep, epErr := client.EndpointFromOutputs(o)
			if epErr != nil {
				b.Fatal(epErr)
			}
			ep.Operations = apiKeyOps
			c, err = tododata.NewFromEndpoint(ep, client.WithHTTPClient(hc), client.WithAuthMode(client.AuthAPIKey))
		case client.AuthIAM:
			c, err = tododata.New(o, client.WithHTTPClient(hc), client.WithCredentials(static))
		}
		if err != nil {
			b.Fatal(err)
		}
		return c
	}

	run := func(b *testing.B, get func() (id string, err error)) {
		strictCall(b, func() error {
			id, err := get()
			if err == nil && id != "t1" {
				err = fmt.Errorf("got id %q, want t1", id)
			}
			return err
		})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := get(); err != nil {
				b.Fatal(err)
			}
		}
	}
	handwritten := func(h *hwClient) func(*testing.B) {
		return func(b *testing.B) {
			run(b, func() (string, error) {
				t, err := h.getTodo(ctx, "t1")
				if t == nil {
					return "", err
				}
				return t.ID, err
			})
		}
	}
	generated := func(mode client.AuthMode) func(*testing.B) {
		return func(b *testing.B) {
			c := newGenerated(b, mode)
			run(b, func() (string, error) {
				t, err := c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: "t1"})
				if t == nil {
					return "", err
				}
				return t.ID, err
			})
		}
	}

	b.Run("apiKey/handwritten", handwritten(&hwClient{http: hc, url: url, apiKey: benchAPIKey}))
	b.Run("apiKey/generated", generated(client.AuthAPIKey))
	b.Run("iam/handwritten", handwritten(&hwClient{http: hc, url: url, creds: static, signer: v4.NewSigner()}))
	b.Run("iam/generated", generated(client.AuthIAM))
}
