package appsynctest

// This file serves AppSync's realtime endpoint: GraphQL subscriptions over
// a WebSocket, in the protocol AppSync documents ("Building a real-time
// WebSocket client") and its clients (amplify-js, amplify-swift,
// amplify-android) speak:
//
//	client                                   server
//	GET /graphql?header=<b64 auth>&payload=e30=   (subprotocol graphql-ws)
//	                                          connection_error, close   (bad auth)
//	{"type":"connection_init"}          ->
//	                                    <-    {"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}
//	                                    <-    {"type":"ka"}   (then every minute)
//	{"type":"start","id":..,"payload":{"data":"{\"query\":..,\"variables\":..}",
//	  "extensions":{"authorization":{..}}}}
//	                                    <-    {"id":..,"type":"start_ack"}   or   {"id":..,"type":"error",..}
//	                                    <-    {"id":..,"type":"data","payload":{"data":{..}}}   (per event)
//	{"type":"stop","id":..}             ->
//	                                    <-    {"id":..,"type":"complete"}
//
// internal/realtime reads the handshake and holds the protocol's
// constants, realtime_conn.go speaks the protocol of a connection,
// realtime_auth.go authorizes connections and subscriptions,
// realtime_publish.go delivers mutation responses to subscribers.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/go-amplify/data/appsynctest/internal/realtime"
)

const (
	// outQueue is how many messages may wait for a slow client before the
	// server drops its connection.
	outQueue = 1024
	// realtimeWriteTimeout bounds the write of one message.
	realtimeWriteTimeout = 10 * time.Second
)

// rtEndpoint is the state of a server's realtime endpoint.
type rtEndpoint struct {
	once sync.Once
	srv  *Server
	// subFields are the Subscription fields by name; triggers the
	// subscription fields each mutation field publishes to
	// (@aws_subscribe(mutations: [...])).
	subFields map[string]*subField
	triggers  map[string][]*subField
	// graphqlPath is the path of the GraphQL endpoint (/graphql), which
	// IAM signatures cover.
	graphqlPath string

	kaStopped atomic.Bool
	// active counts the active subscriptions, read without the lock on
	// every mutation.
	active atomic.Int64

	mu     sync.Mutex
	closed bool
	refuse bool
	conns  map[*rtConn]struct{}
	// pending are the WebSockets not yet authorized (or being refused).
	pending map[*websocket.Conn]struct{}
	subs    map[string]map[*rtSub]struct{} // by subscription field
	// changed is closed (and replaced) whenever a count changes.
	changed chan struct{}
	wg      sync.WaitGroup

	kaInterval, connTimeout time.Duration
	maxSubs                 int
	maxMessage              int64

	accepted, started, events, keepAlives int
}

func newRealtime() *rtEndpoint {
	return &rtEndpoint{
		conns:       map[*rtConn]struct{}{},
		pending:     map[*websocket.Conn]struct{}{},
		subs:        map[string]map[*rtSub]struct{}{},
		changed:     make(chan struct{}),
		kaInterval:  realtime.DefaultKeepAlive,
		connTimeout: realtime.DefaultConnectionTimeout,
		maxSubs:     realtime.DefaultMaxSubscriptions,
		maxMessage:  realtime.DefaultMaxMessageBytes,
	}
}

// realtime returns the server's realtime state, reading the schema's
// subscriptions on first use.
func (s *Server) realtime() *rtEndpoint {
	rt := s.bus.realtime
	rt.once.Do(func() { rt.init(s) })
	return rt
}

// notifyLocked signals a change of the counts (rt.mu held).
func (rt *rtEndpoint) notifyLocked() {
	close(rt.changed)
	rt.changed = make(chan struct{})
}

// RealtimeStats counts the realtime endpoint's connections, subscriptions
// and messages.
type RealtimeStats struct {
	// Connections is the number of open WebSocket connections whose
	// connect authorization passed.
	Connections int
	// Subscriptions is the number of active subscriptions (acknowledged
	// with start_ack, not stopped), over all connections.
	Subscriptions int
	// ConnectionsAccepted and SubscriptionsStarted count the connections
	// and subscriptions since the server started.
	ConnectionsAccepted, SubscriptionsStarted int
	// Events is the number of data messages sent, KeepAlives the number of
	// "ka" messages.
	Events, KeepAlives int
}

