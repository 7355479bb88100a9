package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/examples/add-user-to-group/function"
	"github.com/go-amplify/data/internal/sigv4verify"
	"github.com/go-amplify/data/internal/testenv"
)

const (
	password     = "Passw0rd!long"
	testAccessID = "AKIDEXAMPLEADDUSER"
	testSecret   = "add-user-to-group-test-secret"
)

// unauthorizedBody is AppSync's answer when the caller's token lacks the
// ADMINS group (the @auth group rule fails in the resolver).
const unauthorizedBody = `{"data":{"addUserToGroup":null},"errors":[{"path":["addUserToGroup"],"data":null,"errorType":"Unauthorized","errorInfo":null,"locations":[{"line":2,"column":3,"sourceName":null}],"message":"Not Authorized to access addUserToGroup on type Mutation"}]}`

// appSync stands in for the AppSync API of the seed backend: it authorizes
// addUserToGroup for user pool tokens of the ADMINS group, verified
// against cognito-local's JWKS, and resolves it with the Go function
// handler, which talks to cognito-local.
type appSync struct {
	t       *testing.T
	cognito *testenv.Cognito
	handler *function.Handler

	mu       sync.Mutex
	requests []string          // auth kind of each request: "userPool", "iam", "none"
	results  []json.RawMessage // what the handler returned, in order
}

func (s *appSync) record(kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, kind)
}

// snapshot returns copies of what the stand-in has seen so far.
func (s *appSync) snapshot() (requests []string, results []json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...), append([]json.RawMessage(nil), s.results...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (s *appSync) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/graphql" {
		s.t.Errorf("stand-in: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	var req struct {
		Query         string          `json:"query"`
		OperationName string          `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.t.Errorf("stand-in: request body: %v", err)
		writeJSON(w, http.StatusBadRequest, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"bad body"}]}`)
		return
	}
	if req.OperationName != "AddUserToGroup" || !strings.Contains(req.Query, "addUserToGroup(userId: $userId, groupName: $groupName)") {
		s.t.Errorf("stand-in: unexpected operation %q: %s", req.OperationName, req.Query)
	}

	authz := r.Header.Get("Authorization")
	switch {
	case authz == "":
		s.record("none")
		writeJSON(w, http.StatusUnauthorized, `{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call."}]}`)
		return
	case strings.HasPrefix(authz, sigv4verify.Algorithm):
		// The signature was verified by the middleware. The stand-in
		// treats every IAM caller as an identity-pool role, which the
		// resolver's ADMINS rule refuses (IAM principals of the account
		// would pass Gen 2's IAM access; e2e.TestSeed shows both).
		s.record("iam")
		writeJSON(w, http.StatusOK, unauthorizedBody)
		return
	}
	s.record("userPool")
	claims, err := s.cognito.VerifyJWT(authz)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, `{"errors":[{"errorType":"UnauthorizedException","message":"Valid authorization header not provided."}]}`)
		return
	}
	if claims["client_id"] != s.cognito.ClientID && claims["aud"] != s.cognito.ClientID {
		s.t.Errorf("stand-in: token of another app client: %v", claims)
	}
	groups, _ := claims["cognito:groups"].([]any)
	var isAdmin bool
	for _, g := range groups {
		isAdmin = isAdmin || g == "ADMINS"
	}
	if !isAdmin {
		writeJSON(w, http.StatusOK, unauthorizedBody)
		return
	}

	// Build the payload of Amplify's @function resolver from the request,
	// as AppSync would, and decode it the way the Lambda runtime does.
	username, _ := claims["username"].(string) // access token
	if username == "" {
		username, _ = claims["cognito:username"].(string) // ID token
	}
	headers := map[string]string{}
	for k, v := range r.Header {
		if !strings.EqualFold(k, "Authorization") {
			headers[strings.ToLower(k)] = v[0]
		}
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	payload, err := json.Marshal(map[string]any{
		"typeName":  "Mutation",
		"fieldName": "addUserToGroup",
		"arguments": req.Variables,
		"identity": map[string]any{
			"sub": claims["sub"], "issuer": claims["iss"], "username": username,
			"claims": claims, "sourceIp": []string{host}, "defaultAuthStrategy": "ALLOW", "groups": groups,
		},
		"source":  nil,
		"request": map[string]any{"headers": headers, "domainName": nil},
		"prev":    nil,
	})
	require.NoError(s.t, err)
	var ev function.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		s.t.Errorf("stand-in: decoding event: %v", err)
	}
	out, err := s.handler.Handle(r.Context(), ev)
	if err != nil {
		body, _ := json.Marshal(map[string]any{
			"data": map[string]any{"addUserToGroup": nil},
			"errors": []map[string]any{{
				"path": []string{"addUserToGroup"}, "data": nil, "errorType": "Lambda:Unhandled", "errorInfo": nil,
				"locations": []map[string]any{{"line": 2, "column": 3, "sourceName": nil}}, "message": err.Error(),
			}},
		})
		writeJSON(w, http.StatusOK, string(body))
		return
	}
	s.mu.Lock()
	s.results = append(s.results, out)
	s.mu.Unlock()
	// AWSJSON travels as a string holding the document.
	body, err := json.Marshal(map[string]any{"data": map[string]any{"addUserToGroup": string(out)}})
	require.NoError(s.t, err)
	writeJSON(w, http.StatusOK, string(body))
}

