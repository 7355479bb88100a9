package realtime

import (
	"context"
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

// NewSession returns the session of gql; the options gql was built with
// (WithOptions), then opts, configure its Client. A generated client
// calls NewSession(gql), so that the realtime options given to its New
// reach the connection.
func NewSession(gql *client.Client, opts ...Option) *Session {
	return &Session{gql: gql, opts: append(clientOptions(gql), opts...)}
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
// WithStateFunc, given to NewSession or to the client's New with
// WithOptions, reports every change.
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
