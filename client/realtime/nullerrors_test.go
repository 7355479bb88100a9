package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
)

// A server's errors list with null entries (AppSync's resolvers can make
// one: $util.appendError with null) or that is not a list: null entries
// are dropped from every frame kind that carries errors, so no error's
// method meets a nil entry, and an errors member that is not a list is
// still reported, never lost.
func TestNullErrorEntries(t *testing.T) {
	t.Run("data", func(t *testing.T) {
		f, auth := newAPIKeyFake(t)
		c := newClient(t, f.graphqlURL, auth)
		s := subscribe(t, t.Context(), c, nil)
		for _, errs := range []string{`[null]`, `[null,{"message":"boom","errorType":"Lambda:Unhandled"},null]`, `null`, `[]`, `"boom"`, `{"message":"not a list"}`} {
			f.sendTo(1, json.RawMessage(`{"type":"data","id":"`+s.ID()+`","payload":{"data":{"onCreateTodo":{"id":"1"}},"errors":`+errs+`}}`))
		}
		want := []int{0, 1, 0, 0, 1, 1} // errors per event
		for i, n := range want {
			ev, err := next(t, s)
			require.NoError(t, err)
			require.Len(t, ev.Errors, n, "event %d", i)
			assert.NotContains(t, ev.Errors, (*client.GraphQLError)(nil))
		}
		f.sendTo(1, json.RawMessage(`{"type":"data","id":"`+s.ID()+`","payload":{"data":{"onCreateTodo":{"id":"2"}},"errors":[null,{"errorType":"Lambda:Unhandled","message":"boom"}]}}`))
		type resp struct{ OnCreateTodo struct{ ID string } }
		for v, err := range realtime.Values[resp](s) {
			var ee *realtime.EventError
			require.ErrorAs(t, err, &ee)
			assert.NotPanics(t, func() { assert.Contains(t, ee.Error(), "Lambda:Unhandled: boom") })
			assert.Equal(t, "2", v.OnCreateTodo.ID)
			break
		}
	})
	t.Run("error", func(t *testing.T) {
		f, auth := newAPIKeyFake(t)
		c := newClient(t, f.graphqlURL, auth)
		s := subscribe(t, t.Context(), c, nil)
		f.sendTo(1, json.RawMessage(`{"type":"error","id":"`+s.ID()+`","payload":{"errors":[null,{"errorType":"MaxSubscriptionsReachedError","message":"too many"},null]}}`))
		_, err := next(t, s)
		var se *realtime.SubscriptionError
		require.ErrorAs(t, err, &se)
		require.Len(t, se.Errors, 1, "the null entries are dropped, not kept as empty errors")
		assert.True(t, se.HasType("MaxSubscriptionsReachedError"))
	})
	t.Run("start", func(t *testing.T) {
		url := rawServer(t, func(ctx context.Context, _ int, c *websocket.Conn) {
			readType(ctx, c, "connection_init")
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}`))
			id, _ := readType(ctx, c, "start")
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"error","id":"`+id+`","payload":{"errors":[null]}}`))
			readType(ctx, c, "until closed")
		})
		c := newClient(t, url, &realtime.APIKey{URL: url, Key: testAPIKey})
		_, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
		var se *realtime.SubscriptionError
		require.ErrorAs(t, err, &se)
		require.Len(t, se.Errors, 1, "an errors list of nulls only still says the start was refused")
		assert.NotEmpty(t, se.Errors[0].Message)
	})
	for _, at := range []string{"connection_init", "mid-stream"} {
		t.Run("connection_error at "+at, func(t *testing.T) {
			const frame = `{"type":"connection_error","payload":{"errors":[null,{"errorType":"UnauthorizedException","errorCode":401},null]}}`
			url := rawServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
				readType(ctx, c, "connection_init")
				if at == "connection_init" {
					_ = c.Write(ctx, websocket.MessageText, []byte(frame))
					return
				}
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}`))
				id, _ := readType(ctx, c, "start")
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"start_ack","id":"`+id+`"}`))
				if n == 1 {
					_ = c.Write(ctx, websocket.MessageText, []byte(frame))
				}
				readType(ctx, c, "until closed")
			})
			c := newClient(t, url, &realtime.APIKey{URL: url, Key: testAPIKey})
			s, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
			if at == "mid-stream" {
				require.NoError(t, err)
				gap := nextGap(t, s)
				err = gap.Cause
			}
			var ce *realtime.ConnectionError
			require.ErrorAs(t, err, &ce)
			require.Len(t, ce.Errors, 1)
			assert.True(t, ce.Errors.HasType("UnauthorizedException"))
			assert.NotPanics(t, func() { _ = err.Error() })
			assert.False(t, errors.Is(err, realtime.ErrGap))
		})
	}
}