// outputsFor writes a copy of the example's amplify_outputs.json whose data
// URL is url and whose user pool is cognito-local's, and returns its path.
func outputsFor(t *testing.T, url string, c *testenv.Cognito) string {
	t.Helper()
	b, err := os.ReadFile("amplify_outputs.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	doc["data"].(map[string]any)["url"] = url
	auth := doc["auth"].(map[string]any)
	auth["user_pool_client_id"] = c.ClientID
	auth["user_pool_id"] = c.PoolID
	b, err = json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "amplify_outputs.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

// isolateAWSConfig keeps LoadDefaultConfig away from the machine's AWS
// files and instance metadata.
func isolateAWSConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecret)
	t.Setenv("AWS_SESSION_TOKEN", "")
}

func TestRun(t *testing.T) {
	c := testenv.StartCognito(t)
	c.CreateGroup(t, "ADMINS")
	c.CreateUser(t, "admin", password, "ADMINS")
	for _, u := range []string{"bob", "carol", "mallory", "target"} {
		c.CreateUser(t, u, password)
	}
	stand := &appSync{t: t, cognito: c, handler: &function.Handler{Cognito: c.Client, UserPoolID: c.PoolID}}
	verifier := &sigv4verify.Verifier{Credentials: map[string]string{testAccessID: testSecret}, Service: "appsync", Region: "us-east-1"}
	srv := httptest.NewServer(verifier.Middleware(stand))
	t.Cleanup(srv.Close)
	outputs := outputsFor(t, srv.URL+"/graphql", c)
	t.Setenv("AMPLIFY_USERNAME", "")
	t.Setenv("AMPLIFY_PASSWORD", "")

	call := func(t *testing.T, args ...string) (stdout, stderr string, err error) {
		t.Helper()
		var out, errOut bytes.Buffer
		args = append([]string{"-outputs", outputs, "-cognito-endpoint", c.Endpoint}, args...)
		err = run(context.Background(), args, &out, &errOut)
		if out.Len() > 0 {
			t.Logf("the program printed:\n%s", out.String())
		}
		if errOut.Len() > 0 {
			t.Logf("stderr: %s", errOut.String())
		}
		return out.String(), errOut.String(), err
	}

	t.Run("admin adds a user", func(t *testing.T) {
		require.NotContains(t, c.Groups(t, "bob", password), "ADMINS", "precondition")
		_, before := stand.snapshot()

		stdout, stderr, err := call(t, "-user-id", "bob", "-username", "admin", "-password", password)
		require.NoError(t, err, "stderr: %s", stderr)
		assert.Empty(t, stderr)

		_, results := stand.snapshot()
		require.Len(t, results, len(before)+1, "the function ran once")
		var want bytes.Buffer
		require.NoError(t, json.Indent(&want, results[len(results)-1], "", "  "))
		assert.Equal(t, want.String()+"\n", stdout, "prints the function's result, indented")
		assert.JSONEq(t, `{"$metadata":{"httpStatusCode":200,"attempts":1}}`, stdout)

		assert.Contains(t, c.Groups(t, "bob", password), "ADMINS", "bob's next sign-in carries the group")
	})

	t.Run("new admin can call it after signing in again", func(t *testing.T) {
		// bob was added above; his new sign-in's token carries ADMINS.
		stdout, stderr, err := call(t, "-user-id", "carol", "-username", "bob", "-password", password)
		require.NoError(t, err, "stderr: %s", stderr)
		assert.JSONEq(t, `{"$metadata":{"httpStatusCode":200,"attempts":1}}`, stdout)
		assert.Contains(t, c.Groups(t, "carol", password), "ADMINS")
	})

	t.Run("credentials from the environment", func(t *testing.T) {
		t.Setenv("AMPLIFY_USERNAME", "admin")
		t.Setenv("AMPLIFY_PASSWORD", password)
		c.CreateUser(t, "dan", password)
		_, stderr, err := call(t, "-user-id", "dan")
		require.NoError(t, err, "stderr: %s", stderr)
		assert.Contains(t, c.Groups(t, "dan", password), "ADMINS")
	})

	t.Run("non-admin is unauthorized", func(t *testing.T) {
		requestsBefore, resultsBefore := stand.snapshot()
		stdout, stderr, err := call(t, "-user-id", "target", "-username", "mallory", "-password", password)
		require.Error(t, err)
		assert.Empty(t, stdout)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		assert.Contains(t, stderr, "Unauthorized: Not Authorized to access addUserToGroup on type Mutation")
		assert.Contains(t, stderr, "ADMINS group")
		assert.Contains(t, err.Error(), "Unauthorized")

		requests, results := stand.snapshot()
		assert.Equal(t, append(requestsBefore, "userPool"), requests, "sent once, with a user pool token")
		assert.Len(t, results, len(resultsBefore), "the function did not run")
		assert.NotContains(t, c.Groups(t, "target", password), "ADMINS")
	})

	t.Run("wrong password", func(t *testing.T) {
		const wrong = "Wr0ng!password-xyz"
		requestsBefore, _ := stand.snapshot()
		stdout, stderr, err := call(t, "-user-id", "target", "-username", "admin", "-password", wrong)
		require.Error(t, err)
		assert.Empty(t, stdout)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		assert.Contains(t, stderr, `signing in as "admin"`)
		// cognito-local answers InvalidPasswordException where Cognito
		// answers NotAuthorizedException.
		assert.Contains(t, stderr, "InvalidPasswordException")
		assert.NotContains(t, stderr, wrong)
		assert.NotContains(t, err.Error(), wrong)
		requests, _ := stand.snapshot()
		assert.Equal(t, requestsBefore, requests, "nothing was sent to AppSync")
	})

	t.Run("iam is signed and rejected for this mutation", func(t *testing.T) {
		isolateAWSConfig(t)
		requestsBefore, _ := stand.snapshot()
		stdout, stderr, err := call(t, "-auth", "iam", "-user-id", "target")
		require.Error(t, err)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "(auth iam)")
		assert.Contains(t, stderr, "Unauthorized: Not Authorized to access addUserToGroup on type Mutation")
		assert.Contains(t, stderr, "use -auth userPool")
		assert.NotContains(t, stderr, testSecret)
		requests, _ := stand.snapshot()
		// The verifier answers 403 to a bad signature before the stand-in
		// records anything, so "iam" here means the signature verified.
		assert.Equal(t, append(requestsBefore, "iam"), requests)
	})
}

