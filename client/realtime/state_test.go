package realtime_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
)

// Refused handshakes are retried after the reconnect backoff, whether the
// client reconnects on its own after a drop or a consumer calls Subscribe
// again each time it fails: the attempt rate is that of the backoff (full
// jitter, capped at Max), not of a tight loop.
func TestRefusedHandshakesBackOff(t *testing.T) {
	const (
		initial = 50 * time.Millisecond
		ceiling = 200 * time.Millisecond
		window  = time.Second
	)
	// Waits drawn from [0, 50 ms), [0, 100 ms), then [0, 200 ms): about 11
	// attempts in the window; 40 would take waits far below the mean every
	// time. A loop without backoff makes thousands.
	const most = 40
	backoff := realtime.WithBackoff(realtime.Backoff{Initial: initial, Max: ceiling})
	t.Run("reconnect after a drop", func(t *testing.T) {
		f, auth := newAPIKeyFake(t)
		f.handshake = func(n int) int {
			if n > 1 {
				return 503
			}
			return 0
		}
		c := newClient(t, f.graphqlURL, auth, backoff)
		subscribe(t, t.Context(), c, nil)
		f.drop(1)
		time.Sleep(window)
		n := f.count(kind("refused"))
		assert.LessOrEqual(t, n, most)
		assert.GreaterOrEqual(t, n, 2, "it does retry")
	})
	t.Run("Subscribe called again by the consumer", func(t *testing.T) {
		f, auth := newAPIKeyFake(t)
		f.handshake = func(int) int { return 503 }
		c := newClient(t, f.graphqlURL, auth, backoff)
		var failures int
		for deadline := time.Now().Add(window); time.Now().Before(deadline); {
			ctx, cancel := context.WithDeadline(t.Context(), deadline)
			_, err := c.Subscribe(ctx, &graphql.Request{Query: onCreate})
			cancel()
			var ce *realtime.ConnectionError
			if errors.As(err, &ce) {
				failures++
				assert.Equal(t, 503, ce.StatusCode)
			}
		}
		n := f.count(kind("refused"))
		assert.LessOrEqual(t, n, most)
		assert.GreaterOrEqual(t, failures, 2)
	})
}

// stateLog records the state changes a Client reports.
type stateLog struct {
	mu      sync.Mutex
	changes []realtime.StateChange
	changed chan struct{}
}

func newStateLog() *stateLog { return &stateLog{changed: make(chan struct{})} }

func (l *stateLog) record(sc realtime.StateChange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changes = append(l.changes, sc)
	close(l.changed)
	l.changed = make(chan struct{})
}

// await waits for a change to state and returns the changes until it.
func (l *stateLog) await(t *testing.T, state realtime.State) []realtime.StateChange {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		for i, sc := range l.changes {
			if sc.State == state {
				out := l.changes[:i+1]
				l.changes = l.changes[i+1:]
				l.mu.Unlock()
				return out
			}
		}
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("no state %s within %s", state, wait)
		}
	}
}

func states(changes []realtime.StateChange) []realtime.State {
	var out []realtime.State
	for _, sc := range changes {
		out = append(out, sc.State)
	}
	return out
}

