package realtime_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/client/realtime/internal/todogen"
	"github.com/go-amplify/data/internal/sigv4verify"
)

var (
	credsA = aws.Credentials{AccessKeyID: "AKIDREALTIMEA", SecretAccessKey: "realtime-secret-a/K7MDENG+bPxRfiCY", SessionToken: "FQoGZXIvYXdzEXAMPLEREALTIMESESSIONA", Source: "test"}
	credsB = aws.Credentials{AccessKeyID: "AKIDREALTIMEB", SecretAccessKey: "realtime-secret-b/K7MDENG+bPxRfiCY", Source: "test"}
)

func newIAMFake(t *testing.T) *fakeAppSync {
	f := newFakeAppSync(t, "iam")
	f.verifier = &sigv4verify.Verifier{
		Credentials: map[string]string{credsA.AccessKeyID: credsA.SecretAccessKey, credsB.AccessKeyID: credsB.SecretAccessKey},
		Service:     "appsync", Region: "us-east-1",
	}
	return f
}

func newAPIKeyFake(t *testing.T) (*fakeAppSync, realtime.Authorizer) {
	f := newFakeAppSync(t, "apiKey")
	f.apiKey = testAPIKey
	return f, &realtime.APIKey{URL: f.graphqlURL, Key: testAPIKey}
}

// The whole exchange with an API key: the connection, one start, an event,
// and the stop and close that cancelling the subscription's context sends.
func TestProtocolAPIKey(t *testing.T) {
	for _, tc := range []struct {
		name         string
		simulatorAck bool
		subprotocol  bool
	}{
		{name: "AppSync ack"},
		{name: "simulator ack (connectionTimeout)", simulatorAck: true},
		{name: "header subprotocol", subprotocol: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, auth := newAPIKeyFake(t)
			f.simulatorAck = tc.simulatorAck
			c := newClient(t, f.graphqlURL, auth, realtime.WithHeaderSubprotocol(tc.subprotocol))
			assert.Equal(t, "ws"+strings.TrimPrefix(f.graphqlURL, "http"), c.URL())

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := subscribe(t, ctx, c, map[string]any{"owner": "alice"})
			st := f.await("start", kind("start"))
			assert.Equal(t, s.ID(), st.ID)
			assert.Equal(t, onCreate, st.Query)
			assert.Equal(t, map[string]any{"owner": "alice"}, st.Vars)
			assert.Len(t, strings.Split(s.ID(), "-"), 5, "ids are UUIDs")

			require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"id": "t1", "content": "milk"}))
			assert.JSONEq(t, `{"onCreateTodo":{"id":"t1","content":"milk"}}`, nextData(t, s))

			cancel()
			stop := f.await("stop", kind("stop"))
			assert.Equal(t, s.ID(), stop.ID)
			closed := f.await("close", kind("closed"))
			assert.Equal(t, websocket.StatusNormalClosure, closed.Status, "the last subscription's end closes the socket normally")
			_, err := next(t, s)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 1, f.count(kind("connect")))
		})
	}
}

// Tokens are asked of the TokenSource for every connect and every start;
// each token is accepted only until the next is issued, so a reused token
// would be refused.
func TestTokenFetchedFreshForEveryConnectAndStart(t *testing.T) {
	f := newFakeAppSync(t, "token")
	tokens := &countingTokens{issue: func(tok string) { f.addToken(tok) }}
	c := newClient(t, f.graphqlURL, &realtime.Token{URL: f.graphqlURL, Source: tokens})

	ctx := t.Context()
	s1 := subscribe(t, ctx, c, nil)
	s2 := subscribe(t, ctx, c, nil)
	connects := f.awaitN("connect", 1, kind("connect"))
	starts := f.awaitN("starts", 2, kind("start"))
	seen := map[string]bool{connects[0].Token: true}
	for _, st := range starts {
		seen[st.Token] = true
	}
	assert.Len(t, seen, 3, "one token for the connect, one per start: %v", seen)

	f.drop(1)
	f.awaitN("starts on the new connection", 2, kindOn("start", 2))
	nextGap(t, s1)
	nextGap(t, s2)
	for _, ev := range f.events() {
		if ev.Conn == 2 && (ev.Kind == "connect" || ev.Kind == "start") {
			assert.False(t, seen[ev.Token], "token %s reused after the reconnect", ev.Token)
			seen[ev.Token] = true
		}
	}
	assert.Len(t, seen, 6)
	assert.Equal(t, int64(6), tokens.n.Load())
}

