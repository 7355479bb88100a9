package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/Khan/genqlient/graphql"

	"github.com/go-amplify/data/client"
)

// GapErrorType is the extensions.errorType of the error a
// GenqlientClient delivers for a gap (see GapError).
const GapErrorType = "RealtimeGap"

// GenqlientClient adapts a Client to genqlient's graphql.WebSocketClient,
// so the subscription functions genqlient generates run over AppSync's
// realtime protocol:
//
//	ws := realtime.NewGenqlientClient(rt)
//	errs, err := ws.Start(ctx)
//	defer ws.Close()
//	events, id, err := amplifydata.OnCreateTodo(ctx, ws)
//	for ev := range events { // ev.Data, ev.Errors
//	}
//
// What differs from genqlient's own WebSocket client:
//
//   - Start opens no socket: the Client opens it for the first
//     subscription and closes it after the last. Start records ctx, whose
//     cancellation ends every subscription, and returns the error channel.
//   - Subscribe returns once the server acknowledged the start, so a
//     refused subscription (Unauthorized, ...) is its error.
//   - Each subscription's events pass through the Client's bounded
//     buffer, then a goroutine of their own decodes them with the
//     generated ForwardData and sends them on the data channel: a slow
//     consumer delays only its own subscription (and, once its buffer is
//     full, gets a gap).
//   - A gap (reconnect, dropped events) arrives in the data channel as a
//     response whose Errors hold one error with extensions.errorType
//     "RealtimeGap" (and reconnects, dropped); the subscription goes on.
//     AppSync's errorType of other errors is in extensions.errorType too.
//   - When a subscription ends its data channel is closed: after
//     Unsubscribe or Close at once (a response being delivered is
//     dropped), so a consumer that stopped receiving leaks nothing; when
//     the server ended or refused it or the reconnect policy gave up,
//     after a last response carrying the error.
//   - The error channel receives the *ConnectionError when the reconnect
//     policy gives up and errors of the generated ForwardData (a response
//     that does not decode). It is buffered and never blocks the client:
//     errors that find it full are dropped.
type GenqlientClient struct {
	c *Client

	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	errc   chan error
	closed bool
	subs   map[string]*genqlientSub
}

type genqlientSub struct {
	cancel context.CancelFunc
}

var _ graphql.WebSocketClient = (*GenqlientClient)(nil)

// NewGenqlientClient returns a graphql.WebSocketClient over c.
func NewGenqlientClient(c *Client) *GenqlientClient {
	return &GenqlientClient{c: c, subs: map[string]*genqlientSub{}}
}

// Start records ctx as the parent of every subscription and returns the
// error channel. It opens no socket (see GenqlientClient).
func (g *GenqlientClient) Start(ctx context.Context) (chan error, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, ErrClosed
	}
	if g.cancel != nil {
		g.cancel()
	}
	g.ctx, g.cancel = context.WithCancel(ctx)
	if g.errc == nil {
		g.errc = make(chan error, 16)
	}
	return g.errc, nil
}

// Close ends every subscription of this adapter, closing their data
// channels, and closes the error channel. The Client itself stays open.
func (g *GenqlientClient) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	if g.cancel != nil {
		g.cancel()
	}
	for id, s := range g.subs {
		s.cancel()
		delete(g.subs, id)
	}
	if g.errc != nil {
		close(g.errc)
	}
	return nil
}

// report sends err on the error channel without blocking.
func (g *GenqlientClient) report(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.errc == nil {
		return
	}
	select {
	case g.errc <- err:
	default:
	}
}

// Subscribe starts req and forwards its events to interfaceChan through
// forwardDataFunc (genqlient's generated <Op>ForwardData). It returns the
// subscription id once the server acknowledged the start.
func (g *GenqlientClient) Subscribe(req *graphql.Request, interfaceChan any, forwardDataFunc graphql.ForwardDataFunction) (string, error) {
	if forwardDataFunc == nil || interfaceChan == nil || reflect.TypeOf(interfaceChan).Kind() != reflect.Chan {
		return "", errors.New("realtime: Subscribe needs a channel and its ForwardData function")
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return "", ErrClosed
	}
	if g.ctx == nil {
		g.ctx, g.cancel = context.WithCancel(context.Background())
		g.errc = make(chan error, 16)
	}
	ctx, cancel := context.WithCancel(g.ctx)
	g.mu.Unlock()

	sub, err := g.c.Subscribe(ctx, req)
	if err != nil {
		cancel()
		return "", err
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		cancel()
		return "", ErrClosed
	}
	g.subs[sub.ID()] = &genqlientSub{cancel: cancel}
	g.mu.Unlock()

	go g.forward(sub, ctx, interfaceChan, forwardDataFunc)
	return sub.ID(), nil
}

// forward delivers sub's events to the consumer's channel and closes it at
// the end.
func (g *GenqlientClient) forward(sub *Subscription, ctx context.Context, ch any, forward graphql.ForwardDataFunction) {
	defer func() {
		g.mu.Lock()
		if s := g.subs[sub.ID()]; s != nil {
			s.cancel()
			delete(g.subs, sub.ID())
		}
		g.mu.Unlock()
		closeChan(ch)
	}()
	for ev, err := range sub.Events() {
		var raw json.RawMessage
		switch {
		case err == nil:
			raw = genqlientPayload(ev)
		case errors.Is(err, ErrGap):
			raw = errorResponse(err)
		case ctx.Err() != nil:
			return // Unsubscribe or Close: no error to tell
		default:
			var ce *ConnectionError
			if errors.As(err, &ce) {
				g.report(err)
			}
			raw = errorResponse(err)
		}
		delivered, ferr := deliver(ctx, forward, ch, raw)
		if ferr != nil {
			g.report(fmt.Errorf("realtime: %s: forward an event: %w", opName(sub), ferr))
		}
		if !delivered || (err != nil && !errors.Is(err, ErrGap)) {
			return
		}
	}
}

