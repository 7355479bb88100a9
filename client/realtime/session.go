package realtime

import (
	"context"
	"errors"
	"iter"
	"sync"

	"github.com/Khan/genqlient/graphql"

	"github.com/go-amplify/data/client"
)

// Session is the realtime side of a generated client: one Client, dialed
// at the first subscription and shared by all, authorized as the HTTP
// client authorizes the same operation. The connection uses the first
// subscription's auth mode; each start carries its own.
type Session struct {
	gql  *client.Client
	opts []Option

	mu sync.Mutex
	rt *Client
}

// NewSession returns the session of gql; opts configure its Client.
func NewSession(gql *client.Client, opts ...Option) *Session {
	return &Session{gql: gql, opts: opts}
}

// Subscribe starts the subscription op (its document query, its variables
// vars) with the auth mode gql would use for op under callOpts.
func (s *Session) Subscribe(ctx context.Context, op, query string, vars any, callOpts []client.Option) (*Subscription, error) {
	ep, mode, carry, err := s.gql.SubscriptionAuth(op, callOpts...)
	if err != nil {
		return nil, err
	}
	auth, err := AuthorizerFor(ep, mode, carry)
	if err != nil {
		return nil, &client.OperationError{Operation: op, AuthMode: mode, Err: err}
	}
	s.mu.Lock()
	if s.rt == nil {
		s.rt, err = New(ep.URL, auth, s.opts...)
	}
	rt := s.rt
	s.mu.Unlock()
	if err != nil {
		return nil, &client.OperationError{Operation: op, AuthMode: mode, Err: err}
	}
	sub, err := rt.Subscribe(ctx, &graphql.Request{OpName: op, Query: query, Variables: vars}, WithStartAuthorizer(auth))
	if err != nil {
		return nil, &client.OperationError{Operation: op, AuthMode: mode, Err: err}
	}
	return sub, nil
}

// Close ends every subscription of the session and closes its socket.
func (s *Session) Close() error {
	s.mu.Lock()
	rt := s.rt
	s.rt = nil
	s.mu.Unlock()
	if rt == nil {
		return nil
	}
	return rt.Close()
}

// State returns the state of the session's connection: StateIdle before
// the first subscription and after Close (a later Subscribe dials again).
// NewSession's WithStateFunc reports every change.
func (s *Session) State() State {
	s.mu.Lock()
	rt := s.rt
	s.mu.Unlock()
	if rt == nil {
		return StateIdle
	}
	return rt.State()
}

// Field yields f of each value of seq, and its errors as they are: the
// generated methods use it to yield the subscription field's value (the
// *Todo of onCreateTodo) rather than the whole response.
func Field[R, T any](seq iter.Seq2[R, error], f func(R) T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for r, err := range seq {
			if !yield(f(r), err) {
				return
			}
		}
	}
}

// Snapshot is one state of an observed query: every item, in the order the
// list returned them, new items last. IsSynced is true once the list has
// been read; a snapshot yielded with an error may be partial (false).
type Snapshot[T any] struct {
	Items    []*T
	IsSynced bool
}

// Observe is observeQuery of the JavaScript client: it subscribes to the
// model's creations, updates and deletions first (subscribe), then reads
// the list (list, every page), yielding one snapshot when it is complete
// (IsSynced true), then one per event, applied by key (key). Events that arrive while the list is read are applied after
// it. A gap (errors.Is(err, ErrGap)) is yielded as such and followed by a
// fresh list, so the snapshots stay right; any other error ends it.
func Observe[T any](ctx context.Context, key func(*T) string,
	list func(ctx context.Context) iter.Seq2[*T, error],
	subscribe func(ctx context.Context) (created, updated, deleted iter.Seq2[*T, error], err error),
) iter.Seq2[Snapshot[T], error] {
	return func(yield func(Snapshot[T], error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		created, updated, deleted, err := subscribe(ctx)
		if err != nil {
			yield(Snapshot[T]{}, err)
			return
		}
		type event struct {
			kind int // 0 create, 1 update, 2 delete
			item *T
			err  error
		}
		events := make(chan event)
		var wg sync.WaitGroup
		for kind, seq := range []iter.Seq2[*T, error]{created, updated, deleted} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for it, err := range seq {
					select {
					case events <- event{kind: kind, item: it, err: err}:
					case <-ctx.Done():
						return
					}
				}
			}()
		}
		defer func() {
			cancel()
			wg.Wait()
		}()

		var items []*T
		index := map[string]int{}
		apply := func(ev event) {
			if ev.item == nil {
				return
			}
			k := key(ev.item)
			i, ok := index[k]
			switch {
			case ev.kind == 2 && ok:
				items = append(items[:i], items[i+1:]...)
				delete(index, k)
				for j := i; j < len(items); j++ {
					index[key(items[j])] = j
				}
			case ev.kind != 2 && ok:
				items[i] = ev.item
			case ev.kind != 2:
				index[k] = len(items)
				items = append(items, ev.item)
			}
		}
		snapshot := func(synced bool) Snapshot[T] {
			return Snapshot[T]{Items: append([]*T(nil), items...), IsSynced: synced}
		}
		// load reads the list, applying the events that arrive meanwhile
		// once it is complete.
		load := func() bool {
			items, index = nil, map[string]int{}
			var pending []event
			next, stop := iter.Pull2(list(ctx))
			defer stop()
			for {
				select {
				case ev := <-events:
					pending = append(pending, ev)
					continue
				default:
				}
				it, err, ok := next()
				if !ok {
					break
				}
				if err != nil {
					yield(snapshot(false), err)
					return false
				}
				apply(event{kind: 0, item: it})
			}
			for _, ev := range pending {
				if ev.err != nil && !errors.Is(ev.err, ErrGap) {
					yield(snapshot(false), ev.err)
					return false
				}
				apply(ev)
			}
			return yield(snapshot(true), nil)
		}
		if !load() {
			return
		}
		for {
			select {
			case <-ctx.Done():
				yield(snapshot(true), ctx.Err())
				return
			case ev := <-events:
				if ev.err != nil {
					if !errors.Is(ev.err, ErrGap) {
						yield(snapshot(true), ev.err)
						return
					}
					if !yield(snapshot(true), ev.err) || !load() {
						return
					}
					continue
				}
				apply(ev)
				if !yield(snapshot(true), nil) {
					return
				}
			}
		}
	}
}
