package appsynctest_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// This file tests the realtime endpoint with a raw client of AppSync's
// realtime protocol (rtClient), written from AppSync's documentation.

// rtAuth returns the authorization headers of a connect (body "{}") or of
// a start (body the data string).
type rtAuth func(t testing.TB, body []byte, connect bool) map[string]string

func hostOf(t testing.TB, rawURL string) string {
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	return u.Host
}

func rtAPIKey(srv *appsynctest.Server, key string) rtAuth {
	return func(t testing.TB, _ []byte, _ bool) map[string]string {
		return map[string]string{"host": hostOf(t, srv.URL()), "x-amz-date": time.Now().UTC().Format("20060102T150405Z"), "x-api-key": key}
	}
}

func rtToken(srv *appsynctest.Server, tok string) rtAuth {
	return func(t testing.TB, _ []byte, _ bool) map[string]string {
		return map[string]string{"host": hostOf(t, srv.URL()), "Authorization": tok}
	}
}

func rtSession(srv *appsynctest.Server, s *appsynctest.Session) rtAuth {
	return func(t testing.TB, body []byte, connect bool) map[string]string {
		tok, err := s.Token(context.Background())
		require.NoError(t, err)
		return rtToken(srv, tok)(t, body, connect)
	}
}

// rtIAM signs as AppSync's realtime protocol asks: POST <url>/connect over
// {} for the connect, POST <url> over the data string for a start, with
// the headers amplify-js signs, and returns every signed header.
func rtIAM(srv *appsynctest.Server, p aws.CredentialsProvider, at time.Time) rtAuth {
	return func(t testing.TB, body []byte, connect bool) map[string]string {
		target := srv.URL()
		if connect {
			target += "/connect"
		}
		req, err := http.NewRequest(http.MethodPost, target, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "application/json, text/javascript")
		req.Header.Set("Content-Encoding", "amz-1.0")
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
		creds, err := p.Retrieve(context.Background())
		require.NoError(t, err)
		sum := sha256.Sum256(body)
		when := at
		if when.IsZero() {
			when = time.Now()
		}
		require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "appsync", "us-east-1", when))
		out := map[string]string{"host": req.URL.Host}
		for k := range req.Header {
			out[strings.ToLower(k)] = req.Header.Get(k)
		}
		out["Authorization"] = out["authorization"]
		delete(out, "authorization")
		return out
	}
}

// rtMsg is a message from the server.
type rtMsg struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Payload json.RawMessage `json:"payload"`
	Raw     string          `json:"-"`
}

// rtClient is a raw client of the realtime protocol.
type rtClient struct {
	t    testing.TB
	srv  *appsynctest.Server
	ws   *websocket.Conn
	msgs chan rtMsg
	done chan struct{}
	err  error // why reading ended, set before done closes
}

// dialRT opens a realtime connection with the connect headers of auth.
func dialRT(t testing.TB, srv *appsynctest.Server, auth rtAuth) *rtClient {
	t.Helper()
	c, resp, err := tryDialRT(t, srv, srv.RealtimeURL(), auth, []string{"graphql-ws"})
	require.NoError(t, err, "%v", resp)
	return c
}

func connectHeader(t testing.TB, auth rtAuth) string {
	b, err := json.Marshal(auth(t, []byte("{}"), true))
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(b)
}

// tryDialRT dials endpoint with the header query parameter of auth (none
// when nil) and the subprotocols.
func tryDialRT(t testing.TB, srv *appsynctest.Server, endpoint string, auth rtAuth, protocols []string) (*rtClient, *http.Response, error) {
	t.Helper()
	u := endpoint
	if auth != nil {
		// Unescaped, as amplify-js writes it.
		u += "?header=" + connectHeader(t, auth) + "&payload=e30="
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: protocols})
	if err != nil {
		return nil, resp, err
	}
	return startRT(t, srv, ws), resp, nil
}

func startRT(t testing.TB, srv *appsynctest.Server, ws *websocket.Conn) *rtClient {
	c := &rtClient{t: t, srv: srv, ws: ws, msgs: make(chan rtMsg, 4096), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				c.err = err
				return
			}
			var m rtMsg
			if json.Unmarshal(b, &m) != nil {
				m.Type = "(not JSON)"
			}
			m.Raw = string(b)
			c.msgs <- m
		}
	}()
	t.Cleanup(c.close)
	return c
}

func (c *rtClient) close() {
	_ = c.ws.CloseNow()
	<-c.done
}

func (c *rtClient) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	require.NoError(c.t, err)
	c.sendText(string(b))
}

func (c *rtClient) sendText(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(c.t, c.ws.Write(ctx, websocket.MessageText, []byte(s)))
}

// nextAny returns the next message, keep-alives included.
func (c *rtClient) nextAny(timeout time.Duration) (rtMsg, bool) {
	select {
	case m := <-c.msgs:
		return m, true
	case <-time.After(timeout):
		return rtMsg{}, false
	}
}

// next returns the next message other than "ka".
func (c *rtClient) next() rtMsg {
	c.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case m := <-c.msgs:
			if m.Type == "ka" {
				continue
			}
			return m
		case <-c.done:
			select {
			case m := <-c.msgs:
				if m.Type != "ka" {
					return m
				}
				continue
			default:
			}
			require.FailNow(c.t, "the connection ended", "%v", c.err)
		case <-time.After(time.Until(deadline)):
			require.FailNow(c.t, "no message from the server in 5 s")
		}
	}
}

// expect returns the next message other than "ka", which must have type
// typ.
func (c *rtClient) expect(typ string) rtMsg {
	c.t.Helper()
	m := c.next()
	require.Equal(c.t, typ, m.Type, "message %s", m.Raw)
	return m
}

// quiet checks that no message other than "ka" arrives for d.
func (c *rtClient) quiet(d time.Duration) {
	c.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m := <-c.msgs:
			if m.Type != "ka" {
				assert.Fail(c.t, "unexpected message", m.Raw)
			}
		case <-deadline:
			return
		}
	}
}

// closed waits for the connection to end and returns its close status
// (-1 when it ended without a close frame).
func (c *rtClient) closed() websocket.StatusCode {
	c.t.Helper()
	select {
	case <-c.done:
		return websocket.CloseStatus(c.err)
	case <-time.After(10 * time.Second):
		require.FailNow(c.t, "the connection did not end")
	}
	return 0
}

// init sends connection_init and reads connection_ack.
func (c *rtClient) init() rtMsg {
	c.t.Helper()
	c.send(map[string]any{"type": "connection_init"})
	return c.expect("connection_ack")
}

