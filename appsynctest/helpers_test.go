package appsynctest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
)

// loadBackend loads an outputs file and a schema file.
func loadBackend(t testing.TB, outputs, schemaFile string) appsynctest.Backend {
	t.Helper()
	b, err := appsynctest.LoadBackend(outputs, schemaFile)
	require.NoError(t, err)
	return b
}

func engineBackend(t testing.TB) appsynctest.Backend {
	return loadBackend(t, filepath.Join("testdata", "engine", "amplify_outputs.json"), filepath.Join("testdata", "engine", "schema.graphql"))
}

// The seed's backend (the one of examples/add-user-to-group), as copied into
// the fixture of the runtime's tests, internal/fixture/testdata, whose typed
// client is internal/fixture/tododata.
func seedBackend(t testing.TB) appsynctest.Backend {
	dir := filepath.Join("..", "internal", "fixture", "testdata")
	return loadBackend(t, filepath.Join(dir, "amplify_outputs.json"), filepath.Join(dir, "schema.graphql"))
}

// The blog backend, transformed by Amplify's own transformer (a copy of
// schema/testdata/amplify/backends/blog/generated).
func blogBackend(t testing.TB) appsynctest.Backend {
	// The blog backend of the module's corpus, made by Amplify's transformer.
	dir := filepath.Join("..", "schema", "testdata", "amplify", "backends", "blog", "generated")
	return loadBackend(t, filepath.Join(dir, "amplify_outputs.json"), filepath.Join(dir, "appsync.graphql"))
}

// auth sets the authorization of a raw request.
type auth func(t testing.TB, r *http.Request, body []byte)

func apiKey(key string) auth {
	return func(_ testing.TB, r *http.Request, _ []byte) { r.Header.Set("X-Api-Key", key) }
}

func token(tok string) auth {
	return func(_ testing.TB, r *http.Request, _ []byte) { r.Header.Set("Authorization", tok) }
}

func session(s interface {
	Token(context.Context) (string, error)
}) auth {
	return func(t testing.TB, r *http.Request, _ []byte) {
		tok, err := s.Token(context.Background())
		require.NoError(t, err)
		r.Header.Set("Authorization", tok)
	}
}

// sigv4 signs with the aws-sdk-go-v2 signer, as the client package does.
func sigv4(p aws.CredentialsProvider, at time.Time) auth {
	return func(t testing.TB, r *http.Request, body []byte) {
		creds, err := p.Retrieve(context.Background())
		require.NoError(t, err)
		sum := sha256.Sum256(body)
		if at.IsZero() {
			at = time.Now()
		}
		require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "appsync", "us-east-1", at))
	}
}

func noAuth(testing.TB, *http.Request, []byte) {}

// post sends a raw body and returns the status and the body.
func post(t testing.TB, url string, a auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	a(t, req, []byte(body))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// gql sends a GraphQL request and returns the status and the body.
func gql(t testing.TB, url string, a auth, query string, vars map[string]any) (int, string) {
	t.Helper()
	body := map[string]any{"query": query}
	if vars != nil {
		body["variables"] = vars
	}
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return post(t, url, a, string(b))
}

// ok sends a request that must succeed without errors and returns data.
func ok(t testing.TB, url string, a auth, query string, vars map[string]any) map[string]any {
	t.Helper()
	status, body := gql(t, url, a, query, vars)
	require.Equal(t, http.StatusOK, status, body)
	var resp struct {
		Data   map[string]any
		Errors []any
	}
	require.NoError(t, json.Unmarshal([]byte(body), &resp), body)
	require.Empty(t, resp.Errors, body)
	return resp.Data
}

// errorsOf decodes a response with errors.
type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []gqlErr       `json:"errors"`
}

type gqlErr struct {
	Path      []any            `json:"path"`
	ErrorType string           `json:"errorType"`
	Message   string           `json:"message"`
	Locations []map[string]any `json:"locations"`
}

func decode(t testing.TB, body string) gqlResponse {
	t.Helper()
	var r gqlResponse
	require.NoError(t, json.Unmarshal([]byte(body), &r), body)
	return r
}

// compact compacts JSON for comparisons of exact bodies.
func compact(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, []byte(s)), s)
	return b.String()
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
