package client_test

// The typed errors: nil-safe methods, replies whose errors list holds nulls,
// and error strings bounded whatever the reply's size.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
)

func TestErrorMethodsAreNilSafe(t *testing.T) {
	throttled := &client.GraphQLError{ErrorType: "Throttling", Message: "slow"}
	withNils := client.GraphQLErrors{nil, throttled, nil}
	onlyNils := client.GraphQLErrors{nil, nil}
	cases := []error{
		(*client.GraphQLError)(nil),
		&client.GraphQLError{},
		client.GraphQLErrors(nil),
		onlyNils,
		withNils,
		(*client.HTTPError)(nil),
		&client.HTTPError{},
		&client.HTTPError{StatusCode: 401, Errors: onlyNils},
		&client.HTTPError{StatusCode: 400, Errors: withNils},
		(*client.NetworkError)(nil),
		&client.NetworkError{},
		(*client.OperationError)(nil),
		&client.OperationError{},
		&client.OperationError{Err: withNils},
		(*client.TokenRejectedError)(nil),
		&client.TokenRejectedError{},
		(*client.LimitError)(nil),
		(*client.AuthModeError)(nil),
		(*client.PaginationError)(nil),
		&client.PaginationError{},
	}
	for _, e := range cases {
		name := fmt.Sprintf("%T %v", e, e == nil)
		assert.NotPanics(t, func() {
			assert.NotEmpty(t, e.Error(), name)
			if r, ok := e.(interface{ RetryableError() bool }); ok {
				_ = r.RetryableError()
			}
			if c, ok := e.(interface{ ErrorCode() string }); ok {
				_ = c.ErrorCode()
			}
			if h, ok := e.(interface{ HasType(string) bool }); ok {
				_ = h.HasType("Throttling")
			}
			if s, ok := e.(interface{ HTTPStatusCode() int }); ok {
				_ = s.HTTPStatusCode()
			}
			_ = errors.Unwrap(e)
			var herr *client.HTTPError
			_ = errors.As(e, &herr)
			var gerrs client.GraphQLErrors
			_ = errors.As(e, &gerrs)
			_ = fmt.Sprintf("%+v %#v", e, e)
		}, name)
	}
	// The entries that are there still count.
	assert.True(t, withNils.RetryableError())
	assert.Equal(t, "Throttling", withNils.ErrorCode())
	assert.True(t, withNils.HasType("Throttling"))
	assert.Equal(t, "Throttling: slow", withNils.Error())
	assert.False(t, onlyNils.RetryableError())
	assert.Equal(t, "", onlyNils.ErrorCode())
	assert.True(t, (&client.HTTPError{StatusCode: 400, Errors: withNils}).RetryableError())
}

func TestNullEntriesOfTheErrorsListAreDropped(t *testing.T) {
	t.Run("a null beside a throttling error: retried, no crash", func(t *testing.T) {
		srv := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			if n == 1 {
				reply(w, 200, `{"data":{"getTodo":null},"errors":[null,{"errorType":"Throttling","message":"slow"},null]}`)
				return
			}
			reply(w, 200, todoReply)
		})
		todo, err := getTodo(t, srv.URL, fastRetries)
		require.NoError(t, err)
		assert.Equal(t, "t1", todo.ID)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("the entries that are objects are kept", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			reply(w, 200, `{"data":{"getTodo":null},"errors":[null,{"errorType":"Unauthorized","message":"no"}]}`)
		})
		_, err := getTodo(t, srv.URL, fastRetries)
		var gerrs client.GraphQLErrors
		require.ErrorAs(t, err, &gerrs)
		require.Len(t, gerrs, 1)
		assert.Equal(t, "Unauthorized", gerrs[0].ErrorType)
	})
	for _, status := range []int{401, 403, 500} {
		t.Run(fmt.Sprintf("HTTP %d with null entries", status), func(t *testing.T) {
			srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				reply(w, status, `{"errors":[null,{"errorType":"UnauthorizedException","message":"no"},null]}`)
			})
			_, err := getTodo(t, srv.URL, fastRetries)
			var herr *client.HTTPError
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, status, herr.StatusCode)
			require.Len(t, herr.Errors, 1)
			assert.Equal(t, "UnauthorizedException", herr.ErrorCode())
		})
	}
}

