package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-amplify/data/client/internal/redact"
)

// OperationError wraps every error a call returns with the operation's name
// and the auth mode it used, as aws-sdk-go-v2's smithy.OperationError does.
// Use errors.As to reach the cause: GraphQLErrors, *HTTPError,
// *NetworkError, *TokenRejectedError, *LimitError, *AuthModeError, or a
// context error.
type OperationError struct {
	Operation string
	AuthMode  AuthMode
	// Attempts is the number of requests sent (0 when the call failed
	// before sending).
	Attempts int
	Err      error
}

func (e *OperationError) Error() string {
	if e == nil {
		return "amplify data: <nil OperationError>"
	}
	if e.Attempts > 1 {
		return fmt.Sprintf("amplify data: %s (auth %s, %d attempts): %v", e.Operation, e.AuthMode, e.Attempts, e.Err)
	}
	return fmt.Sprintf("amplify data: %s (auth %s): %v", e.Operation, e.AuthMode, e.Err)
}

// Unwrap returns the cause.
func (e *OperationError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Location is a position in the GraphQL document.
type Location struct {
	Line       int    `json:"line"`
	Column     int    `json:"column"`
	SourceName string `json:"sourceName,omitempty"`
}

// GraphQLError is one entry of the errors list of an AppSync reply.
type GraphQLError struct {
	Message string `json:"message"`
	// ErrorType is AppSync's classification: Unauthorized,
	// DynamoDB:ConditionalCheckFailedException, Lambda:Unhandled, or what
	// a resolver set with $util.error.
	ErrorType string `json:"errorType,omitempty"`
	// ErrorInfo is the errorInfo a resolver attached, as JSON.
	ErrorInfo json.RawMessage `json:"errorInfo,omitempty"`
	// Data is the data a resolver attached to the error, as JSON.
	Data      json.RawMessage `json:"data,omitempty"`
	Path      []any           `json:"path,omitempty"`
	Locations []Location      `json:"locations,omitempty"`
}

// The bounds of an error's text: each error's message, type and path are
// cut to these lengths (after redaction, so that no piece of a secret shows)
// and at most maxErrorsShown errors are listed. The values keep their
// whole (redacted) text.
const (
	maxMessageShown = 1 << 10
	maxTypeShown    = 256
	maxPathShown    = 256
	maxErrorsShown  = 10
)

// Error returns the error's type, message and path, each cut to a bounded
// length ("…(N more bytes)"); the fields hold them whole.
func (e *GraphQLError) Error() string {
	if e == nil {
		return "<nil GraphQL error>"
	}
	var b strings.Builder
	e.writeTo(&b)
	return b.String()
}

func (e *GraphQLError) writeTo(b *strings.Builder) {
	if e.ErrorType == "" && e.Message == "" {
		b.WriteString("GraphQL error with no message")
	}
	if e.ErrorType != "" {
		writeClipped(b, e.ErrorType, maxTypeShown)
		b.WriteString(": ")
	}
	writeClipped(b, e.Message, maxMessageShown)
	if len(e.Path) > 0 {
		// Rendered up to the bound only: a path may be long too.
		var p strings.Builder
		for i, v := range e.Path {
			if i > 0 {
				p.WriteByte('.')
			}
			fmt.Fprint(&p, v)
			if p.Len() > maxPathShown {
				break
			}
		}
		path := p.String()
		b.WriteString(" (path ")
		if len(path) > maxPathShown {
			cut := maxPathShown
			for cut > 0 && !utf8.RuneStart(path[cut]) {
				cut--
			}
			path = path[:cut] + "…"
		}
		b.WriteString(path)
		b.WriteByte(')')
	}
}

// writeClipped writes s, cut to at most max bytes on a rune boundary with
// the number of bytes left out.
func writeClipped(b *strings.Builder, s string, max int) {
	if len(s) <= max {
		b.WriteString(s)
		return
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	b.WriteString(s[:cut])
	fmt.Fprintf(b, "…(%d more bytes)", len(s)-cut)
}

// GraphQLErrors are the errors of a reply. The data that came with them is
// still decoded into the operation's result. The client drops null entries
// of the reply's list, so every entry it returns is non-nil; the methods
// skip nil entries all the same.
type GraphQLErrors []*GraphQLError

// Error lists the first 10 errors, each bounded as GraphQLError.Error
// bounds it, and counts the others; every error stays in the slice.
func (es GraphQLErrors) Error() string {
	var b strings.Builder
	n := 0
	for _, e := range es {
		if e == nil {
			continue
		}
		if n == maxErrorsShown {
			break
		}
		if n > 0 {
			b.WriteString("; ")
		}
		e.writeTo(&b)
		n++
	}
	total := es.count()
	switch {
	case total == 0:
		return "no GraphQL errors"
	case total == 1:
		return b.String()
	case total > n:
		return fmt.Sprintf("%d GraphQL errors: %s; and %d more", total, b.String(), total-n)
	}
	return fmt.Sprintf("%d GraphQL errors: %s", total, b.String())
}

// count is the number of errors that are not nil.
func (es GraphQLErrors) count() int {
	n := 0
	for _, e := range es {
		if e != nil {
			n++
		}
	}
	return n
}

// ErrorCode returns the errorType that classifies the reply for a retryer
// (aws-sdk-go-v2's retry package reads it): the first throttling or
// transient type, else the first type, without a data source's prefix.
func (es GraphQLErrors) ErrorCode() string {
	for _, e := range es {
		if e != nil && isTransientType(e.ErrorType) {
			return baseErrorType(e.ErrorType)
		}
	}
	for _, e := range es {
		if e != nil && e.ErrorType != "" {
			return baseErrorType(e.ErrorType)
		}
	}
	return ""
}

// RetryableError reports whether an error says AppSync or a data source
// was throttled or failed transiently (Throttling,
// DynamoDB:ProvisionedThroughputExceededException,
// Lambda:TooManyRequestsException, ...). The client retries such replies
// of queries only, since a mutation may have been partly applied.
func (es GraphQLErrors) RetryableError() bool {
	for _, e := range es {
		if e != nil && isTransientType(e.ErrorType) {
			return true
		}
	}
	return false
}

// HasType reports whether any error has the given errorType.
func (es GraphQLErrors) HasType(errorType string) bool {
	for _, e := range es {
		if e != nil && e.ErrorType == errorType {
			return true
		}
	}
	return false
}

func isGraphQLErrors(err error) bool {
	var es GraphQLErrors
	return errors.As(err, &es)
}

// HTTPError is a reply that is not a GraphQL answer: a status other than
// 200, or a body that is not a GraphQL JSON reply (among them
// {"errors":[]} and {"data":null} alone, which answer nothing). A redirect
// (3xx) is one too: AppSync does not redirect, and the client never sends a
// request, with its credentials, where a reply points.
type HTTPError struct {
	StatusCode int
	// Reason says what was wrong when the status was 200, and where a
	// redirect pointed (its query left out).
	Reason string
	// Snippet is the start of the body, with secrets removed.
	Snippet string
	// Errors are the GraphQL-shaped errors of the body, if it had any
	// (AppSync answers 401 and 403 with {"errors":[{"errorType":...}]}).
	Errors GraphQLErrors
	// RetryAfter is the delay the server asked for in Retry-After, if any.
	RetryAfter time.Duration
}

// HTTPStatusCode returns the status, for aws-sdk-go-v2's retry package.
func (e *HTTPError) HTTPStatusCode() int {
	if e == nil {
		return 0
	}
	return e.StatusCode
}

// ErrorCode returns the errorType of the body's first error, for
// aws-sdk-go-v2's retry package.
func (e *HTTPError) ErrorCode() string {
	if e == nil {
		return ""
	}
	return e.Errors.ErrorCode()
}

// RetryableError reports whether the reply is a transient failure: 429,
// 500, 502, 503, 504, or an error type of throttling.
func (e *HTTPError) RetryableError() bool {
	return e != nil && (retryableStatus(e.StatusCode) || e.Errors.RetryableError())
}

func (e *HTTPError) Error() string {
	if e == nil {
		return "<nil HTTPError>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Errors.count() > 0 {
		b.WriteString(": ")
		b.WriteString(e.Errors.Error())
	} else if e.Snippet != "" {
		fmt.Fprintf(&b, ": body %q", e.Snippet)
	}
	return b.String()
}

// Unwrap returns the GraphQL errors of the body, if any.
func (e *HTTPError) Unwrap() error {
	if e == nil || len(e.Errors) == 0 {
		return nil
	}
	return e.Errors
}

// NetworkError is a failure to send the request or read the reply. An
// attempt that got no reply within Options.AttemptTimeout is one too; its
// cause is then context.DeadlineExceeded (errors.Is), and it is retried as
// a connection timeout is (queries only, unless WithRetryMutations).
type NetworkError struct{ Err error }

func (e *NetworkError) Error() string {
	if e == nil || e.Err == nil {
		return "network: unknown error"
	}
	return "network: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *NetworkError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// RetryableError reports whether the failure is transient: the connection
// could not be made, was refused, reset or timed out, the attempt timed
// out, or the reply was cut short (as aws-sdk-go-v2 classifies connection
// errors).
func (e *NetworkError) RetryableError() bool {
	if e == nil || e.Err == nil {
		return false
	}
	var te *attemptTimeoutError
	return errors.As(e.Err, &te) || retryableNetworkError(e.Err)
}

// attemptTimeoutError is why an attempt ended when Options.AttemptTimeout
// passed without a whole reply.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no reply within the attempt timeout of %v (client.WithAttemptTimeout): %v", e.timeout, e.err)
}

func (e *attemptTimeoutError) Unwrap() error { return e.err }

// Timeout reports that the error is a timeout, as net.Error does.
func (e *attemptTimeoutError) Timeout() bool { return true }

// TokenRejectedError is a 401 that refreshing the token did not cure:
// AppSync rejected the token of the token source, the source (a
// TokenRefresher) was asked to refresh, and either the refresh failed or
// AppSync rejected the new token as well. The client does not try again.
type TokenRejectedError struct {
	Mode AuthMode
	// Refreshed is set when a refreshed token was sent and rejected too.
	Refreshed bool
	// RefreshErr is why the refresh failed, when it did.
	RefreshErr error
	// Err is AppSync's last 401 reply.
	Err *HTTPError
}

func (e *TokenRejectedError) Error() string {
	if e == nil {
		return "<nil TokenRejectedError>"
	}
	if e.RefreshErr != nil {
		return fmt.Sprintf("the %s token was rejected (%v) and refreshing it failed: %v", e.Mode, e.Err, e.RefreshErr)
	}
	return fmt.Sprintf("the %s token was rejected, and so was the refreshed one: %v", e.Mode, e.Err)
}

// Unwrap returns the 401 reply and the refresh error.
func (e *TokenRejectedError) Unwrap() []error {
	if e == nil {
		return nil
	}
	var errs []error
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.RefreshErr != nil {
		errs = append(errs, e.RefreshErr)
	}
	return errs
}

// LimitError is a request the client refused to send because it is over one
// of AppSync's limits (see Limits); AppSync would reject it.
type LimitError struct {
	// Limit names the limit: "request size" or "query depth".
	Limit string
	// Value is the request's, Max the limit's.
	Value, Max int
}

func (e *LimitError) Error() string {
	if e == nil {
		return "<nil LimitError>"
	}
	switch e.Limit {
	case "request size":
		return fmt.Sprintf("request body is %d bytes, over the %d-byte limit: AppSync cannot take it (send less per request, or change client.Limits.MaxRequestBytes)", e.Value, e.Max)
	case "query depth":
		return fmt.Sprintf("query is %d levels deep, over the API's query depth limit of %d: AppSync would reject it (select less deeply, or change client.Limits.MaxQueryDepth)", e.Value, e.Max)
	}
	return fmt.Sprintf("%s is %d, over the limit of %d", e.Limit, e.Value, e.Max)
}

// AuthModeError is returned before sending when the client cannot authorize
// a request: the mode is not configured, or the operation does not allow it
// and no allowed mode is configured.
type AuthModeError struct {
	Mode    AuthMode
	Allowed []AuthMode
	Reason  string // "not allowed" or "not configured"

	// endpointKey records that the endpoint's API key would have served
	// had the caller given it: the message says so.
	endpointKey bool
}

func (e *AuthModeError) Error() string {
	if e == nil {
		return "<nil AuthModeError>"
	}
	hints := make([]string, len(e.Allowed))
	for i, m := range e.Allowed {
		hints[i] = optionFor(m)
	}
	var msg string
	if e.Reason == "not configured" {
		msg = fmt.Sprintf("auth mode %s is not configured: pass %s to New or to the call", e.Mode, optionFor(e.Mode))
		if len(e.Allowed) > 1 {
			msg += fmt.Sprintf(" (the schema allows %v for this operation: %s)", e.Allowed, strings.Join(hints, ", "))
		}
	} else {
		msg = fmt.Sprintf("the schema allows auth modes %v for this operation, not %s, and none of them is configured: pass one of %s",
			e.Allowed, e.Mode, strings.Join(hints, ", "))
	}
	if e.endpointKey {
		msg += "; the endpoint's API key (api_key of amplify_outputs.json) is used only when apiKey is the default mode" +
			" or the call passes client.WithAuthMode(client.AuthAPIKey): pass client.WithAPIKey to New to let the client fall back to it"
	}
	return msg
}

func optionFor(m AuthMode) string {
	switch m {
	case AuthAPIKey:
		return "client.WithAPIKey"
	case AuthIAM:
		return "client.WithIAM"
	case AuthIdentityPool:
		return "client.WithIdentityPool"
	case AuthUserPool:
		return "client.WithUserPool"
	case AuthOIDC:
		return "client.WithOIDC"
	case AuthLambda:
		return "client.WithLambda"
	}
	return "client.WithAuthMode(client.AuthNone)"
}

// ErrNextTokenCycle is the cause of the *PaginationError that ends a walk
// of pages (All) when the server returns a nextToken it returned before in
// the walk: reading on would repeat the same pages forever.
var ErrNextTokenCycle = errors.New("the server returned a nextToken it had returned before in this walk")

// PaginationError ends a walk of pages (All, AllNamed) that cannot go on.
// Its cause is ErrNextTokenCycle (errors.Is).
type PaginationError struct {
	// Operation is the list operation, when the walk was given it
	// (AllNamed); empty otherwise.
	Operation string
	// Pages is the number of pages read, the last one included.
	Pages int
	Err   error
}

func (e *PaginationError) Error() string {
	if e == nil {
		return "<nil PaginationError>"
	}
	op := ""
	if e.Operation != "" {
		op = e.Operation + ": "
	}
	return fmt.Sprintf("amplify data: %s%v (after %d pages): the walk stops rather than repeat pages", op, e.Err, e.Pages)
}

// Unwrap returns the cause.
func (e *PaginationError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

const snippetLen = 256

// snippet returns the start of body as text, secrets removed.
func snippet(body []byte, sec *redact.Secrets) string {
	if len(body) == 0 {
		return ""
	}
	// Every secret that starts within the snippet must be whole, in every
	// form, in what is redacted, or a piece of it would show.
	n := min(len(body), snippetLen*4+sec.MaxFormLen())
	s := sec.String(string(body[:n]))
	if len(s) > snippetLen {
		cut := snippetLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactError returns err, or an error that unwraps to it whose text has
// every secret of sec removed.
func redactError(err error, sec *redact.Secrets) error {
	if err == nil || sec.Len() == 0 {
		return err
	}
	msg := err.Error()
	if r := sec.String(msg); r != msg {
		return &redactedError{msg: r, err: err}
	}
	return err
}

// redactErrors removes every form of every secret from every string of
// es: message, type, each string of the path, each location's source name,
// and every string (member names included) of errorInfo and data.
func redactErrors(es GraphQLErrors, sec *redact.Secrets) GraphQLErrors {
	if sec.Len() == 0 {
		return es
	}
	for _, e := range es {
		if e == nil {
			continue
		}
		e.Message = sec.String(e.Message)
		e.ErrorType = sec.String(e.ErrorType)
		for i, p := range e.Path {
			e.Path[i], _ = redact.Value(p, sec.String)
		}
		for i := range e.Locations {
			e.Locations[i].SourceName = sec.String(e.Locations[i].SourceName)
		}
		e.ErrorInfo = redact.JSON(e.ErrorInfo, sec.String)
		e.Data = redact.JSON(e.Data, sec.String)
	}
	return es
}

// signatureOf extracts the Signature= value of a SigV4 Authorization header.
func signatureOf(auth string) string {
	i := strings.LastIndex(auth, "Signature=")
	if i < 0 {
		return ""
	}
	return auth[i+len("Signature="):]
}
