package realtime_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/client/realtime/internal/todogen"
)

// recv takes the next response from a genqlient data channel; ok is false
// when the channel is closed.
func recv[T any](t *testing.T, ch <-chan T) (T, bool) {
	t.Helper()
	select {
	case v, ok := <-ch:
		return v, ok
	case <-time.After(wait):
		t.Fatalf("nothing on the genqlient channel within %s", wait)
	}
	var zero T
	return zero, false
}

// genqlient's generated subscription function, unchanged, over the
// adapter: events, a gap after a dropped socket, Unsubscribe.
func TestGenqlientGeneratedSubscription(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	ws := realtime.NewGenqlientClient(newClient(t, f.graphqlURL, auth))
	errs, err := ws.Start(t.Context())
	require.NoError(t, err)

	owner := "alice"
	events, id, err := todogen.OnCreateTodo(t.Context(), ws, &owner)
	require.NoError(t, err)
	st := f.await("start", kind("start"))
	assert.Equal(t, id, st.ID)
	assert.Equal(t, map[string]any{"owner": "alice"}, st.Vars)
	assert.Equal(t, todogen.OnCreateTodo_Operation, st.Query)

	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"id": "t1", "content": "milk", "owner": "alice"}))
	r, ok := recv(t, events)
	require.True(t, ok)
	require.Empty(t, r.Errors)
	assert.Equal(t, "t1", r.Data.OnCreateTodo.Id)
	assert.Equal(t, "milk", *r.Data.OnCreateTodo.Content)

	f.drop(1)
	r, ok = recv(t, events)
	require.True(t, ok)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, realtime.GapErrorType, r.Errors[0].Extensions["errorType"])
	assert.EqualValues(t, 1, r.Errors[0].Extensions["reconnects"])

	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"id": "t2", "owner": "alice"}))
	r, ok = recv(t, events)
	require.True(t, ok)
	assert.Equal(t, "t2", r.Data.OnCreateTodo.Id)

	require.NoError(t, ws.Unsubscribe(id))
	_, ok = recv(t, events)
	assert.False(t, ok, "Unsubscribe closes the channel")
	assert.Equal(t, id, f.await("stop", kind("stop")).ID)
	assert.Error(t, ws.Unsubscribe(id))

	require.NoError(t, ws.Close())
	_, ok = recv(t, errs)
	assert.False(t, ok, "Close closes the error channel")
	require.NoError(t, ws.Close())
}

// A refused start is the generated function's error; an error the server
// sends later is the channel's last response, with AppSync's errorType in
// the extensions; a reconnect policy that gives up also reports on the
// error channel.
func TestGenqlientErrors(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	f.onStart = func(_ int, st startMsg) string {
		if st.Vars["owner"] == "bob" {
			return "Unauthorized"
		}
		return ""
	}
	f.handshake = func(n int) int {
		if n > 1 {
			return 401
		}
		return 0
	}
	ws := realtime.NewGenqlientClient(newClient(t, f.graphqlURL, auth, realtime.WithMaxAuthFailures(1)))
	errs, err := ws.Start(t.Context())
	require.NoError(t, err)
	defer ws.Close()

	// a first: it keeps the one socket the fake accepts open.
	a, _, err := todogen.OnCreateTodo(t.Context(), ws, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{}, f.await("start", kind("start")).Vars, "an unset optional variable is left out")

	bob := "bob"
	_, _, err = todogen.OnCreateTodo(t.Context(), ws, &bob)
	var se *realtime.SubscriptionError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.HasType("Unauthorized"))

	b, idB, err := todogen.OnCreateTodo(t.Context(), ws, nil)
	require.NoError(t, err)

	f.sendTo(1, map[string]any{"type": "error", "id": idB, "payload": map[string]any{"errors": []map[string]any{{"errorType": "MaxSubscriptionsReachedError", "message": "too many"}}}})
	r, ok := recv(t, b)
	require.True(t, ok)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "MaxSubscriptionsReachedError", r.Errors[0].Extensions["errorType"])
	_, ok = recv(t, b)
	assert.False(t, ok)

	f.drop(1)
	r, ok = recv(t, a)
	require.True(t, ok)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "UnauthorizedException", r.Errors[0].Extensions["errorType"])
	_, ok = recv(t, a)
	assert.False(t, ok)
	e, ok := recv(t, errs)
	require.True(t, ok)
	var ce *realtime.ConnectionError
	require.True(t, errors.As(e, &ce), "%v", e)
	assert.Equal(t, 401, ce.StatusCode)
}
