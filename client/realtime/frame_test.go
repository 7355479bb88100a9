package realtime

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frameSeeds are messages of every type AppSync sends, and the oddities
// encoding/json reads in its own way: names in any case, the last of a
// name, null for a string, escapes, bytes that are not ASCII, nesting,
// numbers, white space, and what is not JSON.
var frameSeeds = []string{
	`{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}`,
	`{"type":"ka"}`,
	`{"type":"start_ack","id":"s1"}`,
	`{"type":"data","id":"s1","payload":{"data":{"onCreateTodo":{"id":"1","n":-1.5e+3,"ok":true,"x":null,"l":[1,{"a":[]}]}}}}`,
	`{"type":"data","id":"s1","payload":{"data":null,"errors":[{"message":"x","errorType":"Unauthorized"}]}}`,
	`{"type":"error","id":"s1","payload":{"errors":[{"errorType":"UnauthorizedException","message":"no"}]}}`,
	`{"type":"complete","id":"s1"}`,
	`{"type":"connection_error","payload":{"errors":[{"errorType":"UnauthorizedException","errorCode":401}]}}`,
	`{"type":"data","id":"s1","payload":"not an object"}`,
	`{"type":"data","id":"s1","payload":null}`,
	`{"type":"data","id":"s1","payload":[1]}`,
	`{"type":"data","id":"s1"}`,
	` { "TYPE" : "data" , "Id":"s1", "PayLoad": { "DATA" : {"a":1} , "Errors" : null } } `,
	`{"type":"data","type":null,"id":"a","id":"s1","payload":{"data":1},"payload":{"errors":[]}}`,
	`{"type":"d\u0061ta","id":"s1","payload":{"data":{}}}`,
	`{"typ\u0065":"data","id":"s1","payload":{"d\u0061ta":{}}}`,
	`{"type":"data","id":"s\u00e9","payload":{"data":"\ud800"}}`,
	"{\"type\":\"data\",\"id\":\"s\xff\",\"payload\":{\"data\":\"\xc3\xa9\"}}",
	`{"type":"data","id":"s1","payload":{"errorſ":[{"message":"folded"}]}}`,
	`{"type":7}`, `{"id":{}}`, `{"type":"data","id":["s1"]}`, `{"payload":01}`, `{"payload":1.}`, `{"payload":-}`,
	`{"payload":1e}`, `{"payload":"\x"}`, "{\"payload\":\"\x01\"}", `{"payload":tru}`, `{"a":1,}`, `{"a" 1}`, `{,}`,
	`not json`, ``, ` `, `null`, `nul`, `null x`, `[]`, `"s"`, `5`, `true`, `{}`, `{}}`, `{"a":[1,2]]}`,
	`{"type":"ka"}` + "\n", `[[[[]]]]`, `{"payload":{"data":[[{"a":[{}]}]]}}`,
}

// deepFrames straddle encoding/json's bound on nesting: 10000 levels, the
// message's own included. (Kept out of the fuzz corpus: mutating 20 KB
// inputs slows the fuzzer down.)
var deepFrames = []string{
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"payload":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	`{"payload":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"payload":{"data":` + strings.Repeat(`{"a":`, 9998) + `1` + strings.Repeat("}", 9998) + `}}`,
	`{"payload":{"data":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat("}", 9999) + `}}`,
}

// FuzzFrame holds the one-pass frame decoder to encoding/json's reading of
// the same bytes (json.Unmarshal into a message, then its payload into a
// dataPayload): the same inputs refused, the same type, id, payload, data
// and errors, absent where json's are nil.
func FuzzFrame(f *testing.F) {
	for _, seed := range frameSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(sameAsJSON)
}

func TestDeepFrames(t *testing.T) {
	for _, raw := range deepFrames {
		sameAsJSON(t, []byte(raw))
	}
}

// sameAsJSON checks that decodeFrame reads raw as decodeFrameSlow does.
func sameAsJSON(t *testing.T, raw []byte) {
	t.Helper()
	got, gotErr := decodeFrame(raw)
	want, wantErr := decodeFrameSlow(raw)
	require.Equal(t, wantErr != nil, gotErr != nil, "refused by one decoder and not the other: %q (got %v, json %v)", raw, gotErr, wantErr)
	if wantErr != nil {
		return
	}
	assert.Equal(t, string(want.typ), string(got.typ), "type of %q", raw)
	assert.Equal(t, string(want.id), string(got.id), "id of %q", raw)
	same := func(what string, want, got []byte) {
		t.Helper()
		assert.Equal(t, want == nil, got == nil, "%s of %q: json %q, got %q", what, raw, want, got)
		assert.True(t, bytes.Equal(want, got), "%s of %q: json %q, got %q", what, raw, want, got)
	}
	same("payload", want.payload, got.payload)
	assert.Equal(t, want.dataOK, got.dataOK, "payload of %q read as a data payload", raw)
	same("data", want.data, got.data)
	same("errors", want.errors, got.errors)
}

// The messages AppSync sends are read without an allocation: an event's
// data and payload are slices of the received bytes.
func TestDecodeFrameDoesNotAllocate(t *testing.T) {
	raw := []byte(`{"type":"data","id":"5f1b0a3c-8d2e-4f6a-9b7c-1d2e3f4a5b6c","payload":{"data":{"onCreateTodo":{"id":"todo-1","content":"event 1","done":false,"owner":"alice"}}}}`)
	var f frame
	var err error
	allocs := testing.AllocsPerRun(100, func() { f, err = decodeFrame(raw) })
	require.NoError(t, err)
	assert.Zero(t, allocs)
	assert.Equal(t, "data", string(f.typ))
	assert.Equal(t, `{"onCreateTodo":{"id":"todo-1","content":"event 1","done":false,"owner":"alice"}}`, string(f.data))
	assert.Equal(t, &raw[bytes.Index(raw, []byte(`{"onCreateTodo"`))], &f.data[0], "data is a slice of the message, not a copy")
}
