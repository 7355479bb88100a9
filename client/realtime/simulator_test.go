package realtime_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/client/realtime/internal/todogen"
	"github.com/go-amplify/data/internal/testenv"
)

// seedTodo is the transformer output of the seed-todo backend: Todo with an
// owner rule, the ADMINS group, and read access for the identity pool.
var seedTodo = filepath.Join("..", "..", "schema", "testdata", "amplify", "backends", "seed-todo", "generated")

const (
	simIssuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SIMULATED"
	simAuthKey  = "AKIDREALTIMESIMAUTH"
	createTodo  = "mutation CreateTodo($input: CreateTodoInput!) { createTodo(input: $input) { id content owner } }"
	onCreateAll = "subscription OnCreateTodo { onCreateTodo { id content owner } }"
)

// simJWT is a user-pool token the simulator accepts: it verifies no
// signature, only the https://cognito-idp. issuer.
func simJWT(sub, username string) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "none", "typ": "JWT"}) + "." +
		enc(map[string]any{"iss": simIssuer, "token_use": "id", "exp": 4102444800, "sub": sub, "cognito:username": username}) + "."
}

type todo struct {
	ID      string  `json:"id"`
	Content *string `json:"content"`
	Owner   *string `json:"owner"`
}

type onCreateResp struct {
	OnCreateTodo *todo `json:"onCreateTodo"`
}

// nextTodo returns the content of the next onCreateTodo event.
func nextTodo(t *testing.T, s *realtime.Subscription) string {
	t.Helper()
	ev, err := next(t, s)
	require.NoError(t, err)
	require.Empty(t, ev.Errors)
	var r onCreateResp
	require.NoError(t, ev.Decode(&r))
	require.NotNil(t, r.OnCreateTodo)
	require.NotNil(t, r.OnCreateTodo.Content)
	return *r.OnCreateTodo.Content
}

