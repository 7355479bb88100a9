// Package realtime runs GraphQL subscriptions over AWS AppSync's realtime
// WebSocket protocol, built to stay subscribed for months.
//
// AppSync does not speak graphql-transport-ws (genqlient's own WebSocket
// client) but its own protocol on subprotocol graphql-ws: the connection's
// auth headers travel base64-encoded in the header query parameter (with
// payload=e30=), then connection_init / connection_ack
// {connectionTimeoutMs}, ka keep-alives, and per subscription start (with
// payload.data, the JSON string of {query, variables}, and
// payload.extensions.authorization) / start_ack / data / error / stop /
// complete, and connection_error.
//
// # Use
//
//	rt, err := realtime.New(outputs.Data.URL, &realtime.Token{URL: outputs.Data.URL, Source: tokens})
//	defer rt.Close()
//	sub, err := rt.Subscribe(ctx, &graphql.Request{OpName: "OnCreateTodo", Query: onCreateTodo})
//	for ev, err := range sub.Events() {
//		if errors.Is(err, realtime.ErrGap) {
//			relist(ctx) // events may have been missed: re-query, then go on
//			continue
//		}
//		if err != nil {
//			return err // ctx's error, *SubscriptionError or *ConnectionError
//		}
//		var r struct{ OnCreateTodo Todo }
//		_ = ev.Decode(&r)
//	}
//
// Values[T] decodes each event into T. NewGenqlientClient adapts a Client
// to genqlient's graphql.WebSocketClient, so genqlient's generated
// subscription functions run over it.
//
// # Authorization
//
// An Authorizer returns the auth headers of the connection and of each
// start: APIKey, Token (userPool, oidc, lambda: a client.TokenSource asked
// for every connect and every start) and IAM (SigV4 over POST <url>/connect
// with body {} for the connection, over POST <url> with exactly the start's
// data for each start; credentials retrieved every time). AuthorizerFor
// builds one from the same client.Option values as client.New.
// WithStartAuthorizer gives one subscription's starts another Authorizer.
//
// # One socket
//
// All subscriptions of a Client share one WebSocket, each with its own id
// (a UUID) and its own stream. The first Subscribe dials; when the last
// subscription ends (its context is cancelled, Close, or the server ends
// it) a stop is sent for it and the socket is closed with 1000. Subscribe
// returns once start_ack has arrived, so events of mutations made after it
// returns are delivered.
//
// # Buffering
//
// The socket reader never waits for a consumer. Each subscription has a
// bounded buffer (WithBufferSize, default 256 events, each at most
// MaxMessageBytes, default 1 MiB). When it is full the new event is
// dropped and counted in a *GapError placed where the event would have
// been; the consumer gets the events buffered before it, then the gap,
// then what came after. Memory per subscription is therefore bounded, and
// a slow consumer delays nobody but itself and loses events only with
// notice.
//
// # Keep-alive and reconnects
//
// A connection that sends nothing (no ka, no other message) for
// connection_ack's connectionTimeoutMs (the simulator's connectionTimeout
// is read too) is dead. The server's value is used within [10 s, 15 min]
// (AppSync sends 300000 and a ka about every minute): a smaller one would
// drop every healthy connection at once, a larger one leave a dead
// connection unnoticed; WithKeepAliveTimeout (default 5 min) applies when
// neither is a positive number. A dead or dropped connection, a
// connection_error, or a failed write is followed by a reconnect after a
// wait drawn with full jitter from [0, min(Max, Initial·2ⁿ)) (Backoff;
// defaults 1 s and 30 s, n growing while attempts fail or connections do
// not last Max). The wait applies to whatever makes the next attempt: a
// consumer that calls Subscribe again after a refused handshake waits it
// too, so a retry loop cannot hammer the endpoint. Each attempt asks the
// Authorizer afresh, so rotated tokens and credentials are used. On the new connection every active subscription is started
// again under its id; when its start_ack arrives, the consumer gets a
// *GapError (Reconnects, Cause) before any later event: it should
// re-query what it follows then, and misses nothing after. It is never
// left to guess.
//
// What ends subscriptions instead of being retried:
//
//   - the server refuses a start (any error message for it: Unauthorized,
//     a bad filter, a query that does not validate) or does not answer it
//     within StartTimeout: that subscription ends with a
//     *SubscriptionError, on the first start or on a later one;
//   - an error or a complete for an acknowledged subscription that the
//     client did not stop: *SubscriptionError;
//   - MaxAuthFailures (default 3) connection attempts in a row refused as
//     unauthorized (HTTP 401/403, an Unauthorized connection_error), or
//     Backoff.MaxAttempts (default 0: never) failed attempts in a row:
//     every subscription ends with the *ConnectionError;
//   - a subscription still waiting for its first start_ack ends with the
//     connection it waited for (*ConnectionError), so Subscribe fails fast
//     when the endpoint or the credentials are wrong;
//   - an Authorizer that fails for a start: at once for a subscription
//     never acknowledged; for one started again after a reconnect, the
//     connection is dropped and retried after backoff, and the
//     subscription ends at the third failure in a row.
//
// # Connection state
//
// Client.State (Session.State, for a generated client's Realtime) returns
// the connection's state, and WithStateFunc reports every change: StateConnecting, StateConnected, StateReconnecting (once
// per attempt, with the attempt's number, the backoff before it and why
// the connection was lost or the last attempt failed), StateIdle (no
// subscription, no socket), StateFailed (the reconnect policy gave up),
// StateClosed. A service hears of a server that refuses its reconnects
// while it does, not only when a gap or an end finally comes. The
// function is called from a goroutine of the client, one change at a
// time and in order; it never holds up the connection and may call the
// Client (Close included). While it is slow the changes wait, the oldest
// dropped past 64.
//
// # Errors and secrets
//
// Errors are typed: *GapError (errors.Is(err, ErrGap); not final),
// *EventError (from Values; not final), *SubscriptionError and
// *ConnectionError (errors.As reaches the server's client.GraphQLErrors
// with their ErrorType; StatusCode for a refused handshake), ErrClosed,
// ErrStartTimeout, ErrKeepAliveTimeout, ErrProtocol. Their methods accept
// a nil receiver and nil entries in Errors. A server's errors list is read
// whatever its shape: null entries are dropped, an entry that is not an
// object is kept as an error saying so, a field of the wrong type is left
// empty, and an errors member that is a single object or a string still
// counts.
//
// A redirect of the WebSocket handshake (301, 302, 307, 308) is never
// followed, whatever the HTTP client given: the handshake carries the
// credentials, which must not reach another host. It fails as a
// *ConnectionError with the 3xx StatusCode, retried like any refused
// handshake.
//
// API keys, tokens, session tokens, signatures and the encoded header (in
// the URL and the subprotocol) are removed from every error and log line
// (WithLogger; nothing is logged by default), in every form a server may
// echo them in (as they are, URL-escaped, JSON-escaped), from every string
// of the server's errors: message, errorType, errorInfo, data, path and
// the locations' sourceName (errorInfo and data stay the JSON they were).
// The redactor remembers the 64 secrets used most recently, so that a
// credential rotated months ago is no longer looked for while one in use
// always is. Log lines quote at most 64 bytes of a message's type or id,
// and no error quotes the raw bytes of a frame.
package realtime
