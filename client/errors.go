package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// OperationError wraps every error a call returns with the operation's name
// and the auth mode it used, as aws-sdk-go-v2's smithy.OperationError does.
// Use errors.As to reach the cause: GraphQLErrors, *HTTPError,
// *NetworkError, *AuthModeError, or a context error.
type OperationError struct {
	Operation string
	AuthMode  AuthMode
	Err       error
}

func (e *OperationError) Error() string {
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

// snippet returns the start of body as text, secrets removed.
func snippet(body []byte, secrets []string) string {
	s := string(body)
	if len(s) > snippetLen*4 {
		s = s[:snippetLen*4]
	}
	s = redact(s, secrets)
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
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactError(err error, secrets []string) error {
	msg := err.Error()
	if r := redact(msg, secrets); r != msg {
		return &redactedError{msg: r, err: err}
	}
	return err
}

func redactErrors(es GraphQLErrors, secrets []string) GraphQLErrors {
	for _, e := range es {
		e.Message = redact(e.Message, secrets)
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
