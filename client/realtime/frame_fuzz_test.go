package realtime

import (
	"testing"
	"time"
)

// FuzzDispatch feeds arbitrary frames to the realtime client's frame
// decoder: no input may panic or hang it; a frame that is not JSON is a
// protocol error, anything else is handled or ignored.
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
		cs := &connState{started: map[string]*Subscription{}, acked: map[string]bool{}, timers: map[string]*time.Timer{}}
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = c.dispatch(frame, cs)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("dispatch hangs on %q", frame)
		}
	})
}
