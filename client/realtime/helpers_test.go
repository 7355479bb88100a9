package realtime_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/realtime"
)

const (
	testAPIKey = "da2-realtimetestkey0123456789"
	onCreate   = "subscription OnCreateTodo($owner: String) { onCreateTodo(owner: $owner) { id content owner } }"
)

// fast is the reconnect policy of the tests: waits of a few milliseconds.
var fast = realtime.WithBackoff(realtime.Backoff{Initial: time.Millisecond, Max: 10 * time.Millisecond})

// logBuffer collects a client's log lines (slog, Debug and up).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newClient(t *testing.T, graphqlURL string, auth realtime.Authorizer, opts ...realtime.Option) *realtime.Client {
	t.Helper()
	c, err := realtime.New(graphqlURL, auth, append([]realtime.Option{fast}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func subscribe(t *testing.T, ctx context.Context, c *realtime.Client, vars map[string]any) *realtime.Subscription {
	t.Helper()
	s, err := c.Subscribe(ctx, &graphql.Request{OpName: "OnCreateTodo", Query: onCreate, Variables: vars})
	require.NoError(t, err)
	return s
}

// next returns the subscription's next event or error, failing the test
// if nothing comes within the failure bound.
func next(t *testing.T, s *realtime.Subscription) (realtime.Event, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ev, err := s.Next(ctx)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		t.Fatalf("no event within %s", wait)
	}
	return ev, err
}

// nextData returns the next event, which must be data.
func nextData(t *testing.T, s *realtime.Subscription) string {
	t.Helper()
	ev, err := next(t, s)
	require.NoError(t, err)
	return string(ev.Data)
}

// nextGap returns the next event, which must be a gap.
func nextGap(t *testing.T, s *realtime.Subscription) *realtime.GapError {
	t.Helper()
	_, err := next(t, s)
	var gap *realtime.GapError
	require.ErrorAs(t, err, &gap)
	require.ErrorIs(t, err, realtime.ErrGap)
	return gap
}

// countingTokens issues a new token for every call (tok-1, tok-2, ...),
// announcing each to the fake AppSync before handing it out.
type countingTokens struct {
	n     atomic.Int64
	issue func(string)
}

func (c *countingTokens) Token(context.Context) (string, error) {
	tok := "eyJ.tok-" + strconv.FormatInt(c.n.Add(1), 10) + ".sig"
	if c.issue != nil {
		c.issue(tok)
	}
	return tok, nil
}

// rotatingCredentials returns whatever credentials are current.
type rotatingCredentials struct {
	cur       atomic.Pointer[aws.Credentials]
	retrieved atomic.Int64
}

func (r *rotatingCredentials) set(c aws.Credentials) { r.cur.Store(&c) }

func (r *rotatingCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	r.retrieved.Add(1)
	return *r.cur.Load(), nil
}
