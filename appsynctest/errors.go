package appsynctest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/vektah/gqlparser/v2/ast"
)

// errKind selects which of AppSync's error shapes a gqlError is written in.
// AppSync writes the members of an error in a fixed order and leaves some
// out depending on where the error came from; clients (and tests comparing
// bodies) see exactly these shapes.
type errKind int

const (
	// kindValidation: a document or variable that fails validation, before
	// anything runs: {"path":null,"locations":[...],"message":...}.
	kindValidation errKind = iota
	// kindResolver: an error a resolver raised ($util.error,
	// $util.unauthorized, a Lambda error): {"path":[...],"data":null,
	// "errorType":...,"errorInfo":null,"locations":[...],"message":...}.
	kindResolver
	// kindExecution: an error of the GraphQL engine while completing a value
	// (null for a non-null field, a value that does not serialize):
	// {"path":[...],"locations":null,"message":...}.
	kindExecution
)

// gqlError is one element of the errors list of a GraphQL response.
type gqlError struct {
	kind      errKind
	Message   string
	ErrorType string
	Path      []any
	Locations []location
	Data      any
	ErrorInfo any
}

// location is a position in the GraphQL document.
type location struct{ Line, Column int }

func (l location) MarshalJSON() ([]byte, error) {
	return []byte(`{"line":` + strconv.Itoa(l.Line) + `,"column":` + strconv.Itoa(l.Column) + `,"sourceName":null}`), nil
}

func (e *gqlError) Error() string {
	if e.ErrorType != "" {
		return e.ErrorType + ": " + e.Message
	}
	return e.Message
}

// MarshalJSON writes the error in AppSync's member order for its kind.
func (e *gqlError) MarshalJSON() ([]byte, error) { return marshalValue(e.object()) }

// AppendJSON appends the error's JSON (value.Appender), so that a response
// is encoded in one pass.
func (e *gqlError) AppendJSON(dst []byte) ([]byte, error) {
	if e == nil {
		return append(dst, "null"...), nil
	}
	return e.object().AppendJSON(dst)
}

// errorList is the errors of a response, encoded in one pass with it.
type errorList []*gqlError

// AppendJSON appends the list's JSON (value.Appender).
func (l errorList) AppendJSON(dst []byte) ([]byte, error) {
	if l == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i, e := range l {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = e.AppendJSON(dst); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

// object is the error as AppSync writes it for its kind.
func (e *gqlError) object() *value.Object {
	var o value.Object
	path := any(nil)
	if e.Path != nil {
		path = e.Path
	}
	locs := any(nil)
	if len(e.Locations) > 0 {
		locs = e.Locations
	}
	switch e.kind {
	case kindValidation:
		o.Set("path", path)
		o.Set("locations", locs)
		o.Set("message", e.Message)
	case kindResolver:
		o.Set("path", path)
		o.Set("data", e.Data)
		errType := any(nil)
		if e.ErrorType != "" {
			errType = e.ErrorType
		}
		o.Set("errorType", errType)
		o.Set("errorInfo", e.ErrorInfo)
		o.Set("locations", locs)
		o.Set("message", e.Message)
	default:
		o.Set("path", path)
		o.Set("locations", locs)
		o.Set("message", e.Message)
	}
	return &o
}

// locationsOf returns the positions of fields, as AppSync reports them.
func locationsOf(positions ...*ast.Position) []location {
	var out []location
	for _, p := range positions {
		if p != nil {
			out = append(out, location{p.Line, p.Column})
		}
	}
	return out
}

// ResolverError is an error a resolver raises, reported in the errors of
// the response with its ErrorType, as $util.error(message, errorType,
// data, errorInfo) does in an AppSync resolver. A Handler may return one
// to shape the error the way a custom resolver could; errors of any other
// type returned by a Handler are reported as AppSync reports Lambda
// errors (errorType Lambda:Unhandled).
type ResolverError struct {
	// Message is the error message.
	Message string
	// ErrorType is the errorType member, e.g. "Unauthorized".
	ErrorType string
	// Data and Info are the data and errorInfo members (null when nil).
	Data, Info any
}

func (e *ResolverError) Error() string {
	if e.ErrorType == "" {
		return e.Message
	}
	return e.ErrorType + ": " + e.Message
}

// unauthorized is the error of $util.unauthorized() for a field.
func unauthorized(typeName, fieldName string) *ResolverError {
	return &ResolverError{ErrorType: "Unauthorized", Message: fmt.Sprintf("Not Authorized to access %s on type %s", fieldName, typeName)}
}

// requestError is an error AppSync answers before executing the document
// (malformed request, failed authentication), with an HTTP status other
// than 200 and the body {"errors":[{"errorType":...,"message":...}]}.
type requestError struct {
	Status    int
	ErrorType string
	Message   string
}

func (e *requestError) Error() string { return e.ErrorType + ": " + e.Message }

func (e *requestError) write(w http.ResponseWriter) {
	var o value.Object
	o.Set("errorType", e.ErrorType)
	o.Set("message", e.Message)
	body, _ := marshalValue(map[string]any{"errors": []any{o}})
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("X-Amzn-ErrorType", e.ErrorType)
	w.WriteHeader(e.Status)
	_, _ = w.Write(append(body, '\n'))
}

var (
	errEmptyBody = &requestError{http.StatusBadRequest, "MalformedHttpRequestException", "Request body is empty."}
	errBadBody   = &requestError{http.StatusBadRequest, "MalformedHttpRequestException", "Unable to parse GraphQL query."}
	errNoAuth    = &requestError{http.StatusUnauthorized, "UnauthorizedException", "You are not authorized to make this call."}
	errBadToken  = &requestError{http.StatusUnauthorized, "UnauthorizedException", "Valid authorization header not provided."}
	errExpired   = &requestError{http.StatusUnauthorized, "UnauthorizedException", "Token has expired."}
)

// asResolverError converts err into a ResolverError: a *ResolverError as
// it is, anything else with the given default errorType.
func asResolverError(err error, defaultType string) *ResolverError {
	var re *ResolverError
	if errors.As(err, &re) {
		return re
	}
	return &ResolverError{Message: err.Error(), ErrorType: defaultType}
}

// marshalValue encodes v without escaping <, > and &, as AppSync does.
func marshalValue(v any) ([]byte, error) { return value.Marshal(v) }

// pathString renders a response path as graphql-java does in messages:
// /listTodos/items[0]/id.
func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(p) + "]")
		default:
			b.WriteString("/" + fmt.Sprint(p))
		}
	}
	return b.String()
}