// startMsg sends a start message and returns the answer (start_ack or
// error).
func (c *rtClient) startMsg(id, query string, vars map[string]any, auth rtAuth) rtMsg {
	c.t.Helper()
	data, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(c.t, err)
	c.send(map[string]any{"id": id, "type": "start", "payload": map[string]any{
		"data":       string(data),
		"extensions": map[string]any{"authorization": auth(c.t, data, false)},
	}})
	m := c.next()
	require.Equal(c.t, id, m.ID, "answer to start %s: %s", id, m.Raw)
	return m
}

// subscribe starts a subscription that must be acknowledged.
func (c *rtClient) subscribe(id, query string, vars map[string]any, auth rtAuth) {
	c.t.Helper()
	m := c.startMsg(id, query, vars, auth)
	require.Equal(c.t, "start_ack", m.Type, m.Raw)
	assert.JSONEq(c.t, `{"id":"`+id+`","type":"start_ack"}`, m.Raw)
}

// event reads the next message, a data message of subscription id, and
// returns its payload's data.
func (c *rtClient) event(id string) map[string]any {
	c.t.Helper()
	m := c.expect("data")
	require.Equal(c.t, id, m.ID, m.Raw)
	var p struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	require.NoError(c.t, json.Unmarshal(m.Payload, &p), m.Raw)
	require.Empty(c.t, p.Errors, m.Raw)
	return p.Data
}

// events reads n data messages and returns the values of their field
// (their whole data when field is "") by subscription id.
func (c *rtClient) events(n int, field string) map[string][]map[string]any {
	c.t.Helper()
	out := map[string][]map[string]any{}
	var seen []string
	for range n {
		m, received := c.nextAny(5 * time.Second)
		for received && m.Type == "ka" {
			m, received = c.nextAny(5 * time.Second)
		}
		require.True(c.t, received, "%d of %d events, then none: %v", len(seen), n, seen)
		require.Equal(c.t, "data", m.Type, m.Raw)
		seen = append(seen, m.Raw)
		var p struct {
			Data   map[string]any `json:"data"`
			Errors []any          `json:"errors"`
		}
		require.NoError(c.t, json.Unmarshal(m.Payload, &p), m.Raw)
		require.Empty(c.t, p.Errors, m.Raw)
		v := p.Data
		if field != "" {
			v, _ = p.Data[field].(map[string]any)
		}
		out[m.ID] = append(out[m.ID], v)
	}
	return out
}

func waitSubs(t testing.TB, srv *appsynctest.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitSubscriptions(ctx, n))
}

const (
	onCreateBlog = `subscription OnCreateBlog($filter: ModelSubscriptionBlogFilterInput, $owner: String) {
  onCreateBlog(filter: $filter, owner: $owner) { id name owner createdAt updatedAt __typename }
}`
	onCreatePost = `subscription OnCreatePost($filter: ModelSubscriptionPostFilterInput, $owner: String) {
  onCreatePost(filter: $filter, owner: $owner) { title views owner }
}`
	createBlog = `mutation CreateBlog($input: CreateBlogInput!) {
  createBlog(input: $input) { id name owner createdAt updatedAt __typename }
}`
	createPost = `mutation CreatePost($input: CreatePostInput!) {
  createPost(input: $input) { id title content status tags rating views owner createdAt updatedAt }
}`
)

func TestRealtimeProtocol(t *testing.T) {
	srv := blogServer(t)
	alice := srv.SignIn("alice")
	c := dialRT(t, srv, rtAPIKey(srv, srv.APIKey()))

	ack := c.init()
	assert.JSONEq(t, `{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}`, ack.Raw, "AppSync's timeout, 5 minutes")
	ka, received := c.nextAny(5 * time.Second)
	require.True(t, received)
	assert.Equal(t, `{"type":"ka"}`, ka.Raw, "the first keep-alive right after the ack")

	onUpdate := `subscription { onUpdateBlog { id name } }`
	onDelete := `subscription { onDeleteBlog { id name } }`
	c.subscribe("create", onCreateBlog, nil, rtAPIKey(srv, srv.APIKey()))
	c.subscribe("update", onUpdate, nil, rtAPIKey(srv, srv.APIKey()))
	c.subscribe("delete", onDelete, nil, rtAPIKey(srv, srv.APIKey()))
	assert.Equal(t, 3, srv.RealtimeStats().Subscriptions)

	created := ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "b1"}})["createBlog"].(map[string]any)
	m := c.expect("data")
	want, err := json.Marshal(map[string]any{"id": "create", "type": "data", "payload": map[string]any{"data": map[string]any{"onCreateBlog": created}}})
	require.NoError(t, err)
	assert.JSONEq(t, string(want), m.Raw, "the subscription's selection of the mutation's response")
	assert.Equal(t, "alice", created["owner"])

	ok(t, srv.URL(), session(alice), `mutation($id: ID!) { updateBlog(input: {id: $id, name: "b2"}) { id name } }`, map[string]any{"id": created["id"]})
	assert.Equal(t, map[string]any{"onUpdateBlog": map[string]any{"id": created["id"], "name": "b2"}}, c.event("update"))
	ok(t, srv.URL(), session(alice), `mutation($id: ID!) { deleteBlog(input: {id: $id}) { id name } }`, map[string]any{"id": created["id"]})
	assert.Equal(t, map[string]any{"onDeleteBlog": map[string]any{"id": created["id"], "name": "b2"}}, c.event("delete"))

	c.send(map[string]any{"type": "stop", "id": "create"})
	assert.JSONEq(t, `{"id":"create","type":"complete"}`, c.expect("complete").Raw)
	waitSubs(t, srv, 2)
	ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "b3"}})
	c.quiet(100 * time.Millisecond)

	st := srv.RealtimeStats()
	assert.Equal(t, 1, st.Connections)
	assert.Equal(t, 2, st.Subscriptions)
	assert.Equal(t, 3, st.SubscriptionsStarted)
	assert.Equal(t, 3, st.Events)

	// A failed mutation publishes nothing.
	gql(t, srv.URL(), session(alice), `mutation { deleteBlog(input: {id: "nope"}) { id } }`, nil)
	c.quiet(50 * time.Millisecond)
}

