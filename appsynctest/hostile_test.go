package appsynctest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The requests of issue 14, each of which once knocked the server over (29
// GiB allocated by 200 KB of repeated fields, 36 GiB by 100k nested lists,
// 12.7 s for 20,000 directives, a 12.7 MB reply to 1 MB of aliases, a 2 MiB
// body accepted), and their cousins that stay under the limits. Each is
// answered with an error before execution, or executed in linear time; the
// time and allocation bounds are generous guards against unbounded work, not
// benchmarks.

const (
	// hostileTime bounds the answer to one hostile request.
	hostileTime = 2 * time.Second * slowdown
	// hostileAlloc bounds what the process (client and server) allocates
	// while one hostile request is answered: a few copies of a 1 MiB body.
	hostileAlloc = 64 << 20
)

// costOf sends a raw body and returns the status, the reply, how long the
// answer took and how many bytes the process allocated meanwhile.
func costOf(t *testing.T, url string, a auth, body string) (status int, reply string, took time.Duration, alloc uint64) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	a(t, req, []byte(body))
	// A deadline of its own, so that a server that never answers fails the
	// test instead of hanging it.
	c := &http.Client{Timeout: 5 * hostileTime}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	resp, err := c.Do(req)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	took = time.Since(start)
	runtime.ReadMemStats(&after)
	alloc = after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d-byte request answered in %v, %d KiB allocated", len(body), took.Round(time.Microsecond), alloc>>10)
	return resp.StatusCode, string(b), took, alloc
}

// queryBody is the JSON body of a query.
func queryBody(t *testing.T, query string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	return string(b)
}

// repeatTo repeats unit(i) until the text is at least size bytes long.
func repeatTo(size int, unit func(i int) string) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString(unit(i))
	}
	return b.String()
}

// repeatN repeats unit(i) n times.
func repeatN(n int, unit func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(unit(i))
	}
	return b.String()
}

func TestHostileRequestsAreRefusedBeforeExecution(t *testing.T) {
	srv, _ := seedServer(t)
	alice := session(srv.SignIn("alice"))
	const tooManyTokens = "Invalid Syntax : More than 15,000 'grammar' tokens have been presented. To prevent Denial Of Service attacks, parsing has been cancelled. offending token "
	const tooDeep = "Invalid Syntax : More than 100 nested brackets have been opened. To prevent Denial Of Service attacks, parsing has been cancelled. offending token "
	for _, tc := range []struct {
		name    string
		query   string
		message string // the prefix of the one error's message
	}{
		{"200 KB of repeated identical listTodos fields",
			"query { " + repeatTo(200<<10, func(int) string { return "listTodos { items { id content } } " }) + "}", tooManyTokens},
		{"100k nested lists",
			"query { echo(msg: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + ") }", tooDeep},
		{"100k nested selection sets",
			`query { __type(name: "Todo") { ` + strings.Repeat("ofType{", 100_000) + "name" + strings.Repeat("}", 100_000) + " } }", tooDeep},
		{"20,000 directives on one field",
			"query { listTodos " + strings.Repeat("@include(if: true) ", 20_000) + "{ items { id } } }", tooManyTokens},
		{"1 MB of distinct aliases",
			"query { " + repeatTo(1_000_000, func(i int) string { return fmt.Sprintf("a%d: listTodos { items { id } } ", i) }) + "}", tooManyTokens},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, reply, took, alloc := costOf(t, srv.URL(), alice, queryBody(t, tc.query))
			require.Equal(t, http.StatusOK, status, reply)
			r := decode(t, reply)
			assert.Nil(t, r.Data)
			require.Len(t, r.Errors, 1, reply)
			assert.True(t, strings.HasPrefix(r.Errors[0].Message, tc.message), r.Errors[0].Message)
			assert.Empty(t, r.Errors[0].ErrorType, "a syntax error, as graphql-java reports it")
			assert.Len(t, r.Errors[0].Locations, 1)
			assert.Less(t, took, hostileTime)
			assert.Less(t, alloc, uint64(hostileAlloc), "bytes allocated")
		})
	}

	t.Run("a 2 MiB body", func(t *testing.T) {
		body := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
		status, reply, took, alloc := costOf(t, srv.URL(), alice, body)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status)
		assert.JSONEq(t, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"The request body is larger than 1048576 bytes."}]}`, reply)
		assert.Less(t, took, hostileTime)
		assert.Less(t, alloc, uint64(hostileAlloc), "bytes allocated")
	})
	t.Run("a body just under the limit is served", func(t *testing.T) {
		body := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 1<<20-60) + `"}}`
		require.Less(t, len(body), 1<<20)
		status, reply, _, _ := costOf(t, srv.URL(), alice, body)
		assert.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `{"data":{"__typename":"Query"}}`, reply)
	})
}