// RealtimeStats returns the counters of the realtime endpoint.
func (s *Server) RealtimeStats() RealtimeStats {
	rt := s.realtime()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.statsLocked()
}

func (rt *rtEndpoint) statsLocked() RealtimeStats {
	st := RealtimeStats{Connections: len(rt.conns), ConnectionsAccepted: rt.accepted,
		SubscriptionsStarted: rt.started, Events: rt.events, KeepAlives: rt.keepAlives}
	for _, subs := range rt.subs {
		st.Subscriptions += len(subs)
	}
	return st
}

// WaitRealtime waits until cond holds for the realtime counters, or ctx
// ends. It lets a test wait, for example, until a client under test has
// (re)subscribed before it runs the mutation whose event it expects.
func (s *Server) WaitRealtime(ctx context.Context, cond func(RealtimeStats) bool) error {
	rt := s.realtime()
	for {
		rt.mu.Lock()
		st, ch := rt.statsLocked(), rt.changed
		rt.mu.Unlock()
		if cond(st) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("appsynctest: waiting for the realtime endpoint (now %+v): %w", st, ctx.Err())
		}
	}
}

// WaitSubscriptions waits until exactly n subscriptions are active, or ctx
// ends.
func (s *Server) WaitSubscriptions(ctx context.Context, n int) error {
	return s.WaitRealtime(ctx, func(st RealtimeStats) bool { return st.Subscriptions == n })
}

// SetKeepAlive sets how often connections get a "ka" message and the
// connectionTimeoutMs that connection_ack announces (after which a client
// that has had no "ka" should close the connection). Zero or negative
// values mean AppSync's: a minute and 5 minutes. It applies to the
// connections acknowledged from then on.
func (s *Server) SetKeepAlive(interval, timeout time.Duration) {
	rt := s.realtime()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if interval <= 0 {
		interval = realtime.DefaultKeepAlive
	}
	if timeout <= 0 {
		timeout = realtime.DefaultConnectionTimeout
	}
	rt.kaInterval, rt.connTimeout = interval, timeout
}

// StopKeepAlive stops (true) or resumes (false) the "ka" messages of every
// connection, so that a client's keep-alive timeout can be tested.
func (s *Server) StopKeepAlive(stop bool) { s.realtime().kaStopped.Store(stop) }

// SetRealtimeLimits sets the limit of subscriptions per connection
// (AppSync's is 100; a start beyond it fails with
// MaxSubscriptionsReachedError) and of the size of a message a client
// sends (240 KB by default; a larger message closes the connection with
// status 1009, message too big). Zero or negative values keep the current
// limit. The message limit applies to connections opened from then on.
func (s *Server) SetRealtimeLimits(maxSubscriptions int, maxMessageBytes int64) {
	rt := s.realtime()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if maxSubscriptions > 0 {
		rt.maxSubs = maxSubscriptions
	}
	if maxMessageBytes > 0 {
		rt.maxMessage = maxMessageBytes
	}
}

// DropConnections closes every realtime connection abruptly, without a
// WebSocket close frame, as a network failure would (the clients see
// status 1006), and returns how many it closed. Their subscriptions end;
// it returns once they are gone from RealtimeStats.
func (s *Server) DropConnections() int {
	rt := s.realtime()
	rt.mu.Lock()
	conns := make([]*rtConn, 0, len(rt.conns))
	for c := range rt.conns {
		conns = append(conns, c)
	}
	rt.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.CloseNow()
	}
	for _, c := range conns {
		<-c.gone
	}
	if len(conns) > 0 {
		s.log.Info("appsynctest: realtime connections dropped", "count", len(conns))
	}
	return len(conns)
}

// RefuseConnections makes the realtime endpoint refuse new connections
// (true) with HTTP 503, as an unavailable endpoint would, or accept them
// again (false). Open connections are not affected (see DropConnections).
func (s *Server) RefuseConnections(refuse bool) {
	rt := s.realtime()
	rt.mu.Lock()
	rt.refuse = refuse
	rt.mu.Unlock()
}

// RealtimeURL returns the realtime endpoint, ws://127.0.0.1:<port>/graphql:
// AppSync serves it on its own host (<id>.appsync-realtime-api...),
// appsynctest on the GraphQL URL itself, as the AppSync simulator does
// (and at /graphql/realtime, the path of custom domains).
func (s *Server) RealtimeURL() string { return realtimeURL(s.url) }

func realtimeURL(httpURL string) string { return "ws" + strings.TrimPrefix(httpURL, "http") }

