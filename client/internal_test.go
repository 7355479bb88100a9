package client

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/internal/redact"
)

func TestOperationType(t *testing.T) {
	cases := []struct{ doc, op, want string }{
		{"query GetTodo($id: ID!) { getTodo(id: $id) { id } }", "GetTodo", "query"},
		{"mutation CreateTodo { createTodo(input: {}) { id } }", "CreateTodo", "mutation"},
		{"\n# a comment\nmutation M { x }", "", "mutation"},
		{"{ listTodos { items { id } } }", "", "query"},
		{"fragment F on Todo { id } mutation M { createTodo { ...F } }", "M", "mutation"},
		{"query A { a } mutation B { b }", "B", "mutation"},
		{"query A { a } mutation B { b }", "A", "query"},
		{`query A($s: String = "mutation B { b }") { a(s: $s) } mutation B { b }`, "B", "mutation"},
		{"subscription S { onCreateTodo { id } }", "S", "subscription"},
		{"query A { a }", "Missing", ""},
		{"", "", ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, operationType(tc.doc, tc.op), "%q %q", tc.doc, tc.op)
	}
}

func TestQueryDepth(t *testing.T) {
	cases := []struct {
		doc, op string
		want    int
	}{
		{"query { a }", "", 1},
		{"query Q($id: ID!) { getTodo(id: $id) { id owner } }", "Q", 2},
		{`query { a(filter: {and: [{b: {eq: "}"}}]}) { b { c } } }`, "", 3},
		{"query Q { a { ...F } } fragment F on T { b { c { d } } }", "Q", 4},
		{"query Q { a { ... on T { b { c } } ... @include(if: true) { d } } }", "Q", 3},
		{"query Q { x: a @skip(if: false) { y: b } }", "Q", 2},
		{"query Q { a { ...F } } fragment F on T { b { ...F } }", "Q", 2}, // a cycle counts nothing more
		{"query Q { a { ...Missing } }", "Q", 1},
		{"query Q { a { b", "Q", 2}, // malformed: counted as far as it goes
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, queryDepth(tc.doc, tc.op, 100), tc.doc)
	}
	deep := "query Q { " + strings.Repeat("a { ", 200) + "b" + strings.Repeat(" }", 200) + " }"
	assert.Greater(t, queryDepth(deep, "Q", 75), 75)
}

func TestLimitsCheck(t *testing.T) {
	req := &graphql.Request{OpName: "Q", Query: "query Q { a { b { c } } }"}
	l := Limits{MaxRequestBytes: 10}
	var lerr *LimitError
	require.ErrorAs(t, l.check(make([]byte, 11), req), &lerr)
	assert.Equal(t, "request size", lerr.Limit)
	assert.Contains(t, lerr.Error(), "11 bytes")
	assert.NoError(t, l.check(make([]byte, 10), req))

	l = Limits{MaxQueryDepth: 2}
	require.ErrorAs(t, l.check(nil, req), &lerr)
	assert.Equal(t, LimitError{Limit: "query depth", Value: 3, Max: 2}, *lerr)
	assert.NoError(t, (&Limits{MaxQueryDepth: 3}).check(nil, req))
	assert.NoError(t, (&Limits{MaxRequestBytes: -1, MaxQueryDepth: -1}).check(make([]byte, 1<<21), req))
}

