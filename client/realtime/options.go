package realtime

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/go-amplify/data/client"
)

// Options configure a Client. Build them with the With* functions.
type Options struct {
	// RealtimeURL replaces the WebSocket URL derived from the GraphQL URL
	// (see RealtimeURL).
	RealtimeURL string

	// HTTPClient performs the WebSocket handshake. Default
	// http.DefaultClient. Its CheckRedirect is not used: the client
	// follows no redirect of the handshake, which carries the
	// credentials (it fails with a *ConnectionError of the 3xx status).
	HTTPClient *http.Client

	// HeaderSubprotocol also offers the auth headers as a second
	// subprotocol, header-<base64url of the header JSON>, as current
	// amplify-js does (besides the header query parameter). Default off.
	HeaderSubprotocol bool

	// Backoff is the reconnect policy.
	Backoff Backoff

	// BufferSize is how many events each subscription buffers for its
	// consumer. When the buffer is full, further events are dropped and
	// a *GapError counting them is delivered in their place. Default 256.
	BufferSize int

	// ConnectTimeout bounds one connection attempt: WebSocket handshake,
	// connection_init and connection_ack. Default 15 s.
	ConnectTimeout time.Duration

	// StartTimeout bounds the wait for start_ack after a start. Default
	// 15 s, as amplify-js.
	StartTimeout time.Duration

	// WriteTimeout bounds the write of one message. Default 10 s.
	WriteTimeout time.Duration

	// KeepAliveTimeout is how long the connection may stay silent (no ka,
	// no other message) before it is deemed dead, when connection_ack
	// names no connectionTimeoutMs (or one that is not a positive number).
	// Default 5 minutes (AppSync's value). A server's connectionTimeoutMs
	// is used within [10 s, 15 min].
	KeepAliveTimeout time.Duration

	// MaxMessageBytes bounds the size of one received message; a larger
	// one drops the connection. Default 1 MiB (AppSync's subscription
	// payloads are at most 240 KB).
	MaxMessageBytes int64

	// MaxAuthFailures is how many connection attempts in a row the server
	// may refuse as unauthorized (HTTP 401/403, an Unauthorized
	// connection_error) before every subscription ends with the
	// *ConnectionError. Default 3: each attempt asks the Authorizer
	// afresh, so a token or credentials refreshed meanwhile get through.
	MaxAuthFailures int

	// serverKeepAlive is the range of a server's connectionTimeoutMs
	// (minServerKeepAlive, maxServerKeepAlive; tests narrow it).
	serverKeepAlive [2]time.Duration

	// OnState is called with every change of the connection's state
	// (connecting, connected, reconnecting with each attempt's number,
	// wait and cause, idle, failed, closed), so that a service can alert
	// while the server refuses its reconnects. It is called from a
	// goroutine of the client, one call at a time, in order; it never
	// holds up the connection, and may call the Client's methods (Close
	// included). While it is slow, the changes wait, the oldest dropped
	// past 64; Client.State is always current. Default: none.
	OnState func(StateChange)

	// Logger receives connection events (connected, lost, reconnecting,
	// gave up) at Info and Warn, and protocol oddities at Debug. Nothing
	// logged holds a secret. Default: no logging.
	Logger *slog.Logger
}

// Backoff is the reconnect policy: exponential backoff with full jitter.
// Before reconnect attempt n (0 after a drop, counting up while attempts
// fail or connections do not last), the client waits a random duration in
// [0, min(Max, Initial·2ⁿ)). The exponent goes back to 0 once a connection
// has stayed up for Max, or no attempt was made for Max. The wait applies
// to the next attempt whatever makes it: a Subscribe called again after
// one failed with a refused handshake waits it too, so a consumer that
// retries in a loop makes attempts at the backoff's rate.
type Backoff struct {
	// Initial is the cap of the first wait. Default 1 s.
	Initial time.Duration
	// Max is the cap of every wait. Default 30 s.
	Max time.Duration
	// MaxAttempts is how many connection attempts in a row may fail
	// before every subscription ends with a *ConnectionError. Default 0:
	// never give up (a service that runs for months rides out outages).
	MaxAttempts int
}

// delay returns the wait before attempt n: uniform in [0, min(Max, Initial·2ⁿ)).
func (b Backoff) delay(n int, rnd func(int64) int64) time.Duration {
	ceiling := b.Initial
	for i := 0; i < n && ceiling < b.Max; i++ {
		ceiling *= 2
	}
	if ceiling > b.Max {
		ceiling = b.Max
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rnd(int64(ceiling)))
}

