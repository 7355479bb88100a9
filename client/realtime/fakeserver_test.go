package realtime_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/go-amplify/data/internal/sigv4verify"
)

// wait bounds every wait of these tests. It is a failure bound, never an
// expected duration: the tests wait for events, not for time to pass.
const wait = 20 * time.Second

// fakeAppSync is an AppSync realtime endpoint written from the protocol
// description. It checks what the client sends strictly (query string,
// subprotocols, the auth headers of the connection and of every start,
// SigV4 signatures re-derived by an independent verifier over the exact
// bytes), records everything it sees, and lets a test inject faults:
// handshakes refused, connection_error, start errors, silence, dropped
// sockets.
type fakeAppSync struct {
	t          *testing.T
	srv        *httptest.Server
	graphqlURL string
	host       string

	// Set before the first connection.
	mode         string   // "apiKey", "token" or "iam"
	apiKey       string   // apiKey mode
	tokens       []string // token mode: the tokens that pass (a test may add)
	verifier     *sigv4verify.Verifier
	ackTimeout   any           // connection_ack's timeout in ms (default 300000); any JSON value
	simulatorAck bool          // say connectionTimeout, as amplify-appsync-simulator
	keepAlive    time.Duration // send ka this often (0: never)
	// extraHeaders are the names (lower case) of headers besides the
	// mode's that the connection and the starts may carry; in the iam mode
	// each one sent must be signed.
	extraHeaders []string

	// Hooks; nil means the normal behaviour.
	handshake func(n int) (status int)                    // refuse connection n with an HTTP status
	onInit    func(n int) (connectionError string)        // answer connection_init of connection n with connection_error
	onStart   func(n int, st startMsg) (errorType string) // answer a start with an error

	mu         sync.Mutex
	conns      map[int]*fakeConn
	nconns     int
	log        []srvEvent
	changed    chan struct{}
	violations []string
}

// srvEvent is one thing the fake saw.
type srvEvent struct {
	Kind   string // connect, refused, init, ack, start, start-error, stop, closed
	Conn   int
	ID     string
	Query  string
	Vars   map[string]any
	AKID   string // the access key id of an IAM signature
	Token  string // the token of the token mode
	Sig    string // the signature of an IAM Authorization
	Status websocket.StatusCode
	Hdr    map[string]string // the auth headers of a connect or a start
}

// startMsg is a start as received.
type startMsg struct {
	ID    string
	Data  string
	Query string
	Vars  map[string]any
	Auth  map[string]string
}

type fakeConn struct {
	n       int
	ws      *websocket.Conn
	writeMu sync.Mutex
	subs    map[string]startMsg // guarded by fakeAppSync.mu
	done    chan struct{}
}

func newFakeAppSync(t *testing.T, mode string) *fakeAppSync {
	t.Helper()
	f := &fakeAppSync{t: t, mode: mode, conns: map[int]*fakeConn{}, changed: make(chan struct{}), ackTimeout: int64(300000)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	u, _ := url.Parse(f.srv.URL)
	f.host = u.Host
	f.graphqlURL = f.srv.URL + "/graphql"
	t.Cleanup(func() {
		f.dropAll()
		f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, v := range f.violations {
			t.Errorf("protocol violation: %s", v)
		}
	})
	return f
}

func (f *fakeAppSync) violate(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	f.mu.Lock()
	f.violations = append(f.violations, msg)
	f.mu.Unlock()
	return errors.New(msg)
}

func (f *fakeAppSync) record(ev srvEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, ev)
	close(f.changed)
	f.changed = make(chan struct{})
}

// await waits until an event matching pred has been seen and returns the
// first one.
func (f *fakeAppSync) await(what string, pred func(srvEvent) bool) srvEvent {
	f.t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		for _, ev := range f.log {
			if pred(ev) {
				f.mu.Unlock()
				return ev
			}
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			f.t.Fatalf("fake AppSync: no %s within %s; seen: %+v", what, wait, f.events())
		}
	}
}

