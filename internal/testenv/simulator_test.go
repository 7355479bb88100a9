package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedTodoGenerated is the transformer output of the seed-todo backend.
var seedTodoGenerated = filepath.Join("..", "..", "schema", "testdata", "amplify", "backends", "seed-todo", "generated")

// TestSimulatorPatches runs the simulator folder's own tests (node --test):
// start.js, each patch of patches.js with and without it, the filter
// evaluation, and the patched simulator on the seed-todo backend.
func TestSimulatorPatches(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator's Node.js tests (about 30 s); run without -short")
	}
	dir := EnsureNPM(t, SimulatorDir())
	start := time.Now()
	cmd := exec.CommandContext(t.Context(), "node", "--test", "--test-reporter=spec")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
	// The tests start simulators of their own: kill the whole group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "`node --test` in %s failed:\n%s", dir, out)
	t.Logf("testenv: node --test passed in %s:\n%s", time.Since(start).Round(time.Millisecond), summary(string(out)))
}

// summary keeps the totals at the end of node's spec output.
func summary(out string) string {
	var keep []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "ℹ ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// unsignedJWT returns a JWT with the claims and no signature: the simulator
// decodes user-pool tokens without verifying them.
func unsignedJWT(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(claims) + "."
}

func userPoolToken(sub, username string, groups ...string) string {
	claims := map[string]any{
		"iss":              "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SIMULATED",
		"sub":              sub,
		"cognito:username": username,
		"token_use":        "id",
		"exp":              time.Now().Add(time.Hour).Unix(),
	}
	if len(groups) > 0 {
		claims["cognito:groups"] = groups
	}
	return unsignedJWT(claims)
}

type gqlError struct {
	Message   string `json:"message"`
	ErrorType string `json:"errorType"`
	Path      []any  `json:"path"`
}

type gqlResponse struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []gqlError                 `json:"errors"`
}

func postGraphQL(t *testing.T, url string, headers map[string]string, query string, vars map[string]any) (int, gqlResponse) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out gqlResponse
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(raw, &out), "body: %s", raw)
	}
	return resp.StatusCode, out
}

// TestSimulatorStarts starts the simulator on the seed-todo backend and
// goes through it: a createTodo + getTodo round trip with a user-pool JWT,
// the echo query run by a Go FUNCTIONS_URL server, and a Lambda error whose
// errorType and message reach the client.
func TestSimulatorStarts(t *testing.T) {
	var mu sync.Mutex
	var events []map[string]any
	fns := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var event map[string]any
		if err := json.NewDecoder(r.Body).Decode(&event); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		events = append(events, event)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/echoFn":
			args, _ := event["arguments"].(map[string]any)
			_ = json.NewEncoder(w).Encode("echo: " + args["msg"].(string))
		case "/addUserToGroup":
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]string{"errorType": "UserNotFoundException", "errorMessage": "User does not exist."})
		default:
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]string{"errorType": "ResourceNotFoundException", "errorMessage": "no function " + r.URL.Path})
		}
	}))
	t.Cleanup(fns.Close)

	start := time.Now()
	sim := StartSimulator(t, SimulatorOptions{
		Generated:       seedTodoGenerated,
		FunctionsURL:    fns.URL,
		AuthAccessKeyID: "AKIDTESTAUTHROLE",
	})
	t.Logf("StartSimulator took %s", time.Since(start).Round(time.Millisecond))
	require.True(t, strings.HasPrefix(sim.URL, "http://127.0.0.1:"), sim.URL)
	require.True(t, strings.HasSuffix(sim.URL, "/graphql"), sim.URL)
	require.Equal(t, "da2-fakeApiId123456", sim.APIKey)
	require.Equal(t, "ws"+strings.TrimPrefix(sim.URL, "http"), sim.RealtimeURL())
	require.True(t, strings.HasPrefix(sim.DynamoDBEndpoint, "http://127.0.0.1:"), sim.DynamoDBEndpoint)

	alice := map[string]string{"Authorization": userPoolToken("sub-alice", "alice")}

	t.Run("createTodo and getTodo", func(t *testing.T) {
		status, created := postGraphQL(t, sim.URL, alice,
			`mutation($input: CreateTodoInput!) { createTodo(input: $input) { id content done priority owner } }`,
			map[string]any{"input": map[string]any{"content": "buy milk", "done": false, "priority": "HIGH"}})
		require.Equal(t, http.StatusOK, status)
		require.Empty(t, created.Errors)
		var todo struct {
			ID, Content, Priority, Owner string
			Done                         bool
		}
		require.NoError(t, json.Unmarshal(created.Data["createTodo"], &todo))
		require.NotEmpty(t, todo.ID)
		require.Equal(t, "buy milk", todo.Content)
		require.Equal(t, "alice", todo.Owner, "the owner field resolver shows the username")

		_, got := postGraphQL(t, sim.URL, alice, `query($id: ID!) { getTodo(id: $id) { id content done priority owner } }`, map[string]any{"id": todo.ID})
		require.Empty(t, got.Errors)
		require.JSONEq(t, `{"id":"`+todo.ID+`","content":"buy milk","done":false,"priority":"HIGH","owner":"alice"}`, string(got.Data["getTodo"]))

		// Another user is refused by the owner rule's VTL.
		bob := map[string]string{"Authorization": userPoolToken("sub-bob", "bob")}
		_, denied := postGraphQL(t, sim.URL, bob, `query($id: ID!) { getTodo(id: $id) { id } }`, map[string]any{"id": todo.ID})
		require.Len(t, denied.Errors, 1)
		require.Equal(t, "Unauthorized", denied.Errors[0].ErrorType)
	})

	t.Run("custom Lambda query", func(t *testing.T) {
		_, res := postGraphQL(t, sim.URL, alice, `query($msg: String!) { echo(msg: $msg) }`, map[string]any{"msg": "hi"})
		require.Empty(t, res.Errors)
		require.JSONEq(t, `"echo: hi"`, string(res.Data["echo"]))
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, events)
		event := events[len(events)-1]
		assert.Equal(t, "Query", event["typeName"])
		assert.Equal(t, "echo", event["fieldName"])
		assert.Equal(t, map[string]any{"msg": "hi"}, event["arguments"])
		identity, _ := event["identity"].(map[string]any)
		assert.Equal(t, "sub-alice", identity["sub"])
	})

	t.Run("Lambda error", func(t *testing.T) {
		admin := map[string]string{"Authorization": userPoolToken("sub-admin", "admin", "ADMINS")}
		_, res := postGraphQL(t, sim.URL, admin, `mutation { addUserToGroup(userId: "u-1", groupName: "ADMINS") }`, nil)
		require.JSONEq(t, `null`, string(res.Data["addUserToGroup"]))
		require.Len(t, res.Errors, 1)
		assert.Equal(t, gqlError{Message: "User does not exist.", ErrorType: "UserNotFoundException", Path: []any{"addUserToGroup"}}, res.Errors[0])
	})
}
