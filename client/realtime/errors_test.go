package realtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/internal/redact"
)

// Every method of every error type runs on a nil receiver and on an
// errors list with nil entries (a consumer may build one; a server's
// [null] no longer decodes to one), and nil entries count for nothing.
func TestErrorMethodsNilSafe(t *testing.T) {
	withNil := client.GraphQLErrors{nil, {Message: "denied", ErrorType: "Unauthorized"}, nil}
	onlyNil := client.GraphQLErrors{nil}
	for _, tc := range []struct {
		name string
		err  error
		want string // a part of Error()
	}{
		{"nil *EventError", (*EventError)(nil), "realtime"},
		{"nil *SubscriptionError", (*SubscriptionError)(nil), "realtime"},
		{"nil *ConnectionError", (*ConnectionError)(nil), "realtime"},
		{"nil *GapError", (*GapError)(nil), "missed"},
		{"EventError with nil entries", &EventError{Errors: withNil}, "Unauthorized: denied"},
		{"EventError with only nil", &EventError{Errors: onlyNil}, "realtime"},
		{"EventError with nil entries and Err", &EventError{Errors: withNil, Err: errors.New("bad json")}, "bad json"},
		{"SubscriptionError with nil entries", &SubscriptionError{Operation: "OnCreateTodo", Errors: withNil}, "Unauthorized: denied"},
		{"SubscriptionError with only nil", &SubscriptionError{Errors: onlyNil, Reason: "ended"}, "ended"},
		{"ConnectionError with nil entries", &ConnectionError{Errors: withNil}, "Unauthorized: denied"},
		{"ConnectionError with only nil", &ConnectionError{StatusCode: 401, Errors: onlyNil}, "401"},
		{"GapError with nil cause", &GapError{Reconnects: 1}, "reconnected 1 time"},
		{"GapError empty", &GapError{}, "missed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.NotPanics(t, func() {
				assert.Contains(t, tc.err.Error(), tc.want)
				assert.NotContains(t, tc.err.Error(), "%!")
				var ges client.GraphQLErrors
				if errors.As(tc.err, &ges) {
					assert.NotContains(t, ges, (*client.GraphQLError)(nil), "Unwrap yields no nil entry")
					_ = ges.Error()
				}
				errors.Is(tc.err, ErrGap)
				switch e := tc.err.(type) {
				case interface{ Unwrap() []error }:
					e.Unwrap()
				case interface{ Unwrap() error }:
					e.Unwrap()
				}
			})
		})
	}
	assert.NotPanics(t, func() {
		assert.False(t, (*SubscriptionError)(nil).HasType("Unauthorized"))
		assert.True(t, (&SubscriptionError{Errors: withNil}).HasType("Unauthorized"))
		assert.False(t, (&SubscriptionError{Errors: onlyNil}).HasType(""), "a nil entry has no type, not the empty one")
		assert.False(t, (*ConnectionError)(nil).authRejected())
		assert.True(t, (&ConnectionError{Errors: withNil}).authRejected())
		assert.False(t, (&ConnectionError{Errors: onlyNil}).authRejected())
		assert.Nil(t, (*EventError)(nil).Unwrap())
		assert.Nil(t, (*GapError)(nil).Unwrap())
		assert.Equal(t, []error{client.GraphQLErrors{withNil[1]}}, (&EventError{Errors: withNil}).Unwrap())
		assert.Empty(t, (&EventError{Errors: onlyNil}).Unwrap())
	})
}