func TestRealtimeEndpoint(t *testing.T) {
	srv := blogServer(t)
	key := rtAPIKey(srv, srv.APIKey())

	t.Run("custom domain path", func(t *testing.T) {
		c, _, err := tryDialRT(t, srv, srv.RealtimeURL()+"/realtime", key, []string{"graphql-ws"})
		require.NoError(t, err)
		c.init()
	})
	t.Run("header subprotocol", func(t *testing.T) {
		// amplify-js also offers header-<base64url of the headers>.
		b, err := json.Marshal(key(t, []byte("{}"), true))
		require.NoError(t, err)
		c, _, err := tryDialRT(t, srv, srv.RealtimeURL(), nil, []string{"graphql-ws", "header-" + base64.RawURLEncoding.EncodeToString(b)})
		require.NoError(t, err)
		assert.Equal(t, "graphql-ws", c.ws.Subprotocol())
		c.init()
	})
	t.Run("escaped header", func(t *testing.T) {
		c, _, err := tryDialRT(t, srv, srv.RealtimeURL()+"?header="+url.QueryEscape(connectHeader(t, key))+"&payload=e30%3D", nil, []string{"graphql-ws"})
		require.NoError(t, err)
		c.init()
	})
	t.Run("no subprotocol", func(t *testing.T) {
		c, _, err := tryDialRT(t, srv, srv.RealtimeURL(), key, nil)
		require.NoError(t, err)
		assert.JSONEq(t, `{"payload":{"errors":[{"message":"NoProtocolError","errorCode":400}]},"type":"connection_error"}`, c.expect("connection_error").Raw)
		c.closed()
	})
	t.Run("other subprotocol", func(t *testing.T) {
		c, _, err := tryDialRT(t, srv, srv.RealtimeURL(), key, []string{"graphql-transport-ws"})
		require.NoError(t, err)
		assert.JSONEq(t, `{"payload":{"errors":[{"message":"SubProtocolNotSupportedError","errorCode":400}]},"type":"connection_error"}`, c.expect("connection_error").Raw)
		c.closed()
	})
	t.Run("no header", func(t *testing.T) {
		_, resp, err := tryDialRT(t, srv, srv.RealtimeURL(), nil, []string{"graphql-ws"})
		require.Error(t, err)
		require.NotNil(t, resp)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Equal(t, "UnauthorizedException", resp.Header.Get("X-Amzn-ErrorType"))
	})
	t.Run("malformed header", func(t *testing.T) {
		_, resp, err := tryDialRT(t, srv, srv.RealtimeURL()+"?header=!!!", nil, []string{"graphql-ws"})
		require.Error(t, err)
		require.NotNil(t, resp)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	t.Run("HTTP subscription", func(t *testing.T) {
		_, body := gql(t, srv.URL(), apiKey(srv.APIKey()), `subscription { onCreateBlog { id } }`, nil)
		assert.Contains(t, body, srv.RealtimeURL())
	})
}

func TestRealtimeConnectAuth(t *testing.T) {
	c0 := &clock{now: time.Now().UTC()}
	srv := blogServer(t, appsynctest.WithClock(c0.Now))
	alice := srv.SignIn("alice")
	tok, err := alice.Token(context.Background())
	require.NoError(t, err)
	unauthorized := `{"payload":{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call.","errorCode":401}]},"type":"connection_error"}`

	accepted := map[string]rtAuth{
		"apiKey":       rtAPIKey(srv, srv.APIKey()),
		"userPool":     rtToken(srv, tok),
		"userPool id":  rtToken(srv, alice.IDToken()),
		"iam":          rtIAM(srv, srv.IAMCredentials(), time.Time{}),
		"identityPool": rtIAM(srv, srv.AuthenticatedCredentials(), time.Time{}),
		"guest":        rtIAM(srv, srv.GuestCredentials(), time.Time{}),
	}
	for name, auth := range accepted {
		t.Run(name, func(t *testing.T) {
			c := dialRT(t, srv, auth)
			c.init()
		})
	}

	wrongSecret := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		cr, err := srv.IAMCredentials().Retrieve(ctx)
		cr.SecretAccessKey += "x"
		return cr, err
	})
	refused := map[string]struct {
		auth rtAuth
		want string
	}{
		"wrong API key": {rtAPIKey(srv, "da2-wrong"), unauthorized},
		"forged token": {rtToken(srv, tok[:len(tok)-4]+"AAAA"),
			`{"payload":{"errors":[{"errorType":"UnauthorizedException","message":"Valid authorization header not provided.","errorCode":401}]},"type":"connection_error"}`},
		"wrong secret":    {rtIAM(srv, wrongSecret, time.Time{}), unauthorized},
		"stale signature": {rtIAM(srv, srv.IAMCredentials(), time.Now().Add(-10*time.Minute)), unauthorized},
		"signed header not echoed": {func(t testing.TB, b []byte, c bool) map[string]string {
			h := rtIAM(srv, srv.IAMCredentials(), time.Time{})(t, b, c)
			delete(h, "content-type")
			return h
		}, unauthorized},
		"signed header changed": {func(t testing.TB, b []byte, c bool) map[string]string {
			h := rtIAM(srv, srv.IAMCredentials(), time.Time{})(t, b, c)
			h["accept"] = "*/*"
			return h
		}, unauthorized},
		"signed as a start": {func(t testing.TB, b []byte, _ bool) map[string]string {
			// The connect signs POST <url>/connect.
			return rtIAM(srv, srv.IAMCredentials(), time.Time{})(t, b, false)
		}, unauthorized},
		"no host": {func(t testing.TB, b []byte, c bool) map[string]string {
			h := rtAPIKey(srv, srv.APIKey())(t, b, c)
			delete(h, "host")
			return h
		}, unauthorized},
		"another API's host": {func(t testing.TB, b []byte, c bool) map[string]string {
			h := rtAPIKey(srv, srv.APIKey())(t, b, c)
			h["host"] = "example1234567890.appsync-api.us-east-1.amazonaws.com"
			return h
		}, unauthorized},
	}
	for name, tc := range refused {
		t.Run(name, func(t *testing.T) {
			c := dialRT(t, srv, tc.auth)
			m := c.next()
			assert.JSONEq(t, tc.want, m.Raw)
			assert.Equal(t, websocket.StatusNormalClosure, c.closed(), "AppSync closes after connection_error")
			assert.NotContains(t, m.Raw, "da2-")
		})
	}

	t.Run("expired token", func(t *testing.T) {
		c0.Add(2 * time.Hour)
		defer c0.Add(-2 * time.Hour)
		c := dialRT(t, srv, rtToken(srv, tok))
		assert.JSONEq(t, `{"payload":{"errors":[{"errorType":"UnauthorizedException","message":"Token has expired.","errorCode":401}]},"type":"connection_error"}`, c.next().Raw)
		c.closed()
	})
	assert.Equal(t, len(accepted), srv.RealtimeStats().ConnectionsAccepted, "refused connections are not counted")
}

