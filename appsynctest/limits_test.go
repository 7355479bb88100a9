package appsynctest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
)

func TestDefaultLimits(t *testing.T) {
	d := appsynctest.DefaultLimits
	// The local backend refuses what the client refuses to send or read.
	assert.Equal(t, client.DefaultLimits.MaxRequestBytes, d.MaxRequestBytes)
	assert.Equal(t, client.DefaultMaxResponseBytes, d.MaxResponseBytes)
	// AppSync's quotas (https://docs.aws.amazon.com/general/latest/gr/appsync.html)
	// and graphql-java's parser default.
	assert.Equal(t, 10_000, d.MaxResolvers)
	assert.Equal(t, 30*time.Second, d.Timeout)
	assert.Equal(t, 15_000, d.MaxTokens)
	assert.Zero(t, d.MaxQueryDepth, "an AppSync API has no depth limit until one is set")
}

func TestWithLimitsTakesAppSyncRanges(t *testing.T) {
	for _, tc := range []struct {
		limits appsynctest.Limits
		want   string
	}{
		{appsynctest.Limits{MaxQueryDepth: 76}, "MaxQueryDepth 76: AppSync's queryDepthLimit is 1 to 75"},
		{appsynctest.Limits{MaxResolvers: 10_001}, "MaxResolvers 10001: AppSync's resolverCountLimit is 1 to 10000"},
	} {
		srv, err := appsynctest.Start(engineBackend(t), appsynctest.WithLimits(tc.limits))
		require.Error(t, err)
		assert.Nil(t, srv)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestQueryDepthLimit(t *testing.T) {
	srv := engineServer(t, appsynctest.WithLimits(appsynctest.Limits{MaxQueryDepth: 2}))
	key := apiKey(srv.APIKey())

	// thing is at depth 1, its id and nested at 2, nested's fields at 3:
	// they fail, and nested.id being non-null, nested is null.
	_, body := gql(t, srv.URL(), key, `{ thing(id: "1") { id nested { id } } }`, nil)
	assert.JSONEq(t, `{"data":{"thing":{"id":"1","nested":null}},"errors":[
		{"path":["thing","nested","id"],"data":null,"errorType":"QueryDepthLimitReached","errorInfo":null,
		 "locations":[{"line":1,"column":32,"sourceName":null}],"message":"Query depth limit of 2 reached: the field is at depth 3."}]}`, body)

	// List indices do not count; fragments count where they are spread.
	_, body = gql(t, srv.URL(), key, `{ things { ...F } } fragment F on Thing { id nested { id } }`, nil)
	r := decode(t, body)
	assert.Len(t, r.Data["things"], 3)
	require.Len(t, r.Errors, 3, "one error per item")
	assert.Equal(t, []any{"things", float64(0), "nested", "id"}, r.Errors[0].Path)
	assert.Equal(t, "QueryDepthLimitReached", r.Errors[0].ErrorType)

	ok(t, srv.URL(), key, `{ thing(id: "1") { id name } }`, nil)

	t.Run("no limit by default", func(t *testing.T) {
		srv := engineServer(t)
		data := ok(t, srv.URL(), apiKey(srv.APIKey()), `{ thing(id: "1") { nested { nested { id } } } }`, nil)
		assert.Equal(t, map[string]any{"thing": map[string]any{"nested": map[string]any{"nested": nil}}}, data)
	})
}

func TestResolverCountLimit(t *testing.T) {
	srv := engineServer(t, appsynctest.WithLimits(appsynctest.Limits{MaxResolvers: 2}))
	key := apiKey(srv.APIKey())
	_, body := gql(t, srv.URL(), key, `{ a: hello(name: "a") b: hello(name: "b") c: hello(name: "c") }`, nil)
	assert.JSONEq(t, `{"data":{"a":"hello a","b":"hello b","c":null},"errors":[
		{"path":["c"],"data":null,"errorType":"ResolverExecutionLimitReached","errorInfo":null,
		 "locations":[{"line":1,"column":43,"sourceName":null}],"message":"Resolver execution limit of 2 reached: the resolver did not run."}]}`, body)
	assert.Len(t, invocationsOf(srv, "hello"), 2, "the third resolver did not run")

	t.Run("10,000 by default", func(t *testing.T) {
		// 10,001 root fields need more tokens than the default allows.
		srv := appsynctest.NewServer(t, seedBackend(t), appsynctest.WithLimits(appsynctest.Limits{MaxTokens: 200_000}))
		query := "{ " + repeatN(10_001, func(i int) string { return fmt.Sprintf(`a%d: getTodo(id: "x") { id } `, i) }) + "}"
		_, body := gql(t, srv.URL(), session(srv.SignIn("alice")), query, nil)
		r := decode(t, body)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, []any{"a10000"}, r.Errors[0].Path)
		assert.Equal(t, "Resolver execution limit of 10000 reached: the resolver did not run.", r.Errors[0].Message)
		assert.Len(t, r.Data, 10_001)
	})
	t.Run("fields read from their parent are not resolvers", func(t *testing.T) {
		srv := engineServer(t, appsynctest.WithLimits(appsynctest.Limits{MaxResolvers: 1}))
		data := ok(t, srv.URL(), apiKey(srv.APIKey()), `{ things { id nested { id } } }`, nil)
		assert.Len(t, data["things"], 3)
	})
}

func TestExecutionTimeout(t *testing.T) {
	deadlines := make(chan time.Time, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow := appsynctest.Handler(func(ctx context.Context, _ json.RawMessage) (any, error) {
		d, _ := ctx.Deadline()
		deadlines <- d
		// A handler that ignores its context is not waited for.
		<-release
		return "late", nil
	})
	srv := appsynctest.NewServer(t, engineBackend(t), appsynctest.Handle("hello", slow),
		appsynctest.Handle("count", appsynctest.Typed(func(context.Context, struct{}) (int, error) { return 1, nil })),
		appsynctest.WithLimits(appsynctest.Limits{Timeout: 200 * time.Millisecond}))
	start := time.Now()
	_, body := gql(t, srv.URL(), apiKey(srv.APIKey()), `{ count hello }`, nil)
	took := time.Since(start)
	assert.JSONEq(t, `{"data":null,"errors":[{"path":["hello"],"data":null,"errorType":"ExecutionTimeout","errorInfo":null,
		"locations":[{"line":1,"column":9,"sourceName":null}],"message":"Execution timed out."}]}`, body)
	assert.Less(t, took, 3*time.Second, "answered at the deadline, not when the handler returns")
	assert.WithinDuration(t, start.Add(200*time.Millisecond), <-deadlines, 150*time.Millisecond, "the handler's context has the deadline")
}

func TestResponseSizeLimit(t *testing.T) {
	srv := engineServer(t, appsynctest.WithLimits(appsynctest.Limits{MaxResponseBytes: 4 << 10}))
	key := apiKey(srv.APIKey())
	ok(t, srv.URL(), key, `{ things { id } }`, nil)

	// Fragments that double at every level: a document of a few hundred
	// bytes whose response would be gigabytes.
	var q strings.Builder
	q.WriteString(`{ __schema { types { ...F20 } } } fragment F0 on __Type { name kind description }`)
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&q, " fragment F%d on __Type { a: ofType { ...F%d } b: ofType { ...F%d } fields { type { ...F%d } } }", i, i-1, i-1, i-1)
	}
	status, reply, took, alloc := costOf(t, srv.URL(), key, queryBody(t, q.String()))
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"data":null,"errors":[{"path":null,"data":null,"errorType":"appsynctest:ResponseTooLarge","errorInfo":null,"locations":null,
		"message":"The response is larger than 4096 bytes, appsynctest's limit (appsynctest.Limits.MaxResponseBytes): select fewer fields or items."}]}`, reply)
	assert.Less(t, took, hostileTime)
	assert.Less(t, alloc, uint64(hostileAlloc), "bytes allocated")
}

func TestRequestLimitsAreConfigurable(t *testing.T) {
	srv := engineServer(t, appsynctest.WithLimits(appsynctest.Limits{MaxRequestBytes: 1000, MaxTokens: 10, MaxNesting: 3}))
	key := apiKey(srv.APIKey())

	status, body := post(t, srv.URL(), key, `{"query":"{ hello }","variables":{"pad":"`+strings.Repeat("x", 1000)+`"}}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.JSONEq(t, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"The request body is larger than 1000 bytes."}]}`, body)
	req, err := http.NewRequest(http.MethodGet, srv.URL()+"?query="+url.QueryEscape("{ hello }"+strings.Repeat(" ", 1000)), nil)
	require.NoError(t, err)
	key(t, req, nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "a GET's query string")

	// Comments and commas are not tokens.
	ok(t, srv.URL(), key, "# a comment\n{ a: hello, b: hello }", nil)
	_, body = gql(t, srv.URL(), key, "{ a: hello b: hello c: hello d: hello }", nil)
	assert.JSONEq(t, `{"data":null,"errors":[{"path":null,"locations":[{"line":1,"column":30,"sourceName":null}],
		"message":"Invalid Syntax : More than 10 'grammar' tokens have been presented. To prevent Denial Of Service attacks, parsing has been cancelled. offending token 'd' at line 1 column 30"}]}`, body)
	_, body = gql(t, srv.URL(), key, `{ echo(list: [[1]]) }`, nil)
	assert.JSONEq(t, `{"data":null,"errors":[{"path":null,"locations":[{"line":1,"column":15,"sourceName":null}],
		"message":"Invalid Syntax : More than 3 nested brackets have been opened. To prevent Denial Of Service attacks, parsing has been cancelled. offending token '[' at line 1 column 15"}]}`, body)

	t.Run("negative turns a check off", func(t *testing.T) {
		srv := engineServer(t, appsynctest.WithLimits(appsynctest.Limits{MaxTokens: -1, MaxNesting: -1, MaxRequestBytes: -1}))
		query := "{ " + repeatN(6_000, func(i int) string { return fmt.Sprintf("a%d: __typename ", i) }) + "}"
		data := ok(t, srv.URL(), apiKey(srv.APIKey()), query, nil)
		assert.Len(t, data, 6_000)
		_, body := gql(t, srv.URL(), apiKey(srv.APIKey()), "{ echo(list: "+strings.Repeat("[", 150)+strings.Repeat("]", 150)+") }", nil)
		assert.Contains(t, body, "Validation error of type WrongType", "parsed and validated")
	})
}

func TestFieldsConflict(t *testing.T) {
	srv := engineServer(t)
	key := apiKey(srv.APIKey())
	for _, tc := range []struct {
		name, query, want string
	}{
		{"different fields", `{ x: hello x: count }`, "x: hello and count are different fields"},
		{"differing arguments", `{ x: hello(name: "a") x: hello(name: "b") }`, "x: they have differing arguments"},
		{"differing object arguments", `{ x: echo(input: {name: "a"}) x: echo(input: {name: "b"}) }`, "x: they have differing arguments"},
		{"differing types", `{ node(id: "1") { ... on Thing { x: name } ... on Other { x: label } } }`, "x: they return differing types String! and String @ 'node'"},
		{"between merged selections", `{ thing(id: "1") { n: name } thing(id: "1") { n: id } }`, "thing: (n: name and id are different fields)"},
		{"within one selection", `{ thing(id: "1") { n: name n: id } }`, "n: name and id are different fields @ 'thing'"},
		{"through fragments", `{ thing(id: "1") { ...A ...B } } fragment A on Thing { n: name } fragment B on Thing { n: id }`, "n: name and id are different fields @ 'thing'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, body := gql(t, srv.URL(), key, tc.query, nil)
			r := decode(t, body)
			assert.Nil(t, r.Data)
			require.Len(t, r.Errors, 1, body)
			assert.Equal(t, "Validation error of type FieldsConflict: "+tc.want, r.Errors[0].Message)
			assert.Len(t, r.Errors[0].Locations, 2)
		})
	}
	for _, q := range []string{
		`{ x: hello(name: "a") x: hello(name: "a") }`,
		`{ thing(id: "1") { id } thing(id: "1") { name } }`,
		// Fields of different object types never apply together.
		`{ search { ... on Thing { x: id } ... on Other { x: id } } }`,
		`{ thing(id: "1") { ...F ...F } } fragment F on Thing { id }`,
	} {
		ok(t, srv.URL(), key, q, nil)
	}
}
