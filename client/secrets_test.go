package client_test

// No secret in any log line or error string: every auth mode, errors
// that echo what they were sent, retries, refreshes and clock skew, with a
// logger that records everything.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
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
	case "path":
		reply(w, 200, `{"data":{"getTodo":null},"errors":[{"errorType":"Unauthorized","message":"m","path":["getTodo",`+quoted+`,0,{"k":`+quoted+`}]}]}`)
	case "sourceName":
		reply(w, 200, `{"data":{"getTodo":null},"errors":[{"errorType":"Unauthorized","message":"m","locations":[{"line":1,"column":2,"sourceName":`+quoted+`}]}]}`)
	case "urlescaped":
		// Escaping is done character by character: the escaped text holds
		// each secret's escaped form.
		q, p := url.QueryEscape(all.String()), url.PathEscape(all.String())
		forms := []string{q, p, lowerHex(q), lowerHex(p), strings.ReplaceAll(q, "+", "%20")}
		msg, _ := json.Marshal(strings.Join(forms, " | "))
		path, _ := json.Marshal(forms)
		reply(w, 200, `{"data":{"getTodo":null},"errors":[{"errorType":"Unauthorized","message":`+string(msg)+`,"path":`+string(path)+`,"locations":[{"line":1,"column":1,"sourceName":`+string(msg)+`}],"errorInfo":{"url":`+string(msg)+`}}]}`)
	case "jsonescaped":
		// A reply that carries a JSON text in a string: Go's escapes
		// (\u003c, \u0026), upper-case ones, and an escaped solidus.
		inner, _ := json.Marshal(all.String())
		j := string(inner[1 : len(inner)-1])
		forms := []string{j, strings.ReplaceAll(j, "/", `\/`), strings.NewReplacer(`\u003c`, `\u003C`, `\u003e`, `\u003E`, `\u0026`, `\u0026`).Replace(j)}
		msg, _ := json.Marshal(strings.Join(forms, " | "))
		path, _ := json.Marshal(forms)
		reply(w, 401, `{"errors":[{"errorType":"UnauthorizedException","message":`+string(msg)+`,"path":`+string(path)+`}]}`)
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
		oidcToken    = "oidc-secret/token=0123456789"
		lambdaToken  = "lambda-secret+token<&>/0123456789" // what a Lambda authorizer takes is any text
		refreshedTok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.cmVmcmVzaGVk"
		sessionToken = "IQoJb3JpZ2luX2VjE+/secret=session0123456789" // base64, as STS issues them
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
	iam := client.WithCredentials(staticCreds(sessionToken))
	idp := client.WithIdentityPool(staticCreds(sessionToken))
	revoked := &refresher{tokens: []string{userToken}, err: errors.New("cannot refresh " + userToken)}
	scenarios := []scenario{}
	for _, e := range []string{"ok", "500", "401", "403", "graphql", "html", "retry", "path", "sourceName", "urlescaped", "jsonescaped"} {
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
		c, err := tododata.New(outputs(t, sc.url), opts...)
		require.NoError(t, err)
		call := sc.call
		if sc.echo != "" {
			call = append(call, client.WithHeader("X-Echo", sc.echo))
		}
		_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, call...)
		if sc.echo == "ok" || sc.echo == "retry" || strings.HasSuffix(sc.name, "skew") {
			assert.NoError(t, err, sc.name)
		}
		if err != nil {
			errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", unwrapAll(err)))
		}
	}

	secrets := []string{testAPIKey, userToken, refreshedTok, oidcToken, lambdaToken, testSecret, sessionToken}
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
		for _, form := range leakForms(s) {
			leaks := 0
			var first string
			for _, text := range texts {
				if strings.Contains(text, form) {
					if leaks == 0 {
						first = text
					}
					leaks++
				}
			}
			if leaks > 0 {
				t.Errorf("secret %.12q… as %.20q… in %d log lines or error strings, the first: %.300q", s, form, leaks, first)
			}
		}
	}
	// The servers did echo the secrets: the test would have caught a leak.
	assert.Contains(t, strings.Join(texts, "\n"), "[REDACTED]")
}

// leakForms are the forms in which s would show if it leaked: as it is,
// URL-escaped (upper- and lower-case hex) and JSON-escaped (as Go escapes
// it, with upper-case hex, with an escaped solidus). Written out here, not
// taken from the redact package, so that a form it forgets is caught.
func leakForms(s string) []string {
	q, p := url.QueryEscape(s), url.PathEscape(s)
	inner, _ := json.Marshal(s)
	j := string(inner[1 : len(inner)-1])
	forms := []string{s, q, p, lowerHex(q), lowerHex(p), strings.ReplaceAll(q, "+", "%20"), j, strings.ReplaceAll(j, "/", `\/`),
		strings.NewReplacer(`\u003c`, `\u003C`, `\u003e`, `\u003E`).Replace(j)}
	return slices.Compact(slices.Sorted(slices.Values(forms)))
}

// lowerHex turns the hex digits of the %XX escapes of s to lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if 'A' <= b[j] && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
		}
	}
	return string(b)
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