// IAM: the connect header signs POST <url>/connect over {}, each start
// signs POST <url> over its exact data string; the fake re-derives both
// with an independent verifier. Credentials are retrieved for every
// message, so rotated credentials sign the reconnect and the
// re-subscriptions; without a session token no X-Amz-Security-Token is
// sent (the fake refuses an empty one and checks the signed list).
func TestIAMSignaturesAndCredentialRotation(t *testing.T) {
	f := newIAMFake(t)
	creds := &rotatingCredentials{}
	creds.set(credsA)
	c := newClient(t, f.graphqlURL, &realtime.IAM{URL: f.graphqlURL, Region: "us-east-1", Credentials: creds})

	s := subscribe(t, t.Context(), c, map[string]any{"owner": "o"})
	s2 := subscribe(t, t.Context(), c, nil)
	assert.Equal(t, credsA.AccessKeyID, f.await("connect", kind("connect")).AKID)
	for _, st := range f.awaitN("starts", 2, kind("start")) {
		assert.Equal(t, credsA.AccessKeyID, st.AKID)
	}
	require.Equal(t, 2, f.publish(nil, "onCreateTodo", map[string]any{"id": "1"}))
	nextData(t, s)
	nextData(t, s2)

	creds.set(credsB)
	f.drop(1)
	assert.Equal(t, credsB.AccessKeyID, f.await("reconnect", kindOn("connect", 2)).AKID)
	for _, st := range f.awaitN("starts on the new connection", 2, kindOn("start", 2)) {
		assert.Equal(t, credsB.AccessKeyID, st.AKID, "re-subscription signed with the rotated credentials")
	}
	gap := nextGap(t, s)
	assert.Equal(t, 1, gap.Reconnects)
	nextGap(t, s2)
	require.Equal(t, 2, f.publish(nil, "onCreateTodo", map[string]any{"id": "2"}))
	assert.JSONEq(t, `{"onCreateTodo":{"id":"2"}}`, nextData(t, s))
	assert.GreaterOrEqual(t, creds.retrieved.Load(), int64(6), "credentials retrieved for each connect and start")
}

// A socket dropped mid-stream: the client reconnects, starts every
// subscription again under the same id, and each consumer gets a gap before
// the events that follow, never silence.
func TestDroppedSocketReconnectsAndSignalsGap(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	c := newClient(t, f.graphqlURL, auth)
	a := subscribe(t, t.Context(), c, map[string]any{"owner": "a"})
	b := subscribe(t, t.Context(), c, map[string]any{"owner": "b"})
	require.Equal(t, 2, f.publish(nil, "onCreateTodo", map[string]any{"n": 1}))
	assert.JSONEq(t, `{"onCreateTodo":{"n":1}}`, nextData(t, a))
	assert.JSONEq(t, `{"onCreateTodo":{"n":1}}`, nextData(t, b))

	for round := 2; round <= 3; round++ {
		f.drop(round - 1)
		restarted := f.awaitN("re-subscriptions", 2, kindOn("start", round))
		ids := []string{restarted[0].ID, restarted[1].ID}
		assert.ElementsMatch(t, []string{a.ID(), b.ID()}, ids, "the same ids are started again")
		for _, s := range []*realtime.Subscription{a, b} {
			gap := nextGap(t, s)
			assert.Equal(t, 1, gap.Reconnects)
			assert.Zero(t, gap.Dropped)
			require.Error(t, gap.Cause)
		}
		require.Equal(t, 2, f.publish(nil, "onCreateTodo", map[string]any{"n": round}))
		assert.JSONEq(t, fmt.Sprintf(`{"onCreateTodo":{"n":%d}}`, round), nextData(t, a))
		assert.JSONEq(t, fmt.Sprintf(`{"onCreateTodo":{"n":%d}}`, round), nextData(t, b))
	}
	assert.Equal(t, 3, f.count(kind("connect")))
}

