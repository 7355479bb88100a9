package testenv

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/go-amplify/data/internal/sigv4verify"
)

// The IAM credentials the stack knows; the front verifies their signatures.
// Requests signed with AuthCredentials act as the identity pool's
// authenticated role, those signed with UnauthCredentials as its
// unauthenticated (guest) role, and those signed with AdminCredentials as an
// IAM role of the backend's account that is not the identity pool's (a
// function's or a service's role), which Gen 2's IAM access lets through
// every rule.
var (
	AuthCredentials   = aws.Credentials{AccessKeyID: "AKIDSTACKAUTHROLE", SecretAccessKey: "stack-auth-role-secret", Source: "testenv"}
	UnauthCredentials = aws.Credentials{AccessKeyID: "AKIDSTACKUNAUTHROLE", SecretAccessKey: "stack-unauth-role-secret", Source: "testenv"}
	AdminCredentials  = aws.Credentials{AccessKeyID: "AKIDSTACKADMINROLE", SecretAccessKey: "stack-admin-role-secret", Source: "testenv"}
)

// Function is a Lambda function of the backend, run in the test process:
// it receives the event AppSync sends (Amplify's @function payload) and
// returns the result to encode as JSON. An error reaches the GraphQL client
// as AppSync reports any error a Lambda function returns: errorType
// "Lambda:Unhandled" with the error's message (AppSync drops the function's
// own errorType).
type Function func(ctx context.Context, event json.RawMessage) (any, error)

// StackOptions configures StartStack.
type StackOptions struct {
	// Generated is a backend's folder of transformer outputs, e.g.
	// schema/testdata/amplify/backends/blog/generated.
	Generated string
	// Functions maps the function names of the backend's @function
	// resolvers to their Go implementations.
	Functions map[string]Function
	// Groups are created in the user pool.
	Groups []string
}

// Stack is a whole local Amplify backend for end-to-end tests:
//
//   - cognito-local for users, groups and tokens;
//   - the AppSync simulator running the transformer's schema and VTL, with
//     dynalite for the model tables (see StartSimulator);
//   - the backend's functions as Go funcs, which the simulator's Lambda data
//     sources call over HTTP;
//   - a front on 127.0.0.1 that clients talk to (URL). The simulator checks
//     no signature and accepts only https://cognito-idp. issuers, so the
//     front does what AppSync does before it: SigV4 requests are verified by
//     re-deriving the signature (sigv4verify; 403 InvalidSignatureException
//     naming the expected canonical request), user-pool tokens are verified
//     against cognito-local's JWKS (signature, expiry, issuer, app client;
//     401 UnauthorizedException otherwise) and then forwarded with their
//     issuer rewritten to the https://cognito-idp.<region>.amazonaws.com/
//     form the simulator expects. This bridge lives here, not in the SDK.
type Stack struct {
	// URL is the GraphQL endpoint of the front, http://127.0.0.1:<port>/graphql.
	URL string
	// APIKey is the backend's API key (empty when it has no API key mode).
	APIKey string
	// Cognito is the user pool.
	Cognito *Cognito
	// Simulator is the AppSync simulator behind the front.
	Simulator *Simulator

	functions map[string]Function
	front     *httptest.Server
	verifier  *sigv4verify.Verifier
	proxy     *httputil.ReverseProxy

	mu     sync.Mutex
	events []FunctionCall
}

// FunctionCall records one invocation of a Function.
type FunctionCall struct {
	Name  string
	Event json.RawMessage
}

// StartStack starts cognito-local, the simulator for o.Generated, the
// function server and the front, all on free 127.0.0.1 ports, and stops them
// at test cleanup. When a service fails to start, the test fails (from its
// own goroutine) with the failures of both.
func StartStack(t testing.TB, o StackOptions) *Stack {
	t.Helper()
	requireNode(t, "the simulator stack, cognito-local and the AppSync simulator")
	s := &Stack{functions: o.Functions}

	fnSrv := httptest.NewServer(http.HandlerFunc(s.serveFunction))
	t.Cleanup(fnSrv.Close)

	// Both services start in parallel: each takes a few seconds of Node
	// start-up. The goroutine must not fail t (t.FailNow ends only the
	// goroutine that calls it, and failing t after the test returned
	// panics): it hands its error over, and the test's goroutine reports
	// both.
	var (
		wg         sync.WaitGroup
		cognitoErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Cognito, cognitoErr = startCognito(t)
	}()
	var simErr error
	s.Simulator, simErr = startSimulator(t, SimulatorOptions{
		Generated:         o.Generated,
		FunctionsURL:      fnSrv.URL,
		AuthAccessKeyID:   AuthCredentials.AccessKeyID,
		UnauthAccessKeyID: UnauthCredentials.AccessKeyID,
	})
	wg.Wait()
	if err := errors.Join(cognitoErr, simErr); err != nil {
		t.Fatalf("testenv: starting the stack: %v", err)
	}
	for _, g := range o.Groups {
		s.Cognito.CreateGroup(t, g)
	}
	s.APIKey = s.Simulator.APIKey

	target, err := url.Parse(s.Simulator.URL)
	if err != nil {
		t.Fatalf("testenv: simulator URL %q: %v", s.Simulator.URL, err)
	}
	s.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: target.Scheme, Host: target.Host})
			r.Out.Host = target.Host
		},
	}
	s.verifier = &sigv4verify.Verifier{
		Credentials: map[string]string{
			AuthCredentials.AccessKeyID:   AuthCredentials.SecretAccessKey,
			UnauthCredentials.AccessKeyID: UnauthCredentials.SecretAccessKey,
			AdminCredentials.AccessKeyID:  AdminCredentials.SecretAccessKey,
		},
		Service: "appsync",
		Region:  Region,
	}
	s.front = httptest.NewServer(http.HandlerFunc(s.serveFront))
	t.Cleanup(s.front.Close)
	s.URL = s.front.URL + "/graphql"
	return s
}