// The connection's state is reported as it changes: connecting,
// connected, reconnecting (each attempt, with its number, the wait before
// it and why), connected again, idle when no subscription is left, failed
// when the reconnect policy gives up, closed. A consumer hears of refused
// reconnects while they happen, not only when (if ever) a gap or an end
// comes.
func TestConnectionState(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	var mu sync.Mutex
	refuse := map[int]int{3: 503, 4: 503} // connection number → HTTP status
	f.handshake = func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		return refuse[n]
	}
	log := newStateLog()
	c := newClient(t, f.graphqlURL, auth, realtime.WithStateFunc(log.record),
		realtime.WithBackoff(realtime.Backoff{Initial: time.Millisecond, Max: 10 * time.Millisecond, MaxAttempts: 3}))
	assert.Equal(t, realtime.StateIdle, c.State())

	ctx, cancel := context.WithCancel(t.Context())
	s := subscribe(t, ctx, c, nil)
	got := log.await(t, realtime.StateConnected)
	assert.Equal(t, []realtime.State{realtime.StateConnecting, realtime.StateConnected}, states(got))
	assert.Equal(t, 1, got[0].Attempt)
	assert.Equal(t, realtime.StateConnected, c.State())

	// Connection 2 is lost; 3 and 4 are refused; 5 is accepted.
	f.drop(1) // the fake numbers every handshake, refused or not
	f.await("the restart on connection 2", kindOn("start", 2))
	f.drop(2)
	got = log.await(t, realtime.StateConnected)
	got = append(got, log.await(t, realtime.StateConnected)...)
	assert.Equal(t, []realtime.State{
		realtime.StateReconnecting, realtime.StateConnected, // 1 lost, 2 up
		realtime.StateReconnecting, realtime.StateReconnecting, realtime.StateReconnecting, realtime.StateConnected, // 2 lost, 3 and 4 refused, 5 up
	}, states(got))
	assert.Equal(t, 1, got[0].Attempt)
	require.Error(t, got[0].Err, "why the connection was lost")
	for i, sc := range got[2:5] {
		assert.Equal(t, i+1, sc.Attempt, "attempts in a row")
		assert.GreaterOrEqual(t, sc.Wait, time.Duration(0))
		assert.LessOrEqual(t, sc.Wait, 10*time.Millisecond, "within the backoff's cap")
		assert.False(t, sc.At.IsZero())
	}
	var ce *realtime.ConnectionError
	require.ErrorAs(t, got[3].Err, &ce, "why the last attempt failed")
	assert.Equal(t, 503, ce.StatusCode)
	nextGap(t, s)

	cancel()
	log.await(t, realtime.StateIdle)
	assert.Equal(t, realtime.StateIdle, c.State())

	// Connection 6, then every attempt refused: the policy gives up after 3.
	s = subscribe(t, t.Context(), c, nil)
	log.await(t, realtime.StateConnected)
	mu.Lock()
	for n := 7; n < 20; n++ {
		refuse[n] = 503
	}
	mu.Unlock()
	f.drop(6)
	got = log.await(t, realtime.StateFailed)
	failed := got[len(got)-1]
	assert.Equal(t, 3, failed.Attempt)
	require.ErrorAs(t, failed.Err, &ce)
	assert.Equal(t, 3, ce.Attempts)
	_, err := next(t, s)
	assert.ErrorAs(t, err, &ce, "the subscriptions ended with the same error")
	assert.Equal(t, realtime.StateFailed, c.State(), "failed until something else happens")

	// Subscribing again after the give-up is a reconnect: after the
	// backoff, counting afresh, because of the failure.
	_, err = c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
	require.ErrorAs(t, err, &ce)
	got = log.await(t, realtime.StateReconnecting)
	again := got[len(got)-1]
	assert.Equal(t, 1, again.Attempt)
	require.ErrorAs(t, again.Err, &ce)
	assert.Equal(t, 3, ce.Attempts, "the cause is the give-up")

	require.NoError(t, c.Close())
	log.await(t, realtime.StateClosed)
	assert.Equal(t, realtime.StateClosed, c.State())
}

// The state function never holds up the connection: one that blocks
// delays only the reports (which then arrive in order, the oldest dropped
// past a bound), and one may call Close.
func TestStateFuncDoesNotBlock(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	release := make(chan struct{})
	log := newStateLog()
	var once sync.Once
	c := newClient(t, f.graphqlURL, auth, realtime.WithStateFunc(func(sc realtime.StateChange) {
		once.Do(func() { <-release })
		log.record(sc)
	}))
	s := subscribe(t, t.Context(), c, nil)
	for n := 1; n <= 3; n++ {
		f.drop(n)
		f.await("the next connection", kindOn("start", n+1))
		nextGap(t, s)
	}
	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"n": 1}))
	nextData(t, s)
	assert.Equal(t, realtime.StateConnected, c.State(), "State is current while the reports wait")
	close(release)
	got := log.await(t, realtime.StateConnected)
	assert.Equal(t, realtime.StateConnecting, got[0].State, "in order, the first first")
	for range 3 {
		got = log.await(t, realtime.StateConnected)
		assert.Equal(t, []realtime.State{realtime.StateReconnecting, realtime.StateConnected}, states(got))
	}

	// Close from the state function.
	f2, auth2 := newAPIKeyFake(t)
	closed := make(chan error, 1)
	var c2 *realtime.Client
	c2 = newClient(t, f2.graphqlURL, auth2, realtime.WithStateFunc(func(sc realtime.StateChange) {
		if sc.State == realtime.StateConnected {
			closed <- c2.Close()
		}
	}))
	_, _ = c2.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
	select {
	case err := <-closed:
		assert.NoError(t, err)
	case <-time.After(wait):
		t.Fatal("Close from the state function did not return")
	}
	assert.Equal(t, realtime.StateClosed, c2.State())
}

// A Session (the realtime side of a generated client) reports the state
// of its connection: idle before the first subscription and after Close.
func TestSessionState(t *testing.T) {
	f, _ := newAPIKeyFake(t)
	gql, err := client.New(client.Endpoint{URL: f.graphqlURL, Region: "us-east-1", APIKey: testAPIKey, DefaultAuthMode: client.AuthAPIKey})
	require.NoError(t, err)
	log := newStateLog()
	s := realtime.NewSession(gql, fast, realtime.WithStateFunc(log.record))
	assert.Equal(t, realtime.StateIdle, s.State())
	_, err = s.Subscribe(t.Context(), "OnCreateTodo", onCreate, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, realtime.StateConnected, s.State())
	log.await(t, realtime.StateConnected)
	require.NoError(t, s.Close())
	log.await(t, realtime.StateClosed)
	assert.Equal(t, realtime.StateIdle, s.State(), "a closed session subscribes again on a new Client")
}
