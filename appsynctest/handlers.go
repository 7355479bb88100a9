package appsynctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/vektah/gqlparser/v2/ast"
)

// Handler resolves a custom query or mutation as the backend's Lambda
// function would (a.handler.function in Amplify Gen 2): it receives the
// event AppSync sends through Amplify's function resolver,
//
//	{"typeName", "fieldName", "arguments", "identity", "source",
//	 "request": {"headers", "domainName"}, "prev"}
//
// and returns the result, which is encoded as JSON as the Lambda runtime
// encodes it. An error is reported as AppSync reports a Lambda error:
// errorType "Lambda:Unhandled" with the error's message. (AppSync does not
// pass on the errorType a function gives; see Invocation.ErrorType.) A
// *ResolverError is reported as it is, for handlers that stand in for a
// custom JavaScript or VTL resolver calling util.error.
type Handler func(ctx context.Context, event json.RawMessage) (any, error)

// Typed adapts a typed handler, such as a Lambda handler func(ctx, Event)
// (Result, error), into a Handler: the event is decoded into E as the Go
// Lambda runtime decodes it.
func Typed[E, R any](f func(context.Context, E) (R, error)) Handler {
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		var e E
		if err := json.Unmarshal(event, &e); err != nil {
			return nil, &lambdaError{errorType: "Runtime.UnmarshalError", err: err}
		}
		return f(ctx, e)
	}
}

// HTTPHandler returns a Handler that POSTs the event to url and returns the
// JSON it answers, for functions that run outside the test process (in
// another language, or another program). A non-2xx answer is a function
// error; its body may be the Lambda runtime's {"errorType", "errorMessage"}.
func HTTPHandler(url string) Handler {
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, &lambdaError{errorType: "Lambda:ServiceException", err: fmt.Errorf("calling the function at %s: %w", url, err)}
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 6<<20))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode/100 != 2 {
			var e struct{ ErrorType, ErrorMessage string }
			if json.Unmarshal(body, &e) == nil && e.ErrorMessage != "" {
				return nil, &lambdaError{errorType: e.ErrorType, err: errors.New(e.ErrorMessage)}
			}
			return nil, fmt.Errorf("the function at %s answered HTTP %d", url, resp.StatusCode)
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, nil
		}
		return json.RawMessage(body), nil
	}
}

// lambdaError is an error with the errorType the Lambda runtime reports.
type lambdaError struct {
	errorType string
	err       error
}

func (e *lambdaError) Error() string     { return e.err.Error() }
func (e *lambdaError) Unwrap() error     { return e.err }
func (e *lambdaError) ErrorType() string { return e.errorType }

// Handle resolves the custom query or mutation field with h. field is the
// field's name ("addUserToGroup"), or "Type.field" when a query and a
// mutation share the name. rules are the operation's authorization rules
// (AllowGroups("ADMINS"), ...), checked before h runs as Amplify's
// resolver checks them; without rules only the field's @aws_* directives
// apply.
func Handle(field string, h Handler, rules ...Rule) Option {
	return func(c *config) {
		if h == nil {
			c.errs = append(c.errs, fmt.Errorf("appsynctest: Handle(%q, nil): the handler is nil", field))
			return
		}
		if _, dup := c.handlers[field]; dup {
			c.errs = append(c.errs, fmt.Errorf("appsynctest: Handle(%q) given twice: give one handler per field", field))
			return
		}
		c.handlers[field] = h
		if len(rules) > 0 {
			c.rules[field] = append(c.rules[field], rules...)
		}
	}
}

// Allow sets the authorization rules of a custom query or mutation (as
// Handle's rules do), for one whose handler is given elsewhere or not at
// all.
func Allow(field string, rules ...Rule) Option {
	return func(c *config) { c.rules[field] = append(c.rules[field], rules...) }
}

// customOp is a custom query or mutation.
type customOp struct {
	typeName, field string
	handler         Handler
	rules           []Rule
}

// Invocation records one call of a Handler.
type Invocation struct {
	// TypeName and FieldName name the field resolved.
	TypeName, FieldName string
	// Event is the event the handler received.
	Event json.RawMessage
	// Result is the handler's result as JSON; nil when it failed.
	Result json.RawMessage
	// Err is the handler's error.
	Err error
	// ErrorType is the errorType the Lambda runtime reports for Err (its
	// ErrorType() method, else the Go type name), which CloudWatch shows
	// but AppSync does not pass on.
	ErrorType string
}

// Invocations returns the handler calls so far, oldest first.
func (s *Server) Invocations() []Invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.invocations)
}

