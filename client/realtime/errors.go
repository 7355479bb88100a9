package realtime

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/internal/redact"
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
	if e == nil {
		return "realtime: events may have been missed"
	}
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
	if len(parts) == 0 {
		return "realtime: events may have been missed"
	}
	return "realtime: events may have been missed: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrGap) true.
func (e *GapError) Is(target error) bool { return target == ErrGap }

// Unwrap returns the cause of the last reconnect.
func (e *GapError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Cause
}

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
	if e == nil {
		return "realtime: event error"
	}
	errs := present(e.Errors)
	switch {
	case e.Err != nil && len(errs) > 0:
		return "realtime: event did not decode: " + e.Err.Error() + " (it came with errors: " + errs.Error() + ")"
	case e.Err != nil:
		return "realtime: event did not decode: " + e.Err.Error()
	case len(errs) == 0:
		return "realtime: event error"
	}
	return "realtime: event with errors: " + errs.Error()
}

// Unwrap returns the GraphQL errors and the decoding error.
func (e *EventError) Unwrap() []error {
	if e == nil {
		return nil
	}
	var out []error
	if errs := present(e.Errors); len(errs) > 0 {
		out = append(out, errs)
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
	if e == nil {
		return "realtime: subscription error"
	}
	var b strings.Builder
	b.WriteString("realtime: subscription")
	if e.Operation != "" {
		b.WriteString(" " + e.Operation)
	}
	b.WriteString(": ")
	switch errs := present(e.Errors); {
	case len(errs) > 0:
		b.WriteString(errs.Error())
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	case e.Reason != "":
		b.WriteString(e.Reason)
	default:
		b.WriteString("ended")
	}
	return b.String()
}

// Unwrap returns the GraphQL errors or the cause.
func (e *SubscriptionError) Unwrap() error {
	if e == nil {
		return nil
	}
	if errs := present(e.Errors); len(errs) > 0 {
		return errs
	}
	return e.Err
}

// HasType reports whether the server's errors have the given errorType
// (Unauthorized, UnauthorizedException, ...).
func (e *SubscriptionError) HasType(errorType string) bool {
	return e != nil && present(e.Errors).HasType(errorType)
}

// ConnectionError is a failure to open the realtime connection: the
// WebSocket handshake failed (StatusCode is the HTTP status), the server
// answered connection_init with connection_error (Errors), or the network
// failed (Err). A Subscribe waiting for that connection returns it; after
// the reconnect policy gives up, every active subscription ends with it.
type ConnectionError struct {
	// StatusCode is the HTTP status of a refused WebSocket handshake
	// (401, 403, ...; a redirect, 3xx, is never followed), or 0.
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
	if e == nil {
		return "realtime: connection error"
	}
	errs := present(e.Errors)
	var b strings.Builder
	b.WriteString("realtime: connection")
	if e.Attempts > 0 {
		fmt.Fprintf(&b, " failed %d time(s) in a row, giving up", e.Attempts)
	}
	b.WriteString(": ")
	switch {
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "WebSocket handshake refused with HTTP %d", e.StatusCode)
		if isRedirect(e.StatusCode) {
			b.WriteString(" (a redirect, not followed: the request carries credentials)")
		}
		if len(errs) > 0 {
			b.WriteString(": " + errs.Error())
		}
	case len(errs) > 0:
		b.WriteString("connection_error: " + errs.Error())
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("failed")
	}
	return b.String()
}

// Unwrap returns the GraphQL errors or the cause.
func (e *ConnectionError) Unwrap() error {
	if e == nil {
		return nil
	}
	if errs := present(e.Errors); len(errs) > 0 {
		return errs
	}
	return e.Err
}

// authRejected reports whether the server refused the credentials: an HTTP
// 401/403 handshake or a connection_error whose type or code says so.
func (e *ConnectionError) authRejected() bool {
	if e == nil {
		return false
	}
	if e.StatusCode == 401 || e.StatusCode == 403 {
		return true
	}
	for _, ge := range present(e.Errors) {
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

// present returns es without its nil entries: es itself when it has none.
// The decoder never makes a nil entry, but a consumer may build an error
// with one, and client.GraphQLErrors' methods need not expect it.
func present(es client.GraphQLErrors) client.GraphQLErrors {
	if !slices.Contains(es, nil) {
		return es
	}
	out := make(client.GraphQLErrors, 0, len(es))
	for _, e := range es {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// isRedirect reports whether status is an HTTP redirect.
func isRedirect(status int) bool { return status >= 300 && status < 400 }

// redactor remembers the secrets used lately (header values and their
// encodings) and removes every form of them (package redact: as they are,
// URL-escaped, JSON-escaped) from error and log text. It keeps a bounded
// number of them, the most recently used: credentials rotate over months
// of reconnects, and a secret still in use never ages out.
type redactor struct {
	mu      sync.Mutex
	secrets []string // least recently used first
}

// maxSecrets bounds the secrets a redactor remembers: those of the current
// connection and starts, and of enough recent ones that an error about an
// older message is still cleaned.
const maxSecrets = 64

// add records secret values, or marks them as used again.
func (r *redactor) add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < redact.MinLen {
			continue
		}
		// A secret seen again moves to the newest end, so one still in use
		// is never the one that ages out.
		if i := slices.Index(r.secrets, v); i >= 0 {
			r.secrets = slices.Delete(r.secrets, i, i+1)
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

// addEncoded records the encodings of a header JSON: base64 in the header
// query parameter (its query-escaped form is one of the forms redact
// removes) and base64url in the header- subprotocol.
func (r *redactor) addEncoded(headerJSON []byte) {
	r.add(base64.StdEncoding.EncodeToString(headerJSON), base64.RawURLEncoding.EncodeToString(headerJSON))
}

// string returns s with every form of every secret removed.
func (r *redactor) string(s string) string {
	if s == "" {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return redact.Replace(s, r.secrets)
}

// clip returns s redacted, then cut to at most n bytes: server text that
// goes into a log line. Redacting first means no cut leaves a piece of a
// secret that the redactor would no longer recognise.
func (r *redactor) clip(s string, n int) string {
	s = r.string(s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
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

// graphQLErrors removes secrets from every string of es: message,
// errorType, errorInfo and data (JSON), path elements and the locations'
// sourceName. A server may echo any of them.
func (r *redactor) graphQLErrors(es client.GraphQLErrors) client.GraphQLErrors {
	for _, e := range es {
		if e == nil {
			continue
		}
		e.Message = r.string(e.Message)
		e.ErrorType = r.string(e.ErrorType)
		e.ErrorInfo = redact.JSON(e.ErrorInfo, r.string)
		e.Data = redact.JSON(e.Data, r.string)
		for i, p := range e.Path {
			e.Path[i], _ = redact.Value(p, r.string)
		}
		for i := range e.Locations {
			e.Locations[i].SourceName = r.string(e.Locations[i].SourceName)
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