func TestRealtimeStartAuth(t *testing.T) {
	srv := blogServer(t)
	alice := srv.SignIn("alice")
	admin := srv.SignIn("admin", "ADMINS")
	// One connection, authorized with the API key; each start has its own
	// authorization, possibly in another mode.
	c := dialRT(t, srv, rtAPIKey(srv, srv.APIKey()))
	c.init()

	modes := map[string]rtAuth{
		"apiKey":       rtAPIKey(srv, srv.APIKey()),
		"userPool":     rtSession(srv, admin),
		"iam":          rtIAM(srv, srv.IAMCredentials(), time.Time{}),
		"identityPool": rtIAM(srv, srv.AuthenticatedCredentials(), time.Time{}),
	}
	for name, auth := range modes {
		c.subscribe(name, onCreateBlog, nil, auth)
	}
	blog := ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "b"}})["createBlog"]
	got := c.events(len(modes), "onCreateBlog")
	for name := range modes {
		assert.Equal(t, []map[string]any{blog.(map[string]any)}, got[name], name)
	}

	wrongSecret := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		cr, err := srv.IAMCredentials().Retrieve(ctx)
		cr.SecretAccessKey += "x"
		return cr, err
	})
	unauthorized := `{"errorType":"UnauthorizedException","message":"You are not authorized to make this call.","errorCode":401}`
	refused := map[string]struct {
		auth rtAuth
		want string
	}{
		"wrong key":    {rtAPIKey(srv, "da2-wrong"), unauthorized},
		"bad token":    {rtToken(srv, "eyJhbGciOiJub25lIn0.e30."), `{"errorType":"UnauthorizedException","message":"Valid authorization header not provided.","errorCode":401}`},
		"wrong secret": {rtIAM(srv, wrongSecret, time.Time{}), unauthorized},
		"signed as connect": {func(t testing.TB, b []byte, _ bool) map[string]string {
			return rtIAM(srv, srv.IAMCredentials(), time.Time{})(t, b, true)
		}, unauthorized},
		"signed other data": {func(t testing.TB, b []byte, c bool) map[string]string {
			return rtIAM(srv, srv.IAMCredentials(), time.Time{})(t, append([]byte(" "), b...), c)
		}, unauthorized},
		"no authorization": {func(testing.TB, []byte, bool) map[string]string { return nil }, unauthorized},
	}
	for name, tc := range refused {
		m := c.startMsg("bad "+name, onCreateBlog, nil, tc.auth)
		assert.JSONEq(t, `{"id":"bad `+name+`","type":"error","payload":{"errors":[`+tc.want+`]}}`, m.Raw, name)
	}
	assert.Equal(t, len(modes), srv.RealtimeStats().Subscriptions)
	c.quiet(20 * time.Millisecond)
}

func TestRealtimeExpiredTokenAtStart(t *testing.T) {
	c0 := &clock{now: time.Now().UTC()}
	srv := blogServer(t, appsynctest.WithClock(c0.Now), appsynctest.WithTokenLifetime(time.Hour))
	alice := srv.SignIn("alice")
	tok, err := alice.Token(context.Background())
	require.NoError(t, err)
	c := dialRT(t, srv, rtToken(srv, tok))
	c.init()
	c0.Add(61 * time.Minute)
	m := c.startMsg("1", onCreateBlog, nil, rtToken(srv, tok))
	assert.JSONEq(t, `{"id":"1","type":"error","payload":{"errors":[{"errorType":"UnauthorizedException","message":"Token has expired.","errorCode":401}]}}`, m.Raw)
	// A fresh token works on the same connection.
	c.subscribe("2", onCreateBlog, nil, rtSession(srv, alice))
}

func TestRealtimeModelRules(t *testing.T) {
	srv := blogServer(t)
	alice, bob := srv.SignIn("alice"), srv.SignIn("bob")
	admin := srv.SignIn("admin", "ADMINS")
	c := dialRT(t, srv, rtAPIKey(srv, srv.APIKey()))
	c.init()

	// Post: owner, ADMINS, private (user pool) read, identity pool read,
	// API key read.
	c.subscribe("alice", onCreatePost, nil, rtSession(srv, alice))
	c.subscribe("admin", onCreatePost, nil, rtSession(srv, admin))
	c.subscribe("apiKey", onCreatePost, nil, rtAPIKey(srv, srv.APIKey()))
	c.subscribe("identityPool", onCreatePost, nil, rtIAM(srv, srv.AuthenticatedCredentials(), time.Time{}))
	c.subscribe("iam", onCreatePost, nil, rtIAM(srv, srv.IAMCredentials(), time.Time{}))
	// Blog: owner, ADMINS, identity pool read, API key read: a user
	// pool user who is not an admin gets the events of their own blogs.
	c.subscribe("alice blogs", onCreateBlog, nil, rtSession(srv, alice))
	c.subscribe("admin blogs", onCreateBlog, nil, rtSession(srv, admin))
	c.subscribe("alice blogs with filter", onCreateBlog, map[string]any{"filter": map[string]any{"name": map[string]any{"beginsWith": "b"}}}, rtSession(srv, alice))
	c.subscribe("alice own blogs", onCreateBlog, map[string]any{"owner": "alice"}, rtSession(srv, alice))

	ok(t, srv.URL(), session(bob), createPost, map[string]any{"input": map[string]any{"title": "bob's"}})
	ok(t, srv.URL(), session(alice), createPost, map[string]any{"input": map[string]any{"title": "alice's"}})
	got := c.events(10, "onCreatePost")
	post := func(title, owner string) map[string]any {
		return map[string]any{"title": title, "views": nil, "owner": owner}
	}
	both := []map[string]any{post("bob's", "bob"), post("alice's", "alice")}
	for _, who := range []string{"alice", "admin", "apiKey", "identityPool", "iam"} {
		assert.Equal(t, both, got[who], "%s: Post's private read rule admits every signed-in user", who)
	}

	ok(t, srv.URL(), session(bob), createBlog, map[string]any{"input": map[string]any{"name": "bob's"}})
	ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "alice's"}})
	ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "blog"}})
	got = c.events(2+3+1+2, "onCreateBlog")
	names := func(list []map[string]any) []any {
		var out []any
		for _, b := range list {
			out = append(out, b["name"])
		}
		return out
	}
	assert.Equal(t, []any{"alice's", "blog"}, names(got["alice blogs"]), "another user's events do not arrive")
	assert.Equal(t, []any{"bob's", "alice's", "blog"}, names(got["admin blogs"]))
	assert.Equal(t, []any{"blog"}, names(got["alice blogs with filter"]), "the owner filter and the filter argument")
	assert.Equal(t, []any{"alice's", "blog"}, names(got["alice own blogs"]), "a valid owner argument")
	c.quiet(50 * time.Millisecond)

	refusals := map[string]struct {
		query string
		vars  map[string]any
		auth  rtAuth
		field string
	}{
		"guest on Post":           {onCreatePost, nil, rtIAM(srv, srv.GuestCredentials(), time.Time{}), "onCreatePost"},
		"API key on Comment":      {`subscription { onCreateComment { content } }`, nil, rtAPIKey(srv, srv.APIKey()), "onCreateComment"},
		"another owner argument":  {onCreateBlog, map[string]any{"owner": "bob"}, rtSession(srv, alice), "onCreateBlog"},
		"guest on Blog":           {onCreateBlog, nil, rtIAM(srv, srv.GuestCredentials(), time.Time{}), "onCreateBlog"},
		"identity pool on Author": {`subscription { onCreateAuthor { name } }`, nil, rtIAM(srv, srv.AuthenticatedCredentials(), time.Time{}), "onCreateAuthor"},
	}
	for name, tc := range refusals {
		m := c.startMsg(name, tc.query, tc.vars, tc.auth)
		assert.JSONEq(t, `{"id":"`+name+`","type":"error","payload":{"errors":[{"errorType":"Unauthorized","message":"Not Authorized to access `+tc.field+` on type Subscription"}]}}`, m.Raw, name)
	}
}

