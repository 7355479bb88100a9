package realtime_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/internal/fixture/tododata"
)

// The realtime options given to a generated client's New (WithOptions)
// reach its session: the state function reports the connection's changes,
// and the reconnect waits the given backoff (at most 2 ms, where the
// default's first wait is up to 1 s).
func TestGeneratedClientRealtimeOptions(t *testing.T) {
	f, _ := newAPIKeyFake(t)
	log := newStateLog()
	backoff := realtime.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond}
	c, err := tododata.NewFromEndpoint(client.Endpoint{
		URL: f.graphqlURL, Region: "us-east-1", APIKey: testAPIKey, DefaultAuthMode: client.AuthAPIKey,
		// No entry: the subscriptions use the default mode, the fake's.
		Operations: map[string][]client.AuthMode{},
	}, realtime.WithOptions(realtime.WithBackoff(backoff), realtime.WithStateFunc(log.record)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Realtime.Close() })

	events, err := c.Models.Todo.OnCreate(t.Context(), tododata.OnCreateTodoOptions{})
	require.NoError(t, err)
	got := log.await(t, realtime.StateConnected)
	assert.Equal(t, realtime.StateConnecting, got[0].State)
	f.await("start", kind("start"))

	f.drop(1)
	got = log.await(t, realtime.StateReconnecting)
	assert.LessOrEqual(t, got[len(got)-1].Wait, backoff.Max, "the reconnect waits the backoff given to New")
	log.await(t, realtime.StateConnected)
	f.await("start on the new connection", kindOn("start", 2))

	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"ID": "t1", "content": "hi"}))
	for todo, err := range events {
		if err != nil {
			continue // the gap of the reconnect
		}
		require.NotNil(t, todo)
		assert.Equal(t, "t1", todo.ID)
		break
	}
}
