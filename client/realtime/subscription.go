package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"sync"

	"github.com/go-amplify/data/client"
)

// Event is one data message of a subscription.
type Event struct {
	// Data is the payload's data member, e.g. {"onCreateTodo": {...}}.
	Data json.RawMessage
	// Errors are the errors that came with this event (a field resolver
	// failed); Data then holds the partial result. Secrets are removed
	// from every field, and null entries the server sent are dropped.
	Errors client.GraphQLErrors
	// Payload is the whole payload as received, {"data": ..., "errors": ...}.
	// Data is a part of it: both are slices of the received message, not
	// copies, so a change to one shows in the other.
	Payload json.RawMessage
}

// Decode decodes Data into v.
func (e Event) Decode(v any) error { return json.Unmarshal(e.Data, v) }

// Subscription is one GraphQL subscription on the Client's shared socket.
// Read it with Events, Values or Next, from one goroutine at a time.
//
// It lasts until its context is cancelled, Close is called, the Client is
// closed, the server refuses or ends it (a *SubscriptionError), or the
// reconnect policy gives up (a *ConnectionError). Across reconnects it is
// started again under the same id, and a *GapError in the stream tells
// the consumer that events may have been missed.
type Subscription struct {
	c    *Client
	id   string
	op   string
	data string     // the start's payload.data
	auth Authorizer // authorizes the start
	ctx  context.Context
	q    *queue

	acked   chan struct{} // closed at the first start_ack
	ackOnce sync.Once
	stopCtx func() bool // stops the context.AfterFunc

	// Used by the connection loop only.
	startAuthFailures int

	// Guarded by c.mu.
	removed    bool
	gen        uint64 // the connection the start was last sent on (0: none)
	everAcked  bool
	gapPending bool  // acknowledged before a connection was lost
	reconnects int   // connections lost since the last reported gap
	gapCause   error // why the last one was lost
}

// ID returns the subscription's id on the socket (a UUID).
func (s *Subscription) ID() string { return s.id }

// Close ends the subscription: a stop is sent, and when it was the last
// subscription of the Client the socket is closed. Events and Values end
// without error; Next returns ErrClosed. Close is idempotent.
func (s *Subscription) Close() { s.c.remove(s, ErrClosed) }

// Next returns the next event. It returns a *GapError (errors.Is(err,
// ErrGap)) or nothing else that is not final: after any other error (the
// subscription's context error, ErrClosed, *SubscriptionError,
// *ConnectionError) the subscription is over and Next keeps returning that
// error. ctx bounds only this wait.
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	if err := s.ctx.Err(); err != nil {
		// Cancelled: end now rather than when the context's AfterFunc
		// runs, so no event follows the cancellation.
		s.c.remove(s, err)
	}
	it, err := s.q.next(ctx)
	if err != nil {
		return Event{}, err
	}
	if it.gap != nil {
		return Event{}, it.gap
	}
	return it.ev, nil
}

// Events returns the subscription's events as an iterator, to be ranged
// over once:
//
//	for ev, err := range sub.Events() {
//		if errors.Is(err, realtime.ErrGap) {
//			// reconnected or dropped events: re-query what you follow
//			continue
//		}
//		if err != nil {
//			return err // the subscription is over
//		}
//		use(ev)
//	}
//
// A *GapError does not end the iteration. Any other error is the last
// value: the subscription's context error, a *SubscriptionError (the
// server refused or ended it) or a *ConnectionError (the reconnect policy
// gave up). After Close (of the subscription or the Client) the iteration
// ends without an error. Breaking out of the loop does not end the
// subscription: cancel its context or call Close.
func (s *Subscription) Events() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			ev, err := s.Next(context.Background())
			if err != nil {
				if errors.Is(err, ErrClosed) {
					return
				}
				if !yield(Event{}, err) || !errors.Is(err, ErrGap) {
					return
				}
				continue
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// Values is Events with each event's data decoded into a T (for example
// genqlient's generated OnCreateTodoResponse, or
// struct{ OnCreateTodo *Todo `json:"onCreateTodo"` }).
//
// Besides a *GapError, an *EventError does not end the iteration either:
// it comes with the partially decoded value of an event that carried
// GraphQL errors, or with the zero T for an event that did not decode.
func Values[T any](s *Subscription) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var dec dataDecoder
		// One T to decode into, reset before each event and yielded by
		// value: a T per event would escape to the heap (the decoder
		// takes an interface).
		v := new(T)
		var zero T
		for ev, err := range s.Events() {
			*v = zero
			if err != nil {
				if !yield(zero, err) {
					return
				}
				continue
			}
			var evErr error // never a nil *EventError
			if len(ev.Data) > 0 && string(ev.Data) != "null" {
				if derr := dec.decode(ev.Data, v); derr != nil {
					*v, evErr = zero, &EventError{Errors: ev.Errors, Err: derr}
				}
			}
			if evErr == nil && len(ev.Errors) > 0 {
				evErr = &EventError{Errors: ev.Errors}
			}
			if !yield(*v, evErr) {
				return
			}
		}
	}
}

// dataDecoder decodes the data of a subscription's events, one after the
// other, as json.Unmarshal would, with one json.Decoder kept from event to
// event: its buffers and its scanner's state are allocated once, where
// json.Unmarshal allocates them for every call.
type dataDecoder struct {
	r   bytes.Reader
	dec *json.Decoder
}

