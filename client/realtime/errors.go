package realtime

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/go-amplify/data/client"
)

// ErrGap is matched (errors.Is) by a *GapError: events of the subscription
// may have been missed. It is not the end of the subscription.
var ErrGap = errors.New("realtime: events may have been missed")

// ErrClosed is returned by Next after Close, and by Subscribe on a closed
// Client.
var ErrClosed = errors.New("realtime: subscription closed")

// ErrKeepAliveTimeout is the cause of a reconnect when no message (ka or
// any other) arrived within the connection's timeout (connection_ack's
// connectionTimeoutMs).
var ErrKeepAliveTimeout = errors.New("realtime: no keep-alive from the server within the connection timeout")

// ErrStartTimeout is the cause of a failed subscription whose start was
// not acknowledged (start_ack) within Options.StartTimeout.
var ErrStartTimeout = errors.New("realtime: no start_ack within the start timeout")

// ErrProtocol is the cause of a connection dropped because the server broke
// the protocol (a frame that is not JSON).
var ErrProtocol = errors.New("realtime: protocol violation")

// GapError tells a consumer that its subscription went on after a time in
// which events may have been missed. It does not end the subscription: the
// iteration continues after it, and the events after it are live again. A
// consumer that keeps state should re-query (list what it follows) when it
// gets one, after which the events resume from a consistent point.
//
// A gap is reported once the subscription is acknowledged again on the new
// connection, so a re-query made then misses nothing. Gaps that pile up
// before the consumer reads them are merged into one.
type GapError struct {
	// Reconnects is how many times the connection was re-established (and
	// the subscription started again) during the gap.
	Reconnects int
	// Dropped is how many events were dropped because the consumer did not
	// keep up (the subscription's buffer was full).
	Dropped int
	// Cause is why the connection was lost the last time (nil when only
	// events were dropped). Its text holds no secret.
	Cause error
}

func (e *GapError) Error() string {
	var parts []string
	if e.Reconnects > 0 {
		s := fmt.Sprintf("reconnected %d time(s)", e.Reconnects)
		if e.Cause != nil {
			s += " after: " + e.Cause.Error()
		}
		parts = append(parts, s)
	}
	if e.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d event(s) dropped because the consumer was slow", e.Dropped))
	}
	return "realtime: events may have been missed: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrGap) true.
func (e *GapError) Is(target error) bool { return target == ErrGap }

// Unwrap returns the cause of the last reconnect.
func (e *GapError) Unwrap() error { return e.Cause }

// EventError is the errors list that came with one data event (a field
// resolver failed; the partial data is in the event). It is not the end of
// the subscription. Values yields it next to the partially decoded value
// (or the zero value when the event did not decode); Events returns the
// errors in Event.Errors instead.
type EventError struct {
	// Errors are the errors that came with the event.
	Errors client.GraphQLErrors
	// Err is the decoding error when the event's data did not decode.
	Err error
}

func (e *EventError) Error() string {
	switch {
	case e.Err != nil && len(e.Errors) > 0:
		return "realtime: event did not decode: " + e.Err.Error() + " (it came with errors: " + e.Errors.Error() + ")"
	case e.Err != nil:
		return "realtime: event did not decode: " + e.Err.Error()
	}
	return "realtime: event with errors: " + e.Errors.Error()
}