// awaitN waits until n events match pred and returns them.
func (f *fakeAppSync) awaitN(what string, n int, pred func(srvEvent) bool) []srvEvent {
	f.t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		var got []srvEvent
		for _, ev := range f.log {
			if pred(ev) {
				got = append(got, ev)
			}
		}
		ch := f.changed
		f.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline.C:
			f.t.Fatalf("fake AppSync: %d of %d %s within %s; seen: %+v", len(got), n, what, wait, f.events())
		}
	}
}

func (f *fakeAppSync) events() []srvEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

func (f *fakeAppSync) count(pred func(srvEvent) bool) int {
	n := 0
	for _, ev := range f.events() {
		if pred(ev) {
			n++
		}
	}
	return n
}

func kind(k string) func(srvEvent) bool { return func(ev srvEvent) bool { return ev.Kind == k } }

func kindOn(k string, conn int) func(srvEvent) bool {
	return func(ev srvEvent) bool { return ev.Kind == k && ev.Conn == conn }
}

func (f *fakeAppSync) addToken(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = append(f.tokens, tok)
}

func (f *fakeAppSync) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.nconns++
	n := f.nconns
	f.mu.Unlock()

	if r.URL.Path != "/graphql" {
		_ = f.violate("connection %d: path %q, want /graphql (the realtime URL of http://host/graphql is ws://host/graphql)", n, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	var keys []string
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !slices.Equal(keys, []string{"header", "payload"}) || len(q["header"]) != 1 || len(q["payload"]) != 1 {
		_ = f.violate("connection %d: query parameters %v, want exactly header and payload", n, keys)
	}
	if p := q.Get("payload"); p != "e30=" {
		_ = f.violate("connection %d: payload=%q, want e30= (base64 of {})", n, p)
	}
	headerJSON, err := base64.StdEncoding.DecodeString(q.Get("header"))
	var hdr map[string]string
	if err == nil {
		err = json.Unmarshal(headerJSON, &hdr)
	}
	if err != nil {
		_ = f.violate("connection %d: header parameter is not base64 of a JSON object of strings: %v", n, err)
		http.Error(w, "bad header", http.StatusBadRequest)
		return
	}
	var protocols []string
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			protocols = append(protocols, strings.TrimSpace(p))
		}
	}
	if len(protocols) == 0 || protocols[0] != "graphql-ws" {
		_ = f.violate("connection %d: subprotocols %q, want graphql-ws first", n, protocols)
	}
	for _, p := range protocols[1:] {
		rest, ok := strings.CutPrefix(p, "header-")
		if !ok {
			_ = f.violate("connection %d: unexpected subprotocol %q", n, p)
			continue
		}
		b, err := base64.RawURLEncoding.DecodeString(rest)
		if err != nil || string(b) != string(headerJSON) {
			_ = f.violate("connection %d: the header- subprotocol is not the base64url of the header parameter's JSON (%v)", n, err)
		}
	}

	ev := srvEvent{Kind: "connect", Conn: n, Hdr: hdr}
	authErr := f.checkAuth(&ev, hdr, []byte("{}"), true)
	f.record(ev)
	status := 0
	if f.handshake != nil {
		status = f.handshake(n)
	}
	if status == 0 && authErr != nil {
		status = http.StatusUnauthorized
	}
	if status != 0 {
		f.record(srvEvent{Kind: "refused", Conn: n})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		errorType, message := "UnauthorizedException", "You are not authorized to make this call."
		if status != http.StatusUnauthorized && status != http.StatusForbidden {
			errorType, message = "ServiceUnavailableException", "Try again later."
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
			"errorType": errorType, "message": message, "errorCode": status,
		}}})
		return
	}

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		_ = f.violate("connection %d: accept: %v", n, err)
		return
	}
	c := &fakeConn{n: n, ws: ws, subs: map[string]startMsg{}, done: make(chan struct{})}
	f.mu.Lock()
	f.conns[n] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.conns, n)
		f.mu.Unlock()
		close(c.done)
		_ = ws.CloseNow()
	}()
	f.run(c)
}

