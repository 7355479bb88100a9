package realtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/coder/websocket"

	"github.com/go-amplify/data/client"
)

// Client multiplexes GraphQL subscriptions over one AppSync realtime
// WebSocket. The socket is opened by the first Subscribe and closed when
// the last subscription ends; while subscriptions are active, a lost
// connection is re-established with backoff and every subscription is
// started again. A Client is safe for concurrent use.
type Client struct {
	wsURL string
	auth  Authorizer
	o     Options
	hc    *http.Client // Options.HTTPClient, following no redirect
	red   redactor
	log   *slog.Logger

	// wake tells the connection loop that the set of subscriptions
	// changed.
	wake chan struct{}

	// st holds the connection's state and reports its changes.
	st notifier
	// bo is the reconnect backoff. It outlives a manager, so that the
	// first attempt of the next one (a consumer subscribing again after
	// a refused handshake) waits as a reconnect would. Only the running
	// manager uses it; managers run one after the other (c.mgr).
	bo backoffState

	mu     sync.Mutex
	subs   map[string]*Subscription
	mgr    *manager
	gen    uint64 // the current connection's number
	closed bool
}

// backoffState is where the reconnect policy stands.
type backoffState struct {
	exp          int       // backoff exponent
	failures     int       // connection attempts failed in a row
	authFailures int       // of which refused as unauthorized
	next         time.Time // the earliest time of the next attempt
	cause        error     // why the last attempt failed or the last connection was lost
}

// State returns the connection's current state.
func (c *Client) State() State { return c.st.state() }

// manager is the goroutine that owns the connection.
type manager struct {
	done   chan struct{}
	cancel context.CancelFunc // ends the current round's connect or wait
}

// New returns a Client for the AppSync GraphQL endpoint graphqlURL (the
// data.url of amplify_outputs.json), authorizing the connection with auth.
// Nothing is dialled until the first Subscribe.
func New(graphqlURL string, auth Authorizer, opts ...Option) (*Client, error) {
	if auth == nil {
		return nil, errors.New("realtime: no Authorizer: use APIKey, Token, IAM or AuthorizerFor")
	}
	var o Options
	for _, opt := range opts {
		opt(&o)
	}
	o.setDefaults()
	wsURL := o.RealtimeURL
	if wsURL == "" {
		var err error
		if wsURL, err = RealtimeURL(graphqlURL); err != nil {
			return nil, err
		}
	} else if u, err := url.Parse(wsURL); err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return nil, fmt.Errorf("realtime: realtime URL %q is not an absolute ws(s) URL", wsURL)
	}
	// The handshake carries the credentials (the header parameter, the
	// header- subprotocol): a redirect is never followed, to any host.
	// net/http would forward the subprotocol, and AppSync does not
	// redirect. The 3xx is answered as a refused handshake.
	hc := *o.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{
		wsURL: wsURL,
		auth:  auth,
		o:     o,
		hc:    &hc,
		log:   o.Logger,
		st:    notifier{f: o.OnState},
		wake:  make(chan struct{}, 1),
		subs:  map[string]*Subscription{},
	}, nil
}

// URL returns the realtime WebSocket URL (without the auth query string).
func (c *Client) URL() string { return c.wsURL }

// A SubscribeOption changes one subscription.
type SubscribeOption func(*subscribeOptions)

type subscribeOptions struct {
	auth Authorizer
}

// WithStartAuthorizer authorizes this subscription's start messages with a
// instead of the Client's Authorizer (AppSync authorizes each start on its
// own, so subscriptions of several auth modes can share one socket).
func WithStartAuthorizer(a Authorizer) SubscribeOption {
	return func(o *subscribeOptions) {
		if a != nil {
			o.auth = a
		}
	}
}

// startData is the JSON of a start's payload.data.
type startData struct {
	Query     string `json:"query"`
	Variables any    `json:"variables"`
}

