package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/cognito"
	"github.com/go-amplify/data/examples/add-user-to-group/function"
	"github.com/go-amplify/data/internal/testenv"
	"github.com/go-amplify/data/schema"
)

// password is every test user's password.
const password = "Passw0rd!e2e-long"

// backends is where the transformer outputs of the test backends live.
const backends = "../schema/testdata/amplify/backends"

// The two backends every scenario of the suite runs against, with the same
// assertions (the conformance of issue 4): the simulator stack (Amplify's
// own resolvers) and appsynctest (the module's local backend).
const (
	simulator = "simulator"
	local     = "appsynctest"
)

// lambda is a custom operation's Lambda function in the suite: the field
// it resolves, its name in the backend (@function(name: ...)), the rules
// the Amplify schema gives the field (appsynctest needs them in Go: neither
// the AppSync schema nor model_introspection carries them) and its Go code.
type lambda struct {
	field string
	name  string
	rules []appsynctest.Rule
	run   func(ctx context.Context, e *env, event json.RawMessage) (any, error)
}

// env is one running backend of the suite.
type env struct {
	kind      string
	generated string
	outputs   *schema.Outputs
	apiKey    string
	// IAM principals: the identity pool's authenticated and guest roles,
	// and a role of the account outside the pool (a function's).
	authCreds, guestCreds, adminCreds aws.CredentialsProvider
	// handlerCognito is the Cognito API the seed's handler calls, and
	// poolID its user pool.
	handlerCognito function.AdminAddUserToGroupAPI
	poolID         string

	newUser func(t testing.TB, name string, groups ...string) *user
	calls   func() []call
	stop    func()
	rec     *recorder
	log     *slog.Logger

	stack  *testenv.Stack      // simulator only
	server *appsynctest.Server // appsynctest only
}

// call is one invocation of a function, by field.
type call struct {
	Field string
	Event json.RawMessage
}

// user is a signed-in test user.
type user struct {
	name   string
	sub    string
	tokens client.TokenSource
	// groups returns the groups in the user's next token: the SDK's
	// Cognito token source refreshes with REFRESH_TOKEN_AUTH (simulator
	// stack), appsynctest signs the user in again.
	groups func(t testing.TB) []string
}

// owner is the owner field as clients read it. Amplify's resolvers store
// "<sub>::<username>" and the owner field's own resolver returns the
// username part.
func (u *user) owner() string { return u.name }

// each runs body against both backends of backend (a folder of the fixture
// corpus), each with fns as its functions and groups in its user pool. The
// simulator stack needs Node.js: under -short it is skipped and appsynctest
// runs alone.
func each(t *testing.T, backend string, fns []lambda, groups []string, body func(t *testing.T, e *env)) {
	t.Helper()
	for _, kind := range []string{simulator, local} {
		t.Run(kind, func(t *testing.T) {
			e := start(t, kind, backend, fns, groups)
			body(t, e)
		})
	}
}

