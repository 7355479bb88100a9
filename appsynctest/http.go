package appsynctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/appsynctest/internal/realtime"
	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/go-amplify/data/internal/sigv4verify"
)

// drainBytes is how much of a body over the limit the server reads and
// drops before answering 413, so that a client still sending it reads the
// answer rather than a reset connection; a larger body has the connection
// closed under it.
const drainBytes = 8 << 20

// request is one GraphQL request being served.
type request struct {
	ctx     context.Context
	id      *identity
	headers http.Header
	host    string
}

// ServeHTTP serves the GraphQL endpoint (POST or GET /graphql) and the
// user pool's JWKS.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// A bug of the server must not take the test process down: answer
		// 500 as AppSync answers its internal failures.
		if p := recover(); p != nil {
			s.log.Error("appsynctest: internal error", "panic", fmt.Sprint(p))
			(&requestError{http.StatusInternalServerError, "InternalFailure", fmt.Sprintf("appsynctest internal error: %v", p)}).write(w)
		}
	}()
	switch {
	case r.Method == http.MethodOptions:
		// CORS preflight, which AppSync answers for any origin.
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "*")
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusOK)
	// [realtime] The realtime endpoint (subscriptions over AppSync's
	// WebSocket protocol, realtime.go): AppSync serves it on another host,
	// locally it is the same URL, or <url>/realtime as for custom domains.
	case (r.URL.Path == "/graphql" || r.URL.Path == "/graphql/realtime") && realtime.IsUpgrade(r):
		s.serveRealtime(w, r)
	// [/realtime]
	case r.URL.Path == "/graphql":
		s.serveGraphQL(w, r)
	case r.URL.Path == s.tokens.jwksPath():
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.tokens.jwks())
	default:
		(&requestError{http.StatusNotFound, "NotFound",
			"appsynctest serves GraphQL at /graphql (" + s.url + ") and the user pool keys at " + s.tokens.jwksPath()}).write(w)
	}
}

// graphQLRequest is the body of a GraphQL request.
type graphQLRequest struct {
	Query         string
	OperationName string
	Variables     map[string]any
}

func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	logAttrs := []any{"method", r.Method}
	status := http.StatusOK
	var errTypes []string
	defer func() {
		attrs := append(logAttrs, "status", status, "duration", time.Since(start).Round(time.Microsecond))
		if len(errTypes) > 0 {
			attrs = append(attrs, "errors", strings.Join(errTypes, ","))
		}
		s.log.Info("appsynctest: request", attrs...)
	}()
	fail := func(err error) {
		var re *requestError
		var se *sigv4verify.Error
		switch {
		case errors.As(err, &se):
			status = se.Status
			errTypes = append(errTypes, se.ErrorType)
			sigv4verify.WriteError(w, se)
		case errors.As(err, &re):
			status = re.Status
			errTypes = append(errTypes, re.ErrorType)
			re.write(w)
		default:
			status = http.StatusInternalServerError
			(&requestError{status, "InternalFailure", err.Error()}).write(w)
		}
	}

	var body []byte
	switch r.Method {
	case http.MethodPost:
		b, rerr := readBody(w, r, s.limits.MaxRequestBytes)
		if rerr != nil {
			fail(rerr)
			return
		}
		body = b
		if len(strings.TrimSpace(string(body))) == 0 {
			fail(errEmptyBody)
			return
		}
	case http.MethodGet:
		if max := s.limits.MaxRequestBytes; max > 0 && len(r.URL.RawQuery) > max {
			fail(errTooLarge(max))
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		fail(&requestError{http.StatusMethodNotAllowed, "MalformedHttpRequestException", "Method " + r.Method + " is not allowed: send GraphQL requests with POST (or GET)."})
		return
	}

	id, err := s.authenticate(r, body)
	if err != nil {
		logAttrs = append(logAttrs, "auth", authKind(r))
		fail(err)
		return
	}
	logAttrs = append(logAttrs, "auth", id.describe())

	req, rerr := parseGraphQLRequest(r, body)
	if rerr != nil {
		fail(rerr)
		return
	}
	resp, op := s.execute(&request{ctx: r.Context(), id: id, headers: r.Header.Clone(), host: r.Host}, req)
	if op != nil {
		logAttrs = append(logAttrs, "operation", string(op.Operation)+" "+opName(op))
	}
	for _, e := range resp.errs {
		t := e.ErrorType
		if t == "" {
			t = "GraphQL"
		}
		errTypes = append(errTypes, t)
	}
	out, err := resp.marshal()
	if err != nil {
		fail(err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("X-Amzn-RequestId", newUUID())
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(out)
}

// readBody reads a POST body of at most max bytes (max 0: any size).
func readBody(w http.ResponseWriter, r *http.Request, max int) ([]byte, *requestError) {
	if max <= 0 {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, &requestError{http.StatusBadRequest, "MalformedHttpRequestException", "Request body unreadable: " + err.Error()}
		}
		return b, nil
	}
	var b []byte
	if r.ContentLength <= int64(max) {
		var err error
		if b, err = io.ReadAll(io.LimitReader(r.Body, int64(max)+1)); err != nil {
			return nil, &requestError{http.StatusBadRequest, "MalformedHttpRequestException", "Request body unreadable: " + err.Error()}
		}
	}
	if r.ContentLength > int64(max) || len(b) > max {
		_, _ = io.CopyN(io.Discard, r.Body, drainBytes)
		w.Header().Set("Connection", "close")
		return nil, errTooLarge(max)
	}
	return b, nil
}

func opName(op *ast.OperationDefinition) string {
	if op.Name == "" {
		return "(anonymous)"
	}
	return op.Name
}

// authKind names the authorization a request tried, for logs.
func authKind(r *http.Request) string {
	authz := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(authz, sigv4verify.Algorithm):
		return "iam"
	case authz != "":
		return "token"
	case r.Header.Get("X-Api-Key") != "":
		return "apiKey"
	}
	return "none"
}

