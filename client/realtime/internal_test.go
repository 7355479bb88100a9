package realtime

import (
	"context"
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
	n, events := len(q.items), q.events
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
