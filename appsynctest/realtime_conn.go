package appsynctest

// This file is the protocol of one realtime connection: the client's
// messages (connection_init, start, stop) and the server's (connection_ack,
// ka, start_ack, data, error, complete), written by one goroutine per
// connection in the order they are queued.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/go-amplify/data/appsynctest/internal/realtime"
	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/vektah/gqlparser/v2/ast"
)

// rtConn is one realtime connection.
type rtConn struct {
	rt  *rtEndpoint
	srv *Server
	ws  *websocket.Conn
	// id is the connect authorization's identity.
	id *identity
	// remoteAddr and host are those of the upgrade request.
	remoteAddr, host string

	ctx    context.Context
	cancel context.CancelFunc
	out    chan outMsg
	// writerDone is closed when the writer ends, gone when the connection
	// is no longer counted.
	writerDone, gone chan struct{}

	mu        sync.Mutex
	subs      map[string]*rtSub
	closed    bool
	kaStarted bool
}

// outMsg is a message for the writer. keepAlive, when set, starts the
// keep-alive messages after this one, every keepAlive.
type outMsg struct {
	b         []byte
	keepAlive time.Duration
	data      bool
}

func newRTConn(rt *rtEndpoint, ws *websocket.Conn, id *identity, r *http.Request) *rtConn {
	ctx, cancel := context.WithCancel(context.Background())
	return &rtConn{rt: rt, srv: rt.srv, ws: ws, id: id, remoteAddr: r.RemoteAddr, host: r.Host,
		ctx: ctx, cancel: cancel, out: make(chan outMsg, outQueue),
		writerDone: make(chan struct{}), gone: make(chan struct{}), subs: map[string]*rtSub{}}
}

// run reads and handles the client's messages until the connection ends.
func (c *rtConn) run() {
	go c.writeLoop()
	defer c.teardown()
	for {
		typ, b, err := c.ws.Read(c.ctx)
		if err != nil {
			status := websocket.CloseStatus(err)
			c.srv.log.Info("appsynctest: realtime disconnected", "auth", c.id.describe(), "status", int(status))
			return
		}
		c.handle(typ, b)
	}
}

// teardown ends the connection's subscriptions and goroutines.
func (c *rtConn) teardown() {
	c.mu.Lock()
	c.closed = true
	subs := c.subs
	c.subs = map[string]*rtSub{}
	for _, sub := range subs {
		sub.stopped = true
	}
	c.mu.Unlock()
	c.rt.unregister(subs)
	c.cancel()
	<-c.writerDone
	_ = c.ws.CloseNow()
}

// abort ends the connection from any goroutine.
func (c *rtConn) abort() { c.cancel() }

// enqueueLocked queues a message for the writer (c.mu held). A client too
// slow to take its messages loses its connection, rather than the server
// blocking or silently dropping events.
func (c *rtConn) enqueueLocked(m outMsg) {
	if c.closed {
		return
	}
	select {
	case c.out <- m:
	default:
		c.srv.log.Warn("appsynctest: realtime client too slow, dropping its connection", "queued", len(c.out))
		c.closed = true
		c.abort()
	}
}

func (c *rtConn) send(m outMsg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enqueueLocked(m)
}

// writeLoop writes the queued messages and the keep-alives.
func (c *rtConn) writeLoop() {
	defer close(c.writerDone)
	var ticker *time.Ticker
	var tick <-chan time.Time
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	for {
		select {
		case <-c.ctx.Done():
			return
		case m := <-c.out:
			if !c.write(m.b) {
				return
			}
			if m.data {
				c.rt.mu.Lock()
				c.rt.events++
				c.rt.mu.Unlock()
			}
			if m.keepAlive > 0 && ticker == nil {
				// AppSync sends the first "ka" right after the ack.
				if !c.keepAlive() {
					return
				}
				ticker = time.NewTicker(m.keepAlive)
				tick = ticker.C
			}
		case <-tick:
			if !c.keepAlive() {
				return
			}
		}
	}
}

