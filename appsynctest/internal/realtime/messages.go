package realtime

import (
	"fmt"

	"github.com/go-amplify/data/appsynctest/internal/value"
)

// Error is an error of the realtime protocol: an element of the errors of
// an error or connection_error message.
type Error struct {
	ErrorType string
	Message   string
	// Code is the errorCode member (AppSync sends the HTTP status of
	// connection failures); 0 leaves it out.
	Code int
}

// Object returns the error as AppSync writes it: errorType (when set),
// message, errorCode (when set).
func (e *Error) Object() value.Object {
	var o value.Object
	if e.ErrorType != "" {
		o.Set("errorType", e.ErrorType)
	}
	o.Set("message", e.Message)
	if e.Code != 0 {
		o.Set("errorCode", e.Code)
	}
	return o
}

// BadRequest is appsynctest's error for a malformed client message
// (AppSync documents none).
func BadRequest(format string, args ...any) *Error {
	return &Error{ErrorType: "BadRequestException", Message: fmt.Sprintf(format, args...)}
}

// Message builds a server message: id (when set), type, payload (when
// set), in the order AppSync writes them.
func Message(id, typ string, payload any) []byte {
	var o value.Object
	if id != "" {
		o.Set("id", id)
	}
	o.Set("type", typ)
	if payload != nil {
		o.Set("payload", payload)
	}
	b, err := value.Marshal(o)
	if err != nil {
		// The payloads are made of JSON values; this does not happen.
		b, _ = value.Marshal(map[string]any{"id": id, "type": "error", "payload": map[string]any{
			"errors": []any{map[string]any{"errorType": "InternalFailure", "message": err.Error()}}}})
	}
	return b
}

// ErrorMessage builds an error message for the subscription id ("" for
// none) with the given errors: *Error, or GraphQL errors as they encode
// themselves.
func ErrorMessage(id string, errs ...any) []byte {
	list := make([]any, len(errs))
	for i, e := range errs {
		if re, ok := e.(*Error); ok {
			list[i] = re.Object()
		} else {
			list[i] = e
		}
	}
	var p value.Object
	p.Set("errors", list)
	return Message(id, "error", p)
}

// ConnectionError builds the connection_error message that refuses a
// connection, members in AppSync's order.
func ConnectionError(e *Error) []byte {
	var p value.Object
	p.Set("errors", []any{e.Object()})
	var o value.Object
	o.Set("payload", p)
	o.Set("type", "connection_error")
	b, _ := value.Marshal(o)
	return b
}
