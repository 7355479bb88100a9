package appsynctest

import (
	"sync"

	"github.com/go-amplify/data/appsynctest/internal/value"
)

// MutationEvent is a change a model mutation made: what AppSync publishes
// to the subscriptions of the mutation's field (onCreate<Model>, ...).
type MutationEvent struct {
	// Model is the model's name.
	Model string
	// Operation is "create", "update" or "delete".
	Operation string
	// Field is the mutation field, e.g. "createTodo".
	Field string
	// Item is the item the mutation returned (for delete, the item as it
	// was), with every stored attribute.
	Item map[string]any
}

// bus delivers mutation events to subscribers per model (Subscribe).
type bus struct {
	mu     sync.Mutex
	subs   map[string]map[*subscriber]struct{}
	closed bool

	// [realtime] realtime is the state of the realtime (WebSocket)
	// endpoint, realtime.go; it lives here because the bus is the server's
	// event seam and ends with it.
	realtime *rtEndpoint
	// [/realtime]
}

type subscriber struct {
	ch chan MutationEvent
}

// subscriberBuffer is how many events a slow subscriber may fall behind
// before events are dropped for it.
const subscriberBuffer = 256

func newBus() *bus {
	return &bus{subs: map[string]map[*subscriber]struct{}{}, realtime: newRealtime()} // [realtime]
}

// subscribe registers a subscriber to a model's events.
func (b *bus) subscribe(model string) (*subscriber, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	sub := &subscriber{ch: make(chan MutationEvent, subscriberBuffer)}
	if b.closed {
		close(sub.ch)
		return sub, func() {}
	}
	if b.subs[model] == nil {
		b.subs[model] = map[*subscriber]struct{}{}
	}
	b.subs[model][sub] = struct{}{}
	var once sync.Once
	return sub, func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if _, ok := b.subs[model][sub]; ok {
				delete(b.subs[model], sub)
				close(sub.ch)
			}
		})
	}
}

// publish sends an event to the model's subscribers without blocking.
func (b *bus) publish(e MutationEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for sub := range b.subs[e.Model] {
		select {
		case sub.ch <- MutationEvent{Model: e.Model, Operation: e.Operation, Field: e.Field, Item: value.CopyItem(e.Item)}:
		default:
		}
	}
}

// close ends every subscription.
func (b *bus) close() {
	// [realtime] Close the realtime connections (their goroutines end
	// before Server.Close returns), once the lock is released.
	defer b.realtime.close()
	// [/realtime]
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, subs := range b.subs {
		for sub := range subs {
			close(sub.ch)
		}
	}
	b.subs = map[string]map[*subscriber]struct{}{}
}

// Subscribe returns the events of a model's mutations from now on, and a
// function that ends the subscription (Close ends them all). Events are
// dropped for a subscriber that falls 256 events behind.
func (s *Server) Subscribe(model string) (<-chan MutationEvent, func()) {
	sub, cancel := s.bus.subscribe(model)
	return sub.ch, cancel
}