// close ends every connection (status 1001, going away) and waits for
// their goroutines.
func (rt *rtEndpoint) close() {
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return
	}
	rt.closed = true
	conns := make([]*rtConn, 0, len(rt.conns))
	for c := range rt.conns {
		conns = append(conns, c)
	}
	pending := make([]*websocket.Conn, 0, len(rt.pending))
	for ws := range rt.pending {
		pending = append(pending, ws)
	}
	rt.mu.Unlock()
	var wg sync.WaitGroup
	for _, ws := range pending {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = ws.CloseNow()
		}()
	}
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.ws.Close(websocket.StatusGoingAway, "server closed")
		}()
	}
	wg.Wait()
	rt.wg.Wait()
}

// serveRealtime serves a WebSocket upgrade of the GraphQL endpoint.
func (s *Server) serveRealtime(w http.ResponseWriter, r *http.Request) {
	rt := s.realtime()
	rt.mu.Lock()
	closed, refuse, maxMessage := rt.closed, rt.refuse, rt.maxMessage
	rt.mu.Unlock()
	if closed || refuse {
		s.log.Info("appsynctest: realtime connection refused", "reason", "RefuseConnections or closing")
		w.Header().Set("Retry-After", "1")
		(&requestError{http.StatusServiceUnavailable, "ServiceUnavailableException", "The realtime endpoint is not accepting connections."}).write(w)
		return
	}
	hs, err := realtime.ReadHandshake(r)
	if err != nil {
		s.log.Info("appsynctest: realtime connection refused", "reason", err.Error())
		if errors.Is(err, realtime.ErrNoHeader) {
			errNoAuth.write(w)
		} else {
			(&requestError{http.StatusBadRequest, "BadRequestException", "The header query parameter must be the base64 encoding of a JSON object of the authorization headers: " + err.Error()}).write(w)
		}
		return
	}

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols: []string{realtime.Subprotocol},
		// AppSync accepts any origin.
		InsecureSkipVerify: true,
	})
	if err != nil {
		s.log.Info("appsynctest: realtime upgrade failed", "err", err.Error())
		return
	}
	ws.SetReadLimit(maxMessage)
	// From here on the connection is a WebSocket, which Close ends and
	// waits for: failures are connection_error messages, then the
	// connection closes.
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		_ = ws.CloseNow()
		return
	}
	rt.pending[ws] = struct{}{}
	rt.wg.Add(1)
	rt.mu.Unlock()
	defer func() {
		rt.mu.Lock()
		delete(rt.pending, ws)
		rt.mu.Unlock()
		rt.wg.Done()
	}()
	refuseWS := func(e *realtime.Error, reason string) {
		s.log.Info("appsynctest: realtime connection refused", "reason", reason)
		b := realtime.ConnectionError(e)
		ctx, cancel := context.WithTimeout(context.Background(), realtimeWriteTimeout)
		defer cancel()
		_ = ws.Write(ctx, websocket.MessageText, b)
		_ = ws.Close(websocket.StatusNormalClosure, "")
	}
	if ws.Subprotocol() != realtime.Subprotocol {
		// AppSync: {"payload":{"errors":[{"message":"NoProtocolError","errorCode":400}]},"type":"connection_error"}
		msg := "NoProtocolError"
		if realtime.OffersOtherSubprotocols(r) {
			msg = "SubProtocolNotSupportedError"
		}
		refuseWS(&realtime.Error{Message: msg, Code: http.StatusBadRequest}, "subprotocol graphql-ws not offered")
		return
	}
	id, rerr, detail := s.realtimeAuthenticate(hs.Headers, rt.graphqlPath+"/connect", hs.Payload, r)
	if rerr != nil {
		refuseWS(rerr, detail)
		return
	}

	c := newRTConn(rt, ws, id, r)
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		_ = ws.Close(websocket.StatusGoingAway, "server closed")
		return
	}
	delete(rt.pending, ws)
	rt.conns[c] = struct{}{}
	rt.accepted++
	rt.notifyLocked()
	rt.mu.Unlock()
	s.log.Info("appsynctest: realtime connected", "auth", id.describe(), "remote", r.RemoteAddr)
	defer func() {
		rt.mu.Lock()
		delete(rt.conns, c)
		rt.notifyLocked()
		rt.mu.Unlock()
		close(c.gone)
	}()
	c.run()
}