func TestScanEnvelope(t *testing.T) {
	env, err := scanEnvelope([]byte(` {"extensions":{"x":[1,"}"]},"data":{"a":"\"}"},"other":[true],"errors":null} `), nil)
	require.NoError(t, err)
	assert.Equal(t, `{"a":"\"}"}`, string(env.data))
	assert.True(t, env.hasData)
	assert.Nil(t, env.errors)
	assert.Equal(t, `{"x":[1,"}"]}`, string(env.extensions))

	env, err = scanEnvelope([]byte(`{"data":null}`), nil)
	require.NoError(t, err)
	assert.True(t, env.hasData)
	assert.Nil(t, env.data)

	env, err = scanEnvelope([]byte(`{"Data":{"a":1},"d\u0061ta":{"b":2},"ERRORS":[]}`), nil)
	require.NoError(t, err)
	assert.Equal(t, `{"b":2}`, string(env.data), "names match regardless of case and escapes, the last one wins, as encoding/json matches them")
	assert.Equal(t, `[]`, string(env.errors))

	for _, bad := range []string{"{\"da\x01ta\":1}", `{"\u00":1}`, ``, `[]`, `{`, `{"data":`, `{"data":{"a":1}`, `{"data":1,}`, `{"data" 1}`, `{"data":1} x`,
		`{"data":"a`, `{"other":tru}`, `{"a":"` + "\x01" + `"}`, `{1:2}`, `"x"`, `{"data":1 "errors":2}`} {
		_, err := scanEnvelope([]byte(bad), nil)
		assert.Error(t, err, "%q", bad)
	}
}

func TestReadLimited(t *testing.T) {
	b, err := readLimited(strings.NewReader("hello"), nil, 5)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(b))
	_, err = readLimited(strings.NewReader("hello!"), nil, 5)
	assert.Equal(t, errTooLarge, err)
	b, err = readLimited(iotestOneByte{strings.NewReader(strings.Repeat("x", 10000))}, make([]byte, 0, 3), 10000)
	require.NoError(t, err)
	assert.Len(t, b, 10000)
}

type iotestOneByte struct{ r io.Reader }

func (r iotestOneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return r.r.Read(p[:1])
}

func TestRedactionCoversSecretsAcrossTheSnippetEnd(t *testing.T) {
	var sec redact.Secrets
	tok := strings.Repeat("T", 1000)
	sec.Add(tok)
	sec.Add(tok) // no duplicates
	sec.Add("abc")
	assert.Equal(t, 1, sec.Len())
	body := []byte(strings.Repeat("a", 250) + tok + strings.Repeat("b", 2000))
	s := snippet(body, &sec)
	assert.NotContains(t, s, "TTTT")
	assert.Contains(t, s, "[REDAC")
	for i := range 10 {
		sec.Add(strings.Repeat(string(rune('a'+i)), 5))
	}
	assert.Contains(t, sec.String("xx jjjjj yy"), "[REDACTED]", "secrets past the fixed array are redacted too")

	// An escaped form that starts within the snippet is whole in what is
	// redacted: JSON escapes make a secret up to six times longer.
	var esc redact.Secrets
	ctl := strings.Repeat("\x01", 1) + strings.Repeat("<", 200)
	esc.Add(ctl)
	form := strings.Repeat(`\u003c`, 200)
	body = []byte(strings.Repeat("a", 250) + `\u0001` + form + "tail")
	s = snippet(body, &esc)
	assert.NotContains(t, s, `\u003c\u003c`)
	assert.Contains(t, s, "[REDAC")
}

func TestRetryClassification(t *testing.T) {
	for code, want := range map[int]bool{429: true, 500: true, 502: true, 503: true, 504: true, 400: false, 401: false, 403: false, 404: false, 501: false} {
		assert.Equal(t, want, (&HTTPError{StatusCode: code}).RetryableError(), code)
	}
	throttled := GraphQLErrors{{ErrorType: "Unauthorized"}, {ErrorType: "DynamoDB:ProvisionedThroughputExceededException"}}
	assert.True(t, throttled.RetryableError())
	assert.Equal(t, "ProvisionedThroughputExceededException", throttled.ErrorCode())
	assert.True(t, (&HTTPError{StatusCode: 400, Errors: GraphQLErrors{{ErrorType: "TooManyRequestsException"}}}).RetryableError())
	assert.True(t, GraphQLErrors{{ErrorType: "Lambda:TooManyRequestsException"}}.RetryableError())
	assert.False(t, GraphQLErrors{{ErrorType: "Lambda:Unhandled"}, {ErrorType: "DynamoDB:ConditionalCheckFailedException"}}.RetryableError())
	assert.Equal(t, "Unhandled", GraphQLErrors{{ErrorType: "Lambda:Unhandled"}}.ErrorCode())

	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	assert.True(t, neverSent(&NetworkError{Err: dial}))
	assert.True(t, (&NetworkError{Err: dial}).RetryableError())
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	assert.False(t, neverSent(&NetworkError{Err: read}))
	assert.True(t, (&NetworkError{Err: read}).RetryableError())
	assert.True(t, (&NetworkError{Err: io.ErrUnexpectedEOF}).RetryableError())
	assert.False(t, (&NetworkError{Err: errors.New("x509: certificate signed by unknown authority")}).RetryableError())

	r := NewRetryer(RetryOptions{})
	assert.Equal(t, 3, r.MaxAttempts())
	assert.True(t, r.IsErrorRetryable(&HTTPError{StatusCode: 503}))
	assert.False(t, r.IsErrorRetryable(&HTTPError{StatusCode: 400}))
	assert.True(t, quotaFree(r))
}