// The realtime client against the AppSync simulator running Amplify's own
// resolvers for the seed-todo backend (owner rule, identity-pool read):
// events of createTodo calls over HTTP arrive; another user's do not; the
// API key, which no rule names, is refused at start; IAM (the identity
// pool's authenticated role) sees every event; genqlient's generated
// subscription runs over the adapter; and a connection cut in the middle
// is re-established with a gap, after which events flow again.
func TestSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Node.js: runs the AppSync simulator; run without -short")
	}
	sim := testenv.StartSimulator(t, testenv.SimulatorOptions{Generated: seedTodo, AuthAccessKeyID: simAuthKey})
	proxy := startTCPProxy(t, sim.URL)
	url := "http://" + proxy.addr() + "/graphql" // the simulator, through a proxy the test can cut
	ctx := t.Context()

	alice, bob := simJWT("sub-a", "alice"), simJWT("sub-b", "bob")
	create := func(token, content string) {
		t.Helper()
		hc, err := client.New(client.Endpoint{URL: sim.URL, Region: "us-east-1", DefaultAuthMode: client.AuthUserPool}, client.WithUserPool(client.StaticToken(token)))
		require.NoError(t, err)
		var out struct {
			CreateTodo todo `json:"createTodo"`
		}
		require.NoError(t, hc.MakeRequest(ctx, &graphql.Request{OpName: "CreateTodo", Query: createTodo,
			Variables: map[string]any{"input": map[string]any{"content": content}}}, &graphql.Response{Data: &out}))
		require.NotNil(t, out.CreateTodo.Content, "createTodo answered %+v", out)
		require.Equal(t, content, *out.CreateTodo.Content)
	}

	rtAlice := newClient(t, url, &realtime.Token{URL: url, Source: client.StaticToken(alice)}, realtime.WithHeaderSubprotocol(true))
	rtBob := newClient(t, url, &realtime.Token{URL: url, Source: client.StaticToken(bob)})
	creds := aws.Credentials{AccessKeyID: simAuthKey, SecretAccessKey: "simulator-verifies-no-signature", Source: "test"}
	rtReader := newClient(t, url, &realtime.IAM{URL: url, Region: "us-east-1", Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) { return creds, nil })})

	sa, err := rtAlice.Subscribe(ctx, &graphql.Request{OpName: "OnCreateTodo", Query: onCreateAll})
	require.NoError(t, err)
	sb, err := rtBob.Subscribe(ctx, &graphql.Request{OpName: "OnCreateTodo", Query: onCreateAll})
	require.NoError(t, err)
	sr, err := rtReader.Subscribe(ctx, &graphql.Request{OpName: "OnCreateTodo", Query: onCreateAll})
	require.NoError(t, err)

	ws := realtime.NewGenqlientClient(rtAlice)
	_, err = ws.Start(ctx)
	require.NoError(t, err)
	defer ws.Close()
	owner := "alice"
	gen, _, err := todogen.OnCreateTodo(ctx, ws, &owner)
	require.NoError(t, err)

	// No rule of the backend names the API key: the start is refused with
	// AppSync's Unauthorized, and not retried.
	rtKey := newClient(t, url, &realtime.APIKey{URL: url, Key: sim.APIKey})
	_, err = rtKey.Subscribe(ctx, &graphql.Request{OpName: "OnCreateTodo", Query: onCreateAll})
	var se *realtime.SubscriptionError
	require.ErrorAs(t, err, &se, "%v", err)
	assert.True(t, se.HasType("Unauthorized") || se.HasType("UnauthorizedException"), "%v", se)

	create(alice, "a1")
	create(bob, "b1")
	assert.Equal(t, "a1", nextTodo(t, sa))
	assert.Equal(t, "b1", nextTodo(t, sb), "bob's first event is his own: alice's a1 did not reach him")
	assert.Equal(t, "a1", nextTodo(t, sr), "the identity pool reads every todo")
	assert.Equal(t, "b1", nextTodo(t, sr))
	r, ok := recv(t, gen)
	require.True(t, ok)
	require.Empty(t, r.Errors)
	assert.Equal(t, "a1", *r.Data.OnCreateTodo.Content)
	assert.Equal(t, "alice", *r.Data.OnCreateTodo.Owner)

	// Cut every connection: each client reconnects through the proxy and
	// starts its subscriptions again; each consumer sees the gap first.
	proxy.cut()
	for _, s := range []*realtime.Subscription{sa, sb, sr} {
		gap := nextGap(t, s)
		assert.Equal(t, 1, gap.Reconnects)
	}
	r, ok = recv(t, gen)
	require.True(t, ok)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, realtime.GapErrorType, r.Errors[0].Extensions["errorType"])

	create(bob, "b2")
	create(alice, "a2")
	assert.Equal(t, "a2", nextTodo(t, sa), "alice's next event after the gap is a2: b2 did not reach her")
	assert.Equal(t, "b2", nextTodo(t, sb))
	assert.Equal(t, "b2", nextTodo(t, sr))
	assert.Equal(t, "a2", nextTodo(t, sr))
	r, ok = recv(t, gen)
	require.True(t, ok)
	assert.Equal(t, "a2", *r.Data.OnCreateTodo.Content)
	assert.GreaterOrEqual(t, proxy.accepted(), 7, "3 clients connected twice (genqlient's adapter shares alice's socket), the API key one once")
}

// tcpProxy forwards TCP connections to a target and can cut them all, as a
// network failure would.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	n      int
}

func startTCPProxy(t *testing.T, targetURL string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	host := targetURL[len("http://"):]
	if i := indexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	p := &tcpProxy{ln: ln, target: host}
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.cut()
	})
	return p
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.n++
		p.mu.Unlock()
		go pipe(in, out)
		go pipe(out, in)
	}
}

func pipe(dst, src net.Conn) {
	_, err := io.Copy(dst, src)
	if err == nil || errors.Is(err, net.ErrClosed) {
		_ = dst.Close()
	}
	_ = src.Close()
	_ = dst.Close()
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

func (p *tcpProxy) accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}