// start runs one backend.
func start(t testing.TB, kind, backend string, fns []lambda, groups []string) *env {
	t.Helper()
	generated, err := filepath.Abs(filepath.Join(backends, backend, "generated"))
	require.NoError(t, err)
	l := &logs{}
	e := &env{kind: kind, generated: generated, rec: &recorder{},
		log: slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if kind == simulator {
		startStack(t, e, fns, groups)
	} else {
		startLocal(t, e, fns)
	}
	t.Cleanup(func() { e.checkLogs(t, l) })
	return e
}

func startStack(t testing.TB, e *env, fns []lambda, groups []string) {
	byName := map[string]testenv.Function{}
	fieldOf := map[string]string{}
	for _, f := range fns {
		run := f.run
		byName[f.name] = func(ctx context.Context, event json.RawMessage) (any, error) { return run(ctx, e, event) }
		fieldOf[f.name] = f.field
	}
	s := testenv.StartStack(t, testenv.StackOptions{Generated: e.generated, Functions: byName, Groups: groups})
	e.stack = s
	e.apiKey = s.APIKey
	e.authCreds = iam(testenv.AuthCredentials)
	e.guestCreds = iam(testenv.UnauthCredentials)
	e.adminCreds = iam(testenv.AdminCredentials)
	e.handlerCognito = s.Cognito.Client
	e.poolID = s.Cognito.PoolID
	e.stop = s.StopFront
	e.calls = func() []call {
		var out []call
		for _, c := range s.Calls() {
			out = append(out, call{Field: fieldOf[c.Name], Event: c.Event})
		}
		return out
	}
	e.newUser = func(t testing.TB, name string, groups ...string) *user {
		t.Helper()
		sub := s.Cognito.CreateUser(t, name, password, groups...)
		c := &clock{}
		ts := cognito.NewTokenSource(s.Cognito.Client, cognito.Options{ClientID: s.Cognito.ClientID, Now: c.now})
		require.NoError(t, ts.SignIn(context.Background(), name, password))
		return &user{name: name, sub: sub, tokens: ts, groups: func(t testing.TB) []string {
			c.skew += 25 * time.Hour // past exp: cognito-local issues tokens for 24 h
			claims, err := ts.Claims(context.Background())
			require.NoError(t, err)
			return groupsOf(claims)
		}}
	}

	b, err := os.ReadFile(filepath.Join(e.generated, "amplify_outputs.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	doc["data"].(map[string]any)["url"] = s.URL
	auth := doc["auth"].(map[string]any)
	auth["user_pool_id"] = s.Cognito.PoolID
	auth["user_pool_client_id"] = s.Cognito.ClientID
	b, err = json.Marshal(doc)
	require.NoError(t, err)
	e.outputs, err = schema.ParseOutputs("amplify_outputs.json", b)
	require.NoError(t, err)
}

func startLocal(t testing.TB, e *env, fns []lambda) {
	b, err := appsynctest.LoadBackend(filepath.Join(e.generated, "amplify_outputs.json"), filepath.Join(e.generated, "appsync.graphql"))
	require.NoError(t, err)
	var opts []appsynctest.Option
	for _, f := range fns {
		run := f.run
		opts = append(opts, appsynctest.Handle(f.field, func(ctx context.Context, event json.RawMessage) (any, error) {
			return run(ctx, e, event)
		}, f.rules...))
	}
	srv := appsynctest.NewServer(t, b, opts...)
	e.server = srv
	e.outputs = srv.Outputs()
	e.apiKey = srv.APIKey()
	e.authCreds = srv.AuthenticatedCredentials()
	e.guestCreds = srv.GuestCredentials()
	e.adminCreds = srv.IAMCredentials()
	e.handlerCognito = srv.UserPool()
	e.poolID = srv.UserPool().ID()
	e.stop = srv.Close
	e.calls = func() []call {
		var out []call
		for _, inv := range srv.Invocations() {
			out = append(out, call{Field: inv.FieldName, Event: inv.Event})
		}
		return out
	}
	e.newUser = func(t testing.TB, name string, groups ...string) *user {
		s := srv.SignIn(name, groups...)
		return &user{name: name, sub: s.Sub(), tokens: s, groups: func(testing.TB) []string {
			return srv.SignIn(name).Groups()
		}}
	}
}

// client options every client of the suite gets: the recorder sees each
// request's auth mode, and the suite's logger every call's log record.
func (e *env) opts(opts ...client.Option) []client.Option {
	return append([]client.Option{client.WithHTTPClient(e.rec), client.WithLogger(e.log)}, opts...)
}

// logs captures the log records of every client of a backend's run; at the
// end of the run, no secret may appear in them (checkLogs).
type logs struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// checkLogs fails when a log line holds the API key, a secret access key or
// a JWT (their base64 header starts with "eyJ").
func (e *env) checkLogs(t testing.TB, l *logs) {
	l.mu.Lock()
	out := l.buf.String()
	l.mu.Unlock()
	if out == "" {
		t.Errorf("no log records: the suite's clients should log every call")
	}
	secrets := []string{"eyJ"}
	if e.apiKey != "" {
		secrets = append(secrets, e.apiKey)
	}
	for _, p := range []aws.CredentialsProvider{e.authCreds, e.guestCreds, e.adminCreds} {
		if c, err := p.Retrieve(context.Background()); err == nil {
			secrets = append(secrets, c.SecretAccessKey)
			if c.SessionToken != "" {
				secrets = append(secrets, c.SessionToken)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("a secret (%.3s...) appears in the clients' logs", s)
		}
	}
}

// clock is a settable clock for token sources: advancing it makes them
// refresh their tokens for real.
type clock struct {
	mu   sync.Mutex
	skew time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skew)
}

// iam signs requests with the given credentials.
func iam(creds aws.Credentials) aws.CredentialsProvider {
	return credentials.StaticCredentialsProvider{Value: creds}
}

// recorder is the suite's HTTP client: it records how each request was
// authorized and what status came back.
type recorder struct {
	mu   sync.Mutex
	seen []sent
}

// sent is what the recorder saw of one request.
type sent struct {
	// Auth is "apiKey", "iam", "userPool" or "none".
	Auth   string
	Status int
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	auth := "none"
	switch h := req.Header.Get("Authorization"); {
	case req.Header.Get("X-Api-Key") != "":
		auth = "apiKey"
	case strings.HasPrefix(h, "AWS4-HMAC-SHA256"):
		auth = "iam"
	case h != "":
		auth = "userPool"
	}
	resp, err := http.DefaultClient.Do(req)
	s := sent{Auth: auth}
	if resp != nil {
		s.Status = resp.StatusCode
	}
	r.mu.Lock()
	r.seen = append(r.seen, s)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// lastAuth is how the last request was authorized.
func (e *env) lastAuth(t *testing.T) string {
	t.Helper()
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	require.NotEmpty(t, e.rec.seen)
	return e.rec.seen[len(e.rec.seen)-1].Auth
}

// requireGraphQLError asserts err carries a GraphQL error of errorType and
// returns it.
func requireGraphQLError(t *testing.T, err error, errorType string) *client.GraphQLError {
	t.Helper()
	require.Error(t, err)
	var es client.GraphQLErrors
	require.Truef(t, errors.As(err, &es), "want GraphQL errors, got %T: %v", err, err)
	for _, e := range es {
		if e.ErrorType == errorType {
			return e
		}
	}
	require.Failf(t, "no error of the wanted type", "want errorType %q in %v", errorType, err)
	return nil
}

// rawRequest is a hand-written operation for the runtime client.
func rawRequest(query string) *graphql.Request {
	return &graphql.Request{Query: query}
}

// rawResponse decodes the data of a reply into v.
func rawResponse(v any) *graphql.Response {
	return &graphql.Response{Data: v}
}

// groupsOf returns the cognito:groups claim.
func groupsOf(claims map[string]any) []string {
	var groups []string
	list, _ := claims["cognito:groups"].([]any)
	for _, g := range list {
		if s, ok := g.(string); ok {
			groups = append(groups, s)
		}
	}
	return groups
}

func decodeJWTPart(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func encodeJWTPart(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b)
}