// Subscribe starts the subscription req (its Query and Variables; OpName
// names it in errors) and returns once the server acknowledged it
// (start_ack), so events of mutations made after Subscribe returns are
// delivered. It fails with a *ConnectionError when the connection it waits
// for cannot be opened, a *SubscriptionError when the server refuses the
// start or does not acknowledge it in time, or ctx's error.
//
// The subscription lasts until ctx is cancelled or it is closed; read it
// with Events, Values or Next.
func (c *Client) Subscribe(ctx context.Context, req *graphql.Request, opts ...SubscribeOption) (*Subscription, error) {
	if req == nil || strings.TrimSpace(req.Query) == "" {
		return nil, errors.New("realtime: Subscribe: the request has no query")
	}
	vars := req.Variables
	if isNil(vars) {
		vars = json.RawMessage("{}")
	}
	data, err := json.Marshal(startData{Query: req.Query, Variables: vars})
	if err != nil {
		return nil, fmt.Errorf("realtime: encode the variables of %s: %w", req.OpName, err)
	}
	so := subscribeOptions{auth: c.auth}
	for _, opt := range opts {
		opt(&so)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Subscription{
		c:     c,
		id:    newID(),
		op:    req.OpName,
		data:  string(data),
		auth:  so.auth,
		ctx:   ctx,
		q:     newQueue(c.o.BufferSize),
		acked: make(chan struct{}),
	}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.subs[s.id] = s
	if c.mgr == nil {
		m := &manager{done: make(chan struct{})}
		c.mgr = m
		go c.run(m)
	}
	c.mu.Unlock()
	c.kick()

	stop := context.AfterFunc(ctx, func() { c.remove(s, ctx.Err()) })
	c.mu.Lock()
	if s.removed {
		c.mu.Unlock()
		stop()
	} else {
		s.stopCtx = stop
		c.mu.Unlock()
	}

	select {
	case <-s.acked:
	case <-s.q.done:
	}
	if err := ctx.Err(); err != nil {
		c.remove(s, err)
		return nil, err
	}
	select {
	case <-s.acked:
		return s, nil
	default:
		return nil, s.q.terminal()
	}
}

// Close ends every subscription (their iterations end without error) and
// closes the socket; it returns when the socket is closed. Subscribe fails
// with ErrClosed afterwards.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	subs := make([]*Subscription, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	m := c.mgr
	c.mu.Unlock()
	for _, s := range subs {
		c.remove(s, ErrClosed)
	}
	if m != nil {
		<-m.done
	}
	if c.st.state() != StateClosed {
		c.st.set(StateChange{State: StateClosed})
	}
	return nil
}

// kick wakes the connection loop.
func (c *Client) kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// remove ends s with err; the connection loop sends its stop.
func (c *Client) remove(s *Subscription, err error) {
	c.mu.Lock()
	if s.removed {
		c.mu.Unlock()
		return
	}
	s.removed = true
	delete(c.subs, s.id)
	if len(c.subs) == 0 && c.mgr != nil && c.mgr.cancel != nil {
		c.mgr.cancel()
	}
	stop := s.stopCtx
	s.stopCtx = nil
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
	// The consumer is gone when it cancelled or closed: drop what is
	// buffered. Otherwise it reads the buffered events before err.
	discard := errors.Is(err, ErrClosed) || (s.ctx.Err() != nil && errors.Is(err, s.ctx.Err()))
	s.q.finish(err, discard)
	c.kick()
}

