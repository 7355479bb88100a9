package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackoffFullJitter(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: 3 * time.Second}
	top := func(n int64) int64 { return n - 1 } // the largest value the jitter can draw
	var ceilings []time.Duration
	for n := range 8 {
		ceilings = append(ceilings, b.delay(n, top)+1)
		assert.Zero(t, b.delay(n, func(int64) int64 { return 0 }), "full jitter starts at 0")
	}
	assert.Equal(t, []time.Duration{
		100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3 * time.Second, 3 * time.Second, 3 * time.Second,
	}, ceilings)
	assert.Equal(t, 3*time.Second-1, b.delay(1000, top), "no overflow for large attempts")
	for range 1000 {
		d := b.delay(3, randInt63n)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.Less(t, d, 800*time.Millisecond)
	}
}

func TestQueueOverflowAndGaps(t *testing.T) {
	q := newQueue(2)
	ev := func(s string) Event { return Event{Data: []byte(s)} }
	assert.True(t, q.push(ev("1")))
	assert.True(t, q.push(ev("2")))
	assert.False(t, q.push(ev("3")))
	assert.False(t, q.push(ev("4")))
	q.pushGap(1, errors.New("lost"))
	ctx := context.Background()
	take := func() item {
		it, err := q.next(ctx)
		require.NoError(t, err)
		return it
	}
	assert.Equal(t, "1", string(take().ev.Data))
	assert.True(t, q.push(ev("5")), "room again after one was taken")
	assert.Equal(t, "2", string(take().ev.Data))
	gap := take().gap
	require.NotNil(t, gap)
	assert.Equal(t, 2, gap.Dropped, "drops and the reconnect merge into one gap")
	assert.Equal(t, 1, gap.Reconnects)
	assert.EqualError(t, gap.Cause, "lost")
	assert.Equal(t, "5", string(take().ev.Data), "events after the gap come after it")

	q.push(ev("6"))
	final := errors.New("server ended it")
	q.finish(final, false)
	assert.Equal(t, "6", string(take().ev.Data), "buffered events are read before the final error")
	_, err := q.next(ctx)
	assert.Equal(t, final, err)
	_, err = q.next(ctx)
	assert.Equal(t, final, err)

	q2 := newQueue(4)
	q2.push(ev("x"))
	q2.finish(ErrClosed, true)
	_, err = q2.next(ctx)
	assert.ErrorIs(t, err, ErrClosed, "a consumer that left does not get the rest")

	q3 := newQueue(1)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = q3.next(cctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestQueueBoundedUnderFlood(t *testing.T) {
	q := newQueue(8)
	for i := range 100000 {
		q.push(Event{Data: []byte{byte(i)}})
		if i%1000 == 0 {
			q.pushGap(1, nil)
		}
	}
	q.mu.Lock()
	n, events := q.items.len(), q.events
	q.mu.Unlock()
	assert.Equal(t, 8, events)
	assert.LessOrEqual(t, n, 2*8+1, "at most the limit of events, and merged gaps between them")
}

func TestRedactor(t *testing.T) {
	var r redactor
	r.addHeaders(map[string]string{"host": "example.com", "x-api-key": "da2-secretkey", "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=abcdef0123"})
	r.addEncoded([]byte(`{"x-api-key":"da2-secretkey"}`))
	for i := range maxSecrets * 2 { // old secrets age out; the bound holds
		r.add("rotating-secret-" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	r.mu.Lock()
	assert.LessOrEqual(t, len(r.secrets), maxSecrets)
	r.mu.Unlock()
	r.add("still-in-use")
	for i := range maxSecrets * 2 {
		r.add("still-in-use") // seen with every message: never ages out
		r.add(fmt.Sprintf("one-off-signature-%d", i))
	}
	assert.Equal(t, "[REDACTED]", r.string("still-in-use"))
	r.addHeaders(map[string]string{"x-api-key": "da2-secretkey", "Authorization": "tok.en.value"})
	err := r.error(errors.New("failed with da2-secretkey and tok.en.value"))
	assert.Equal(t, "failed with [REDACTED] and [REDACTED]", err.Error())
	assert.Equal(t, "example.com", r.string("example.com"), "the host is no secret")
}

// The ring keeps its items in order across growth and wrap-around, and
// lets go of a large buffer once a drain empties it.
func TestRingOrder(t *testing.T) {
	var r ring
	next, want := 0, 0
	for round := range 50 {
		for range round % 13 {
			r.push(item{ev: Event{Data: []byte{byte(next)}}})
			next++
		}
		for range round % 7 {
			if r.len() == 0 {
				break
			}
			require.Equal(t, byte(want), r.pop().ev.Data[0])
			want++
		}
	}
	for r.len() > 0 {
		require.Equal(t, byte(want), r.pop().ev.Data[0])
		want++
	}
	assert.Equal(t, next, want)
	assert.Nil(t, r.last())

	for i := range 1000 {
		r.push(item{ev: Event{Data: []byte{byte(i)}}})
	}
	assert.Equal(t, byte(999%256), r.last().ev.Data[0])
	for r.len() > 0 {
		r.pop()
	}
	assert.Nil(t, r.buf, "a drained large ring lets go of its buffer")
}

// dataDecoder decodes as json.Unmarshal does, event after event, whatever
// came before (a value of the wrong type, one that does not decode).
func TestDataDecoderLikeUnmarshal(t *testing.T) {
	type todo struct {
		ID    string  `json:"id"`
		N     float64 `json:"n"`
		Owner *string `json:"owner"`
	}
	type resp struct {
		OnCreateTodo *todo `json:"onCreateTodo"`
	}
	var dec dataDecoder
	for _, data := range []string{
		`{"onCreateTodo":{"id":"1","n":2,"owner":"a"}}`,
		`{"onCreateTodo":{"id":7}}`,
		`{"onCreateTodo":{"id":"3","owner":null}}`,
		`{"onCreateTodo":"not an object"}`,
		`{"onCreateTodo":{"id":"5","n":1e400}}`,
		`[1,2]`, `"s"`, `12`, `null`, `{}`,
		`{"onCreateTodo":{"id":"\u00e9\ud800","extra":[{"a":{}}]}}`,
		`{"onCreateTodo":{"id":"8"}} trailing`,
		`{"onCreateTodo":{"id":"9"}}`,
	} {
		var got, want resp
		gotErr := dec.decode([]byte(data), &got)
		wantErr := json.Unmarshal([]byte(data), &want)
		assert.Equal(t, fmt.Sprint(wantErr), fmt.Sprint(gotErr), data)
		if wantErr == nil {
			assert.Equal(t, want, got, data)
		}
	}
}

// The way of an event from the socket to the consumer's value (dispatch,
// the subscription's buffer, Values' decoder) allocates only what the
// decoded value holds (three strings here): the message is read in one
// pass, the event holds slices of it, the buffer is a ring and the
// decoder is kept.
func TestEventPathAllocations(t *testing.T) {
	c, err := New("http://127.0.0.1:1/graphql", &APIKey{URL: "http://127.0.0.1:1/graphql", Key: "da2-allocs"})
	require.NoError(t, err)
	s := &Subscription{c: c, id: "5f1b0a3c-8d2e-4f6a-9b7c-1d2e3f4a5b6c", ctx: context.Background(), q: newQueue(256), acked: make(chan struct{})}
	cs := &connState{started: map[string]*Subscription{s.id: s}, acked: map[string]bool{s.id: true}, timers: map[string]*time.Timer{}}
	frame := []byte(`{"type":"data","id":"` + s.id + `","payload":{"data":{"onCreateTodo":{"id":"todo-1","content":"event 1","done":false,"owner":"alice"}}}}`)
	var dec dataDecoder
	type todoEvent struct {
		OnCreateTodo struct {
			ID      string `json:"id"`
			Content string `json:"content"`
			Done    bool   `json:"done"`
			Owner   string `json:"owner"`
		} `json:"onCreateTodo"`
	}
	v := new(todoEvent)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(200, func() {
		if err := c.dispatch(frame, cs); err != nil {
			t.Fatal(err)
		}
		it, err := s.q.next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*v = todoEvent{}
		if err := dec.decode(it.ev.Data, v); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, "alice", v.OnCreateTodo.Owner)
	assert.LessOrEqual(t, allocs, 3.0, "allocations per event besides the message's own buffer")
}
