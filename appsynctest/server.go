package appsynctest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/appsynctest/internal/store"
	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// Backend is what the server serves: the backend's amplify_outputs.json
// (its data section and model_introspection describe the API and its
// models, its auth section the user pool) and its AppSync schema.
type Backend struct {
	// Outputs is amplify_outputs.json, as schema.LoadOutputs returns it.
	Outputs *schema.Outputs
	// Schema is the AppSync schema, as appsync.LoadSchema returns it.
	Schema *appsync.Schema
}

// LoadBackend reads a Backend from an amplify_outputs.json file and an
// AppSync schema file (SDL or introspection JSON), as schema.LoadOutputs
// and appsync.LoadSchema do.
func LoadBackend(outputsPath, schemaPath string) (Backend, error) {
	o, err := schema.LoadOutputs(outputsPath)
	if err != nil {
		return Backend{}, err
	}
	s, err := appsync.LoadSchema(schemaPath)
	if err != nil {
		return Backend{}, err
	}
	return Backend{Outputs: o, Schema: s}, nil
}

// An Option configures a Server.
type Option func(*config)

type config struct {
	addr          string
	handlers      map[string]Handler
	rules         map[string][]Rule
	clock         func() time.Time
	logger        *slog.Logger
	apiKey        string
	apiKeyExpires time.Time
	tokenTTL      time.Duration
	newID         func() string
	accountID     string
	limits        Limits
	errs          []error
}

// WithAddr sets the address to listen on, e.g. "127.0.0.1:20002". The
// default is a free port of 127.0.0.1.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithClock sets the server's clock, which stamps createdAt and updatedAt,
// issues and checks tokens, checks SigV4 dates and API key expiry.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithLogger sets the logger of requests (one line each; never a key,
// token, signature or variable value). NewServer logs to the test's log
// by default, Start to nowhere.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithAPIKey sets the API key the server accepts and when it expires. The
// default is the outputs' api_key, expiring 7 days after the server
// starts (Amplify's default expiresInDays).
func WithAPIKey(key string, expires time.Time) Option {
	return func(c *config) { c.apiKey, c.apiKeyExpires = key, expires }
}

// WithTokenLifetime sets how long the tokens SignIn issues are valid
// (default one hour, Cognito's default for access tokens).
func WithTokenLifetime(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

// WithIDs sets the generator of the ids of created items (default: random
// UUIDs, as $util.autoId()).
func WithIDs(newID func() string) Option { return func(c *config) { c.newID = newID } }

// Server is a local AppSync API: GraphQL over HTTP on 127.0.0.1 with
// AppSync's authorization modes, Amplify's model resolvers over in-memory
// tables, and Go handlers for custom queries and mutations.
type Server struct {
	cfg     config
	limits  Limits // cfg.limits with the defaults applied
	outputs *schema.Outputs
	sdl     *appsync.Schema
	schema  *ast.Schema
	data    *schema.DataOutputs
	region  string

	models    map[string]*model
	resolvers map[string]resolver
	custom    map[string]*customOp

	store  *store.Store
	bus    *bus
	tokens *tokenIssuer
	iam    map[string]*iamPrincipal
	secret []byte

	listener net.Listener
	http     *http.Server
	url      string
	log      *slog.Logger

	introOnce sync.Once
	intro     *introspectionData

	mu          sync.Mutex
	users       map[string]*user
	invocations []Invocation
	closed      bool
	done        chan struct{}
}

// NewServer starts a Server for b on a free port of 127.0.0.1 and closes
// it when the test ends. It fails the test when b is not a valid backend
// or an option is wrong. Requests are logged to t.Log.
func NewServer(t testing.TB, b Backend, opts ...Option) *Server {
	t.Helper()
	logOpt := WithLogger(slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{
		// The test log has its own order; the time adds only noise.
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})))
	s, err := Start(b, append([]Option{logOpt}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// testWriter writes log lines to a test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Start starts a Server for b, for programs; Close stops it.
func Start(b Backend, opts ...Option) (*Server, error) {
	cfg := config{
		clock:    time.Now,
		logger:   discardLogger,
		tokenTTL: time.Hour,
		newID:    newUUID,
		// The account of the identity pool roles; 12 digits, as AWS's.
		accountID: "123456789012",
		handlers:  map[string]Handler{},
		rules:     map[string][]Rule{},
	}
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.errs) > 0 {
		return nil, errors.Join(cfg.errs...)
	}
	if err := checkBackend(b); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:       cfg,
		limits:    cfg.limits.resolved(),
		outputs:   b.Outputs,
		sdl:       b.Schema,
		schema:    b.Schema.Schema,
		data:      b.Outputs.Data,
		region:    b.Outputs.Data.AWSRegion,
		resolvers: map[string]resolver{},
		store:     store.New(),
		bus:       newBus(),
		users:     map[string]*user{},
		log:       cfg.logger,
		done:      make(chan struct{}),
	}
	s.secret = make([]byte, 32)
	_, _ = rand.Read(s.secret)
	if s.cfg.apiKey == "" {
		s.cfg.apiKey = s.data.APIKey
	}
	if s.cfg.apiKeyExpires.IsZero() {
		s.cfg.apiKeyExpires = cfg.clock().Add(7 * 24 * time.Hour)
	}
	if err := s.buildModels(); err != nil {
		return nil, err
	}
	if err := s.buildCustom(); err != nil {
		return nil, err
	}
	s.iam = newIAMPrincipals(s)
	var err error
	if s.tokens, err = newTokenIssuer(s); err != nil {
		return nil, err
	}

	addr := cfg.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s.listener, err = net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("appsynctest: listening on %s: %w (pass another address with appsynctest.WithAddr, or none for a free port)", addr, err)
	}
	s.url = "http://" + s.listener.Addr().String() + "/graphql"
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("appsynctest: server stopped", "err", err)
		}
	}()
	s.log.Info("appsynctest: serving", "url", s.url, "models", len(s.models), "customOperations", len(s.custom))
	return s, nil
}

