package realtime

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-amplify/data/client"
)

// FuzzDispatch feeds arbitrary frames to the realtime client's frame
// decoders, the one of a live connection (dispatch, with a subscription s1
// started) and the one of the handshake (ackFrame): no input may panic or
// hang them; a frame that is not JSON is a protocol error, anything else
// is handled or ignored. Every error they produce, and every errors list
// they decode, is rendered and inspected (Error, Unwrap, HasType, %+v), as
// a consumer or a logger would, so that an entry that decodes to nil, or
// any other input that makes an error's method panic, is found here. The
// seed corpus (testdata/fuzz/FuzzDispatch) holds every shape AppSync's
// error objects take.
func FuzzDispatch(f *testing.F) {
	for _, seed := range []string{
		`{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}`,
		`{"type":"ka"}`,
		`{"type":"start_ack","id":"s1"}`,
		`{"type":"data","id":"s1","payload":{"data":{"onCreateTodo":{"id":"1"}}}}`,
		`{"type":"data","id":"s1","payload":{"data":null,"errors":[{"message":"x","errorType":"Unauthorized"}]}}`,
		`{"type":"error","id":"s1","payload":{"errors":[{"errorType":"UnauthorizedException","message":"no"}]}}`,
		`{"type":"error","payload":{"errors":{"errorType":"MaxSubscriptionsReachedError"}}}`,
		`{"type":"complete","id":"s1"}`,
		`{"type":"connection_error","payload":{"errors":[{"errorType":"UnauthorizedException","errorCode":401}]}}`,
		`{"type":"data","id":"s1","payload":"not an object"}`,
		`not json`, ``, `null`, `[]`, `{"type":7}`,
	} {
		f.Add([]byte(seed))
	}
	c, err := New("http://127.0.0.1:1/graphql", &APIKey{URL: "http://127.0.0.1:1/graphql", Key: "da2-fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		s := &Subscription{c: c, id: "s1", op: "OnFuzz", ctx: context.Background(), q: newQueue(4), acked: make(chan struct{})}
		c.mu.Lock()
		c.subs[s.id] = s
		c.mu.Unlock()
		cs := &connState{started: map[string]*Subscription{s.id: s}, acked: map[string]bool{}, timers: map[string]*time.Timer{}}
		done := make(chan struct{})
		var lost, handshake error
		go func() {
			defer close(done)
			lost = c.dispatch(frame, cs)
			_, _, handshake = c.ackFrame(frame)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("dispatch hangs on %q", frame)
		}
		inspect(t, lost)
		inspect(t, handshake)
		inspect(t, s.q.terminal())
		s.q.items.each(func(it item) {
			if it.gap != nil {
				inspect(t, it.gap)
				return
			}
			inspectErrors(t, it.ev.Errors)
			inspect(t, &EventError{Errors: it.ev.Errors})
			inspect(t, &EventError{Errors: it.ev.Errors, Err: errors.New("did not decode")})
		})
		c.remove(s, ErrClosed) // a no-op if the frame ended it
	})
}

// inspect calls every method of err and of its chain.
func inspect(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	_ = err.Error()
	_ = fmt.Sprintf("%v %+v", err, err)
	var se *SubscriptionError
	if errors.As(err, &se) {
		se.HasType("Unauthorized")
		inspectErrors(t, se.Errors)
	}
	var ce *ConnectionError
	if errors.As(err, &ce) {
		ce.authRejected()
		inspectErrors(t, ce.Errors)
	}
	var ges client.GraphQLErrors
	if errors.As(err, &ges) {
		inspectErrors(t, ges)
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			inspect(t, e)
		}
	case interface{ Unwrap() error }:
		inspect(t, u.Unwrap())
	}
}

// inspectErrors checks that a decoded errors list has no nil entry and
// that its methods run.
func inspectErrors(t *testing.T, es client.GraphQLErrors) {
	t.Helper()
	for i, e := range es {
		if e == nil {
			t.Fatalf("errors[%d] decoded to nil", i)
		}
		_ = e.Error()
	}
	_ = es.Error()
	_ = es.HasType("Unauthorized")
}