// An Option changes Options.
type Option func(*Options)

// WithRealtimeURL sets the WebSocket URL instead of deriving it.
func WithRealtimeURL(u string) Option { return func(o *Options) { o.RealtimeURL = u } }

// WithHTTPClient sets the HTTP client of the WebSocket handshake.
func WithHTTPClient(c *http.Client) Option { return func(o *Options) { o.HTTPClient = c } }

// WithHeaderSubprotocol also offers the auth headers as the
// header-<base64url> subprotocol.
func WithHeaderSubprotocol(on bool) Option { return func(o *Options) { o.HeaderSubprotocol = on } }

// WithBackoff sets the reconnect policy; zero fields keep their defaults.
func WithBackoff(b Backoff) Option { return func(o *Options) { o.Backoff = b } }

// WithBufferSize sets how many events each subscription buffers.
func WithBufferSize(n int) Option { return func(o *Options) { o.BufferSize = n } }

// WithConnectTimeout bounds one connection attempt.
func WithConnectTimeout(d time.Duration) Option { return func(o *Options) { o.ConnectTimeout = d } }

// WithStartTimeout bounds the wait for start_ack.
func WithStartTimeout(d time.Duration) Option { return func(o *Options) { o.StartTimeout = d } }

// WithKeepAliveTimeout sets the silence after which a connection whose
// connection_ack names no timeout is deemed dead.
func WithKeepAliveTimeout(d time.Duration) Option { return func(o *Options) { o.KeepAliveTimeout = d } }

// WithMaxMessageBytes bounds the size of one received message.
func WithMaxMessageBytes(n int64) Option { return func(o *Options) { o.MaxMessageBytes = n } }

// WithMaxAuthFailures sets how many unauthorized connection attempts in a
// row end every subscription.
func WithMaxAuthFailures(n int) Option { return func(o *Options) { o.MaxAuthFailures = n } }

// WithStateFunc sets the function called with every change of the
// connection's state (see Options.OnState).
func WithStateFunc(f func(StateChange)) Option { return func(o *Options) { o.OnState = f } }

// WithLogger sets the logger of connection events.
func WithLogger(l *slog.Logger) Option { return func(o *Options) { o.Logger = l } }

// WithOptions carries opts in a client.Option, so that the options of the
// subscriptions' connection are given to a generated client's New with
// the others:
//
//	c, err := amplifydata.New(outputs, client.WithUserPool(tokens),
//		realtime.WithOptions(realtime.WithBackoff(realtime.Backoff{Max: 10 * time.Second}),
//			realtime.WithStateFunc(alert)))
//
// NewSession applies them before its own. One connection serves every
// subscription, so given to a single call they do nothing.
func WithOptions(opts ...Option) client.Option {
	return func(o *client.Options) {
		// A new slice each time: Options are copied per call, and an
		// append to a shared backing array would leak between them.
		rs := slices.Clip(o.Realtime)
		for _, opt := range opts {
			rs = append(rs, opt)
		}
		o.Realtime = rs
	}
}

// clientOptions returns the realtime options that gql's options carry.
func clientOptions(gql *client.Client) []Option {
	var opts []Option
	for _, v := range gql.RealtimeOptions() {
		if opt, ok := v.(Option); ok {
			opts = append(opts, opt)
		}
	}
	return opts
}

func (o *Options) setDefaults() {
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Backoff.Initial <= 0 {
		o.Backoff.Initial = time.Second
	}
	if o.Backoff.Max <= 0 {
		o.Backoff.Max = 30 * time.Second
	}
	if o.Backoff.Max < o.Backoff.Initial {
		o.Backoff.Max = o.Backoff.Initial
	}
	if o.BufferSize <= 0 {
		o.BufferSize = 256
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 15 * time.Second
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 15 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.KeepAliveTimeout <= 0 {
		o.KeepAliveTimeout = 5 * time.Minute
	}
	if o.serverKeepAlive == [2]time.Duration{} {
		o.serverKeepAlive = [2]time.Duration{minServerKeepAlive, maxServerKeepAlive}
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 1 << 20
	}
	if o.MaxAuthFailures <= 0 {
		o.MaxAuthFailures = 3
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// randInt63n is the jitter source: uniform in [0, n).
func randInt63n(n int64) int64 { return rand.Int64N(n) }