func (c *rtConn) keepAlive() bool {
	if c.rt.kaStopped.Load() {
		return true
	}
	if !c.write(realtime.KeepAliveMessage) {
		return false
	}
	c.rt.mu.Lock()
	c.rt.keepAlives++
	c.rt.mu.Unlock()
	return true
}

func (c *rtConn) write(b []byte) bool {
	ctx, cancel := context.WithTimeout(c.ctx, realtimeWriteTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.abort()
		return false
	}
	return true
}

// startKeepAliveLocked returns the keep-alive interval to start with the
// next message, the first time (c.mu held).
func (c *rtConn) startKeepAliveLocked() time.Duration {
	if c.kaStarted {
		return 0
	}
	c.kaStarted = true
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return c.rt.kaInterval
}

// handle handles one client message. A malformed message is answered
// with an error message; the connection stays open.
func (c *rtConn) handle(typ websocket.MessageType, b []byte) {
	defer func() {
		if p := recover(); p != nil {
			c.srv.log.Error("appsynctest: realtime internal error", "panic", fmt.Sprint(p))
			c.send(outMsg{b: realtime.ErrorMessage("", &realtime.Error{ErrorType: "InternalFailure", Message: fmt.Sprintf("appsynctest internal error: %v", p)})})
		}
	}()
	if typ != websocket.MessageText {
		c.send(outMsg{b: realtime.ErrorMessage("", realtime.BadRequest("Binary messages are not supported: send JSON text messages."))})
		return
	}
	v, err := value.Decode(b)
	m, isObject := v.(map[string]any)
	if err != nil || !isObject {
		c.send(outMsg{b: realtime.ErrorMessage("", realtime.BadRequest("The message is not a JSON object."))})
		return
	}
	msgType, _ := m["type"].(string)
	id, _ := m["id"].(string)
	switch msgType {
	case "connection_init":
		c.connectionInit()
	case "start":
		if id == "" {
			c.send(outMsg{b: realtime.ErrorMessage("", realtime.BadRequest("A start message needs an id (a string, unique among the connection's subscriptions)."))})
			return
		}
		if e := c.start(id, m["payload"]); e != nil {
			c.mu.Lock()
			c.enqueueLocked(outMsg{b: e, keepAlive: c.startKeepAliveLocked()})
			c.mu.Unlock()
		}
	case "stop":
		if id == "" {
			c.send(outMsg{b: realtime.ErrorMessage("", realtime.BadRequest("A stop message needs the id of the subscription to stop."))})
			return
		}
		c.stop(id)
	case "":
		c.send(outMsg{b: realtime.ErrorMessage(id, realtime.BadRequest("The message has no type."))})
	default:
		// As AppSync words it: "<type> not supported through the realtime channel".
		c.send(outMsg{b: realtime.ErrorMessage(id, &realtime.Error{ErrorType: "UnsupportedOperation", Message: msgType + " not supported through the realtime channel"})})
	}
}

// connectionInit answers connection_init with connection_ack, then starts
// the keep-alives.
func (c *rtConn) connectionInit() {
	c.rt.mu.Lock()
	timeout := c.rt.connTimeout
	c.rt.mu.Unlock()
	var p value.Object
	p.Set("connectionTimeoutMs", timeout.Milliseconds())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enqueueLocked(outMsg{b: realtime.Message("", "connection_ack", p), keepAlive: c.startKeepAliveLocked()})
}

// stop ends a subscription and answers complete (also for an id that is
// not active, so that a stop is idempotent).
func (c *rtConn) stop(id string) {
	c.mu.Lock()
	sub := c.subs[id]
	if sub != nil {
		delete(c.subs, id)
		sub.stopped = true
	}
	c.enqueueLocked(outMsg{b: realtime.Message(id, "complete", nil)})
	c.mu.Unlock()
	if sub != nil {
		c.rt.unregister(map[string]*rtSub{id: sub})
		c.srv.log.Info("appsynctest: realtime stop", "id", id, "field", sub.fieldName)
	}
}