// parseGraphQLRequest reads the query, operation name and variables of a
// POST body or GET query string.
func parseGraphQLRequest(r *http.Request, body []byte) (*graphQLRequest, *requestError) {
	var raw struct {
		Query         *string         `json:"query"`
		OperationName *string         `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
	}
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		if !q.Has("query") {
			return nil, errBadBody
		}
		query := q.Get("query")
		raw.Query = &query
		if q.Has("operationName") {
			n := q.Get("operationName")
			raw.OperationName = &n
		}
		if v := q.Get("variables"); v != "" {
			raw.Variables = json.RawMessage(v)
		}
	} else {
		// One pass: Unmarshal refuses what is not one JSON object (null
		// leaves the query unset, which is refused below).
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, errBadBody
		}
	}
	if raw.Query == nil || strings.TrimSpace(*raw.Query) == "" {
		return nil, errBadBody
	}
	req := &graphQLRequest{Query: *raw.Query}
	if raw.OperationName != nil {
		req.OperationName = *raw.OperationName
	}
	if len(raw.Variables) > 0 && string(raw.Variables) != "null" {
		v, err := value.Decode(raw.Variables)
		if err != nil {
			return nil, errBadBody
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errBadBody
		}
		req.Variables = m
	}
	return req, nil
}

// response is a GraphQL response: data (absent when the request failed
// before execution: AppSync then writes "data": null) and errors.
type response struct {
	data any
	errs []*gqlError
}

func (r *response) marshal() ([]byte, error) {
	var o value.Object
	o.Set("data", r.data)
	if len(r.errs) > 0 {
		o.Set("errors", errorList(r.errs))
	}
	return marshalValue(o)
}

// execute runs a GraphQL request for an authenticated caller.
func (s *Server) execute(rq *request, req *graphQLRequest) (*response, *ast.OperationDefinition) {
	doc, errs := s.parseDocument(req.Query)
	if len(errs) > 0 {
		return &response{errs: errs}, nil
	}
	op, gerr := selectOperation(doc, req.OperationName)
	if gerr != nil {
		return &response{errs: []*gqlError{gerr}}, nil
	}
	if op.Operation == ast.Subscription {
		return &response{errs: []*gqlError{{kind: kindValidation, Locations: locationsOf(op.Position),
			Message: "Subscriptions are not served over HTTP: AppSync serves them over its realtime WebSocket endpoint (for appsynctest, " + realtimeURL(s.url) + ")"}}}, op
	}
	vars, errs := s.coerceVariables(op, req.Variables)
	if len(errs) > 0 {
		return &response{errs: errs}, op
	}
	ex, done := s.newExecutor(rq, doc, op, vars)
	defer done()
	data := ex.run()
	// [realtime] A mutation's response is what its subscribers receive
	// (realtime_publish.go).
	if op.Operation == ast.Mutation && ex.abort == nil {
		s.publishMutation(ex, data)
	}
	// [/realtime]
	return ex.response(data), op
}

// discardLogger is a logger that writes nothing.
var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))