func TestRealtimeFilters(t *testing.T) {
	srv := blogServer(t)
	admin := srv.SignIn("admin", "ADMINS")
	c := dialRT(t, srv, rtSession(srv, admin))
	c.init()
	filters := map[string]map[string]any{
		"eq":          {"title": map[string]any{"eq": "a"}},
		"ne":          {"title": map[string]any{"ne": "a"}},
		"lt":          {"views": map[string]any{"lt": 2}},
		"le":          {"views": map[string]any{"le": 2}},
		"gt":          {"views": map[string]any{"gt": 2}},
		"ge":          {"views": map[string]any{"ge": 2}},
		"between":     {"views": map[string]any{"between": []any{2, 3}}},
		"float":       {"rating": map[string]any{"gt": 1.5}},
		"contains":    {"content": map[string]any{"contains": "ll"}},
		"notContains": {"content": map[string]any{"notContains": "ll"}},
		"list":        {"tags": map[string]any{"contains": "go"}},
		"beginsWith":  {"title": map[string]any{"beginsWith": "b"}},
		"in":          {"title": map[string]any{"in": []any{"a", "c"}}},
		"notIn":       {"title": map[string]any{"notIn": []any{"a", "c"}}},
		"enum":        {"status": map[string]any{"eq": "PUBLISHED"}},
		"and":         {"and": []any{map[string]any{"views": map[string]any{"ge": 2}}, map[string]any{"title": map[string]any{"ne": "c"}}}},
		"or":          {"or": []any{map[string]any{"title": map[string]any{"eq": "a"}}, map[string]any{"views": map[string]any{"eq": 3}}}},
		"two fields":  {"title": map[string]any{"beginsWith": "b"}, "views": map[string]any{"eq": 2}},
		"owner":       {"owner": map[string]any{"eq": "admin"}},
	}
	for name, f := range filters {
		c.subscribe(name, `subscription($f: ModelSubscriptionPostFilterInput) { onCreatePost(filter: $f) { title } }`, map[string]any{"f": f}, rtSession(srv, admin))
	}
	c.subscribe("all", `subscription { onCreatePost { title } }`, nil, rtSession(srv, admin))
	posts := []map[string]any{
		{"title": "a", "views": 1, "content": "hello", "tags": []any{"go", "js"}, "rating": 1.0, "status": "PUBLISHED"},
		{"title": "b", "views": 2, "content": "bye", "rating": 2.5},
		{"title": "c", "views": 3, "tags": []any{"rust"}, "status": "DRAFT"},
		{"title": "bb", "views": 2, "content": "all"},
	}
	for _, p := range posts {
		ok(t, srv.URL(), session(admin), createPost, map[string]any{"input": p})
	}
	want := map[string][]any{
		"eq": {"a"}, "ne": {"b", "c", "bb"}, "lt": {"a"}, "le": {"a", "b", "bb"}, "gt": {"c"}, "ge": {"b", "c", "bb"},
		"between": {"b", "c", "bb"}, "float": {"b"}, "contains": {"a", "bb"}, "notContains": {"b", "c"},
		"list": {"a"}, "beginsWith": {"b", "bb"}, "in": {"a", "c"}, "notIn": {"b", "bb"}, "enum": {"a"},
		"and": {"b", "bb"}, "or": {"a", "c"}, "two fields": {"b", "bb"}, "owner": {"a", "b", "c", "bb"},
		"all": {"a", "b", "c", "bb"},
	}
	n := 0
	for _, w := range want {
		n += len(w)
	}
	got := c.events(n, "onCreatePost")
	for name, w := range want {
		var titles []any
		for _, p := range got[name] {
			titles = append(titles, p["title"])
		}
		assert.Equal(t, w, titles, name)
	}
	c.quiet(50 * time.Millisecond)
}

func TestRealtimeMutationSelection(t *testing.T) {
	srv := blogServer(t)
	admin := srv.SignIn("admin", "ADMINS")
	c := dialRT(t, srv, rtSession(srv, admin))
	c.init()
	c.subscribe("1", `subscription { onCreatePost { id title content owner } }`, nil, rtSession(srv, admin))
	c.subscribe("2", `subscription($f: ModelSubscriptionPostFilterInput) { onCreatePost(filter: $f) { title } }`,
		map[string]any{"f": map[string]any{"content": map[string]any{"eq": "x"}}}, rtSession(srv, admin))
	c.subscribe("3", `subscription { post: onCreatePost { t: title ...F } } fragment F on Post { views }`, nil, rtSession(srv, admin))

	// The mutation selects neither id nor content: subscribers get what
	// the mutation's response holds, as on AppSync (id is non-null: the
	// whole value is null, with graphql-java's error).
	ok(t, srv.URL(), session(admin), `mutation { createPost(input: {title: "t", content: "x", views: 4}) { name: title views } }`, nil)
	m := c.expect("data")
	assert.Equal(t, "1", m.ID)
	assert.JSONEq(t, `{"data":{"onCreatePost":null},"errors":[{"path":["onCreatePost","id"],"locations":null,"message":"Cannot return null for non-nullable type: 'ID' within parent 'Post' (/onCreatePost/id)"}]}`, string(m.Payload))
	assert.Equal(t, map[string]any{"post": map[string]any{"t": "t", "views": json.Number("4")}}, decodeNumbers(t, c.event("3")))
	c.quiet(50 * time.Millisecond) // the filter on content, not in the response, does not match
}

func decodeNumbers(t testing.TB, v map[string]any) map[string]any {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var out map[string]any
	require.NoError(t, dec.Decode(&out))
	return out
}

// A backend with a custom subscription: @aws_subscribe on a custom
// mutation resolved by a handler.
const chatSchema = `
type Query { ping: String @aws_api_key }
type Mutation {
  send(room: String!, text: String!): Message @aws_api_key @aws_cognito_user_pools
  sendPrivate(room: String!, text: String!): Message @aws_cognito_user_pools
}
type Message @aws_api_key @aws_cognito_user_pools {
  room: String!
  text: String!
  sender: String
}
type Subscription {
  onSend(room: String): Message @aws_subscribe(mutations: ["send", "sendPrivate"]) @aws_api_key @aws_cognito_user_pools
  onPrivate: Message @aws_subscribe(mutations: ["sendPrivate"]) @aws_cognito_user_pools
  unused: Message @aws_api_key
}
`