// round starts a round of the connection loop: it returns false (and the
// manager retires) when no subscription is left.
func (c *Client) round(m *manager) (context.Context, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.cancel != nil {
		m.cancel()
	}
	if len(c.subs) == 0 {
		// After a give-up, the state stays failed until the next attempt.
		if st := c.st.state(); st != StateFailed && st != StateClosed && st != StateIdle {
			c.st.set(StateChange{State: StateIdle})
		}
		c.mgr = nil
		return nil, false
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	return ctx, true
}

// run is the connection loop: connect, serve until the connection is lost
// or no subscription is left, wait, connect again.
func (c *Client) run(m *manager) {
	defer close(m.done)
	bo := &c.bo
	for {
		ctx, ok := c.round(m)
		if !ok {
			return
		}
		wait := time.Until(bo.next)
		if wait <= -c.o.Backoff.Max {
			// No attempt for a while: start afresh.
			bo.exp, bo.failures, bo.authFailures, bo.cause = 0, 0, 0, nil
		}
		attempt := bo.failures + 1
		if bo.cause != nil {
			wait = max(wait, 0)
			c.st.set(StateChange{State: StateReconnecting, Attempt: attempt, Wait: wait, Err: bo.cause})
			c.log.Info("realtime: reconnecting", "url", c.wsURL, "attempt", attempt, "in", wait)
		} else {
			c.st.set(StateChange{State: StateConnecting, Attempt: attempt})
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done(): // no subscription left
				t.Stop()
				continue
			}
		}
		ws, keepAlive, err := c.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				continue // no subscription left
			}
			bo.failures++
			var ce *ConnectionError
			if errors.As(err, &ce) && ce.authRejected() {
				bo.authFailures++
			} else {
				bo.authFailures = 0
			}
			// Whatever comes next (a retry, or a new Subscribe after this
			// one failed) waits the backoff.
			bo.next = time.Now().Add(c.o.Backoff.delay(bo.exp, randInt63n))
			bo.exp++
			bo.cause = err
			// A subscription that was never acknowledged fails with the
			// connection it waited for: its Subscribe returns the error.
			c.failWhere(func(s *Subscription) bool { return !s.everAcked }, err)
			if bo.authFailures >= c.o.MaxAuthFailures || (c.o.Backoff.MaxAttempts > 0 && bo.failures >= c.o.Backoff.MaxAttempts) {
				final := ConnectionError{Err: err}
				if ce != nil {
					final = *ce
				}
				final.Attempts = bo.failures
				c.log.Warn("realtime: giving up", "url", c.wsURL, "attempts", bo.failures, "err", err)
				c.st.set(StateChange{State: StateFailed, Attempt: bo.failures, Err: &final})
				c.failWhere(func(*Subscription) bool { return true }, &final)
				// The next Subscribe counts its attempts afresh, after the
				// backoff: it is reconnecting after this failure.
				bo.failures, bo.authFailures, bo.cause = 0, 0, &final
				continue
			}
			c.log.Warn("realtime: connection attempt failed", "url", c.wsURL, "attempt", bo.failures, "err", err)
			continue
		}
		bo.failures, bo.authFailures, bo.cause = 0, 0, nil
		c.st.set(StateChange{State: StateConnected})
		c.log.Info("realtime: connected", "url", c.wsURL, "keepAliveTimeout", keepAlive)
		up := time.Now()
		cause := c.serve(ws, keepAlive)
		if cause == nil {
			c.log.Info("realtime: closed", "url", c.wsURL)
			bo.next = time.Time{}
			continue // no subscription left
		}
		if time.Since(up) >= c.o.Backoff.Max {
			bo.exp = 0
		}
		c.markLost(cause)
		bo.next = time.Now().Add(c.o.Backoff.delay(bo.exp, randInt63n))
		bo.exp++
		bo.cause = cause
		c.log.Warn("realtime: connection lost", "url", c.wsURL, "err", cause)
	}
}

// failWhere ends the subscriptions matching f with err.
func (c *Client) failWhere(f func(*Subscription) bool, err error) {
	c.mu.Lock()
	var out []*Subscription
	for _, s := range c.subs {
		if f(s) {
			out = append(out, s)
		}
	}
	c.mu.Unlock()
	for _, s := range out {
		c.remove(s, err)
	}
}

// markLost records a lost connection: every subscription acknowledged
// before is started again on the next one and reports a gap then; one that
// was still waiting for its first start_ack fails with the connection (its
// Subscribe returns a *ConnectionError).
func (c *Client) markLost(cause error) {
	c.mu.Lock()
	var unacked []*Subscription
	for _, s := range c.subs {
		s.gen = 0
		if s.everAcked {
			s.gapPending = true
			s.reconnects++
			s.gapCause = cause
		} else {
			unacked = append(unacked, s)
		}
	}
	c.mu.Unlock()
	lost := func() error {
		// A connection lost to the network stays a *client.NetworkError,
		// the one target for "could not reach the backend".
		var ne *client.NetworkError
		if errors.As(cause, &ne) {
			return &client.NetworkError{Err: fmt.Errorf("connection lost before start_ack: %w", ne.Err)}
		}
		return fmt.Errorf("connection lost before start_ack: %w", cause)
	}
	for _, s := range unacked {
		c.remove(s, &ConnectionError{Err: lost()})
	}
}