// No message within connection_ack's timeout: the connection is dead, the
// client reconnects and reports the gap with ErrKeepAliveTimeout as cause.
// The simulator's connectionTimeout is read too.
func TestKeepAliveWatchdog(t *testing.T) {
	for _, simulatorAck := range []bool{false, true} {
		t.Run(fmt.Sprintf("simulatorAck=%v", simulatorAck), func(t *testing.T) {
			f, auth := newAPIKeyFake(t)
			f.ackTimeout = 300 // ms, and no ka at all
			f.simulatorAck = simulatorAck
			c := newClient(t, f.graphqlURL, auth, realtime.WithServerKeepAliveRange(time.Millisecond, time.Hour))
			s := subscribe(t, t.Context(), c, nil)
			f.await("a second connection", kindOn("start", 2))
			gap := nextGap(t, s)
			assert.ErrorIs(t, gap.Cause, realtime.ErrKeepAliveTimeout)
			assert.ErrorIs(t, gap, realtime.ErrKeepAliveTimeout)
		})
	}
}

// Keep-alives well within the timeout keep the connection: after many of
// them, there is still one connection.
func TestKeepAlivesKeepTheConnection(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	f.ackTimeout = 3000
	f.keepAlive = 20 * time.Millisecond
	c := newClient(t, f.graphqlURL, auth, realtime.WithServerKeepAliveRange(time.Millisecond, time.Hour))
	s := subscribe(t, t.Context(), c, nil)
	f.awaitN("keep-alives", 40, kind("ka")) // 800 ms of them, past a quarter of the timeout several times
	assert.Equal(t, 1, f.count(kind("connect")))
	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"n": 1}))
	nextData(t, s) // no gap before it
}

// connection_error and a refused handshake fail the Subscribe that waited
// for the connection, with the server's errors.
func TestConnectionRefused(t *testing.T) {
	t.Run("connection_error", func(t *testing.T) {
		f, auth := newAPIKeyFake(t)
		f.onInit = func(int) string { return "UnauthorizedException" }
		c := newClient(t, f.graphqlURL, auth)
		_, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
		var ce *realtime.ConnectionError
		require.ErrorAs(t, err, &ce)
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.True(t, gqlErrs.HasType("UnauthorizedException"))
		assert.Contains(t, err.Error(), "connection_error")
	})
	t.Run("HTTP 401", func(t *testing.T) {
		f := newFakeAppSync(t, "apiKey")
		f.apiKey = "da2-the-right-key-xxxxxxxx"
		c := newClient(t, f.graphqlURL, &realtime.APIKey{URL: f.graphqlURL, Key: testAPIKey})
		_, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
		var ce *realtime.ConnectionError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 401, ce.StatusCode)
		assert.True(t, ce.Errors.HasType("UnauthorizedException"))
		assert.NotContains(t, err.Error(), testAPIKey)
	})
	t.Run("nothing listening", func(t *testing.T) {
		f, auth := newAPIKeyFake(t)
		f.srv.Close()
		c := newClient(t, f.graphqlURL, auth)
		_, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
		var ce *realtime.ConnectionError
		require.ErrorAs(t, err, &ce)
	})
}

// After a drop, refused reconnects end the subscriptions once the policy
// gives up: MaxAuthFailures unauthorized attempts, or MaxAttempts failed
// ones. No attempt follows.
func TestReconnectGivesUp(t *testing.T) {
	t.Run("unauthorized", func(t *testing.T) {
		f, auth := newAPIKeyFake(t)
		f.handshake = func(n int) int {
			if n > 1 {
				return 401
			}
			return 0
		}
		c := newClient(t, f.graphqlURL, auth, realtime.WithMaxAuthFailures(3))
		s := subscribe(t, t.Context(), c, nil)
		f.drop(1)
		_, err := next(t, s)
		var ce *realtime.ConnectionError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 3, ce.Attempts)
		assert.Equal(t, 401, ce.StatusCode)
		assert.Equal(t, 3, f.count(kind("refused")))
		_, err = next(t, s)
		require.ErrorAs(t, err, &ce, "the end is final")
	})
	t.Run("max attempts", func(t *testing.T) {
		f, auth := newAPIKeyFake(t)
		f.handshake = func(n int) int {
			if n > 1 {
				return 503
			}
			return 0
		}
		c := newClient(t, f.graphqlURL, auth, realtime.WithBackoff(realtime.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, MaxAttempts: 4}))
		s := subscribe(t, t.Context(), c, nil)
		f.drop(1)
		var seen []error
		for ev, err := range s.Events() {
			require.Nil(t, ev.Data)
			seen = append(seen, err)
		}
		require.Len(t, seen, 1, "no gap is reported without a new start_ack")
		var ce *realtime.ConnectionError
		require.ErrorAs(t, seen[0], &ce)
		assert.Equal(t, 4, ce.Attempts)
		assert.Equal(t, 503, ce.StatusCode)
		assert.Equal(t, 4, f.count(kind("refused")))
	})
}