const chatOutputs = `{
  "version": "1.4",
  "auth": {"aws_region": "us-east-1", "user_pool_id": "us-east-1_CHAT", "user_pool_client_id": "chatclient"},
  "data": {"url": "https://chat.appsync-api.us-east-1.amazonaws.com/graphql", "aws_region": "us-east-1",
    "api_key": "da2-chat", "default_authorization_type": "API_KEY", "authorization_types": ["AMAZON_COGNITO_USER_POOLS"]}
}`

func chatServer(t *testing.T) *appsynctest.Server {
	sdl, err := appsync.ParseSDL("chat.graphql", []byte(chatSchema))
	require.NoError(t, err)
	o, err := schema.ParseOutputs("chat_outputs.json", []byte(chatOutputs))
	require.NoError(t, err)
	type sendEvent struct {
		Arguments struct{ Room, Text string }
		Identity  *struct{ Username string }
	}
	send := appsynctest.Typed(func(_ context.Context, e sendEvent) (map[string]any, error) {
		m := map[string]any{"room": e.Arguments.Room, "text": e.Arguments.Text}
		if e.Identity != nil {
			m["sender"] = e.Identity.Username
		}
		return m, nil
	})
	return appsynctest.NewServer(t, appsynctest.Backend{Outputs: o, Schema: sdl},
		appsynctest.Handle("send", send), appsynctest.Handle("sendPrivate", send))
}

func TestRealtimeCustomSubscription(t *testing.T) {
	srv := chatServer(t)
	alice := srv.SignIn("alice")
	key := rtAPIKey(srv, srv.APIKey())
	c := dialRT(t, srv, key)
	c.init()
	c.subscribe("all", `subscription { onSend { room text sender } }`, nil, key)
	c.subscribe("room1", `subscription($r: String) { onSend(room: $r) { text } }`, map[string]any{"r": "r1"}, key)
	c.subscribe("private", `subscription { onPrivate { text sender } }`, nil, rtSession(srv, alice))
	c.subscribe("unused", `subscription { unused { text } }`, nil, key)
	m := c.startMsg("denied", `subscription { onPrivate { text } }`, nil, key)
	assert.JSONEq(t, `{"id":"denied","type":"error","payload":{"errors":[{"errorType":"Unauthorized","message":"Not Authorized to access onPrivate on type Subscription"}]}}`, m.Raw, "the field's @aws_* directives")

	ok(t, srv.URL(), apiKey(srv.APIKey()), `mutation { send(room: "r1", text: "hi") { room text sender } }`, nil)
	ok(t, srv.URL(), apiKey(srv.APIKey()), `mutation { send(room: "r2", text: "yo") { room text } }`, nil)
	ok(t, srv.URL(), session(alice), `mutation { sendPrivate(room: "r1", text: "psst") { room text sender } }`, nil)
	got := c.events(3+2+1, "")
	msg := func(room, text, sender any) map[string]any {
		return map[string]any{"onSend": map[string]any{"room": room, "text": text, "sender": sender}}
	}
	assert.Equal(t, []map[string]any{msg("r1", "hi", nil), msg("r2", "yo", nil), msg("r1", "psst", "alice")}, got["all"],
		"both mutations; a field the mutation did not select is null")
	assert.Equal(t, []map[string]any{{"onSend": map[string]any{"text": "hi"}}, {"onSend": map[string]any{"text": "psst"}}}, got["room1"], "the argument filters")
	assert.Equal(t, []map[string]any{{"onPrivate": map[string]any{"text": "psst", "sender": "alice"}}}, got["private"])
	c.quiet(50 * time.Millisecond)
}

// deepStart opens three brackets.
const deepStart = "subscription { onCreateBlog(filter: {and: "