// buildCustom registers the resolvers of the custom queries and
// mutations, checking the fields named by Handle and Allow.
func (s *Server) buildCustom() error {
	s.custom = map[string]*customOp{}
	for _, root := range []*ast.Definition{s.schema.Query, s.schema.Mutation} {
		if root == nil {
			continue
		}
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") || s.isModelField(root.Name, f.Name) {
				continue
			}
			s.custom[root.Name+"."+f.Name] = &customOp{typeName: root.Name, field: f.Name}
		}
	}
	var errs []error
	find := func(name, option string) *customOp {
		if op := s.custom[name]; op != nil {
			return op
		}
		var found []*customOp
		for _, op := range s.custom {
			if op.field == name {
				found = append(found, op)
			}
		}
		if len(found) == 1 {
			return found[0]
		}
		if len(found) > 1 {
			errs = append(errs, fmt.Errorf("appsynctest: %s(%q): both Query.%s and Mutation.%s exist: name one as \"Query.%s\" or \"Mutation.%s\"", option, name, name, name, name, name))
			return nil
		}
		typ, field, qualified := strings.Cut(name, ".")
		if !qualified {
			typ, field = "", name
		}
		for _, t := range []string{"Query", "Mutation"} {
			if (typ == "" || typ == t) && s.isModelField(t, field) {
				errs = append(errs, fmt.Errorf("appsynctest: %s(%q): %s.%s is a model operation, which the server resolves itself; handlers are for custom queries and mutations", option, name, t, field))
				return nil
			}
		}
		errs = append(errs, fmt.Errorf("appsynctest: %s(%q): the schema %s has no custom query or mutation %q; its custom operations are: %s", option, name, s.sdl.Name, name, s.customNames()))
		return nil
	}
	for _, name := range sortedNames(s.cfg.handlers) {
		if op := find(name, "Handle"); op != nil {
			op.handler = s.cfg.handlers[name]
		}
	}
	for _, name := range sortedNames(s.cfg.rules) {
		if op := find(name, "Allow"); op != nil {
			op.rules = append(op.rules, s.cfg.rules[name]...)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for key, op := range s.custom {
		s.resolvers[key] = s.handlerResolver(op)
	}
	return nil
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// customNames lists the custom operations for error messages.
func (s *Server) customNames() string {
	names := sortedNames(s.custom)
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

// handlerResolver resolves a custom operation with its handler.
func (s *Server) handlerResolver(op *customOp) resolver {
	return func(f *fieldCtx) (any, error) {
		id := f.ex.req.id
		if !authorizeCustom(op.rules, id) {
			return nil, f.unauthorized()
		}
		if op.handler == nil {
			return nil, &ResolverError{ErrorType: "appsynctest:NoHandler",
				Message: fmt.Sprintf("appsynctest has no handler for %s.%s: pass appsynctest.Handle(%q, handler) to NewServer or Start, or -function %s=<url> to the appsynctest command", op.typeName, op.field, op.field, op.field)}
		}
		event, err := marshalValue(s.lambdaEvent(f))
		if err != nil {
			return nil, err
		}
		// The handler runs on a goroutine of its own, so that the request
		// is answered when its deadline passes even if the handler ignores
		// its context, as AppSync answers while a slow function still runs;
		// the invocation is recorded when the handler returns.
		var result any
		var herr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			inv := Invocation{TypeName: op.typeName, FieldName: op.field, Event: event}
			out, err := callHandler(f.ctx(), op.handler, event)
			var res any
			if err == nil {
				b, merr := json.Marshal(out)
				if merr != nil {
					err = &lambdaError{errorType: "Runtime.MarshalError", err: merr}
				} else {
					inv.Result = b
					res, _ = value.Decode(b)
				}
			}
			if err != nil {
				inv.Err, inv.ErrorType = err, lambdaErrorType(err)
			}
			s.mu.Lock()
			s.invocations = append(s.invocations, inv)
			s.mu.Unlock()
			result, herr = res, err
		}()
		select {
		case <-done:
		case <-f.ctx().Done():
			// The executor answers ExecutionTimeout (or gives up on a
			// caller that went away).
			return nil, f.ctx().Err()
		}
		if herr != nil {
			var re *ResolverError
			if errors.As(herr, &re) {
				return nil, re
			}
			return nil, &ResolverError{ErrorType: "Lambda:Unhandled", Message: herr.Error()}
		}
		return result, nil
	}
}

// callHandler runs a handler, turning a panic into an error as the Lambda
// runtime does.
func callHandler(ctx context.Context, h Handler, event json.RawMessage) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &lambdaError{errorType: "Runtime.Panic", err: fmt.Errorf("%v", p)}
		}
	}()
	return h(ctx, event)
}

// lambdaErrorType names an error as the Go Lambda runtime does: its
// ErrorType() when it has one, else its dynamic type's name.
func lambdaErrorType(err error) string {
	var typed interface{ ErrorType() string }
	if errors.As(err, &typed) {
		return typed.ErrorType()
	}
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// lambdaEvent builds the payload of Amplify's function resolver.
func (s *Server) lambdaEvent(f *fieldCtx) any {
	headers := map[string]string{}
	for k, v := range f.ex.req.headers {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	headers["host"] = f.ex.req.host
	if _, ok := headers["x-forwarded-for"]; !ok {
		headers["x-forwarded-for"] = f.ex.req.id.sourceIP
	}
	var req value.Object
	req.Set("headers", headers)
	req.Set("domainName", nil)
	var source any
	if f.source != nil {
		source = f.source
	}
	var ev value.Object
	ev.Set("typeName", f.parent.Name)
	ev.Set("fieldName", f.def.Name)
	ev.Set("arguments", f.args)
	ev.Set("identity", f.ex.req.id.event())
	ev.Set("source", source)
	ev.Set("request", req)
	ev.Set("prev", map[string]any{"result": map[string]any{}})
	return ev
}