// rtSub is an active subscription.
type rtSub struct {
	conn      *rtConn
	id        string
	fieldName string
	field     *subField // nil: no mutation publishes to the field
	req       *request
	doc       *ast.QueryDocument
	op        *ast.OperationDefinition
	vars      map[string]any
	// filter is the enhanced filter the events must pass; argFilter the
	// arguments they must match when there is none.
	filter    map[string]any
	argFilter map[string]any
	// stopped is set, under conn.mu, when the subscription ends.
	stopped bool
	// seq orders the subscriptions by start, the order events are
	// delivered in.
	seq int
}

// start registers a subscription; it returns the error message to send
// when it fails.
func (c *rtConn) start(id string, payload any) []byte {
	s := c.srv
	c.mu.Lock()
	_, dup := c.subs[id]
	n := len(c.subs)
	c.mu.Unlock()
	c.rt.mu.Lock()
	maxSubs := c.rt.maxSubs
	c.rt.mu.Unlock()
	if dup {
		return realtime.ErrorMessage(id, &realtime.Error{ErrorType: "DuplicatedOperationError", Message: "Duplicated operation with id " + id})
	}
	if n >= maxSubs {
		// AppSync sends this one error as an object, not a list (as
		// amplify-swift's AppSyncRealTimeClient records it).
		var e value.Object
		e.Set("errorType", "MaxSubscriptionsReachedError")
		e.Set("message", fmt.Sprintf("Max number of %d subscriptions reached", maxSubs))
		var p value.Object
		p.Set("errors", e)
		return realtime.Message(id, "error", p)
	}
	p, _ := payload.(map[string]any)
	data, ok := p["data"].(string)
	if !ok {
		return realtime.ErrorMessage(id, realtime.BadRequest("The start payload needs data: the JSON string of {\"query\", \"variables\"}."))
	}
	ext, _ := p["extensions"].(map[string]any)
	headers, _ := ext["authorization"].(map[string]any)
	if len(headers) == 0 {
		s.log.Info("appsynctest: realtime start refused", "id", id, "reason", "no payload.extensions.authorization")
		return realtime.ErrorMessage(id, &realtime.Error{ErrorType: "UnauthorizedException", Message: errNoAuth.Message, Code: http.StatusUnauthorized})
	}
	upgrade := &http.Request{RemoteAddr: c.remoteAddr, Host: c.host}
	ident, rerr, detail := s.realtimeAuthenticate(headers, c.rt.graphqlPath, []byte(data), upgrade)
	if rerr != nil {
		s.log.Info("appsynctest: realtime start refused", "id", id, "reason", detail)
		return realtime.ErrorMessage(id, rerr)
	}
	req, gerr := parseStartData(data)
	if gerr != nil {
		return realtime.ErrorMessage(id, gerr)
	}
	doc, errs := s.parseDocument(req.Query)
	if len(errs) > 0 {
		return realtime.ErrorMessage(id, gqlErrorList(errs)...)
	}
	op, oerr := selectOperation(doc, req.OperationName)
	if oerr != nil {
		return realtime.ErrorMessage(id, oerr)
	}
	if op.Operation != ast.Subscription {
		return realtime.ErrorMessage(id, &realtime.Error{ErrorType: "UnsupportedOperation", Message: string(op.Operation) + " not supported through the realtime channel"})
	}
	vars, errs := s.coerceVariables(op, req.Variables)
	if len(errs) > 0 {
		return realtime.ErrorMessage(id, gqlErrorList(errs)...)
	}
	rq := &request{ctx: c.ctx, id: ident, headers: stringHeaders(headers), host: c.host}
	ex, done := s.newExecutor(rq, doc, op, vars)
	defer done()
	root := s.schema.Subscription
	var field *ast.Field
	for _, g := range ex.collectFields(root, op.SelectionSet, map[string]bool{}, nil) {
		if g.fields[0].Name != "__typename" {
			field = g.fields[0]
			break
		}
	}
	if field == nil {
		return realtime.ErrorMessage(id, realtime.BadRequest("The subscription selects no field."))
	}
	def := root.Fields.ForName(field.Name)
	if err := s.checkDirectives(ident, root, def); err != nil {
		return realtime.ErrorMessage(id, resolverRTError(err))
	}
	args, err := ex.arguments(def.Arguments, field.Arguments)
	if err != nil {
		return realtime.ErrorMessage(id, resolverRTError(err))
	}
	sub := &rtSub{conn: c, id: id, fieldName: def.Name, field: c.rt.subFields[def.Name], req: rq, doc: doc, op: op, vars: vars}
	if err := c.rt.authorizeStart(sub, ident, args); err != nil {
		s.log.Info("appsynctest: realtime start refused", "id", id, "field", def.Name, "auth", ident.describe(), "reason", err.Message)
		return realtime.ErrorMessage(id, err)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.subs[id] = sub
	// Registered before start_ack is queued, so that every mutation after
	// the client reads start_ack reaches it; under c.mu, which delivery
	// takes, so that no event is queued before start_ack.
	c.rt.register(sub)
	c.enqueueLocked(outMsg{b: realtime.Message(id, "start_ack", nil), keepAlive: c.startKeepAliveLocked()})
	s.log.Info("appsynctest: realtime start", "id", id, "field", def.Name, "auth", ident.describe())
	return nil
}

// parseStartData reads the data string of a start message: the JSON of
// {"query", "variables", "operationName"}.
func parseStartData(data string) (*graphQLRequest, *realtime.Error) {
	var raw struct {
		Query         *string         `json:"query"`
		OperationName *string         `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
	}
	v, err := value.Decode([]byte(data))
	if _, isObject := v.(map[string]any); err != nil || !isObject || json.Unmarshal([]byte(data), &raw) != nil {
		return nil, realtime.BadRequest("The start payload's data is not the JSON string of an object {\"query\", \"variables\"}.")
	}
	if raw.Query == nil || strings.TrimSpace(*raw.Query) == "" {
		return nil, realtime.BadRequest("The start payload's data has no query.")
	}
	req := &graphQLRequest{Query: *raw.Query}
	if raw.OperationName != nil {
		req.OperationName = *raw.OperationName
	}
	if len(raw.Variables) > 0 && string(raw.Variables) != "null" {
		v, err := value.Decode(raw.Variables)
		m, ok := v.(map[string]any)
		if err != nil || !ok {
			return nil, realtime.BadRequest("The start payload's variables are not a JSON object.")
		}
		req.Variables = m
	}
	return req, nil
}

func gqlErrorList(errs []*gqlError) []any {
	out := make([]any, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return out
}

// resolverRTError is the error of a start that a resolver step refused,
// as AppSync reports it: {"errorType":"Unauthorized","message":"Not
// Authorized to access onCreateTodo on type Subscription"}.
func resolverRTError(err error) *realtime.Error {
	re := asResolverError(err, "")
	return &realtime.Error{ErrorType: re.ErrorType, Message: re.Message}
}

// stringHeaders converts the authorization headers of a message to the
// request headers a resolver sees (lower-case names).
func stringHeaders(h map[string]any) http.Header {
	out := http.Header{}
	for k, v := range h {
		if s, ok := headerString(v); ok && !strings.EqualFold(k, "host") {
			out.Set(strings.ToLower(k), s)
		}
	}
	return out
}

// register makes a subscription receive events.
func (rt *rtEndpoint) register(sub *rtSub) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.subs[sub.fieldName] == nil {
		rt.subs[sub.fieldName] = map[*rtSub]struct{}{}
	}
	rt.subs[sub.fieldName][sub] = struct{}{}
	rt.started++
	sub.seq = rt.started
	rt.active.Add(1)
	rt.notifyLocked()
}

// unregister removes subscriptions.
func (rt *rtEndpoint) unregister(subs map[string]*rtSub) {
	if len(subs) == 0 {
		return
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, sub := range subs {
		if set := rt.subs[sub.fieldName]; set != nil {
			if _, ok := set[sub]; ok {
				delete(set, sub)
				rt.active.Add(-1)
			}
			if len(set) == 0 {
				delete(rt.subs, sub.fieldName)
			}
		}
	}
	rt.notifyLocked()
}