func TestRealtimeMalformedMessages(t *testing.T) {
	srv := blogServer(t)
	key := rtAPIKey(srv, srv.APIKey())
	c := dialRT(t, srv, key)
	c.init()
	data := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	start := func(id string, payload any) map[string]any {
		return map[string]any{"type": "start", "id": id, "payload": payload}
	}
	auth := map[string]any{"authorization": key(t, nil, false)}
	withData := func(d string) map[string]any { return map[string]any{"data": d, "extensions": auth} }
	bad := func(msg string) string {
		return `{"type":"error","payload":{"errors":[{"errorType":"BadRequestException","message":"` + msg + `"}]}}`
	}
	cases := []struct {
		name, send, want string
	}{
		{"not JSON", `{"type": "start"`, bad("The message is not a JSON object.")},
		{"array", `[1,2]`, bad("The message is not a JSON object.")},
		{"no type", `{"id":"x"}`, `{"id":"x","type":"error","payload":{"errors":[{"errorType":"BadRequestException","message":"The message has no type."}]}}`},
		{"unknown type", `{"type":"subscribe","id":"x"}`, `{"id":"x","type":"error","payload":{"errors":[{"errorType":"UnsupportedOperation","message":"subscribe not supported through the realtime channel"}]}}`},
		{"start without id", data(start("", withData(`{"query":"subscription { onCreateBlog { id } }"}`))), bad("A start message needs an id (a string, unique among the connection's subscriptions).")},
		{"stop without id", `{"type":"stop"}`, bad("A stop message needs the id of the subscription to stop.")},
		{"no data", data(start("s1", map[string]any{"extensions": auth})), `{"id":"s1","type":"error","payload":{"errors":[{"errorType":"BadRequestException","message":"The start payload needs data: the JSON string of {\"query\", \"variables\"}."}]}}`},
		{"data not JSON", data(start("s2", withData(`{query`))), `{"id":"s2","type":"error","payload":{"errors":[{"errorType":"BadRequestException","message":"The start payload's data is not the JSON string of an object {\"query\", \"variables\"}."}]}}`},
		{"syntax error", data(start("s3", withData(`{"query":"subscription { onCreateBlog { id }"}`))),
			`{"id":"s3","type":"error","payload":{"errors":[{"path":null,"locations":[{"line":1,"column":35,"sourceName":null}],"message":"Invalid Syntax : offending token '<EOF>' at line 1 column 35"}]}}`},
		{"validation error", data(start("s4", withData(`{"query":"subscription { onCreateBlog { nope } }"}`))),
			`{"id":"s4","type":"error","payload":{"errors":[{"path":null,"locations":[{"line":1,"column":31,"sourceName":null}],"message":"Validation error of type FieldUndefined: Field 'nope' in type 'Blog' is undefined @ 'onCreateBlog/nope'"}]}}`},
		{"query", data(start("s5", withData(`{"query":"{ listBlogs { items { id } } }"}`))),
			`{"id":"s5","type":"error","payload":{"errors":[{"errorType":"UnsupportedOperation","message":"query not supported through the realtime channel"}]}}`},
		{"bad variables", data(start("s6", withData(`{"query":"subscription($f: ModelSubscriptionBlogFilterInput) { onCreateBlog(filter: $f) { id } }","variables":{"f":{"nope":1}}}`))),
			`{"id":"s6","type":"error","payload":{"errors":[{"path":null,"locations":null,"message":"The variables input contains a field that is not defined for input object type 'ModelSubscriptionBlogFilterInput' "}]}}`},
		{"stop of an unknown id", `{"type":"stop","id":"nope"}`, `{"id":"nope","type":"complete"}`},
		// The limits of documents are those of HTTP: the 101st bracket.
		{"too deep", data(start("s7", withData(data(map[string]any{"query": deepStart + strings.Repeat("[", 98) + strings.Repeat("]", 98) + "}) { id } }"})))),
			fmt.Sprintf(`{"id":"s7","type":"error","payload":{"errors":[{"path":null,"locations":[{"line":1,"column":%[1]d,"sourceName":null}],"message":"Invalid Syntax : More than 100 nested brackets have been opened. To prevent Denial Of Service attacks, parsing has been cancelled. offending token '[' at line 1 column %[1]d"}]}}`, len(deepStart)+98)},
	}
	for _, tc := range cases {
		c.sendText(tc.send)
		assert.JSONEq(t, tc.want, c.next().Raw, tc.name)
	}
	// Odd messages get an error and leave the connection working.
	odd := []string{
		`{"type":"start","id":1}`,
		`{"type":"start","id":"o1","payload":"x"}`,
		`{"type":"start","id":"o2","payload":{"data":5}}`,
		`{"type":"start","id":"o3","payload":{"data":"[]","extensions":{"authorization":{"x-api-key":"k"}}}}`,
		`{"type":"start","id":"o4","payload":{"data":"{}","extensions":{"authorization":[1]}}}`,
		data(start("o5", map[string]any{"data": `{"query":"subscription { onCreateBlog { id } }"}`, "extensions": map[string]any{"authorization": map[string]any{"host": map[string]any{"a": 1}}}})),
		data(start("o6", withData(`{"query":"subscription { onCreateBlog { id } onUpdateBlog { id } }"}`))),
		data(start("o7", withData(`{"query":"subscription A { onCreateBlog { id } } subscription B { onUpdateBlog { id } }"}`))),
		data(start("o8", withData(`{"query":"subscription { onCreateBlog { id } }","variables":[1]}`))),
		data(start("o9", withData(`{"query":"subscription { __typename }"}`))),
		data(start("o10", withData(`{"query":"subscription($f: ModelSubscriptionBlogFilterInput!) { onCreateBlog(filter: $f) { id } }"}`))),
		`{"type":"ka"}`, `null`, `"start"`, `{"type":{"a":1}}`,
	}
	for _, msg := range odd {
		c.sendText(msg)
		assert.Equal(t, "error", c.next().Type, msg)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.ws.Write(ctx, websocket.MessageBinary, []byte(`{"type":"connection_init"}`)))
	assert.JSONEq(t, bad("Binary messages are not supported: send JSON text messages."), c.next().Raw)

	// The connection still works, and an id in use is refused.
	c.subscribe("ok", onCreateBlog, nil, key)
	m := c.startMsg("ok", onCreateBlog, nil, key)
	assert.JSONEq(t, `{"id":"ok","type":"error","payload":{"errors":[{"errorType":"DuplicatedOperationError","message":"Duplicated operation with id ok"}]}}`, m.Raw)
	c.init() // a second connection_init is acknowledged again
	assert.Equal(t, 1, srv.RealtimeStats().Subscriptions)

	// A message over the size limit closes the connection (1009). The
	// server may close it before the client has written the whole message,
	// so the write may fail with a broken pipe: the close status tells.
	_ = c.ws.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","pad":"`+strings.Repeat("x", 250<<10)+`"}`))
	assert.Equal(t, websocket.StatusMessageTooBig, c.closed())
	waitSubs(t, srv, 0)
}

func TestRealtimeManySubscriptions(t *testing.T) {
	srv := blogServer(t)
	alice := srv.SignIn("alice")
	key := rtAPIKey(srv, srv.APIKey())
	c := dialRT(t, srv, key)
	c.init()
	for i := range 100 {
		c.subscribe(fmt.Sprint(i), `subscription { onCreateBlog { name } }`, nil, key)
	}
	m := c.startMsg("100", onCreateBlog, nil, key)
	// AppSync's shape for this error: errors is an object.
	assert.JSONEq(t, `{"id":"100","type":"error","payload":{"errors":{"errorType":"MaxSubscriptionsReachedError","message":"Max number of 100 subscriptions reached"}}}`, m.Raw)
	ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "b"}})
	got := c.events(100, "onCreateBlog")
	assert.Len(t, got, 100)
	for id, events := range got {
		assert.Equal(t, []map[string]any{{"name": "b"}}, events, id)
	}
	c.send(map[string]any{"type": "stop", "id": "7"})
	c.expect("complete")
	c.subscribe("100", onCreateBlog, nil, key)

	srv.SetRealtimeLimits(2, 0)
	c2 := dialRT(t, srv, key)
	c2.subscribe("a", onCreateBlog, nil, key) // no connection_init: AppSync makes it optional
	c2.subscribe("b", onCreateBlog, nil, key)
	assert.Contains(t, c2.startMsg("c", onCreateBlog, nil, key).Raw, "Max number of 2 subscriptions reached")
}

func TestRealtimeKeepAlive(t *testing.T) {
	srv := blogServer(t)
	srv.SetKeepAlive(20*time.Millisecond, 200*time.Millisecond)
	c := dialRT(t, srv, rtAPIKey(srv, srv.APIKey()))
	assert.JSONEq(t, `{"type":"connection_ack","payload":{"connectionTimeoutMs":200}}`, c.init().Raw)
	kas := func(d time.Duration) int {
		n := 0
		deadline := time.After(d)
		for {
			select {
			case m := <-c.msgs:
				require.Equal(t, "ka", m.Type, m.Raw)
				n++
			case <-deadline:
				return n
			}
		}
	}
	assert.GreaterOrEqual(t, kas(150*time.Millisecond), 3)
	srv.StopKeepAlive(true)
	kas(30 * time.Millisecond) // one may be in flight
	assert.Zero(t, kas(250*time.Millisecond), "no keep-alive for longer than connectionTimeoutMs")
	srv.StopKeepAlive(false)
	assert.GreaterOrEqual(t, kas(150*time.Millisecond), 3)
	assert.Positive(t, srv.RealtimeStats().KeepAlives)
}

