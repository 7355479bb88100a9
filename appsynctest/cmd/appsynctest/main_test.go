package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/schema"
)

const (
	seedOutputs = "../../../examples/add-user-to-group/amplify_outputs.json"
	seedSchema  = "../../../examples/add-user-to-group/amplify/schema.graphql"
)

func TestServesTheSeed(t *testing.T) {
	// A function outside the process: answers the event's arguments.
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Arguments map[string]any `json:"arguments"`
		}
		_ = json.NewDecoder(r.Body).Decode(&ev)
		if ev.Arguments["userId"] == "ghost" {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"errorType":"UserNotFoundException","errorMessage":"User does not exist."}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"added": ev.Arguments["userId"]})
	}))
	defer fn.Close()

	written := filepath.Join(t.TempDir(), "amplify_outputs.json")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	ready := make(chan *appsynctest.Server, 1)
	go func() {
		done <- run(ctx, []string{"-outputs", seedOutputs, "-schema", seedSchema, "-addr", "127.0.0.1:0",
			"-user", "admin:ADMINS", "-user", "bob", "-write-outputs", written,
			"-function", "addUserToGroup=" + fn.URL}, &stdout, &stderr, func(s *appsynctest.Server) { ready <- s })
	}()
	var srv *appsynctest.Server
	select {
	case srv = <-ready:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not start")
	}
	out := stdout.String()
	assert.Contains(t, out, "appsynctest: serving "+srv.URL())
	assert.Contains(t, out, "x-api-key: da2-fakeApiId123456")
	assert.Contains(t, out, "AWS_ACCESS_KEY_ID=ASIA")
	assert.Contains(t, out, "user admin (sub ")

	o, err := schema.LoadOutputs(written)
	require.NoError(t, err)
	assert.Equal(t, srv.URL(), o.Data.URL)

	// The printed admin token calls the mutation, which the function at
	// fn resolves.
	var tok string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Authorization: ") && tok == "" {
			tok = strings.TrimPrefix(strings.TrimSpace(line), "Authorization: ")
		}
	}
	require.NotEmpty(t, tok)
	call := func(userID string) map[string]any {
		body, _ := json.Marshal(map[string]any{"query": `mutation($u: String!) { addUserToGroup(userId: $u, groupName: "ADMINS") }`, "variables": map[string]any{"u": userID}})
		req, _ := http.NewRequest(http.MethodPost, srv.URL(), bytes.NewReader(body))
		req.Header.Set("Authorization", tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var r map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
		return r
	}
	assert.Equal(t, map[string]any{"data": map[string]any{"addUserToGroup": `{"added":"bob"}`}}, call("bob"))
	r := call("ghost")
	assert.Equal(t, "Lambda:Unhandled", r["errors"].([]any)[0].(map[string]any)["errorType"])
	assert.Equal(t, "User does not exist.", r["errors"].([]any)[0].(map[string]any)["message"])

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
}

// Without -schema, the schema is the one amplify_outputs.json's
// model_introspection implies, as for amplifygen: models work from the
// outputs alone.
func TestWithoutSchema(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	ready := make(chan *appsynctest.Server, 1)
	go func() {
		done <- run(ctx, []string{"-outputs", seedOutputs, "-addr", "127.0.0.1:0", "-user", "alice"},
			&stdout, &stderr, func(s *appsynctest.Server) { ready <- s })
	}()
	var srv *appsynctest.Server
	select {
	case srv = <-ready:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not start")
	}
	out := stdout.String()
	assert.Contains(t, out, "from "+seedOutputs+" and its model_introspection")
	var tok string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Authorization: ") {
			tok = strings.TrimPrefix(strings.TrimSpace(line), "Authorization: ")
		}
	}
	require.NotEmpty(t, tok)
	body, _ := json.Marshal(map[string]any{"query": `mutation { createTodo(input: {content: "milk"}) { content owner } }`})
	req, _ := http.NewRequest(http.MethodPost, srv.URL(), bytes.NewReader(body))
	req.Header.Set("Authorization", tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var r map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	assert.Equal(t, map[string]any{"data": map[string]any{"createTodo": map[string]any{"content": "milk", "owner": "alice"}}}, r)
	cancel()
	require.NoError(t, <-done)
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	badSchema := filepath.Join(dir, "schema.graphql")
	require.NoError(t, os.WriteFile(badSchema, []byte("type Query { x: Nope }"), 0o644))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing outputs", []string{"-outputs", filepath.Join(dir, "nope.json"), "-schema", seedSchema}, "nope.json: file not found"},
		{"bad schema", []string{"-outputs", seedOutputs, "-schema", badSchema}, "schema.graphql:1:17: undefined type Nope"},
		{"unknown function field", []string{"-outputs", seedOutputs, "-schema", seedSchema, "-addr", "127.0.0.1:0", "-function", "nope=http://x"},
			`Handle("nope"): the schema ` + seedSchema + ` has no custom query or mutation "nope"; its custom operations are: Mutation.addUserToGroup, Query.echo`},
		{"bad function flag", []string{"-outputs", seedOutputs, "-schema", seedSchema, "-function", "nope"}, `-function "nope": want field=url`},
		{"stray argument", []string{"-schema", seedSchema, "extra"}, `unexpected arguments ["extra"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, &stdout, &stderr, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
