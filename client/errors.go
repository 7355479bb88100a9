package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
	if e.Attempts > 1 {
		return fmt.Sprintf("amplify data: %s (auth %s, %d attempts): %v", e.Operation, e.AuthMode, e.Attempts, e.Err)
	}
	return fmt.Sprintf("amplify data: %s (auth %s): %v", e.Operation, e.AuthMode, e.Err)
}

// Unwrap returns the cause.
func (e *OperationError) Unwrap() error { return e.Err }

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

func (e *GraphQLError) Error() string {
	var b strings.Builder
	if e.ErrorType != "" {
		b.WriteString(e.ErrorType)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if len(e.Path) > 0 {
		b.WriteString(" (path ")
		for i, p := range e.Path {
			if i > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, p)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// GraphQLErrors are the errors of a reply. The data that came with them is
// still decoded into the operation's result.
type GraphQLErrors []*GraphQLError

func (es GraphQLErrors) Error() string {
	switch len(es) {
	case 0:
		return "no GraphQL errors"
	case 1:
		return es[0].Error()
	}
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return fmt.Sprintf("%d GraphQL errors: %s", len(es), strings.Join(msgs, "; "))
}

// ErrorCode returns the errorType that classifies the reply for a retryer
// (aws-sdk-go-v2's retry package reads it): the first throttling or
// transient type, else the first type, without a data source's prefix.
func (es GraphQLErrors) ErrorCode() string {
	for _, e := range es {
		if isTransientType(e.ErrorType) {
			return baseErrorType(e.ErrorType)
		}
	}
	for _, e := range es {
		if e.ErrorType != "" {
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
		if isTransientType(e.ErrorType) {
			return true
		}
	}
	return false
}

// HasType reports whether any error has the given errorType.
func (es GraphQLErrors) HasType(errorType string) bool {
	for _, e := range es {
		if e.ErrorType == errorType {
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
// 200, or a body that is not a GraphQL JSON reply.
type HTTPError struct {
	StatusCode int
	// Reason says what was wrong when the status was 200.
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
func (e *HTTPError) HTTPStatusCode() int { return e.StatusCode }

// ErrorCode returns the errorType of the body's first error, for
// aws-sdk-go-v2's retry package.
func (e *HTTPError) ErrorCode() string { return e.Errors.ErrorCode() }

// RetryableError reports whether the reply is a transient failure: 429,
// 500, 502, 503, 504, or an error type of throttling.
func (e *HTTPError) RetryableError() bool {
	return retryableStatus(e.StatusCode) || e.Errors.RetryableError()
}

func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if len(e.Errors) > 0 {
		b.WriteString(": ")
		b.WriteString(e.Errors.Error())
	} else if e.Snippet != "" {
		fmt.Fprintf(&b, ": body %q", e.Snippet)
	}
	return b.String()
}

// Unwrap returns the GraphQL errors of the body, if any.
func (e *HTTPError) Unwrap() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e.Errors
}

// NetworkError is a failure to send the request or read the reply.
type NetworkError struct{ Err error }

func (e *NetworkError) Error() string { return "network: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *NetworkError) Unwrap() error { return e.Err }

// RetryableError reports whether the failure is transient: the connection
// could not be made, was refused, reset or timed out, or the reply was cut
// short (as aws-sdk-go-v2 classifies connection errors).
func (e *NetworkError) RetryableError() bool { return retryableNetworkError(e.Err) }

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
	if e.RefreshErr != nil {
		return fmt.Sprintf("the %s token was rejected (%v) and refreshing it failed: %v", e.Mode, e.Err, e.RefreshErr)
	}
	return fmt.Sprintf("the %s token was rejected, and so was the refreshed one: %v", e.Mode, e.Err)
}

// Unwrap returns the 401 reply and the refresh error.
func (e *TokenRejectedError) Unwrap() []error {
	errs := []error{e.Err}
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
}

func (e *AuthModeError) Error() string {
	hints := make([]string, len(e.Allowed))
	for i, m := range e.Allowed {
		hints[i] = optionFor(m)
	}
	if e.Reason == "not configured" {
		msg := fmt.Sprintf("auth mode %s is not configured: pass %s to New or to the call", e.Mode, optionFor(e.Mode))
		if len(e.Allowed) > 1 {
			msg += fmt.Sprintf(" (the schema allows %v for this operation: %s)", e.Allowed, strings.Join(hints, ", "))
		}
		return msg
	}
	return fmt.Sprintf("the schema allows auth modes %v for this operation, not %s, and none of them is configured: pass one of %s",
		e.Allowed, e.Mode, strings.Join(hints, ", "))
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

const snippetLen = 256

// secrets are the secret values one call used (API key, tokens, secret
// access key, session token, signatures), removed from every error string
// and log line.
type secrets struct {
	fixed [6]string
	n     int
	more  []string
}

func (s *secrets) add(v string) {
	if len(v) < 4 || slices.Contains(s.fixed[:s.n], v) || slices.Contains(s.more, v) {
		return
	}
	if s.n < len(s.fixed) {
		s.fixed[s.n] = v
		s.n++
		return
	}
	s.more = append(s.more, v)
}

func (s *secrets) maxLen() int {
	if s == nil {
		return 0
	}
	m := 0
	for _, v := range s.fixed[:s.n] {
		m = max(m, len(v))
	}
	for _, v := range s.more {
		m = max(m, len(v))
	}
	return m
}

// snippet returns the start of body as text, secrets removed.
func snippet(body []byte, sec *secrets) string {
	if len(body) == 0 {
		return ""
	}
	// Every secret that starts within the snippet must be whole in what is
	// redacted, or a piece of it would show.
	n := min(len(body), snippetLen*4+sec.maxLen())
	s := redact(string(body[:n]), sec)
	if len(s) > snippetLen {
		cut := snippetLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// redact replaces every secret in s.
func redact(s string, sec *secrets) string {
	if sec == nil {
		return s
	}
	for _, v := range sec.fixed[:sec.n] {
		s = redactOne(s, v)
	}
	for _, v := range sec.more {
		s = redactOne(s, v)
	}
	return s
}

func redactOne(s, secret string) string {
	if len(secret) >= 4 && strings.Contains(s, secret) {
		return strings.ReplaceAll(s, secret, "[REDACTED]")
	}
	return s
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactError(err error, sec *secrets) error {
	msg := err.Error()
	if r := redact(msg, sec); r != msg {
		return &redactedError{msg: r, err: err}
	}
	return err
}

func redactErrors(es GraphQLErrors, sec *secrets) GraphQLErrors {
	for _, e := range es {
		if e == nil {
			continue
		}
		e.Message = redact(e.Message, sec)
		e.ErrorType = redact(e.ErrorType, sec)
		if len(e.ErrorInfo) > 0 {
			if r := redact(string(e.ErrorInfo), sec); r != string(e.ErrorInfo) {
				e.ErrorInfo = json.RawMessage(strconv.Quote(r))
			}
		}
		if len(e.Data) > 0 {
			if r := redact(string(e.Data), sec); r != string(e.Data) {
				e.Data = json.RawMessage(strconv.Quote(r))
			}
		}
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
