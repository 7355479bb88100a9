package appsynctest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

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

// object is the error as AppSync writes it for its kind.
func (e *gqlError) object() *object {
	var o object
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
		o.set("path", path)
		o.set("locations", locs)
		o.set("message", e.Message)
	case kindResolver:
		o.set("path", path)
		o.set("data", e.Data)
		errType := any(nil)
		if e.ErrorType != "" {
			errType = e.ErrorType
		}
		o.set("errorType", errType)
		o.set("errorInfo", e.ErrorInfo)
		o.set("locations", locs)
		o.set("message", e.Message)
	default:
		o.set("path", path)
		o.set("locations", locs)
		o.set("message", e.Message)
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
	var o object
	o.set("errorType", e.ErrorType)
	o.set("message", e.Message)
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

// object is a JSON object that keeps its members in insertion order, as
// GraphQL responses do (the order of the selection set).
type object struct {
	keys []string
	vals []any
	// index maps keys to their position, once the object has more than a
	// few members.
	index map[string]int
}

// set sets the member k, appending it when it is new.
func (o *object) set(k string, v any) {
	if i, ok := o.find(k); ok {
		o.vals[i] = v
		return
	}
	o.add(k, v)
}

// add appends the member k, which the object does not have.
func (o *object) add(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	if o.index != nil {
		o.index[k] = len(o.keys) - 1
	}
}

// get returns the member k.
func (o *object) get(k string) (any, bool) {
	if i, ok := o.find(k); ok {
		return o.vals[i], true
	}
	return nil, false
}

func (o *object) find(k string) (int, bool) {
	if o.index == nil {
		if len(o.keys) <= 8 {
			for i, x := range o.keys {
				if x == k {
					return i, true
				}
			}
			return 0, false
		}
		o.index = make(map[string]int, len(o.keys))
		for i, x := range o.keys {
			o.index[x] = i
		}
	}
	i, ok := o.index[k]
	return i, ok
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) { return o.appendJSON(nil) }

// marshalValue encodes v without escaping <, > and &, as AppSync does.
func marshalValue(v any) ([]byte, error) { return appendJSON(nil, v) }

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