func TestRealtimeDropConnections(t *testing.T) {
	srv := blogServer(t)
	alice := srv.SignIn("alice")
	key := rtAPIKey(srv, srv.APIKey())
	c1, c2 := dialRT(t, srv, key), dialRT(t, srv, key)
	c1.init()
	c2.init()
	c1.subscribe("1", onCreateBlog, nil, key)
	c2.subscribe("1", onCreateBlog, nil, key)
	c2.subscribe("2", onCreateBlog, nil, key)
	st := srv.RealtimeStats()
	assert.Equal(t, 2, st.Connections)
	assert.Equal(t, 3, st.Subscriptions)

	assert.Equal(t, 2, srv.DropConnections())
	assert.Equal(t, websocket.StatusCode(-1), c1.closed(), "no close frame, as a network failure")
	assert.Equal(t, websocket.StatusCode(-1), c2.closed())
	st = srv.RealtimeStats()
	assert.Zero(t, st.Connections)
	assert.Zero(t, st.Subscriptions)
	ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "lost"}})

	srv.RefuseConnections(true)
	_, resp, err := tryDialRT(t, srv, srv.RealtimeURL(), key, []string{"graphql-ws"})
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	srv.RefuseConnections(false)

	// A client reconnects and subscribes again.
	c3 := dialRT(t, srv, key)
	c3.init()
	c3.subscribe("1", onCreateBlog, nil, key)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitRealtime(ctx, func(st appsynctest.RealtimeStats) bool { return st.Connections == 1 && st.Subscriptions == 1 }))
	ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "again"}})
	assert.Equal(t, "again", c3.event("1")["onCreateBlog"].(map[string]any)["name"])
	assert.Equal(t, 3, srv.RealtimeStats().ConnectionsAccepted)

	// A client that closes its connection ends its subscriptions.
	require.NoError(t, c3.ws.Close(websocket.StatusNormalClosure, ""))
	waitSubs(t, srv, 0)
}

func TestRealtimeServerClose(t *testing.T) {
	srv, err := appsynctest.Start(blogBackend(t))
	require.NoError(t, err)
	key := rtAPIKey(srv, srv.APIKey())
	c := dialRT(t, srv, key)
	c.init()
	c.subscribe("1", onCreateBlog, nil, key)
	srv.Close()
	assert.Equal(t, websocket.StatusGoingAway, c.closed())
	assert.Zero(t, srv.RealtimeStats().Connections)
}

func TestRealtimeNoGoroutineLeak(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	before := stableGoroutines()
	func() {
		srv, err := appsynctest.Start(blogBackend(t))
		require.NoError(t, err)
		defer srv.Close()
		alice := srv.SignIn("alice")
		key := rtAPIKey(srv, srv.APIKey())
		var clients []*rtClient
		for i := range 5 {
			c := dialRT(t, srv, key)
			c.init()
			c.subscribe("1", onCreateBlog, nil, key)
			c.subscribe("2", `subscription { onUpdateBlog { id } }`, nil, rtSession(srv, alice))
			if i == 0 {
				c.send(map[string]any{"type": "stop", "id": "1"})
				c.expect("complete")
			}
			clients = append(clients, c)
		}
		// Refused connections too.
		refused := dialRT(t, srv, rtAPIKey(srv, "da2-wrong"))
		refused.closed()
		waitSubs(t, srv, 9)
		ok(t, srv.URL(), session(alice), createBlog, map[string]any{"input": map[string]any{"name": "b"}})
		for _, c := range clients[1:] {
			c.event("1")
		}
		require.NoError(t, clients[1].ws.Close(websocket.StatusNormalClosure, "bye"))
		clients[2].close()
		srv.DropConnections()
		c := dialRT(t, srv, key) // open when the server closes
		c.init()
		c.subscribe("1", onCreateBlog, nil, key)
	}()
	// The clients' goroutines end with their connections (Cleanup closes
	// them later; they have ended already).
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left") {
		buf := make([]byte, 1<<20)
		t.Logf("goroutines: %d before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
	}
}

// stableGoroutines returns the number of goroutines once it stops
// changing.
func stableGoroutines() int {
	n := runtime.NumGoroutine()
	for range 50 {
		time.Sleep(10 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

// The keys backend's Note: an owner field (author), a list of owners
// (editors, read and update) and a groups field (team); identity pool
// guests read.
func TestRealtimeDynamicRules(t *testing.T) {
	srv := keysServer(t)
	alice, bob, carol, erin := srv.SignIn("alice"), srv.SignIn("bob"), srv.SignIn("carol", "red"), srv.SignIn("erin", "red")
	guest := rtIAM(srv, srv.GuestCredentials(), time.Time{})
	c := dialRT(t, srv, guest)
	c.init()
	const onCreateNote = `subscription($author: String) { onCreateNote(author: $author) { body } }`
	c.subscribe("alice", onCreateNote, nil, rtSession(srv, alice))
	c.subscribe("alice as author", onCreateNote, map[string]any{"author": alice.Owner()}, rtSession(srv, alice))
	c.subscribe("erin", onCreateNote, nil, rtSession(srv, erin))
	c.subscribe("guest", onCreateNote, nil, guest)
	m := c.startMsg("bob as alice", onCreateNote, map[string]any{"author": "alice"}, rtSession(srv, bob))
	assert.Equal(t, "error", m.Type, m.Raw)

	const create = `mutation($in: CreateNoteInput!) { createNote(input: $in) { body author editors team } }`
	ok(t, srv.URL(), session(alice), create, map[string]any{"in": map[string]any{"body": "alice's"}})
	ok(t, srv.URL(), session(bob), create, map[string]any{"in": map[string]any{"body": "alice edits", "editors": []any{alice.Owner()}}})
	ok(t, srv.URL(), session(carol), create, map[string]any{"in": map[string]any{"body": "red team's", "team": "red"}})
	ok(t, srv.URL(), session(bob), create, map[string]any{"in": map[string]any{"body": "bob's"}})
	got := c.events(2+2+1+4, "onCreateNote")
	bodies := func(id string) []any {
		var out []any
		for _, n := range got[id] {
			out = append(out, n["body"])
		}
		return out
	}
	assert.Equal(t, []any{"alice's", "alice edits"}, bodies("alice"), "author and editors")
	assert.Equal(t, []any{"alice's", "alice edits"}, bodies("alice as author"), "the owner argument with the filter of both owner rules")
	assert.Equal(t, []any{"red team's"}, bodies("erin"), "the groups field")
	assert.Equal(t, []any{"alice's", "alice edits", "red team's", "bob's"}, bodies("guest"))
	c.quiet(50 * time.Millisecond)
}