// A start the server refuses ends that subscription with a typed error, is
// not started again after a reconnect, and leaves the others alone; a
// subscription refused when it is started again after a reconnect ends
// the same way.
func TestStartErrors(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	var mu sync.Mutex
	refuse := map[string]bool{"forbidden": true}
	f.onStart = func(_ int, st startMsg) string {
		mu.Lock()
		defer mu.Unlock()
		if owner, _ := st.Vars["owner"].(string); refuse[owner] {
			return "Unauthorized"
		}
		return ""
	}
	c := newClient(t, f.graphqlURL, auth)
	ok := subscribe(t, t.Context(), c, map[string]any{"owner": "fine"})
	later := subscribe(t, t.Context(), c, map[string]any{"owner": "later"})

	_, err := c.Subscribe(t.Context(), &graphql.Request{OpName: "OnCreateTodo", Query: onCreate, Variables: map[string]any{"owner": "forbidden"}})
	var se *realtime.SubscriptionError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.HasType("Unauthorized"))
	assert.Equal(t, "OnCreateTodo", se.Operation)
	var gqlErrs client.GraphQLErrors
	require.ErrorAs(t, err, &gqlErrs)
	assert.Equal(t, "Not Authorized to access onCreateTodo on type Subscription", gqlErrs[0].Message)

	mu.Lock()
	refuse["later"] = true
	mu.Unlock()
	f.drop(1)
	f.await("the restart of the fine one", func(ev srvEvent) bool { return ev.Kind == "start" && ev.Conn == 2 && ev.ID == ok.ID() })
	nextGap(t, ok)
	_, err = next(t, later)
	require.ErrorAs(t, err, &se, "refused when started again: ended, no gap first")
	assert.True(t, se.HasType("Unauthorized"))

	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"n": 2}))
	nextData(t, ok)
	assert.Equal(t, 1, f.count(func(ev srvEvent) bool { return ev.Kind == "start-error" && ev.Vars["owner"] == "forbidden" }), "never retried")
	assert.Equal(t, 1, f.count(func(ev srvEvent) bool { return ev.Kind == "start-error" && ev.Vars["owner"] == "later" }))
}

// An error or a complete the client did not ask for ends the
// subscription; an event with errors does not.
func TestServerEndsSubscription(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	c := newClient(t, f.graphqlURL, auth)
	a := subscribe(t, t.Context(), c, nil)
	b := subscribe(t, t.Context(), c, nil)
	keep := subscribe(t, t.Context(), c, nil)

	f.sendTo(1, map[string]any{"type": "data", "id": keep.ID(), "payload": map[string]any{
		"data":   map[string]any{"onCreateTodo": map[string]any{"id": "x", "content": nil}},
		"errors": []map[string]any{{"errorType": "Lambda:Unhandled", "message": "content resolver failed", "path": []any{"onCreateTodo", "content"}}},
	}})
	ev, err := next(t, keep)
	require.NoError(t, err)
	require.Len(t, ev.Errors, 1)
	assert.Equal(t, "Lambda:Unhandled", ev.Errors[0].ErrorType)

	f.sendTo(1, map[string]any{"type": "error", "id": a.ID(), "payload": map[string]any{"errors": []map[string]any{{"errorType": "MaxSubscriptionsReachedError", "message": "too many"}}}})
	_, err = next(t, a)
	var se *realtime.SubscriptionError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.HasType("MaxSubscriptionsReachedError"))

	f.sendTo(1, map[string]any{"type": "complete", "id": b.ID()})
	_, err = next(t, b)
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Error(), "completed")

	require.Equal(t, 3, f.publish(nil, "onCreateTodo", map[string]any{"id": "y"}), "the fake still has them (it was not told)")
	nextData(t, keep)
	assert.Zero(t, f.count(kind("stop")), "no stop for subscriptions the server ended")
}