// networkError is a failure to reach the backend (dial, read, write, a
// connection gone silent), its text free of secrets: a *client.NetworkError,
// as the HTTP client's, so that errors.As with that one target tells a
// network failure on either side.
func (c *Client) networkError(err error) error {
	return &client.NetworkError{Err: c.red.error(err)}
}

// isNil reports whether v is nil or a nil pointer, map, slice or interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// connect opens the WebSocket, sends connection_init and waits for
// connection_ack; it returns the connection and its keep-alive timeout.
func (c *Client) connect(parent context.Context) (*websocket.Conn, time.Duration, error) {
	ctx, cancel := context.WithTimeout(parent, c.o.ConnectTimeout)
	defer cancel()
	fail := func(err error) error {
		if parent.Err() == nil && ctx.Err() != nil {
			err = fmt.Errorf("no connection_ack within %s: %w", c.o.ConnectTimeout, err)
		}
		return &ConnectionError{Err: c.red.error(err)}
	}
	// failNet is fail for a failure to reach the backend: the dial, or a
	// read or write of the socket (the connect timeout included).
	failNet := func(err error) error {
		ce := fail(err).(*ConnectionError)
		ce.Err = &client.NetworkError{Err: ce.Err}
		return ce
	}

	h, err := c.auth.Headers(ctx, []byte(connectPayload), true)
	if err != nil {
		return nil, 0, fail(fmt.Errorf("authorize the connection: %w", err))
	}
	c.red.addHeaders(h)
	headerJSON, err := json.Marshal(h)
	if err != nil {
		return nil, 0, fail(fmt.Errorf("encode the connection headers: %w", err))
	}
	c.red.addEncoded(headerJSON)
	sep := "?"
	if strings.Contains(c.wsURL, "?") {
		sep = "&"
	}
	u := c.wsURL + sep + "header=" + url.QueryEscape(base64.StdEncoding.EncodeToString(headerJSON)) +
		"&payload=" + base64.StdEncoding.EncodeToString([]byte(connectPayload))
	protocols := []string{Subprotocol}
	if c.o.HeaderSubprotocol {
		protocols = append(protocols, "header-"+base64.RawURLEncoding.EncodeToString(headerJSON))
	}

	ws, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.hc, Subprotocols: protocols})
	if err != nil {
		if resp == nil {
			// No answer: the backend was not reached.
			return nil, 0, failNet(err)
		}
		ce := fail(err).(*ConnectionError)
		if resp.StatusCode != http.StatusSwitchingProtocols {
			ce.StatusCode = resp.StatusCode
			if resp.Body != nil {
				body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
				var p errorPayload
				if json.Unmarshal(body, &p) == nil {
					errs, codes := decodeErrors(p.Errors)
					ce.Errors, ce.codes = c.red.graphQLErrors(errs), codes
				}
			}
		}
		return nil, 0, ce
	}
	if got := ws.Subprotocol(); got != Subprotocol {
		_ = ws.CloseNow()
		return nil, 0, fail(fmt.Errorf("the server chose subprotocol %q, want %q", got, Subprotocol))
	}
	ws.SetReadLimit(c.o.MaxMessageBytes)
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
		_ = ws.CloseNow()
		return nil, 0, failNet(fmt.Errorf("send connection_init: %w", err))
	}
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			_ = ws.CloseNow()
			return nil, 0, failNet(fmt.Errorf("waiting for connection_ack: %w", err))
		}
		keepAlive, acked, err := c.ackFrame(b)
		if err != nil {
			_ = ws.CloseNow()
			var ce *ConnectionError
			if errors.As(err, &ce) {
				return nil, 0, ce
			}
			return nil, 0, fail(err)
		}
		if acked {
			return ws, keepAlive, nil
		}
	}
}

