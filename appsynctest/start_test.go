package appsynctest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/schema"
)

func TestStartRejectsBadBackends(t *testing.T) {
	seed := seedBackend(t)
	engine := engineBackend(t)
	h := appsynctest.Handler(func(context.Context, json.RawMessage) (any, error) { return nil, nil })
	for _, tc := range []struct {
		name string
		b    appsynctest.Backend
		opts []appsynctest.Option
		want string
	}{
		{"no outputs", appsynctest.Backend{Schema: seed.Schema}, nil, "Backend.Outputs is nil: load amplify_outputs.json with schema.LoadOutputs"},
		{"no schema", appsynctest.Backend{Outputs: seed.Outputs}, nil, "Backend.Schema is nil: load the AppSync schema with appsync.LoadSchema"},
		{"no data section", appsynctest.Backend{Outputs: &schema.Outputs{Version: "1.4"}, Schema: seed.Schema}, nil, "has no data section"},
		{"outputs of another backend", appsynctest.Backend{Outputs: seed.Outputs, Schema: engine.Schema}, nil,
			"model Todo of amplify_outputs.json (data.model_introspection.models.Todo) is not an object type of the schema testdata/engine/schema.graphql: pass the AppSync schema generated from the same backend as the outputs"},
		{"unknown handler field", seed, []appsynctest.Option{appsynctest.Handle("addUserToGroups", h)},
			`Handle("addUserToGroups"): the schema ../internal/fixture/testdata/schema.graphql has no custom query or mutation "addUserToGroups"; its custom operations are: Mutation.addUserToGroup, Query.echo`},
		{"handler for a model operation", seed, []appsynctest.Option{appsynctest.Handle("createTodo", h)},
			`Handle("createTodo"): Mutation.createTodo is a model operation, which the server resolves itself; handlers are for custom queries and mutations`},
		{"rules for an unknown field", seed, []appsynctest.Option{appsynctest.Allow("nope", appsynctest.AllowAuthenticated())}, `Allow("nope")`},
		{"nil handler", seed, []appsynctest.Option{appsynctest.Handle("echo", nil)}, `Handle("echo", nil): the handler is nil`},
		{"two handlers", seed, []appsynctest.Option{appsynctest.Handle("echo", h), appsynctest.Handle("echo", h)}, `Handle("echo") given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := appsynctest.Start(tc.b, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, srv)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	t.Run("address in use", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		_, err = appsynctest.Start(seed, appsynctest.WithAddr(l.Addr().String()))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "appsynctest: listening on "+l.Addr().String())
		assert.Contains(t, err.Error(), "WithAddr")
	})
}

func TestStartAndClose(t *testing.T) {
	srv, err := appsynctest.Start(seedBackend(t))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"))
	assert.Equal(t, srv.URL(), srv.Outputs().Data.URL)
	assert.Equal(t, "http://127.0.0.1:20002/graphql", seedBackend(t).Outputs.Data.URL, "the backend's outputs are not changed")
	srv.Close()
	srv.Close()
	_, err = (&netDialer{}).dial(strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "http://"), "/graphql"))
	assert.Error(t, err, "closed")
}

type netDialer struct{}

func (netDialer) dial(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, time.Second)
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNoSecretsInLogsOrErrors(t *testing.T) {
	var logs syncBuffer
	srv := engineServer(t, appsynctest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	alice := srv.SignIn("alice")
	tok, err := alice.Token(context.Background())
	require.NoError(t, err)
	creds, err := srv.AuthenticatedCredentials().Retrieve(context.Background())
	require.NoError(t, err)

	ok(t, srv.URL(), token(tok), `{ secret }`, nil)
	ok(t, srv.URL(), apiKey(srv.APIKey()), `query($p: String) { hello(name: $p) }`, map[string]any{"p": "my-password"})
	ok(t, srv.URL(), sigv4(srv.AuthenticatedCredentials(), time.Time{}), `{ signed }`, nil)
	_, body1 := gql(t, srv.URL(), token(tok+"x"), `{ secret }`, nil)
	_, body2 := gql(t, srv.URL(), apiKey(srv.APIKey()+"x"), `{ secret }`, nil)
	_, body3 := gql(t, srv.URL(), sigv4(srv.AuthenticatedCredentials(), time.Now().Add(-time.Hour)), `{ signed }`, nil)

	out := logs.String()
	assert.Contains(t, out, "auth=userPool:alice")
	assert.Contains(t, out, "auth=iam:authenticated")
	for _, secret := range []string{tok, strings.Split(tok, ".")[2], srv.APIKey(), creds.SecretAccessKey, creds.SessionToken, "my-password"} {
		assert.NotContains(t, out, secret)
		for _, b := range []string{body1, body2, body3} {
			assert.NotContains(t, b, secret)
		}
	}
}

func TestHandlersThatPanicOrMisbehave(t *testing.T) {
	srv := appsynctest.NewServer(t, engineBackend(t),
		appsynctest.Handle("hello", func(context.Context, json.RawMessage) (any, error) { panic("handler bug") }),
		appsynctest.Handle("thing", func(context.Context, json.RawMessage) (any, error) { return func() {}, nil }),
		appsynctest.Handle("fail", func(context.Context, json.RawMessage) (any, error) {
			return nil, &appsynctest.ResolverError{ErrorType: "Custom:Error", Message: "as util.error would", Info: map[string]any{"code": 7}}
		}),
	)
	key := apiKey(srv.APIKey())
	r := decode(t, func() string {
		_, b := gql(t, srv.URL(), key, `{ hello thing(id: "1") { id } fail(message: "x") secret count }`, nil)
		return b
	}())
	assert.Equal(t, map[string]any{"hello": nil, "thing": nil, "fail": nil, "secret": nil, "count": nil}, r.Data)
	byPath := map[string]gqlErr{}
	for _, e := range r.Errors {
		byPath[e.Path[0].(string)] = e
	}
	assert.Equal(t, "Lambda:Unhandled", byPath["hello"].ErrorType)
	assert.Equal(t, "handler bug", byPath["hello"].Message)
	assert.Equal(t, "Lambda:Unhandled", byPath["thing"].ErrorType)
	assert.Contains(t, byPath["thing"].Message, "unsupported type")
	assert.Equal(t, "Custom:Error", byPath["fail"].ErrorType)
	assert.Equal(t, "Unauthorized", byPath["secret"].ErrorType)
	assert.Equal(t, "appsynctest:NoHandler", byPath["count"].ErrorType)
	assert.Equal(t, `appsynctest has no handler for Query.count: pass appsynctest.Handle("count", handler) to NewServer or Start, or -function count=<url> to the appsynctest command`, byPath["count"].Message)
	invs := srv.Invocations()
	require.Len(t, invs, 3)
	assert.Equal(t, "Runtime.Panic", invs[0].ErrorType)
}

func TestIAMEvents(t *testing.T) {
	srv := engineServer(t)
	ok(t, srv.URL(), sigv4(srv.AuthenticatedCredentials(), time.Time{}), `{ signed }`, nil)
	ok(t, srv.URL(), sigv4(srv.IAMCredentials(), time.Time{}), `{ signed }`, nil)
	invs := invocationsOf(srv, "signed")
	require.Len(t, invs, 2)
	var pool, role struct{ Identity map[string]any }
	require.NoError(t, json.Unmarshal(invs[0].Event, &pool))
	require.NoError(t, json.Unmarshal(invs[1].Event, &role))
	assert.Equal(t, "123456789012", pool.Identity["accountId"])
	assert.Equal(t, "us-east-1:11111111-1111-1111-1111-111111111111", pool.Identity["cognitoIdentityPoolId"])
	assert.Regexp(t, `^us-east-1:[0-9a-f-]{36}$`, pool.Identity["cognitoIdentityId"])
	assert.Equal(t, "authenticated", pool.Identity["cognitoIdentityAuthType"])
	assert.Regexp(t, `^arn:aws:sts::123456789012:assumed-role/[^/]+/CognitoIdentityCredentials$`, pool.Identity["userArn"])
	assert.Regexp(t, `^AROA[0-9A-F]+:CognitoIdentityCredentials$`, pool.Identity["username"])
	assert.Equal(t, []any{"127.0.0.1"}, pool.Identity["sourceIp"])
	for _, k := range []string{"cognitoIdentityPoolId", "cognitoIdentityId", "cognitoIdentityAuthType", "cognitoIdentityAuthProvider"} {
		assert.Contains(t, role.Identity, k)
		assert.Nil(t, role.Identity[k], k)
	}
}

// TestServesEveryTransformedBackend starts a server for each backend that
// Amplify's transformer generated into the tree (schema/testdata/amplify),
// and checks that every model operation answers.
func TestServesEveryTransformedBackend(t *testing.T) {
	dirs, err := filepath.Glob("../schema/testdata/amplify/backends/*/generated")
	require.NoError(t, err)
	require.NotEmpty(t, dirs, "the transformed backends of schema/testdata/amplify")
	for _, dir := range dirs {
		t.Run(filepath.Base(filepath.Dir(dir)), func(t *testing.T) {
			b := loadBackend(t, filepath.Join(dir, "amplify_outputs.json"), filepath.Join(dir, "appsync.graphql"))
			if b.Schema.Query == nil {
				// The seed alone: AppSync refuses a schema without a
				// Query type, and so does the server.
				_, err := appsynctest.Start(b)
				require.Error(t, err)
				assert.Contains(t, err.Error(), "has no Query type")
				return
			}
			srv := appsynctest.NewServer(t, b)
			// The role outside the identity pool may run every operation
			// whose directives admit IAM, which Gen 2 gives every field.
			fn := sigv4(srv.IAMCredentials(), time.Time{})
			ok(t, srv.URL(), fn, `{ __schema { queryType { name } } }`, nil)
			if b.Outputs.Data.ModelIntrospection == nil {
				return
			}
			for _, m := range b.Outputs.Data.ModelIntrospection.Models {
				q := fmt.Sprintf(`{ list%s { items { __typename } nextToken } }`, m.PluralName)
				data := ok(t, srv.URL(), fn, q, nil)
				assert.Equal(t, map[string]any{"items": []any{}, "nextToken": nil}, data["list"+m.PluralName], m.Name)
			}
		})
	}
}