// A start_ack that never comes fails the Subscribe with ErrStartTimeout and
// sends a stop for it.
func TestStartTimeout(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	f.onStart = func(_ int, st startMsg) string {
		if st.Vars["owner"] == "silent" {
			return "ignore"
		}
		return ""
	}
	c := newClient(t, f.graphqlURL, auth, realtime.WithStartTimeout(200*time.Millisecond))
	_, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate, Variables: map[string]any{"owner": "silent"}})
	assert.ErrorIs(t, err, realtime.ErrStartTimeout)
	var se *realtime.SubscriptionError
	assert.ErrorAs(t, err, &se)
}

// A consumer that does not read does not hold up the others on the socket:
// its buffer fills, further events are dropped and counted in a gap that
// comes where they would have been, and events flow again once it reads.
func TestSlowConsumer(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	c := newClient(t, f.graphqlURL, auth, realtime.WithBufferSize(4))
	slow := subscribe(t, t.Context(), c, map[string]any{"owner": "slow"})
	fast := subscribe(t, t.Context(), c, map[string]any{"owner": "fast"})

	// Each event goes to slow, then to fast; fast takes each as it comes
	// (so its own buffer never fills), slow takes none.
	owner := func(o string) func(startMsg) bool { return func(st startMsg) bool { return st.Vars["owner"] == o } }
	for i := range 20 {
		require.Equal(t, 1, f.publish(owner("slow"), "onCreateTodo", map[string]any{"n": i}))
		require.Equal(t, 1, f.publish(owner("fast"), "onCreateTodo", map[string]any{"n": i}))
		assert.JSONEq(t, fmt.Sprintf(`{"onCreateTodo":{"n":%d}}`, i), nextData(t, fast))
	}
	// Every message for slow came before fast's last one on the socket,
	// so slow's buffer has its first 4 events, then the gap.
	for i := range 4 {
		assert.JSONEq(t, fmt.Sprintf(`{"onCreateTodo":{"n":%d}}`, i), nextData(t, slow))
	}
	gap := nextGap(t, slow)
	assert.Equal(t, 16, gap.Dropped)
	assert.Zero(t, gap.Reconnects)
	require.Equal(t, 2, f.publish(nil, "onCreateTodo", map[string]any{"n": 20}))
	assert.JSONEq(t, `{"onCreateTodo":{"n":20}}`, nextData(t, slow))
	assert.JSONEq(t, `{"onCreateTodo":{"n":20}}`, nextData(t, fast))
	assert.Equal(t, 1, f.count(kind("connect")))
}

// Many subscriptions made concurrently share one socket, each with its own
// id and stream; cancelling them all stops each and closes the socket.
func TestManySubscriptionsShareOneSocket(t *testing.T) {
	const n = 40
	f, auth := newAPIKeyFake(t)
	c := newClient(t, f.graphqlURL, auth)
	subs := make([]*realtime.Subscription, n)
	cancels := make([]context.CancelFunc, n)
	var wg sync.WaitGroup
	for i := range n {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		wg.Go(func() {
			s, err := c.Subscribe(ctx, &graphql.Request{Query: onCreate, Variables: map[string]any{"owner": fmt.Sprint(i)}})
			assert.NoError(t, err)
			subs[i] = s
		})
	}
	wg.Wait()
	require.False(t, t.Failed())
	assert.Equal(t, 1, f.count(kind("connect")))
	ids := map[string]bool{}
	for _, ev := range f.awaitN("starts", n, kind("start")) {
		ids[ev.ID] = true
	}
	assert.Len(t, ids, n, "distinct ids")

	for round := range 3 {
		for i := range n {
			owner := fmt.Sprint(i)
			require.Equal(t, 1, f.publish(func(st startMsg) bool { return st.Vars["owner"] == owner }, "onCreateTodo", map[string]any{"owner": owner, "round": round}))
		}
	}
	for i, s := range subs {
		wg.Go(func() {
			for round := range 3 {
				ev, err := next(t, s)
				if assert.NoError(t, err) {
					assert.JSONEq(t, fmt.Sprintf(`{"onCreateTodo":{"owner":"%d","round":%d}}`, i, round), string(ev.Data))
				}
			}
		})
	}
	wg.Wait()

	for _, cancel := range cancels {
		wg.Go(cancel)
	}
	wg.Wait()
	f.awaitN("stops", n, kind("stop"))
	closed := f.await("close", kind("closed"))
	assert.Equal(t, websocket.StatusNormalClosure, closed.Status)
}