// ackFrame handles one frame received before connection_ack: it reports
// the keep-alive timeout when the frame is connection_ack, a
// *ConnectionError for connection_error, an error for a frame that is not
// JSON, and nothing for a frame to ignore.
func (c *Client) ackFrame(b []byte) (keepAlive time.Duration, acked bool, err error) {
	m, err := decodeFrame(b)
	if err != nil {
		return 0, false, fmt.Errorf("waiting for connection_ack: a message that is not JSON (%d bytes): %w", len(b), ErrProtocol)
	}
	switch string(m.typ) {
	case typeConnectionAck:
		var p ackPayload
		_ = json.Unmarshal(m.payload, &p)
		if timeout, ok := keepAliveOf(p, c.o.serverKeepAlive[0], c.o.serverKeepAlive[1]); ok {
			return timeout, true, nil
		}
		return c.o.KeepAliveTimeout, true, nil
	case typeConnectionError:
		errs, codes := parseErrors(m.payload)
		return 0, false, &ConnectionError{Errors: c.red.graphQLErrors(errs), codes: codes}
	case typeKeepAlive:
	default:
		c.log.Debug("realtime: unexpected message before connection_ack", "type", c.red.clip(string(m.typ), maxLoggedField))
	}
	return 0, false, nil
}

// connState is what serve knows of the subscriptions on one connection.
type connState struct {
	started map[string]*Subscription // start sent, no stop sent, not ended by the server
	acked   map[string]bool          // start_ack received
	timers  map[string]*time.Timer   // start_ack deadlines
}

func (cs *connState) forget(id string) {
	delete(cs.started, id)
	delete(cs.acked, id)
	if t := cs.timers[id]; t != nil {
		t.Stop()
		delete(cs.timers, id)
	}
}

// inbound is one read from the socket.
type inbound struct {
	raw []byte
	err error
}

// maxStartAuthFailures is how many times in a row the Authorizer may fail
// for the start of a subscription that was acknowledged before (each
// failure drops the connection and retries after backoff) before that
// subscription ends with the error.
const maxStartAuthFailures = 3

// startReady is the outcome of authorizing one start.
type startReady struct {
	s       *Subscription
	headers map[string]string
	err     error
}