// Unwrap returns the GraphQL errors and the decoding error.
func (e *EventError) Unwrap() []error {
	var out []error
	if len(e.Errors) > 0 {
		out = append(out, e.Errors)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// SubscriptionError ends a subscription the server refused or ended: an
// error message for its start (Unauthorized, a filter AppSync rejects, a
// query that does not validate, MaxSubscriptionsReached, ...), an error
// after start_ack, a complete the client did not ask for, or no start_ack
// in time. It is not retried. errors.As reaches the GraphQL errors
// (client.GraphQLErrors, with each ErrorType) through Unwrap.
type SubscriptionError struct {
	// ID is the subscription's id on the socket.
	ID string
	// Operation is the operation name of the request, if it had one.
	Operation string
	// Errors are the errors of the server's message (empty for a timeout
	// or a complete).
	Errors client.GraphQLErrors
	// Reason says what happened when there are no Errors.
	Reason string
	// Err is the cause for a timeout (ErrStartTimeout).
	Err error
}

func (e *SubscriptionError) Error() string {
	var b strings.Builder
	b.WriteString("realtime: subscription")
	if e.Operation != "" {
		b.WriteString(" " + e.Operation)
	}
	b.WriteString(": ")
	switch {
	case len(e.Errors) > 0:
		b.WriteString(e.Errors.Error())
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString(e.Reason)
	}
	return b.String()
}

// Unwrap returns the GraphQL errors or the cause.
func (e *SubscriptionError) Unwrap() error {
	if len(e.Errors) > 0 {
		return e.Errors
	}
	return e.Err
}

// HasType reports whether the server's errors have the given errorType
// (Unauthorized, UnauthorizedException, ...).
func (e *SubscriptionError) HasType(errorType string) bool { return e.Errors.HasType(errorType) }

// ConnectionError is a failure to open the realtime connection: the
// WebSocket handshake failed (StatusCode is the HTTP status), the server
// answered connection_init with connection_error (Errors), or the network
// failed (Err). A Subscribe waiting for that connection returns it; after
// the reconnect policy gives up, every active subscription ends with it.
type ConnectionError struct {
	// StatusCode is the HTTP status of a refused WebSocket handshake
	// (401, 403, ...), or 0.
	StatusCode int
	// Errors are the errors of a connection_error message.
	Errors client.GraphQLErrors
	// Err is the underlying failure, its text free of secrets.
	Err error
	// Attempts is how many attempts in a row failed when the reconnect
	// policy gave up (0 for a single failure).
	Attempts int

	codes []int // the errorCode of each connection_error entry
}

func (e *ConnectionError) Error() string {
	var b strings.Builder
	b.WriteString("realtime: connection")
	if e.Attempts > 0 {
		fmt.Fprintf(&b, " failed %d time(s) in a row, giving up", e.Attempts)
	}
	b.WriteString(": ")
	switch {
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "WebSocket handshake refused with HTTP %d", e.StatusCode)
		if len(e.Errors) > 0 {
			b.WriteString(": " + e.Errors.Error())
		}
	case len(e.Errors) > 0:
		b.WriteString("connection_error: " + e.Errors.Error())
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("failed")
	}
	return b.String()
}

// Unwrap returns the GraphQL errors or the cause.
func (e *ConnectionError) Unwrap() error {
	if len(e.Errors) > 0 {
		return e.Errors
	}
	return e.Err
}

// authRejected reports whether the server refused the credentials: an HTTP
// 401/403 handshake or a connection_error whose type or code says so.
func (e *ConnectionError) authRejected() bool {
	if e.StatusCode == 401 || e.StatusCode == 403 {
		return true
	}
	for _, ge := range e.Errors {
		t := strings.ToLower(ge.ErrorType)
		if strings.Contains(t, "unauthorized") || strings.Contains(t, "forbidden") || strings.Contains(t, "notauthorized") ||
			strings.Contains(t, "signature") || strings.Contains(t, "unrecognizedclient") {
			return true
		}
	}
	for _, code := range e.codes {
		if code == 401 || code == 403 {
			return true
		}
	}
	return false
}

// redactor remembers the secrets used lately (header values and their
// encodings) and removes them from error and log text. It keeps a bounded
// number of them: credentials rotate over months of reconnects.
type redactor struct {
	mu      sync.Mutex
	secrets []string
}

const maxSecrets = 64

// add records the secret values of an auth header map and of its encoded
// forms (the header query parameter and subprotocol).
func (r *redactor) add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < 4 {
			continue
		}
		// A secret seen again moves to the newest end, so one still in use
		// is never the one that ages out.
		for i, s := range r.secrets {
			if s == v {
				r.secrets = append(r.secrets[:i], r.secrets[i+1:]...)
				break
			}
		}
		r.secrets = append(r.secrets, v)
	}
	if over := len(r.secrets) - maxSecrets; over > 0 {
		r.secrets = append(r.secrets[:0:0], r.secrets[over:]...)
	}
}

// addHeaders records the secret values of headers.
func (r *redactor) addHeaders(h map[string]string) {
	var vals []string
	for k, v := range h {
		if secretHeaders[strings.ToLower(k)] {
			vals = append(vals, v)
			if sig := signatureOf(v); sig != "" {
				vals = append(vals, sig)
			}
		}
	}
	r.add(vals...)
}

// addEncoded records the encoded forms of a header JSON.
func (r *redactor) addEncoded(headerJSON []byte) {
	std := base64.StdEncoding.EncodeToString(headerJSON)
	r.add(std, url.QueryEscape(std), base64.RawURLEncoding.EncodeToString(headerJSON))
}

func (r *redactor) string(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Longest first, so that an encoded form is removed whole.
	for _, sec := range sortedByLength(r.secrets) {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

func sortedByLength(in []string) []string {
	out := append([]string(nil), in...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// error returns err with secrets removed from its text, keeping the chain
// for errors.Is and errors.As.
func (r *redactor) error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.string(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

// graphQLErrors removes secrets from the messages of es.
func (r *redactor) graphQLErrors(es client.GraphQLErrors) client.GraphQLErrors {
	for _, e := range es {
		if e != nil {
			e.Message = r.string(e.Message)
		}
	}
	return es
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// signatureOf extracts the Signature= value of a SigV4 Authorization value.
func signatureOf(auth string) string {
	i := strings.LastIndex(auth, "Signature=")
	if i < 0 {
		return ""
	}
	return auth[i+len("Signature="):]
}