// checkAuth checks the auth headers of the connection (body {}) or of a
// start (body: its data string) for the fake's mode, recording the
// identity used in ev.
func (f *fakeAppSync) checkAuth(ev *srvEvent, hdr map[string]string, body []byte, connect bool) error {
	where := fmt.Sprintf("connection %d", ev.Conn)
	if !connect {
		where += " start " + ev.ID
	}
	if hdr["host"] != f.host {
		return f.violate("%s: host header %q, want %q", where, hdr["host"], f.host)
	}
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		if !slices.Contains(f.extraHeaders, strings.ToLower(k)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	switch f.mode {
	case "apiKey":
		if !slices.Equal(keys, []string{"host", "x-amz-date", "x-api-key"}) {
			return f.violate("%s: API key headers %v, want host, x-amz-date, x-api-key", where, keys)
		}
		if _, err := time.Parse("20060102T150405Z", hdr["x-amz-date"]); err != nil {
			return f.violate("%s: x-amz-date %q: %v", where, hdr["x-amz-date"], err)
		}
		if hdr["x-api-key"] != f.apiKey {
			return errors.New("wrong API key")
		}
	case "token":
		if !slices.Equal(keys, []string{"Authorization", "host"}) {
			return f.violate("%s: token headers %v, want Authorization and host", where, keys)
		}
		ev.Token = hdr["Authorization"]
		f.mu.Lock()
		ok := slices.Contains(f.tokens, ev.Token)
		f.mu.Unlock()
		if !ok {
			return errors.New("unknown token")
		}
	case "iam":
		return f.checkIAM(ev, where, hdr, body, connect)
	default:
		return f.violate("fake AppSync: unknown mode %q", f.mode)
	}
	return nil
}

func (f *fakeAppSync) checkIAM(ev *srvEvent, where string, hdr map[string]string, body []byte, connect bool) error {
	target := f.graphqlURL
	if connect {
		target += "/connect"
	}
	req, err := http.NewRequest(http.MethodPost, target, nil)
	if err != nil {
		return err
	}
	for k, v := range hdr {
		if k == "host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v) // names are case-insensitive, as in HTTP
	}
	authz := hdr["Authorization"]
	if i := strings.Index(authz, "Credential="); i >= 0 {
		ev.AKID, _, _ = strings.Cut(authz[i+len("Credential="):], "/")
	}
	if i := strings.LastIndex(authz, "Signature="); i >= 0 {
		ev.Sig = authz[i+len("Signature="):]
	}
	if err := f.verifier.Verify(req, body); err != nil {
		return f.violate("%s: SigV4 over %q: %v", where, body, err)
	}
	var signed []string
	for _, part := range strings.Split(authz, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "SignedHeaders="); ok {
			signed = strings.Split(v, ";")
		}
	}
	want := []string{"accept", "content-encoding", "content-type", "host", "x-amz-date"}
	if tok, ok := hdr["X-Amz-Security-Token"]; ok {
		if tok == "" {
			return f.violate("%s: empty X-Amz-Security-Token sent", where)
		}
		want = append(want, "x-amz-security-token")
	}
	names := map[string]string{"accept": "accept", "content-encoding": "content-encoding", "content-type": "content-type",
		"host": "host", "x-amz-date": "x-amz-date", "x-amz-security-token": "X-Amz-Security-Token"}
	for k := range hdr {
		if lower := strings.ToLower(k); slices.Contains(f.extraHeaders, lower) {
			want = append(want, lower)
			names[lower] = k
		}
	}
	sort.Strings(want)
	if !slices.Equal(signed, want) {
		return f.violate("%s: SignedHeaders %v, want %v", where, signed, want)
	}
	// Every header sent is signed (Authorization aside), and every
	// signed header is sent, with the names AppSync's documentation uses.
	if len(hdr) != len(signed)+1 {
		return f.violate("%s: headers %v: want exactly the signed ones and Authorization", where, hdr)
	}
	for _, s := range signed {
		if _, ok := hdr[names[s]]; !ok {
			return f.violate("%s: signed header %s not sent as %q", where, s, names[s])
		}
	}
	for k, v := range map[string]string{"accept": "application/json, text/javascript", "content-encoding": "amz-1.0", "content-type": "application/json; charset=UTF-8"} {
		if hdr[k] != v {
			return f.violate("%s: %s is %q, want %q", where, k, hdr[k], v)
		}
	}
	return nil
}