// Under the token limit, documents are still executed, in linear time:
// fields that share a response key are merged as CollectFields merges them
// and compared with the first of them, not pairwise.
func TestHostileRequestsUnderTheLimitsAreCheap(t *testing.T) {
	srv, _ := seedServer(t)
	alice := session(srv.SignIn("alice"))
	for i := range 3 {
		ok(t, srv.URL(), alice, `mutation($c: String) { createTodo(input: {content: $c}) { id } }`, map[string]any{"c": fmt.Sprintf("todo %d", i)})
	}
	answer := func(t *testing.T, query string) gqlResponse {
		t.Helper()
		status, reply, took, alloc := costOf(t, srv.URL(), alice, queryBody(t, query))
		require.Equal(t, http.StatusOK, status, reply)
		assert.Less(t, took, hostileTime)
		assert.Less(t, alloc, uint64(hostileAlloc), "bytes allocated")
		return decode(t, reply)
	}

	t.Run("identical fields are executed once", func(t *testing.T) {
		before := len(invocationsOf(srv, "echo"))
		r := answer(t, "query { "+strings.Repeat(`echo(msg: "x") `, 2_400)+"}")
		require.Empty(t, r.Errors)
		assert.Equal(t, map[string]any{"echo": "x"}, r.Data)
		assert.Len(t, invocationsOf(srv, "echo"), before+1, "one response key, one resolver call")
	})
	t.Run("identical fields with selections", func(t *testing.T) {
		r := answer(t, "query { "+strings.Repeat("listTodos { items { content } } ", 2_000)+"}")
		require.Empty(t, r.Errors)
		assert.Len(t, r.Data["listTodos"].(map[string]any)["items"], 3)
	})
	t.Run("one response key, distinct selections", func(t *testing.T) {
		r := answer(t, "query { "+repeatN(1_300, func(i int) string { return fmt.Sprintf("x: listTodos { items { a%d: id } } ", i) })+"}")
		require.Empty(t, r.Errors)
		items := r.Data["x"].(map[string]any)["items"].([]any)
		require.Len(t, items, 3)
		assert.Len(t, items[0], 1_300)
	})
	t.Run("one response key, conflicting fields", func(t *testing.T) {
		// Each differs from the first: one conflict, not one per pair.
		r := answer(t, "query { "+repeatN(1_800, func(i int) string { return fmt.Sprintf("x: echo(msg: \"%d\") ", i) })+"}")
		assert.Nil(t, r.Data)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "Validation error of type FieldsConflict: x: they have differing arguments", r.Errors[0].Message)
	})
	t.Run("2,000 directives on one field", func(t *testing.T) {
		r := answer(t, "query { listTodos "+strings.Repeat("@include(if: true) ", 2_000)+"{ items { id } } }")
		assert.Nil(t, r.Data)
		assert.Len(t, r.Errors, 1_999)
		assert.Equal(t, "Validation error of type DuplicateDirectiveName: Directives must be uniquely named within a location. The directive 'include' is used more than once", r.Errors[0].Message)
	})
	t.Run("4,900 aliases", func(t *testing.T) {
		r := answer(t, "query { "+repeatN(4_900, func(i int) string { return fmt.Sprintf("a%d: __typename ", i) })+"}")
		require.Empty(t, r.Errors)
		assert.Len(t, r.Data, 4_900)
	})
	t.Run("98 nested lists", func(t *testing.T) {
		r := answer(t, "query { echo(msg: "+strings.Repeat("[", 98)+strings.Repeat("]", 98)+") }")
		require.Len(t, r.Errors, 1)
		assert.True(t, strings.HasPrefix(r.Errors[0].Message, "Validation error of type WrongType: argument 'msg' with value 'ArrayValue{values=[ArrayValue{"), r.Errors[0].Message)
	})
	t.Run("nested filters", func(t *testing.T) {
		r := answer(t, "query { listTodos(filter: "+strings.Repeat("{and: [", 48)+"{content: {eq: \"todo 1\"}}"+strings.Repeat("]}", 48)+") { items { content } } }")
		require.Empty(t, r.Errors)
		assert.Equal(t, []any{map[string]any{"content": "todo 1"}}, r.Data["listTodos"].(map[string]any)["items"])
	})
	t.Run("a fragment spread by many operations", func(t *testing.T) {
		// Validation walks each operation with its fragments: 1,000
		// operations of a 2,000-field fragment would be 2 million visits.
		frag := "fragment F on Query { " + repeatN(2_000, func(i int) string { return fmt.Sprintf("a%d: __typename ", i) }) + "}"
		ops := repeatN(1_000, func(i int) string { return fmt.Sprintf("query q%d { ...F } ", i) })
		status, reply, took, alloc := costOf(t, srv.URL(), alice, `{"operationName":"q7","query":`+mustJSON(t, ops+frag)+`}`)
		require.Equal(t, http.StatusOK, status, reply)
		assert.Less(t, took, hostileTime)
		assert.Less(t, alloc, uint64(hostileAlloc), "bytes allocated")
		r := decode(t, reply)
		assert.Nil(t, r.Data)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "Validation error: validating the document would visit more than 60,000 selections, its operations spreading their fragments so often. To prevent Denial Of Service attacks, validation has been cancelled.", r.Errors[0].Message)

		// Sharing a fragment among a few operations is fine.
		frag = "fragment F on Query { " + repeatN(1_000, func(i int) string { return fmt.Sprintf("a%d: __typename ", i) }) + "}"
		ops = repeatN(20, func(i int) string { return fmt.Sprintf("query q%d { ...F } ", i) })
		status, reply, _, _ = costOf(t, srv.URL(), alice, `{"operationName":"q7","query":`+mustJSON(t, ops+frag)+`}`)
		require.Equal(t, http.StatusOK, status, reply)
		r = decode(t, reply)
		require.Empty(t, r.Errors)
		assert.Len(t, r.Data, 1_000)
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
