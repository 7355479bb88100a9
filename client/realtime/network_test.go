package realtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
)

// A realtime failure to reach the backend is a *client.NetworkError, as an
// HTTP call's is: errors.As with that one target recognises "could not
// reach the backend" on either side. A *ConnectionError keeps its own
// fields and holds the *client.NetworkError in Err; a gap's Cause is one
// when the connection was lost to the network. An answer of the server (a
// refused handshake, connection_error, a refused start) is none.
func TestNetworkFailuresAreNetworkErrors(t *testing.T) {
	subscribeErr := func(t *testing.T, c *realtime.Client) error {
		_, err := c.Subscribe(t.Context(), &graphql.Request{OpName: "OnCreateTodo", Query: onCreate})
		require.Error(t, err)
		return err
	}
	for _, tc := range []struct {
		name    string
		run     func(t *testing.T) error
		network bool
	}{
		{"dial: nothing listening", func(t *testing.T) error {
			f, auth := newAPIKeyFake(t)
			f.srv.Close()
			return subscribeErr(t, newClient(t, f.graphqlURL, auth))
		}, true},
		{"read: no connection_ack within the connect timeout", func(t *testing.T) error {
			url := rawServer(t, func(ctx context.Context, _ int, c *websocket.Conn) {
				readType(ctx, c, "connection_init")
				<-ctx.Done()
			})
			return subscribeErr(t, newClient(t, url, &realtime.APIKey{URL: url, Key: "da2-k"},
				realtime.WithConnectTimeout(200*time.Millisecond), realtime.WithBackoff(realtime.Backoff{Initial: time.Millisecond, Max: time.Millisecond, MaxAttempts: 1})))
		}, true},
		{"read: socket dropped before start_ack", func(t *testing.T) error {
			f, auth := newAPIKeyFake(t)
			f.onStart = func(int, startMsg) string { return "ignore" }
			c := newClient(t, f.graphqlURL, auth)
			errc := make(chan error, 1)
			go func() {
				_, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
				errc <- err
			}()
			f.await("the start", kind("start-ignored"))
			f.drop(1)
			err := <-errc
			require.Error(t, err)
			return err
		}, true},
		{"gap: socket dropped mid-stream", func(t *testing.T) error {
			f, auth := newAPIKeyFake(t)
			s := subscribe(t, t.Context(), newClient(t, f.graphqlURL, auth), nil)
			f.drop(1)
			return nextGap(t, s)
		}, true},
		{"gap: keep-alive timeout", func(t *testing.T) error {
			f, auth := newAPIKeyFake(t)
			f.ackTimeout = 200
			s := subscribe(t, t.Context(), newClient(t, f.graphqlURL, auth, realtime.WithServerKeepAliveRange(time.Millisecond, time.Hour)), nil)
			gap := nextGap(t, s)
			assert.ErrorIs(t, gap, realtime.ErrKeepAliveTimeout)
			return gap
		}, true},
		{"HTTP 401 handshake", func(t *testing.T) error {
			f := newFakeAppSync(t, "apiKey")
			f.apiKey = "da2-the-right-key-xxxxxxxx"
			return subscribeErr(t, newClient(t, f.graphqlURL, &realtime.APIKey{URL: f.graphqlURL, Key: testAPIKey}, realtime.WithMaxAuthFailures(1)))
		}, false},
		{"connection_error", func(t *testing.T) error {
			f, auth := newAPIKeyFake(t)
			f.onInit = func(int) string { return "UnauthorizedException" }
			return subscribeErr(t, newClient(t, f.graphqlURL, auth, realtime.WithMaxAuthFailures(1)))
		}, false},
		{"start refused", func(t *testing.T) error {
			f, auth := newAPIKeyFake(t)
			f.onStart = func(int, startMsg) string { return "Unauthorized" }
			return subscribeErr(t, newClient(t, f.graphqlURL, auth))
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(t)
			var netErr *client.NetworkError
			if !tc.network {
				assert.False(t, errors.As(err, &netErr), "%T %v: an answer of the server is no network error", err, err)
				return
			}
			require.True(t, errors.As(err, &netErr), "%T %v: want a *client.NetworkError in the chain", err, err)
			require.NotNil(t, netErr.Err)
			var ce *realtime.ConnectionError
			if errors.As(err, &ce) {
				assert.Zero(t, ce.StatusCode)
				assert.IsType(t, &client.NetworkError{}, ce.Err, "ConnectionError.Err is the *client.NetworkError itself")
			}
		})
	}
}