// Ending subscriptions one by one: the socket stays while one is left and
// closes with the last; the next Subscribe opens a new one. Client.Close
// ends every subscription without error.
func TestCancellationAndClose(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	c := newClient(t, f.graphqlURL, auth)
	ctxA, cancelA := context.WithCancel(context.Background())
	a := subscribe(t, ctxA, c, nil)
	b := subscribe(t, t.Context(), c, nil)
	cancelA()
	assert.Equal(t, a.ID(), f.await("stop", kind("stop")).ID)
	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"n": 1}))
	nextData(t, b)
	assert.Zero(t, f.count(kind("closed")))

	b.Close()
	b.Close()
	assert.Equal(t, b.ID(), f.awaitN("stops", 2, kind("stop"))[1].ID)
	assert.Equal(t, websocket.StatusNormalClosure, f.await("close", kind("closed")).Status)
	_, err := b.Next(t.Context())
	assert.ErrorIs(t, err, realtime.ErrClosed)

	d := subscribe(t, t.Context(), c, nil)
	e := subscribe(t, t.Context(), c, nil)
	f.await("a second connection", kindOn("start", 2))
	assert.Equal(t, 2, f.count(kind("connect")))
	done := make(chan []error)
	go func() {
		var errs []error
		for _, err := range d.Events() {
			errs = append(errs, err)
		}
		done <- errs
	}()
	require.NoError(t, c.Close())
	assert.Equal(t, websocket.StatusNormalClosure, f.await("close", kindOn("closed", 2)).Status)
	select {
	case errs := <-done:
		assert.Empty(t, errs, "Close ends the iteration without an error")
	case <-time.After(wait):
		t.Fatal("Events did not end after Close")
	}
	_, err = e.Next(t.Context())
	assert.ErrorIs(t, err, realtime.ErrClosed)
	_, err = c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
	assert.ErrorIs(t, err, realtime.ErrClosed)
	f.awaitN("stops", 4, kind("stop"))
}

// Values decodes each event; an event with errors comes with an
// *EventError that does not end the iteration.
func TestValues(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	c := newClient(t, f.graphqlURL, auth)
	ctx, cancel := context.WithCancel(context.Background())
	s := subscribe(t, ctx, c, nil)
	type todo struct {
		ID      string  `json:"id"`
		Content *string `json:"content"`
	}
	type resp struct {
		OnCreateTodo *todo `json:"onCreateTodo"`
	}
	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"id": "1", "content": "milk"}))
	f.sendTo(1, map[string]any{"type": "data", "id": s.ID(), "payload": map[string]any{
		"data":   map[string]any{"onCreateTodo": map[string]any{"id": "2", "content": nil}},
		"errors": []map[string]any{{"errorType": "Lambda:Unhandled", "message": "boom"}},
	}})
	f.sendTo(1, map[string]any{"type": "data", "id": s.ID(), "payload": map[string]any{"data": map[string]any{"onCreateTodo": "not an object"}}})
	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"id": "4"}))

	var got []string
	var evErrs []*realtime.EventError
	for v, err := range realtime.Values[resp](s) {
		var ee *realtime.EventError
		if errors.As(err, &ee) {
			evErrs = append(evErrs, ee)
		} else {
			require.NoError(t, err)
		}
		if v.OnCreateTodo != nil {
			got = append(got, v.OnCreateTodo.ID)
		}
		if len(got) == 3 {
			break
		}
	}
	assert.Equal(t, []string{"1", "2", "4"}, got)
	require.Len(t, evErrs, 2)
	assert.True(t, evErrs[0].Errors.HasType("Lambda:Unhandled"))
	assert.Error(t, evErrs[1].Err)
	cancel()
	for _, err := range s.Events() {
		assert.ErrorIs(t, err, context.Canceled)
	}
}