func TestDecodeReplyKeepsTheFirstDecodeOnly(t *testing.T) {
	var out struct {
		A *struct{ B string } `json:"a"`
	}
	resp := &graphql.Response{Data: &out}
	err := decodeReply(200, []byte(`{"data":{"a":{"B":"x"}},"extensions":{"k":1}}`), resp, nil)
	require.NoError(t, err)
	assert.Equal(t, "x", out.A.B)
	assert.Equal(t, map[string]any{"k": float64(1)}, resp.Extensions)
	resetData(resp)
	assert.Nil(t, out.A)
	assert.Nil(t, resp.Extensions)
}

func TestGzipReplies(t *testing.T) {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(`{"data":{"ok":true}}`))
	require.NoError(t, zw.Close())
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Encoding": {"gzip"}}, Body: io.NopCloser(bytes.NewReader(zipped.Bytes())), ContentLength: -1}
	buf := getBuffer()
	defer putBuffer(buf)
	body, err := readReply(resp, 1<<20, buf, nil)
	require.NoError(t, err)
	assert.True(t, json.Valid(body))
	assert.Equal(t, `{"data":{"ok":true}}`, string(body))

	// A bomb: small compressed, large once decompressed.
	var bomb bytes.Buffer
	zw = gzip.NewWriter(&bomb)
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 1<<20))
	require.NoError(t, zw.Close())
	resp = &http.Response{StatusCode: 200, Header: http.Header{"Content-Encoding": {"gzip"}}, Body: io.NopCloser(&bomb), ContentLength: -1}
	_, err = readReply(resp, 5000, buf, nil)
	var herr *HTTPError
	require.ErrorAs(t, err, &herr)
	assert.Contains(t, herr.Reason, "once decompressed")
}

func TestEncodeRequestIsWhatJSONMarshalMakes(t *testing.T) {
	c, err := New(Endpoint{URL: "https://x/graphql"})
	require.NoError(t, err)
	type vars struct {
		ID    string          `json:"id"`
		HTML  string          `json:"html,omitempty"`
		Doc   json.RawMessage `json:"doc,omitempty"`
		Slice []int           `json:"slice"`
	}
	for _, req := range []*graphql.Request{
		{OpName: "GetTodo", Query: "\nquery GetTodo ($id: ID!) {\n\tgetTodo(id: $id) { id }\n}\n", Variables: &vars{ID: "t1"}},
		{OpName: "Q", Query: `query Q { a(s: "<&>\u2028") }`, Variables: &vars{ID: "<b>&", HTML: "\u2028", Doc: json.RawMessage(`{ "a" : [1, 2] }`)}},
		{OpName: "", Query: "{ a }"},
		{OpName: "Odd\"Name", Query: "{ a }", Variables: map[string]any{"z": 1, "a": nil}},
	} {
		for range 2 { // the second time from the cache
			want, err := json.Marshal(req)
			require.NoError(t, err)
			got, err := c.encodeRequest(req)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		}
	}
	_, err = c.encodeRequest(&graphql.Request{Query: "{ a }", Variables: func() {}})
	assert.Error(t, err)
}