func TestErrorStringsAreBounded(t *testing.T) {
	t.Run("an 8 MiB message", func(t *testing.T) {
		// The key sits across the 1 KiB cut: it is redacted before the
		// message is cut, so not even a piece of it shows.
		msg := strings.Repeat("x", 1020) + testAPIKey + strings.Repeat("y", 8<<20)
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			reply(w, 200, `{"data":{"getTodo":null},"errors":[{"errorType":"Lambda:Unhandled","message":"`+msg+`"}]}`)
		})
		_, err := getTodo(t, srv.URL, fastRetries)
		require.Error(t, err)
		s := err.Error()
		assert.Less(t, len(s), 2<<10, "the error string is cut")
		redactedLen := len(msg) - len(testAPIKey) + len("[REDACTED]")
		assert.Contains(t, s, fmt.Sprintf("…(%d more bytes)", redactedLen-1024))
		for i := 0; i+6 <= len(testAPIKey); i++ {
			assert.NotContains(t, s, testAPIKey[i:i+6], "no piece of the key")
		}
		var gerrs client.GraphQLErrors
		require.ErrorAs(t, err, &gerrs)
		require.Len(t, gerrs, 1)
		assert.Len(t, gerrs[0].Message, redactedLen, "the value keeps the whole message, redacted")
		assert.NotContains(t, gerrs[0].Message, testAPIKey)
	})
	t.Run("25 errors", func(t *testing.T) {
		var list []string
		for i := range 25 {
			list = append(list, fmt.Sprintf(`{"errorType":"E%d","message":"m%d","path":["getTodo",%d]}`, i, i, i))
		}
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			reply(w, 200, `{"data":{"getTodo":null},"errors":[`+strings.Join(list, ",")+`]}`)
		})
		_, err := getTodo(t, srv.URL, fastRetries)
		require.Error(t, err)
		s := err.Error()
		assert.Contains(t, s, "25 GraphQL errors")
		assert.Contains(t, s, "E9: m9 (path getTodo.9)")
		assert.NotContains(t, s, "E10:")
		assert.Contains(t, s, "and 15 more")
		var gerrs client.GraphQLErrors
		require.ErrorAs(t, err, &gerrs)
		assert.Len(t, gerrs, 25, "every error is still reachable")
	})
	t.Run("each field of one error", func(t *testing.T) {
		e := &client.GraphQLError{
			ErrorType: strings.Repeat("T", 5000),
			Message:   strings.Repeat("é", 2000), // 4000 bytes: cut on a rune boundary
			Path:      []any{strings.Repeat("p", 5000), float64(1)},
		}
		s := e.Error()
		assert.Less(t, len(s), 2<<10)
		assert.True(t, strings.HasPrefix(s, strings.Repeat("T", 256)+"…(4744 more bytes): "), s[:300])
		assert.Contains(t, s, strings.Repeat("é", 512)+"…(2976 more bytes)")
		assert.Contains(t, s, "(path "+strings.Repeat("p", 256)+"…")
		assert.Len(t, e.Message, 4000, "the value is not changed")
	})
}