// deliver hands one response to the consumer's channel. The generated
// ForwardData decodes it and sends it on the channel it is given, blocking
// until received; it is given a buffered channel of the same type, and
// the value is then passed on to the consumer's channel in a select with
// ctx, so Unsubscribe and Close end the delivery even when the consumer
// stopped receiving. It reports false when ctx ended first.
func deliver(ctx context.Context, forward graphql.ForwardDataFunction, ch any, raw json.RawMessage) (delivered bool, err error) {
	defer func() {
		if r := recover(); r != nil { // e.g. the consumer closed the channel
			delivered, err = false, fmt.Errorf("ForwardData panicked: %v", r)
		}
	}()
	cv := reflect.ValueOf(ch)
	if cv.Type().ChanDir() != reflect.BothDir {
		return true, forward(ch, raw) // cannot interpose: blocks until received
	}
	tmp := reflect.MakeChan(cv.Type(), 1)
	if err := forward(tmp.Interface(), raw); err != nil {
		return true, err
	}
	v, ok := tmp.TryRecv()
	if !ok {
		return true, errors.New("ForwardData sent nothing")
	}
	chosen, _, _ := reflect.Select([]reflect.SelectCase{
		{Dir: reflect.SelectSend, Chan: cv, Send: v},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())},
	})
	return chosen == 0, nil
}

func closeChan(ch any) {
	defer func() { _ = recover() }() // closed by the consumer already
	reflect.ValueOf(ch).Close()
}

// Unsubscribe stops the subscription and closes its data channel.
func (g *GenqlientClient) Unsubscribe(subscriptionID string) error {
	g.mu.Lock()
	s := g.subs[subscriptionID]
	delete(g.subs, subscriptionID)
	g.mu.Unlock()
	if s == nil {
		return fmt.Errorf("realtime: unsubscribe: no subscription %q", subscriptionID)
	}
	s.cancel()
	return nil
}

// gqlError is the shape of genqlient's gqlerror.Error on the wire, with
// AppSync's errorType and errorInfo in extensions.
type gqlError struct {
	Message    string            `json:"message"`
	Path       []any             `json:"path,omitempty"`
	Locations  []client.Location `json:"locations,omitempty"`
	Extensions map[string]any    `json:"extensions,omitempty"`
}

// genqlientPayload is an event as genqlient's ForwardData reads it.
func genqlientPayload(ev Event) json.RawMessage {
	if len(ev.Errors) == 0 && len(ev.Payload) > 0 {
		return ev.Payload
	}
	out := struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors,omitempty"`
	}{Data: ev.Data}
	if len(out.Data) == 0 {
		out.Data = json.RawMessage("null")
	}
	for _, e := range ev.Errors {
		out.Errors = append(out.Errors, toGQLError(e))
	}
	b, _ := json.Marshal(out)
	return b
}

func toGQLError(e *client.GraphQLError) gqlError {
	if e == nil {
		return gqlError{Message: "unknown error"}
	}
	ge := gqlError{Message: e.Message, Path: e.Path, Locations: e.Locations}
	ext := map[string]any{}
	if e.ErrorType != "" {
		ext["errorType"] = e.ErrorType
	}
	if len(e.ErrorInfo) > 0 && string(e.ErrorInfo) != "null" {
		ext["errorInfo"] = e.ErrorInfo
	}
	if len(e.Data) > 0 && string(e.Data) != "null" {
		ext["data"] = e.Data
	}
	if len(ext) > 0 {
		ge.Extensions = ext
	}
	return ge
}

// errorResponse is a response with no data and the errors of err: a gap,
// or the error that ended the subscription.
func errorResponse(err error) json.RawMessage {
	var errs []gqlError
	var gap *GapError
	var se *SubscriptionError
	var ce *ConnectionError
	switch {
	case errors.As(err, &gap):
		errs = []gqlError{{Message: gap.Error(), Extensions: map[string]any{
			"errorType": GapErrorType, "reconnects": gap.Reconnects, "dropped": gap.Dropped,
		}}}
	case errors.As(err, &se) && len(present(se.Errors)) > 0:
		errs = entries(present(se.Errors), se.Error, "realtime: subscription "+se.Operation+": ")
	case errors.As(err, &ce) && len(present(ce.Errors)) > 0:
		errs = entries(present(ce.Errors), ce.Error, "realtime: connection: ")
	default:
		errs = []gqlError{{Message: err.Error()}}
	}
	b, _ := json.Marshal(struct {
		Data   any        `json:"data"`
		Errors []gqlError `json:"errors"`
	}{Errors: errs})
	return b
}

// entries converts the errors of a *SubscriptionError or *ConnectionError:
// a single one carries the whole error's text (whole), each of several its
// own text after prefix, so that the response grows with the errors and
// not with their square.
func entries(es client.GraphQLErrors, whole func() string, prefix string) []gqlError {
	out := make([]gqlError, 0, len(es))
	for _, e := range es {
		ge := toGQLError(e)
		if len(es) == 1 {
			ge.Message = whole()
		} else {
			ge.Message = prefix + e.Error()
		}
		out = append(out, ge)
	}
	return out
}