// Keys, tokens, session tokens, signatures and the encoded header never
// appear in errors or logs, whatever fails.
func TestSecretsNeverAppear(t *testing.T) {
	logs := &logBuffer{}
	var errs []string
	secrets := []string{testAPIKey, credsA.SecretAccessKey, credsA.SessionToken, "eyJ.tok-"}

	// A refused handshake, a dead server (the dial error names the URL
	// with its header parameter), a refused start, a lost connection.
	f := newFakeAppSync(t, "apiKey")
	f.apiKey = "da2-another-key-xxxxxxxxxxxxx"
	c := newClient(t, f.graphqlURL, &realtime.APIKey{URL: f.graphqlURL, Key: testAPIKey}, realtime.WithLogger(logs.logger()))
	_, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
	require.Error(t, err)
	errs = append(errs, err.Error())
	f.srv.Close()
	_, err = c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
	require.Error(t, err)
	errs = append(errs, err.Error())

	fi := newIAMFake(t)
	creds := &rotatingCredentials{}
	creds.set(credsA)
	fi.onStart = func(_ int, st startMsg) string {
		if st.Vars["owner"] == "no" {
			return "Unauthorized"
		}
		return ""
	}
	ci := newClient(t, fi.graphqlURL, &realtime.IAM{URL: fi.graphqlURL, Region: "us-east-1", Credentials: creds}, realtime.WithLogger(logs.logger()))
	s := subscribe(t, t.Context(), ci, nil)
	_, err = ci.Subscribe(t.Context(), &graphql.Request{Query: onCreate, Variables: map[string]any{"owner": "no"}})
	require.Error(t, err)
	errs = append(errs, err.Error())
	fi.drop(1)
	gap := nextGap(t, s)
	errs = append(errs, gap.Error())
	fi.srv.Close()
	fi.dropAll()

	ft := newFakeAppSync(t, "token")
	tokens := &countingTokens{} // the fake knows none: every token is refused
	ct := newClient(t, ft.graphqlURL, &realtime.Token{URL: ft.graphqlURL, Source: tokens}, realtime.WithLogger(logs.logger()))
	_, err = ct.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
	require.Error(t, err)
	errs = append(errs, err.Error())

	var sigs []string
	for _, ev := range fi.events() {
		if ev.Sig != "" {
			sigs = append(sigs, ev.Sig)
		}
	}
	require.NotEmpty(t, sigs)
	text := strings.Join(errs, "\n") + "\n" + logs.String()
	for _, sec := range append(secrets, sigs...) {
		assert.NotContains(t, text, sec)
	}
	// The encoded connection headers (base64 and base64url of their JSON
	// start with the encoding of {"host":... or {"Authorization":...).
	for _, prefix := range []string{`{"host"`, `{"Authorization"`, `{"X-Amz-Security-Token"`, `{"accept"`} {
		assert.NotContains(t, text, base64.StdEncoding.EncodeToString([]byte(prefix))[:8])
		assert.NotContains(t, text, base64.RawURLEncoding.EncodeToString([]byte(prefix))[:8])
	}
	assert.NotContains(t, text, "Signature=")
	assert.Contains(t, text, "[REDACTED]", "the errors did name the URL, redacted")
	t.Logf("errors:\n%s", strings.Join(errs, "\n"))
}

// The start's data is the JSON string of {query, variables}, variables {}
// when the request has none, and the IAM signature covers exactly it.
func TestStartData(t *testing.T) {
	f := newIAMFake(t)
	creds := &rotatingCredentials{}
	creds.set(credsB) // no session token
	c := newClient(t, f.graphqlURL, &realtime.IAM{URL: f.graphqlURL, Region: "us-east-1", Credentials: creds})
	subscribe(t, t.Context(), c, nil)
	st := f.await("start", kind("start"))
	assert.Equal(t, map[string]any{}, st.Vars)
}

// A connection_error on a live connection is a lost connection: reconnect,
// start again, gap.
func TestConnectionErrorMidStream(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	c := newClient(t, f.graphqlURL, auth)
	s := subscribe(t, t.Context(), c, nil)
	f.sendTo(1, map[string]any{"type": "connection_error", "payload": map[string]any{"errors": []map[string]any{{"errorType": "InternalFailure", "message": "oops", "errorCode": 500}}}})
	f.await("restart", kindOn("start", 2))
	gap := nextGap(t, s)
	var ce *realtime.ConnectionError
	require.ErrorAs(t, gap.Cause, &ce)
	assert.True(t, ce.Errors.HasType("InternalFailure"))
}

// Subscriptions of another auth mode share the socket: their starts carry
// their own Authorizer's headers.
func TestStartAuthorizer(t *testing.T) {
	f := newFakeAppSync(t, "token")
	f.addToken("eyJ.connection.sig")
	f.addToken("eyJ.admin.sig")
	c := newClient(t, f.graphqlURL, &realtime.Token{URL: f.graphqlURL, Source: client.StaticToken("eyJ.connection.sig")})
	_, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate},
		realtime.WithStartAuthorizer(&realtime.Token{URL: f.graphqlURL, Source: client.StaticToken("eyJ.admin.sig")}))
	require.NoError(t, err)
	subscribe(t, t.Context(), c, nil)
	assert.Equal(t, "eyJ.connection.sig", f.await("connect", kind("connect")).Token)
	starts := f.awaitN("starts", 2, kind("start"))
	assert.Equal(t, "eyJ.admin.sig", starts[0].Token)
	assert.Equal(t, "eyJ.connection.sig", starts[1].Token)
}

