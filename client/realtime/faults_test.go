package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/realtime"
)

// rawServer runs handle for each WebSocket connection (numbered from 1).
func rawServer(t *testing.T, handle func(ctx context.Context, n int, c *websocket.Conn)) string {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-ws"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		handle(r.Context(), int(conns.Add(1)), c)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/graphql"
}

// readType reads frames until one of type typ and returns its id.
func readType(ctx context.Context, c *websocket.Conn, typ string) (string, bool) {
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return "", false
		}
		var m struct{ Type, ID string }
		if json.Unmarshal(b, &m) == nil && m.Type == typ {
			return m.ID, true
		}
	}
}

// A server that never sends connection_ack: Subscribe fails within the
// connect timeout instead of hanging, and nothing is left running.
func TestConnectionAckNeverSent(t *testing.T) {
	url := rawServer(t, func(ctx context.Context, _ int, c *websocket.Conn) {
		readType(ctx, c, "connection_init")
		<-ctx.Done()
	})
	rt, err := realtime.New(url, &realtime.APIKey{URL: url, Key: "da2-k"},
		realtime.WithConnectTimeout(300*time.Millisecond), realtime.WithBackoff(realtime.Backoff{Initial: time.Millisecond, Max: time.Millisecond, MaxAttempts: 2}))
	require.NoError(t, err)
	defer rt.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = rt.Subscribe(ctx, &graphql.Request{Query: "subscription { onCreateTodo { id } }"})
	require.Error(t, err)
	assert.NoError(t, ctx.Err(), "failed by the connect timeout, not by the test's bound")
	var ce *realtime.ConnectionError
	assert.True(t, errors.As(err, &ce), "%T: %v", err, err)
}

// Malformed frames from the server (not JSON, an unknown type, a data frame
// for no subscription) neither panic nor end the subscription silently: the
// connection is treated as broken, the client reconnects, re-subscribes and
// signals the gap, and events flow again.
func TestMalformedFrames(t *testing.T) {
	url := rawServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		readType(ctx, c, "connection_init")
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}`))
		id, ok := readType(ctx, c, "start")
		if !ok {
			return
		}
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"start_ack","id":"`+id+`"}`))
		if n == 1 {
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"data","id":"nobody","payload":{"data":{}}}`))
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"what is this"}`))
			_ = c.Write(ctx, websocket.MessageText, []byte(`not json at all`))
			<-ctx.Done()
			return
		}
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"data","id":"`+id+`","payload":{"data":{"onCreateTodo":{"id":"after"}}}}`))
		<-ctx.Done()
	})
	rt, err := realtime.New(url, &realtime.APIKey{URL: url, Key: "da2-k"}, realtime.WithBackoff(realtime.Backoff{Initial: time.Millisecond, Max: 10 * time.Millisecond}))
	require.NoError(t, err)
	defer rt.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sub, err := rt.Subscribe(ctx, &graphql.Request{Query: "subscription { onCreateTodo { id } }"})
	require.NoError(t, err)
	var sawGap bool
	for ev, err := range sub.Events() {
		if errors.Is(err, realtime.ErrGap) {
			sawGap = true
			continue
		}
		require.NoError(t, err)
		assert.JSONEq(t, `{"onCreateTodo":{"id":"after"}}`, string(ev.Data))
		break
	}
	assert.True(t, sawGap, "the broken connection is signalled as a gap")
}