// TestRunUsage covers the errors found before any network call.
func TestRunUsage(t *testing.T) {
	t.Setenv("AMPLIFY_USERNAME", "")
	t.Setenv("AMPLIFY_PASSWORD", "")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no user id", []string{"-username", "a", "-password", "b"}, "-user-id is required"},
		{"empty group", []string{"-user-id", "bob", "-group", ""}, "-group must not be empty"},
		{"unknown auth mode", []string{"-user-id", "bob", "-auth", "apiKey"}, `-auth "apiKey": want userPool or iam`},
		{"no credentials", []string{"-user-id", "bob"}, "-auth userPool needs -username and -password"},
		{"missing outputs", []string{"-user-id", "bob", "-outputs", filepath.Join(t.TempDir(), "nope.json")}, "nope.json"},
		{"stray argument", []string{"-user-id", "bob", "extra"}, `unexpected arguments ["extra"]`},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined: -nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, &stdout, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, stderr.String(), "add-user-to-group: ")
			assert.Contains(t, stderr.String(), tc.want)
			assert.Empty(t, stdout.String())
		})
	}

	t.Run("help", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"-h"}, &stdout, &stderr))
		assert.Contains(t, stderr.String(), "-user-id")
		assert.Empty(t, stdout.String())
	})
}
