package client_test

// No secret in any log line or error string: every auth mode, errors
// that echo what they were sent, retries, refreshes and clock skew, with a
// logger that records everything.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/internal/sigv4verify"
)

// echo answers with everything it received, headers included, in the way
// selected by the request's X-Echo header.
func echo(n int, w http.ResponseWriter, r *http.Request, body []byte) {
	var all strings.Builder
	for k, vs := range r.Header {
		fmt.Fprintf(&all, "%s: %s\n", k, strings.Join(vs, ","))
	}
	all.Write(body)
	quoted := fmt.Sprintf("%q", all.String())
	switch r.Header.Get("X-Echo") {
	case "500":
		reply(w, 500, all.String())
	case "401":
		reply(w, 401, `{"errors":[{"errorType":"UnauthorizedException","message":`+quoted+`}]}`)
	case "403":
		reply(w, 403, `{"errors":[{"errorType":"InvalidSignatureException","message":`+quoted+`}]}`)
	case "graphql":
		reply(w, 200, `{"data":{"getTodo":null},"errors":[{"errorType":"Unauthorized","message":`+quoted+`,"errorInfo":{"got":`+quoted+`},"data":{"got":`+quoted+`}}]}`)
	case "html":
		reply(w, 200, "<html>"+all.String()+"</html>")
	case "retry":
		if n%2 == 1 {
			reply(w, 503, all.String())
			return
		}
		reply(w, 200, todoReply)
	default:
		reply(w, 200, todoReply)
	}
}

