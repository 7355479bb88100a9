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
// IAM signs with one SigV4 signer per credentials identity (key id and
// secret), so a derived key is never used for another secret.
//
// Extra headers (client.WithHeader, the client's and the call's; the
// Header field of APIKey, Token and IAM) go with the connection and every
// start, as amplify-js's additional headers do: merged into the auth
// headers of the header query parameter and of extensions.authorization,
// the values of a name joined with ", ". An auth header keeps its value
// when an extra header has its name. IAM signs them with the rest (the
// headers SigV4 never signs, such as User-Agent, go unsigned). A Session's
// connection carries the headers of the subscription that opened it,
// each start those of its own call.
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
// notice. The socket's reader reads at most 16 messages ahead of the
// dispatcher.
//
// Each message is read once: one pass over it finds its type, its id and
// its payload's data and errors, and an Event's Data and Payload are
// slices of the received message (Data a part of Payload), not copies.
// Values decodes Data once, into T, with a json.Decoder kept for the
// subscription. A steady stream allocates nothing per event on its way to
// the consumer but the message's own buffer and what T's decoding needs.
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
// Every error is typed; errors.As and errors.Is reach what a program acts
// on, and every method accepts a nil receiver and nil entries in Errors:
//
//   - *GapError (errors.Is(err, ErrGap)): events may have been missed, the
//     subscription goes on. Reconnects and Dropped say why; Cause is why
//     the connection was lost the last time: a *client.NetworkError (the
//     network, or ErrKeepAliveTimeout within one), a *ConnectionError (a
//     connection_error mid-stream), ErrProtocol, ErrStartTimeout (a
//     re-subscription not acknowledged), or the Authorizer's error.
//   - *EventError (from Values, not final): an event came with GraphQL
//     errors (Errors) and its partial value, or did not decode into T
//     (Err) and comes with the zero T.
//   - *SubscriptionError (final): the server refused the start or ended
//     the subscription (an error or a complete the client did not ask
//     for); errors.As reaches the client.GraphQLErrors, HasType their
//     errorType. Err is ErrStartTimeout when no start_ack came in time.
//   - *ConnectionError (final): the connection could not be opened, for
//     the Subscribe that waited for it (or a subscription not yet
//     acknowledged when it was lost), and for every subscription once the
//     reconnect policy gave up (Attempts). StatusCode is the HTTP status
//     of a refused handshake, Errors those of a connection_error
//     (errors.As reaches the client.GraphQLErrors), Err any other cause: a
//     *client.NetworkError, or the Authorizer's error.
//   - *client.NetworkError: the backend could not be reached: the dial
//     failed, a read or a write of the socket failed (the connect timeout
//     included), or the connection stayed silent past its keep-alive
//     timeout (Err is then ErrKeepAliveTimeout). It is a ConnectionError's
//     Err or a gap's Cause, so errors.As with a *client.NetworkError is the
//     one test for "could not reach the backend", for HTTP calls and
//     subscriptions alike. A server's answer (a refused handshake,
//     connection_error, an error for a start) is never one.
//   - ErrClosed: Next after Close, Subscribe on a closed Client (Events
//     and Values end without it).
//   - ErrStartTimeout, ErrKeepAliveTimeout, ErrProtocol: causes, matched
//     with errors.Is.
//   - the context's error, when the subscription's context ends.
//
// A Session's Subscribe wraps its error in a *client.OperationError (the
// operation and the auth mode); errors.As reaches the error inside.
//
// A server's errors list is read whatever its shape: null entries are
// dropped, an entry that is not an object is kept as an error saying so,
// a field of the wrong type is left empty, and an errors member that is a
// single object or a string still counts.
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