// run serves one accepted connection.
func (f *fakeAppSync) run(c *fakeConn) {
	ctx := context.Background()
	typ, b, err := c.ws.Read(ctx)
	if err != nil {
		f.record(srvEvent{Kind: "closed", Conn: c.n, Status: websocket.CloseStatus(err)})
		return
	}
	var first struct {
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	if typ != websocket.MessageText || json.Unmarshal(b, &first) != nil || first.Type != "connection_init" ||
		(len(first.Payload) > 0 && string(first.Payload) != "{}") {
		_ = f.violate("connection %d: first message %s, want {\"type\":\"connection_init\"}", c.n, b)
		return
	}
	f.record(srvEvent{Kind: "init", Conn: c.n})
	if f.onInit != nil {
		if errorType := f.onInit(c.n); errorType != "" {
			c.send(map[string]any{"type": "connection_error", "payload": map[string]any{"errors": []map[string]any{{
				"errorType": errorType, "message": "connection refused by the test", "errorCode": 401,
			}}}})
			_ = c.ws.Close(websocket.StatusNormalClosure, "")
			return
		}
	}
	ack := map[string]any{"connectionTimeoutMs": f.ackTimeout}
	if f.simulatorAck {
		ack = map[string]any{"connectionTimeout": f.ackTimeout}
	}
	c.send(map[string]any{"type": "connection_ack", "payload": ack})
	f.record(srvEvent{Kind: "ack", Conn: c.n})
	if f.keepAlive > 0 {
		go func() {
			t := time.NewTicker(f.keepAlive)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					if c.send(map[string]string{"type": "ka"}) != nil {
						return
					}
					f.record(srvEvent{Kind: "ka", Conn: c.n})
				case <-c.done:
					return
				}
			}
		}()
	}
	for {
		typ, b, err := c.ws.Read(ctx)
		if err != nil {
			f.record(srvEvent{Kind: "closed", Conn: c.n, Status: websocket.CloseStatus(err)})
			return
		}
		if typ != websocket.MessageText {
			_ = f.violate("connection %d: a binary message", c.n)
			continue
		}
		var m struct {
			Type    string          `json:"type"`
			ID      string          `json:"id"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			_ = f.violate("connection %d: a message that is not JSON: %q", c.n, b)
			continue
		}
		switch m.Type {
		case "start":
			f.start(c, m.ID, m.Payload)
		case "stop":
			f.mu.Lock()
			_, ok := c.subs[m.ID]
			delete(c.subs, m.ID)
			f.mu.Unlock()
			if !ok {
				_ = f.violate("connection %d: stop for %q, which is not active", c.n, m.ID)
			}
			if len(m.Payload) > 0 {
				_ = f.violate("connection %d: stop with a payload", c.n)
			}
			f.record(srvEvent{Kind: "stop", Conn: c.n, ID: m.ID})
			c.send(map[string]any{"type": "complete", "id": m.ID})
		default:
			_ = f.violate("connection %d: unexpected message type %q", c.n, m.Type)
		}
	}
}

func (f *fakeAppSync) start(c *fakeConn, id string, raw json.RawMessage) {
	var p struct {
		Data       *string `json:"data"`
		Extensions struct {
			Authorization map[string]string `json:"authorization"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.Data == nil {
		_ = f.violate("connection %d: start %s payload %s: want {data: string, extensions: {authorization: {...}}}", c.n, id, raw)
		return
	}
	var data struct {
		Query     *string        `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	dec := json.NewDecoder(strings.NewReader(*p.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&data); err != nil || data.Query == nil || data.Variables == nil {
		_ = f.violate("connection %d: start %s data %q: want the JSON string of {query, variables}: %v", c.n, id, *p.Data, err)
		return
	}
	st := startMsg{ID: id, Data: *p.Data, Query: *data.Query, Vars: data.Variables, Auth: p.Extensions.Authorization}
	ev := srvEvent{Kind: "start", Conn: c.n, ID: id, Query: st.Query, Vars: st.Vars, Hdr: st.Auth}
	f.mu.Lock()
	_, dup := c.subs[id]
	f.mu.Unlock()
	if id == "" || dup {
		_ = f.violate("connection %d: start id %q is empty or already active", c.n, id)
	}
	if err := f.checkAuth(&ev, st.Auth, []byte(st.Data), false); err != nil {
		ev.Kind = "start-error"
		f.record(ev)
		c.send(map[string]any{"type": "error", "id": id, "payload": map[string]any{"errors": []map[string]any{{
			"errorType": "UnauthorizedException", "message": "Permission denied",
		}}}})
		return
	}
	if f.onStart != nil {
		errorType := f.onStart(c.n, st)
		if errorType == "ignore" { // active, never acknowledged
			ev.Kind = "start-ignored"
			f.mu.Lock()
			c.subs[id] = st
			f.mu.Unlock()
			f.record(ev)
			return
		}
		if errorType != "" {
			ev.Kind = "start-error"
			f.record(ev)
			c.send(map[string]any{"type": "error", "id": id, "payload": map[string]any{"errors": []map[string]any{{
				"errorType": errorType, "message": "Not Authorized to access onCreateTodo on type Subscription",
			}}}})
			return
		}
	}
	// Active and acknowledged under the write lock: an event published
	// for it goes out after its start_ack. Recorded after that, so a test
	// that saw the start can publish.
	c.writeMu.Lock()
	f.mu.Lock()
	c.subs[id] = st
	f.mu.Unlock()
	_ = c.writeLocked(map[string]any{"type": "start_ack", "id": id})
	c.writeMu.Unlock()
	f.record(ev)
}

func (c *fakeConn) send(m any) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.writeLocked(m)
}

func (c *fakeConn) writeLocked(m any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// publish sends a data message with payload {"data": {field: value}} to
// every active subscription (on every live connection) that match
// accepts; it returns how many it sent.
func (f *fakeAppSync) publish(match func(startMsg) bool, field string, value any) int {
	type target struct {
		c  *fakeConn
		id string
	}
	f.mu.Lock()
	var targets []target
	for _, c := range f.conns {
		for id, st := range c.subs {
			if match == nil || match(st) {
				targets = append(targets, target{c, id})
			}
		}
	}
	f.mu.Unlock()
	sort.Slice(targets, func(i, j int) bool { return targets[i].id < targets[j].id })
	sent := 0
	for _, tg := range targets {
		if tg.c.send(map[string]any{"type": "data", "id": tg.id, "payload": map[string]any{"data": map[string]any{field: value}}}) == nil {
			sent++
		}
	}
	return sent
}

// sendTo sends a raw message on connection n.
func (f *fakeAppSync) sendTo(n int, m any) {
	f.t.Helper()
	f.mu.Lock()
	c := f.conns[n]
	f.mu.Unlock()
	if c == nil {
		f.t.Fatalf("fake AppSync: connection %d is not open", n)
	}
	if err := c.send(m); err != nil {
		f.t.Fatalf("fake AppSync: send on connection %d: %v", n, err)
	}
}

// drop closes connection n without a close handshake, as a network
// failure or a server crash would.
func (f *fakeAppSync) drop(n int) {
	f.mu.Lock()
	c := f.conns[n]
	f.mu.Unlock()
	if c != nil {
		_ = c.ws.CloseNow()
		<-c.done
	}
}

func (f *fakeAppSync) dropAll() {
	f.mu.Lock()
	var ns []int
	for n := range f.conns {
		ns = append(ns, n)
	}
	f.mu.Unlock()
	for _, n := range ns {
		f.drop(n)
	}
}