func TestNoSecretInLogsOrErrors(t *testing.T) {
	const (
		oidcToken    = "oidc-secret-token-0123456789"
		lambdaToken  = "lambda-secret-token-0123456789"
		refreshedTok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.cmVmcmVzaGVk"
	)
	srv := newScripted(t, echo)
	skewed := skewedAppSync(t, time.Hour)
	verified := newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request, body []byte) {
		v := &sigv4verify.Verifier{Credentials: map[string]string{testAKID: testSecret}, Service: "appsync", Region: "us-east-1"}
		r.Body = io.NopCloser(bytes.NewReader(body))
		// The canonical request of the refusal holds the session token.
		r.Header.Set("Content-Type", "text/plain")
		v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { reply(w, 200, todoReply) })).ServeHTTP(w, r)
	})
	closed := newScripted(t, echo)
	closed.Close()

	var logs logCapture
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var errs []string

	type scenario struct {
		name string
		url  string
		opts []client.Option // to New
		call []client.Option // to the call
		echo string
	}
	iam := client.WithCredentials(staticCreds(testToken))
	idp := client.WithIdentityPool(staticCreds(testToken))
	revoked := &refresher{tokens: []string{userToken}, err: errors.New("cannot refresh " + userToken)}
	scenarios := []scenario{}
	for _, e := range []string{"ok", "500", "401", "403", "graphql", "html", "retry"} {
		scenarios = append(scenarios,
			scenario{"apiKey " + e, srv.URL, nil, []client.Option{client.WithAuthMode(client.AuthAPIKey)}, e},
			scenario{"userPool " + e, srv.URL, []client.Option{client.WithUserPool(client.StaticToken(userToken))}, nil, e},
			scenario{"userPool refreshed " + e, srv.URL, []client.Option{client.WithUserPool(&refresher{tokens: []string{userToken, refreshedTok}})}, nil, e},
			scenario{"userPool revoked " + e, srv.URL, []client.Option{client.WithUserPool(revoked)}, nil, e},
			scenario{"oidc " + e, srv.URL, []client.Option{client.WithOIDC(client.StaticToken(oidcToken))}, []client.Option{client.WithAuthMode(client.AuthOIDC)}, e},
			scenario{"lambda " + e, srv.URL, []client.Option{client.WithLambda(client.StaticToken(lambdaToken))}, []client.Option{client.WithAuthMode(client.AuthLambda)}, e},
			scenario{"per-call token " + e, srv.URL, []client.Option{client.WithUserPool(client.StaticToken("x-unused-token"))}, []client.Option{client.WithToken(oidcToken)}, e},
			scenario{"iam " + e, srv.URL, []client.Option{iam}, nil, e},
			scenario{"identityPool " + e, srv.URL, []client.Option{idp}, []client.Option{client.WithAuthMode(client.AuthIdentityPool)}, e},
			scenario{"none " + e, srv.URL, nil, []client.Option{client.WithAuthMode(client.AuthNone)}, e},
		)
	}
	scenarios = append(scenarios,
		scenario{"iam skew", skewed.URL, []client.Option{iam}, nil, ""},
		scenario{"identityPool skew", skewed.URL, []client.Option{idp}, []client.Option{client.WithAuthMode(client.AuthIdentityPool)}, ""},
		scenario{"iam refused signature", verified.URL, []client.Option{iam}, nil, ""},
		scenario{"apiKey network", closed.URL, nil, []client.Option{client.WithAuthMode(client.AuthAPIKey)}, ""},
		scenario{"iam network", closed.URL, []client.Option{iam}, nil, ""},
		scenario{"userPool network", closed.URL, []client.Option{client.WithUserPool(client.StaticToken(userToken))}, nil, ""},
		scenario{"apiKey too large", srv.URL, []client.Option{client.WithMaxResponseBytes(100)}, []client.Option{client.WithAuthMode(client.AuthAPIKey)}, "500"},
	)
	for _, sc := range scenarios {
		opts := append([]client.Option{client.WithLogger(logger), client.WithAPIKey(testAPIKey), fastRetries}, sc.opts...)
		c, err := amplifydata.New(outputs(t, sc.url), opts...)
		require.NoError(t, err)
		call := sc.call
		if sc.echo != "" {
			call = append(call, client.WithHeader("X-Echo", sc.echo))
		}
		_, err = c.Models.Todo.Get(context.Background(), amplifydata.TodoIdentifier{ID: "t1"}, call...)
		if sc.echo == "ok" || sc.echo == "retry" || strings.HasSuffix(sc.name, "skew") {
			assert.NoError(t, err, sc.name)
		}
		if err != nil {
			errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", unwrapAll(err)))
		}
	}

	secrets := []string{testAPIKey, userToken, refreshedTok, oidcToken, lambdaToken, testSecret, testToken}
	for _, s := range []*scripted{srv, skewed, verified} {
		s.mu.Lock()
		for _, a := range s.auths {
			if sig := signature(a); sig != "" {
				secrets = append(secrets, sig)
			}
		}
		s.mu.Unlock()
	}
	require.Greater(t, len(secrets), 20, "signatures were collected")
	texts := append(errs, strings.Split(logs.String(), "\n")...)
	require.Greater(t, len(logs.lines()), len(scenarios), "every call was logged")
	for _, s := range secrets {
		leaks := 0
		var first string
		for _, text := range texts {
			if strings.Contains(text, s) {
				if leaks == 0 {
					first = text
				}
				leaks++
			}
		}
		if leaks > 0 {
			t.Errorf("secret %.12q… in %d log lines or error strings, the first: %.300q", s, leaks, first)
		}
	}
	// The servers did echo the secrets: the test would have caught a leak.
	assert.Contains(t, strings.Join(texts, "\n"), "[REDACTED]")
}

func signature(auth string) string {
	if i := strings.LastIndex(auth, "Signature="); i >= 0 {
		return auth[i+len("Signature="):]
	}
	return ""
}

// unwrapAll returns the chain of err, to print every layer's fields.
func unwrapAll(err error) []error {
	var chain []error
	for err != nil {
		chain = append(chain, err)
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				chain = append(chain, unwrapAll(e)...)
			}
			return chain
		default:
			err = errors.Unwrap(err)
		}
	}
	return chain
}

var _ aws.CredentialsProvider = staticCreds("")