// serve runs one connection: it starts the subscriptions, dispatches what
// arrives, watches the keep-alive, and stops the subscriptions that end.
// It returns nil after closing the socket because no subscription is left,
// or why the connection was lost.
func (c *Client) serve(ws *websocket.Conn, keepAlive time.Duration) (lost error) {
	c.mu.Lock()
	c.gen++
	gen := c.gen
	c.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	// The reader runs at most inboundAhead messages ahead of the loop, so
	// that neither waits for the other at every message.
	in := make(chan inbound, inboundAhead)
	loopDone := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		var scratch []byte
		for {
			b, err := readMessage(ws, &scratch)
			select {
			case in <- inbound{raw: b, err: err}:
			default:
				select {
				case in <- inbound{raw: b, err: err}:
				case <-loopDone: // keep reading, so a close handshake completes
				}
			}
			if err != nil {
				return
			}
		}
	}()

	cs := &connState{started: map[string]*Subscription{}, acked: map[string]bool{}, timers: map[string]*time.Timer{}}
	expired := make(chan *Subscription)
	ready := make(chan startReady)
	watchdog := time.NewTimer(keepAlive)

	defer func() {
		watchdog.Stop()
		for _, t := range cs.timers {
			t.Stop()
		}
		cancel()
		close(loopDone)
		if lost == nil {
			_ = ws.Close(websocket.StatusNormalClosure, "")
		} else {
			_ = ws.CloseNow()
		}
		<-readerDone
	}()

	write := func(m any) error {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		wctx, wcancel := context.WithTimeout(ctx, c.o.WriteTimeout)
		defer wcancel()
		if err := ws.Write(wctx, websocket.MessageText, b); err != nil {
			return c.networkError(fmt.Errorf("write: %w", err))
		}
		return nil
	}
	// reconcile starts the subscriptions not started on this connection
	// and stops the ones that ended; it reports whether none is left.
	reconcile := func() (bool, error) {
		c.mu.Lock()
		var toStart []*Subscription
		for _, s := range c.subs {
			if s.gen != gen {
				s.gen = gen
				toStart = append(toStart, s)
			}
		}
		var toStop []string
		for id, s := range cs.started {
			if s.removed {
				toStop = append(toStop, id)
			}
		}
		empty := len(c.subs) == 0
		c.mu.Unlock()
		for _, id := range toStop {
			cs.forget(id)
			if err := write(message{Type: typeStop, ID: id}); err != nil {
				return false, err
			}
		}
		if empty {
			return true, nil
		}
		for _, s := range toStart {
			go func(s *Subscription) {
				hctx, hcancel := context.WithTimeout(ctx, c.o.StartTimeout)
				h, err := s.auth.Headers(hctx, []byte(s.data), false)
				hcancel()
				select {
				case ready <- startReady{s: s, headers: h, err: err}:
				case <-ctx.Done():
				}
			}(s)
		}
		return false, nil
	}

	current := func(s *Subscription) (live, everAcked bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return !s.removed && s.gen == gen, s.everAcked
	}

	if empty, err := reconcile(); err != nil {
		return err
	} else if empty {
		return nil
	}
	for {
		select {
		case <-c.wake:
			empty, err := reconcile()
			if err != nil {
				return err
			}
			if empty {
				return nil
			}

		case r := <-ready:
			live, everAcked := current(r.s)
			if !live {
				continue
			}
			if r.err != nil {
				err := c.red.error(fmt.Errorf("authorize the start of %s: %w", opName(r.s), r.err))
				r.s.startAuthFailures++
				if everAcked && r.s.startAuthFailures < maxStartAuthFailures {
					return err // reconnect and try again
				}
				c.remove(r.s, err)
				continue
			}
			r.s.startAuthFailures = 0
			c.red.addHeaders(r.headers)
			start := message{Type: typeStart, ID: r.s.id}
			start.Payload, _ = json.Marshal(startPayload{Data: r.s.data, Extensions: startExtensions{Authorization: r.headers}})
			if err := write(start); err != nil {
				return err
			}
			cs.started[r.s.id] = r.s
			s := r.s
			cs.timers[s.id] = time.AfterFunc(c.o.StartTimeout, func() {
				select {
				case expired <- s:
				case <-ctx.Done():
				}
			})

		case s := <-expired:
			if cs.started[s.id] != s || cs.acked[s.id] {
				continue
			}
			if _, everAcked := current(s); everAcked {
				return fmt.Errorf("resubscribing %s: %w", opName(s), ErrStartTimeout)
			}
			cs.forget(s.id)
			c.remove(s, &SubscriptionError{ID: s.id, Operation: s.op, Err: ErrStartTimeout})
			if err := write(message{Type: typeStop, ID: s.id}); err != nil {
				return err
			}

		case <-watchdog.C:
			// A connection gone silent is one the network lost (a NAT's
			// timeout, a sleeping laptop), as an HTTP attempt without a
			// reply within its timeout is.
			return &client.NetworkError{Err: ErrKeepAliveTimeout}

		case m := <-in:
			// The messages already read are dispatched in one go (at
			// most inboundBatch, so that the other cases get their turn
			// in a flood): a receive that does not wait is much cheaper
			// than this select.
			for n := 1; ; n++ {
				if m.err != nil {
					return c.networkError(fmt.Errorf("read: %w", m.err))
				}
				if err := c.dispatch(m.raw, cs); err != nil {
					return err
				}
				if n == inboundBatch {
					break
				}
				var ok bool
				select {
				case m = <-in:
					ok = true
				default:
				}
				if !ok {
					break
				}
			}
			watchdog.Reset(keepAlive)
		}
	}
}