// hangingAppSync accepts requests and never answers them until the test ends.
func hangingAppSync(t *testing.T) *scripted {
	done := make(chan struct{})
	srv := newScripted(t, func(_ int, _ http.ResponseWriter, r *http.Request, _ []byte) {
		select {
		case <-done:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(done) }) // before the server's Close, which waits for the handlers
	return srv
}

func TestAttemptTimeout(t *testing.T) {
	retries := client.WithRetry(client.RetryOptions{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	t.Run("a query is retried, then fails with a retryable network error", func(t *testing.T) {
		srv := hangingAppSync(t)
		start := time.Now()
		_, err := getTodo(t, srv.URL, retries, client.WithAttemptTimeout(50*time.Millisecond))
		assert.Less(t, time.Since(start), 3*time.Second)
		var nerr *client.NetworkError
		require.ErrorAs(t, err, &nerr)
		assert.True(t, nerr.RetryableError())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "attempt timeout")
		assert.Equal(t, 3, srv.requests())
		assert.Equal(t, 3, attemptsOf(t, err))
	})
	t.Run("a mutation is not retried: it may have been applied", func(t *testing.T) {
		srv := hangingAppSync(t)
		c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(client.StaticToken(userToken)), retries, client.WithAttemptTimeout(50*time.Millisecond))
		require.NoError(t, err)
		_, err = c.Mutations.AddUserToGroup(context.Background(), tododata.AddUserToGroupArgs{UserID: "u", GroupName: "ADMINS"})
		var nerr *client.NetworkError
		require.ErrorAs(t, err, &nerr)
		assert.Equal(t, 1, srv.requests())
	})
	t.Run("per call", func(t *testing.T) {
		srv := hangingAppSync(t)
		c, err := tododata.New(outputs(t, srv.URL), client.WithAuthMode(client.AuthAPIKey), retries)
		require.NoError(t, err)
		_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"},
			client.WithAuthMode(client.AuthAPIKey), client.WithAttemptTimeout(20*time.Millisecond), client.WithRetry(client.RetryOptions{MaxAttempts: 1}))
		var nerr *client.NetworkError
		require.ErrorAs(t, err, &nerr)
		assert.Contains(t, err.Error(), "attempt timeout of 20ms")
		// At most one: on a loaded machine the 20 ms may end before the
		// request reaches the handler.
		assert.LessOrEqual(t, srv.requests(), 1)
	})
	t.Run("the caller's deadline is the caller's error", func(t *testing.T) {
		srv := hangingAppSync(t)
		c, err := tododata.New(outputs(t, srv.URL), client.WithAuthMode(client.AuthAPIKey))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthAPIKey))
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var nerr *client.NetworkError
		assert.False(t, errors.As(err, &nerr))
	})
}

// deadlineRecorder answers every request with todoReply and records the
// deadline of its context.
type deadlineRecorder struct {
	deadlines []time.Time
}

func (d *deadlineRecorder) Do(r *http.Request) (*http.Response, error) {
	dl, ok := r.Context().Deadline()
	if !ok {
		dl = time.Time{}
	}
	d.deadlines = append(d.deadlines, dl)
	return cannedHTTP{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(todoReply)}.Do(r)
}

func TestAttemptTimeoutDefault(t *testing.T) {
	assert.Equal(t, 35*time.Second, client.DefaultAttemptTimeout)
	rec := &deadlineRecorder{}
	start := time.Now()
	_, err := getTodo(t, "http://appsync.test", client.WithHTTPClient(rec))
	require.NoError(t, err)
	require.Len(t, rec.deadlines, 1)
	require.False(t, rec.deadlines[0].IsZero(), "a call with context.Background() has a deadline per attempt")
	assert.WithinDuration(t, start.Add(client.DefaultAttemptTimeout), rec.deadlines[0], time.Second)

	// A negative timeout turns it off; a shorter deadline of the caller is kept.
	rec.deadlines = nil
	_, err = getTodo(t, "http://appsync.test", client.WithHTTPClient(rec), client.WithAttemptTimeout(-1))
	require.NoError(t, err)
	assert.True(t, rec.deadlines[0].IsZero())

	rec.deadlines = nil
	c, err := tododata.New(outputs(t, "http://appsync.test"), client.WithHTTPClient(rec))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	want, _ := ctx.Deadline()
	_, err = c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthAPIKey))
	require.NoError(t, err)
	assert.Equal(t, want, rec.deadlines[0])
}