func (d *dataDecoder) decode(data []byte, v any) error {
	if d.dec == nil {
		d.dec = json.NewDecoder(&d.r)
	}
	d.r.Reset(data)
	start := d.dec.InputOffset()
	err := d.dec.Decode(v)
	if err != nil || d.dec.InputOffset()-start != int64(len(data)) {
		// A decoder that failed, or that did not read data to its end
		// (the frame decoder gives it exactly one JSON value, so this
		// does not happen), is dropped, and json.Unmarshal says what is
		// wrong, as Event.Decode would.
		d.dec = nil
		return json.Unmarshal(data, v)
	}
	return nil
}

// item is an event or a gap marker in a subscription's buffer.
type item struct {
	ev  Event
	gap *GapError
}

// queue is a subscription's bounded buffer between the socket reader and
// the consumer. It holds at most limit events; an event that arrives when
// it is full is dropped and counted in a gap marker placed where the event
// would have been, so the consumer learns of the loss at the right point.
// Consecutive gap markers merge, so the queue never holds more than
// limit+1 markers.
type queue struct {
	mu       sync.Mutex
	items    ring
	events   int
	limit    int
	err      error
	finished bool
	discard  bool          // drop buffered items at finish (consumer gone)
	signal   chan struct{} // wakes a waiting consumer
	done     chan struct{} // closed at finish
}

func newQueue(limit int) *queue {
	return &queue{limit: limit, signal: make(chan struct{}, 1), done: make(chan struct{})}
}

func (q *queue) notify() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// push appends ev, or drops it when the buffer is full; it reports whether
// ev was kept.
func (q *queue) push(ev Event) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.finished {
		return false
	}
	if q.events >= q.limit {
		q.lastGap().Dropped++
		q.notify()
		return false
	}
	q.items.push(item{ev: ev})
	q.events++
	q.notify()
	return true
}

// pushGap records a reconnect gap.
func (q *queue) pushGap(reconnects int, cause error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.finished {
		return
	}
	g := q.lastGap()
	g.Reconnects += reconnects
	g.Cause = cause
	q.notify()
}

// lastGap returns the trailing gap marker, appending one if the last item
// is an event. q.mu is held.
func (q *queue) lastGap() *GapError {
	if last := q.items.last(); last != nil && last.gap != nil {
		return last.gap
	}
	g := &GapError{}
	q.items.push(item{gap: g})
	return g
}

// finish ends the queue with err. With discard, buffered items are
// dropped (the consumer is gone); otherwise the consumer reads them before
// err. Only the first finish counts.
func (q *queue) finish(err error, discard bool) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.finished {
		return false
	}
	q.finished, q.err, q.discard = true, err, discard
	if discard {
		q.items, q.events = ring{}, 0
	}
	close(q.done)
	q.notify()
	return true
}

// next takes the next item, waiting for one; after finish it returns the
// final error.
func (q *queue) next(ctx context.Context) (item, error) {
	for {
		q.mu.Lock()
		if q.items.len() > 0 {
			it := q.items.pop()
			if it.gap == nil {
				q.events--
			}
			q.mu.Unlock()
			return it, nil
		}
		if q.finished {
			err := q.err
			q.mu.Unlock()
			return item{}, err
		}
		q.mu.Unlock()
		if ctx.Done() == nil {
			// A context that is never done (Events passes Background):
			// a receive rather than a select, at every event.
			<-q.signal
			continue
		}
		select {
		case <-q.signal:
		case <-ctx.Done():
			return item{}, ctx.Err()
		}
	}
}

// terminal returns the final error once the queue is finished.
func (q *queue) terminal() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}

// ring is the queue's FIFO of items: a circular buffer whose size is a
// power of two, grown as needed (a queue holds at most 2·limit+1 items)
// and dropped when a drain empties a large one, so that a burst does not
// pin its memory and a steady stream allocates nothing.
type ring struct {
	buf  []item
	head int
	n    int
}

// ringKeep is the size of a ring that stays allocated when it empties.
const ringKeep = 64

func (r *ring) len() int { return r.n }

func (r *ring) push(it item) {
	if r.n == len(r.buf) {
		buf := make([]item, max(8, 2*len(r.buf)))
		for i := range r.n {
			buf[i] = r.buf[(r.head+i)&(len(r.buf)-1)]
		}
		r.buf, r.head = buf, 0
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = it
	r.n++
}

// pop removes the first item; the ring must not be empty.
func (r *ring) pop() item {
	it := r.buf[r.head]
	r.buf[r.head] = item{} // the event's bytes are the consumer's now
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	if r.n == 0 {
		r.head = 0
		if len(r.buf) > ringKeep {
			r.buf = nil
		}
	}
	return it
}

// last returns the last item, or nil.
func (r *ring) last() *item {
	if r.n == 0 {
		return nil
	}
	return &r.buf[(r.head+r.n-1)&(len(r.buf)-1)]
}

// each calls f with every item, first to last.
func (r *ring) each(f func(item)) {
	for i := range r.n {
		f(r.buf[(r.head+i)&(len(r.buf)-1)])
	}
}