// A connection_ack without a timeout: WithKeepAliveTimeout decides.
func TestKeepAliveTimeoutOption(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	f.ackTimeout = 0
	c := newClient(t, f.graphqlURL, auth, realtime.WithKeepAliveTimeout(300*time.Millisecond))
	s := subscribe(t, t.Context(), c, nil)
	f.await("a second connection", kindOn("start", 2))
	assert.ErrorIs(t, nextGap(t, s), realtime.ErrKeepAliveTimeout)
}

// failingAfter is a TokenSource that fails from its nth call on.
type failingAfter struct {
	calls atomic.Int64
	n     int64
	tok   string
}

func (f *failingAfter) Token(context.Context) (string, error) {
	if f.calls.Add(1) >= f.n {
		return "", errors.New("token endpoint unavailable")
	}
	return f.tok, nil
}

// A start Authorizer that fails when a subscription is started again drops
// the connection and is retried (after backoff) a bounded number of times,
// then that subscription ends with the error; the others go on.
func TestStartAuthorizerFailsOnRestart(t *testing.T) {
	f := newFakeAppSync(t, "token")
	f.addToken("eyJ.good.sig")
	c := newClient(t, f.graphqlURL, &realtime.Token{URL: f.graphqlURL, Source: client.StaticToken("eyJ.good.sig")})
	flaky := &failingAfter{n: 2, tok: "eyJ.good.sig"}
	s, err := c.Subscribe(t.Context(), &graphql.Request{Query: onCreate}, realtime.WithStartAuthorizer(&realtime.Token{URL: f.graphqlURL, Source: flaky}))
	require.NoError(t, err)
	other := subscribe(t, t.Context(), c, nil)
	f.drop(1)
	_, err = next(t, s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "token endpoint unavailable")
	assert.NotErrorIs(t, err, realtime.ErrGap)
	assert.Equal(t, int64(4), flaky.calls.Load(), "the first start, then 3 failed restarts")
	f.await("other started on the fourth connection", func(ev srvEvent) bool {
		return ev.Kind == "start" && ev.Conn == 4 && ev.ID == other.ID()
	})
	require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"n": 1}))
	reconnects := 0
	for {
		ev, err := next(t, other)
		var gap *realtime.GapError
		if errors.As(err, &gap) {
			reconnects += gap.Reconnects
			continue
		}
		require.NoError(t, err)
		assert.JSONEq(t, `{"onCreateTodo":{"n":1}}`, string(ev.Data))
		break
	}
	assert.Equal(t, 3, reconnects, "the gaps before the event count the 3 dropped connections")
	assert.Equal(t, 4, f.count(kind("connect")))
}

// After Close, no goroutine of the client is left: a service that
// subscribes and unsubscribes for months does not accumulate them.
func TestNoGoroutineLeft(t *testing.T) {
	f, auth := newAPIKeyFake(t)
	c, err := realtime.New(f.graphqlURL, auth, fast, realtime.WithStartTimeout(time.Second))
	require.NoError(t, err)
	ws := realtime.NewGenqlientClient(c)
	_, err = ws.Start(t.Context())
	require.NoError(t, err)
	// An adapter subscription whose consumer never reads: Close must end
	// its delivery all the same.
	_, _, err = todogen.OnCreateTodo(t.Context(), ws, nil)
	require.NoError(t, err)
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		a := subscribe(t, ctx, c, nil)
		events, id, err := todogen.OnCreateTodo(ctx, ws, nil)
		require.NoError(t, err)
		f.drop(f.count(kind("ack")))
		nextGap(t, a)
		if r, ok := recv(t, events); assert.True(t, ok) {
			assert.Len(t, r.Errors, 1)
		}
		cancel()
		require.NoError(t, ws.Unsubscribe(id))
	}
	require.NoError(t, ws.Close())
	require.NoError(t, c.Close())
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "client/realtime.(*") && !strings.Contains(stacks, "client/realtime.(*Client).serve") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("client goroutines left after Close:\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