// checkBackend checks that b holds what the server needs.
func checkBackend(b Backend) error {
	switch {
	case b.Outputs == nil:
		return errors.New("appsynctest: Backend.Outputs is nil: load amplify_outputs.json with schema.LoadOutputs (or appsynctest.LoadBackend)")
	case b.Outputs.Data == nil:
		return errors.New("appsynctest: Backend.Outputs has no data section: the backend needs defineData; regenerate amplify_outputs.json with `npx ampx generate outputs`")
	case b.Schema == nil || b.Schema.Schema == nil:
		return errors.New("appsynctest: Backend.Schema is nil: load the AppSync schema with appsync.LoadSchema (or appsynctest.LoadBackend); get it with `npx ampx generate graphql-client-code --format introspection`")
	case b.Schema.Query == nil:
		return fmt.Errorf("appsynctest: schema %s has no Query type, and AppSync refuses a schema without one: give the backend a query or a model (a backend of custom mutations alone cannot be deployed), and pass the AppSync schema, not the Amplify input schema", b.Schema.Name)
	}
	return nil
}

// Close stops the server and waits for it to finish. Requests in flight
// are cut off after 5 seconds.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
	<-s.done
	s.bus.close()
}

// URL returns the GraphQL endpoint, http://127.0.0.1:<port>/graphql.
func (s *Server) URL() string { return s.url }

// Outputs returns a copy of the backend's amplify_outputs.json whose data
// URL is the server's endpoint, for amplifydata.New and client.New.
func (s *Server) Outputs() *schema.Outputs {
	b, err := s.outputs.MarshalJSON()
	if err == nil {
		if o, err := schema.ParseOutputs("appsynctest", b); err == nil {
			o.Data.URL = s.url
			if s.cfg.apiKey != "" && o.Data.HasMode(schema.AuthAPIKey) {
				o.Data.APIKey = s.cfg.apiKey
			}
			return o
		}
	}
	// The outputs were valid when the server started; a copy cannot fail.
	cp := *s.outputs
	d := *s.outputs.Data
	d.URL = s.url
	cp.Data = &d
	return &cp
}

// APIKey returns the API key the server accepts ("" when the API has no
// API_KEY mode).
func (s *Server) APIKey() string {
	if !s.data.HasMode(schema.AuthAPIKey) {
		return ""
	}
	return s.cfg.apiKey
}

// AuthenticatedCredentials returns the IAM credentials of the identity
// pool's authenticated role: requests signed with them act as a signed-in
// user of the identity pool (allow.authenticated("identityPool")).
func (s *Server) AuthenticatedCredentials() aws.CredentialsProvider {
	return s.iam["authenticated"].provider()
}

// GuestCredentials returns the IAM credentials of the identity pool's
// unauthenticated role: requests signed with them act as a guest
// (allow.guest()).
func (s *Server) GuestCredentials() aws.CredentialsProvider {
	return s.iam["unauthenticated"].provider()
}

// IAMCredentials returns the IAM credentials of a role outside the identity
// pool, such as a Lambda function's execution role: Amplify Gen 2 grants
// such principals every operation whose @aws_iam directive admits IAM
// (its "IAM access" for functions and scripts).
func (s *Server) IAMCredentials() aws.CredentialsProvider {
	return s.iam["role"].provider()
}

// newUUID returns a random (version 4) UUID, as $util.autoId().
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// now returns the server's time.
func (s *Server) now() time.Time { return s.cfg.clock() }