// StopFront closes the front: from then on, requests to URL are refused
// at connect, as with a server that is down.
func (s *Stack) StopFront() { s.front.Close() }

// Calls returns the function invocations so far.
func (s *Stack) Calls() []FunctionCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FunctionCall(nil), s.events...)
}

// appSyncError writes AppSync's shape for errors raised before any resolver
// runs.
func appSyncError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("X-Amzn-ErrorType", errorType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]string{{"errorType": errorType, "message": message}},
	})
}

func (s *Stack) serveFront(w http.ResponseWriter, r *http.Request) {
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		s.serveRealtime(w, r)
		return
	}
	var body []byte
	if strings.HasPrefix(r.Header.Get("Authorization"), sigv4verify.Algorithm) {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			appSyncError(w, http.StatusBadRequest, "BadRequestException", "reading the request body: "+err.Error())
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if status, typ, msg := s.authorize(r, body); status != 0 {
		appSyncError(w, status, typ, msg)
		return
	}
	s.proxy.ServeHTTP(w, r)
}

// authorize checks r's authorization as AppSync does before any resolver:
// an API key passes to the simulator, which checks it; a SigV4 signature is
// re-derived over body; a token is verified and its Authorization header
// replaced by the bridged token. No authorization passes too (the simulator
// answers 401). It returns a non-zero status, AppSync's error type and
// message when it refuses.
func (s *Stack) authorize(r *http.Request, body []byte) (int, string, string) {
	authz := r.Header.Get("Authorization")
	switch {
	case r.Header.Get("X-Api-Key") != "":
	case strings.HasPrefix(authz, sigv4verify.Algorithm):
		if err := s.verifier.Verify(r, body); err != nil {
			var e *sigv4verify.Error
			if errors.As(err, &e) {
				return e.Status, e.ErrorType, e.Message
			}
			return http.StatusForbidden, sigv4verify.InvalidSignature, err.Error()
		}
	case authz != "":
		bridged, status, msg := s.bridgeToken(authz)
		if status != 0 {
			return status, "UnauthorizedException", msg
		}
		r.Header.Set("Authorization", bridged)
	}
	return 0, "", ""
}

// bridgeToken verifies a user-pool token as AppSync does and returns it with
// its issuer in the form the simulator accepts. On failure it returns the
// HTTP status and AppSync's message.
func (s *Stack) bridgeToken(token string) (bridged string, status int, message string) {
	claims, err := s.Cognito.VerifyJWT(token)
	if err != nil {
		if strings.Contains(err.Error(), "expired") {
			return "", http.StatusUnauthorized, "Token has expired."
		}
		return "", http.StatusUnauthorized, "Valid authorization header not provided."
	}
	if claims["client_id"] != s.Cognito.ClientID && claims["aud"] != s.Cognito.ClientID {
		return "", http.StatusUnauthorized, "Valid authorization header not provided."
	}
	claims["iss"] = BridgedIssuer(s.Cognito.PoolID)
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", http.StatusInternalServerError, "bridging the token: " + err.Error()
	}
	parts := strings.Split(token, ".")
	// The signature no longer matches the payload; the simulator checks
	// none, and the front has checked the original.
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2], 0, ""
}

// BridgedIssuer is the issuer the front puts into tokens it forwards to the
// simulator.
func BridgedIssuer(poolID string) string {
	return "https://cognito-idp." + Region + ".amazonaws.com/" + poolID
}

// serveFunction runs the function named by the path for the event in the
// body, answering the result as JSON, or a Lambda error
// {"errorType","errorMessage"} with status 500.
func (s *Stack) serveFunction(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		lambdaError(w, "Runtime.ReadError", err.Error())
		return
	}
	s.mu.Lock()
	s.events = append(s.events, FunctionCall{Name: name, Event: body})
	s.mu.Unlock()
	fn, ok := s.functions[name]
	if !ok {
		lambdaError(w, "ResourceNotFoundException", fmt.Sprintf("testenv: no Go function named %q in StackOptions.Functions", name))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	out, err := fn(ctx, body)
	if err != nil {
		lambdaError(w, "Lambda:Unhandled", err.Error())
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		lambdaError(w, "Runtime.MarshalError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func lambdaError(w http.ResponseWriter, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": errorType, "errorMessage": message})
}