// The redactor cleans every string of an error, in every form a server
// may echo a secret in, and keeps errorInfo and data the JSON they were.
func TestRedactorEveryField(t *testing.T) {
	const tok = "IQoJb3JpZ2luX2VjTOKEN+/abc=<&>"
	var r redactor
	r.addHeaders(map[string]string{"X-Amz-Security-Token": tok, "host": "example.com"})
	escaped := url.QueryEscape(tok)
	es := client.GraphQLErrors{{
		Message:   "verbatim " + tok + " query " + escaped + " lower " + strings.NewReplacer("%2B", "%2b", "%2F", "%2f", "%3D", "%3d", "%3C", "%3c", "%3E", "%3e").Replace(escaped) + " path " + url.PathEscape(tok),
		ErrorType: "Type" + tok,
		ErrorInfo: json.RawMessage(`{"got":"` + `IQoJb3JpZ2luX2VjTOKEN+\/abc=\u003c\u0026\u003e` + `","` + escaped + `":[1,true,null]}`),
		Data:      json.RawMessage(`["a",{"b":"` + tok[:len(tok)-3] + `<&>"}]`),
		Path:      []any{"onCreateTodo", tok, 3.0, map[string]any{"k": []any{tok}}},
		Locations: []client.Location{{Line: 1, Column: 2, SourceName: escaped}, {Line: 3}},
	}, nil}
	r.graphQLErrors(es)
	e := es[0]
	all := fmt.Sprintf("%s %s %s %s %v %v", e.Message, e.ErrorType, e.ErrorInfo, e.Data, e.Path, e.Locations)
	assert.NotContains(t, all, "IQoJb3JpZ2lu")
	assert.Equal(t, 4, strings.Count(e.Message, redact.Mask), e.Message)
	var info map[string]any
	require.NoError(t, json.Unmarshal(e.ErrorInfo, &info), "errorInfo is still a JSON object: %s", e.ErrorInfo)
	assert.Equal(t, map[string]any{"got": redact.Mask, redact.Mask: []any{1.0, true, nil}}, info)
	var data []any
	require.NoError(t, json.Unmarshal(e.Data, &data))
	assert.Equal(t, []any{"a", map[string]any{"b": redact.Mask}}, data)
	assert.Equal(t, []any{"onCreateTodo", redact.Mask, 3.0, map[string]any{"k": []any{redact.Mask}}}, e.Path)
	assert.Equal(t, []client.Location{{Line: 1, Column: 2, SourceName: redact.Mask}, {Line: 3}}, e.Locations)

	// A secret across two strings of the JSON is removed from its text,
	// which stays JSON.
	r.add(`left","right`)
	split := client.GraphQLErrors{{ErrorInfo: json.RawMessage(`["left","right"]`)}}
	r.graphQLErrors(split)
	assert.JSONEq(t, `["`+redact.Mask+`"]`, string(split[0].ErrorInfo))

	clean := json.RawMessage(`{"n": 1, "untouched":"as sent"}`)
	untouched := client.GraphQLErrors{{ErrorInfo: clean}}
	r.graphQLErrors(untouched)
	assert.Equal(t, clean, untouched[0].ErrorInfo, "without a secret, the JSON is the server's bytes")
	assert.Equal(t, redact.Mask+"…", r.clip(tok+" and a long tail", len(redact.Mask)))
}

// The genqlient adapter's error response grows with the server's errors,
// not with their square: each entry carries its own error, not the whole
// list again.
func TestErrorResponseLinear(t *testing.T) {
	var es client.GraphQLErrors
	for i := range 300 {
		es = append(es, &client.GraphQLError{ErrorType: "InternalFailure", Message: fmt.Sprintf("%03d %s", i, strings.Repeat("x", 96))})
	}
	in := 300 * 100
	for _, err := range []error{
		&ConnectionError{Errors: es},
		&ConnectionError{StatusCode: 503, Errors: es},
		&SubscriptionError{Operation: "OnCreateTodo", Errors: es},
	} {
		out := errorResponse(err)
		assert.Less(t, len(out), 10*in, "%T: %d bytes for %d bytes of errors", err, len(out), in)
		var r struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		require.NoError(t, json.Unmarshal(out, &r))
		require.Len(t, r.Errors, 300)
		assert.Contains(t, r.Errors[7].Message, "007 xxx")
		assert.Equal(t, "InternalFailure", r.Errors[7].Extensions["errorType"])
	}
	one := errorResponse(&ConnectionError{Errors: es[:1]})
	assert.Contains(t, string(one), "realtime: connection: connection_error: InternalFailure: 000", "a single error carries the whole text")
}