// readMessage reads the next message as ws.Read does, into a buffer of its
// own size: ws.Read's io.ReadAll starts every message with 512 bytes, three
// times an event's usual size, and the buffer lives as long as the event
// does (its Data and Payload are slices of it). The message is read into
// scratch, kept from message to message unless it grew large, then
// copied.
func readMessage(ws *websocket.Conn, scratch *[]byte) ([]byte, error) {
	_, r, err := ws.Reader(context.Background())
	if err != nil {
		return nil, err
	}
	buf := (*scratch)[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if cap(buf) <= maxScratch {
		*scratch = buf
	} else {
		*scratch = nil
	}
	return append([]byte(nil), buf...), nil
}

// maxScratch bounds the read buffer a connection keeps between messages.
const maxScratch = 64 << 10

// inboundAhead is how many messages the socket reader may read ahead of
// the connection loop: at most that many more buffers of MaxMessageBytes
// (besides the subscriptions' own) per connection. inboundBatch is how many
// messages the loop dispatches before it looks at its other work.
const (
	inboundAhead = 16
	inboundBatch = 64
)

// maxLoggedField bounds the server's text (a message's type or id) that a
// log line quotes: an id is a UUID, a type a short word.
const maxLoggedField = 64

// dispatch handles one received message; an error means the connection
// is lost.
func (c *Client) dispatch(raw []byte, cs *connState) error {
	// One pass over the message finds its type, its id and, for data, the
	// payload's data and errors, as slices of raw: the data is decoded
	// once, by the consumer, into its own type.
	m, err := decodeFrame(raw)
	if err != nil {
		// A frame that is not JSON means the stream cannot be trusted:
		// the connection is dropped, re-established and every
		// subscription restarted with a gap. (A well-formed message of an
		// unknown type, or for an unknown id, is ignored.)
		return fmt.Errorf("realtime: the server sent a message that is not JSON (%d bytes): %w", len(raw), ErrProtocol)
	}
	// Indexing a map with string(bytes) does not allocate.
	s := cs.started[string(m.id)]
	switch string(m.typ) {
	case typeKeepAlive, typeConnectionAck:

	case typeStartAck:
		if s == nil || cs.acked[s.id] {
			return nil
		}
		cs.acked[s.id] = true
		if t := cs.timers[s.id]; t != nil {
			t.Stop()
			delete(cs.timers, s.id)
		}
		c.mu.Lock()
		first := !s.everAcked
		s.everAcked = true
		gap, reconnects, cause := s.gapPending, s.reconnects, s.gapCause
		s.gapPending, s.reconnects, s.gapCause = false, 0, nil
		c.mu.Unlock()
		if gap {
			s.q.pushGap(reconnects, cause)
		}
		if first {
			s.ackOnce.Do(func() { close(s.acked) })
		}

	case typeData:
		if s == nil {
			c.log.Debug("realtime: data for an unknown subscription", "id", c.red.clip(string(m.id), maxLoggedField))
			return nil
		}
		var errs client.GraphQLErrors
		if !m.dataOK {
			errs = client.GraphQLErrors{{Message: "unreadable data payload (" + kindOf(m.payload) + ")"}}
		} else if len(m.errors) > 0 {
			errs, _ = decodeErrors(m.errors)
		}
		ev := Event{Data: m.data, Errors: c.red.graphQLErrors(errs), Payload: m.payload}
		if !s.q.push(ev) {
			c.log.Debug("realtime: subscription buffer full, event dropped", "id", s.id)
		}

	case typeError:
		if s == nil {
			errs, _ := parseErrors(m.payload)
			c.log.Warn("realtime: error message", "id", c.red.clip(string(m.id), maxLoggedField), "err", c.red.graphQLErrors(errs))
			return nil
		}
		cs.forget(s.id)
		errs, _ := parseErrors(m.payload)
		c.remove(s, &SubscriptionError{ID: s.id, Operation: s.op, Errors: c.red.graphQLErrors(errs)})

	case typeComplete:
		if s == nil {
			return nil // the answer to our stop
		}
		cs.forget(s.id)
		c.remove(s, &SubscriptionError{ID: s.id, Operation: s.op, Reason: "the server completed the subscription"})

	case typeConnectionError:
		errs, codes := parseErrors(m.payload)
		return &ConnectionError{Errors: c.red.graphQLErrors(errs), codes: codes}

	default:
		c.log.Debug("realtime: ignoring a message of unknown type", "type", c.red.clip(string(m.typ), maxLoggedField))
	}
	return nil
}

func opName(s *Subscription) string {
	if s.op != "" {
		return s.op
	}
	return "subscription " + s.id
}
