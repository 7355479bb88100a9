package realtime_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
)

// The secrets of every auth mode, as a client would hold them. The session
// token has the + / = of STS tokens, so its escaped forms differ from it.
const (
	echoSessionToken = "IQoJb3JpZ2luX2VjEchoSessionToken+/abc=def+/=="
	echoSecretKey    = "echoSecretAccessKey/K7MDENG+bPxRfiCYEXAMPLE"
	echoUserPoolJWT  = "eyJraWQiOiJlY2hvIn0.eyJzdWIiOiJ1c2VycG9vbCJ9.c2lnbmF0dXJlLXVzZXJwb29s"
	echoOIDCJWT      = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvaWRjIn0.c2lnbmF0dXJlLW9pZGM"
	echoLambdaToken  = "lambdaAuthorizerToken0123456789"
)

// echoForms are the forms in which a server may echo a secret: as it is,
// query- and path-escaped (with upper- and lower-case hex digits), and
// JSON-escaped as text (Go's escaping, and with an escaped solidus).
func echoForms(secret string) []string {
	j, _ := json.Marshal(secret)
	jsonText := string(j[1 : len(j)-1])
	q := url.QueryEscape(secret)
	return []string{
		secret,
		q,
		lowerHexEscapes(q),
		url.PathEscape(secret),
		strings.ReplaceAll(q, "+", "%20"),
		jsonText,
		strings.ReplaceAll(jsonText, "/", `\/`),
	}
}

func lowerHexEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			copy(b[i+1:i+3], strings.ToLower(string(b[i+1:i+3])))
		}
	}
	return string(b)
}

// core is the longest prefix of a secret that no escaping changes: if it
// appears anywhere, some form of the secret leaked, whole or in part.
func core(secret string) string {
	n := 0
	for n < len(secret) && strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", rune(secret[n])) {
		n++
	}
	return secret[:n]
}

// echoServer is a realtime endpoint that echoes the secrets it receives
// (the auth headers of the connection and of each start, their
// encodings in the header parameter and the header- subprotocol) in
// every string of the errors it answers with, in every form.
type echoServer struct {
	t     *testing.T
	srv   *httptest.Server
	url   string
	plan  string // what to answer; see serve
	field string // the plan "handshake": the one field to echo in
	form  int    // the plan "handshake": the one form to echo

	mu      sync.Mutex
	secrets []string // every secret value received
}

func newEchoServer(t *testing.T, plan string) *echoServer {
	e := &echoServer{t: t, plan: plan}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	e.url = e.srv.URL + "/graphql"
	return e
}

// received records the secrets of an auth header map.
func (e *echoServer) received(h map[string]string) []string {
	var out []string
	for k, v := range h {
		switch strings.ToLower(k) {
		case "x-api-key", "authorization", "x-amz-security-token":
			out = append(out, v)
			if i := strings.LastIndex(v, "Signature="); i >= 0 {
				out = append(out, v[i+len("Signature="):])
			}
		}
	}
	e.mu.Lock()
	e.secrets = append(e.secrets, out...)
	e.mu.Unlock()
	return out
}

// echo is the text of every form of every secret.
func echo(secrets []string) string {
	var parts []string
	for _, s := range secrets {
		parts = append(parts, echoForms(s)...)
	}
	return "echo: " + strings.Join(parts, " | ")
}

// echoEntry is an error with text in every string field.
func echoEntry(text string) map[string]any {
	return map[string]any{
		"message":   text,
		"errorType": text,
		"errorCode": 401,
		"errorInfo": map[string]any{"got": text, text: []any{text, 1}},
		"data":      map[string]any{"got": text},
		"path":      []any{"onCreateTodo", text, 0, map[string]any{"k": text}},
		"locations": []any{map[string]any{"line": 1, "column": 2, "sourceName": text}},
	}
}

func (e *echoServer) serve(w http.ResponseWriter, r *http.Request) {
	param := r.URL.Query().Get("header")
	headerJSON, err := base64.StdEncoding.DecodeString(param)
	var hdr map[string]string
	if err != nil || json.Unmarshal(headerJSON, &hdr) != nil {
		http.Error(w, "bad header", http.StatusBadRequest)
		return
	}
	conn := append(e.received(hdr), param)
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); strings.HasPrefix(p, "header-") {
				conn = append(conn, strings.TrimPrefix(p, "header-"))
			}
		}
	}
	e.mu.Lock()
	e.secrets = append(e.secrets, conn...)
	e.mu.Unlock()

	if e.plan == "handshake" {
		// The client reads 1024 bytes of a refused handshake's body: one
		// form of the secrets in one field at a time.
		var forms []string
		for _, s := range conn {
			forms = append(forms, echoForms(s)[e.form%len(echoForms(s))])
		}
		slices.SortFunc(forms, func(a, b string) int { return len(a) - len(b) })
		bodyOf := func(text string) []byte {
			entry := map[string]any{"errorType": "UnauthorizedException", "message": "refused"}
			switch e.field {
			case "message", "errorType":
				entry[e.field] = text
			case "errorInfo", "data":
				entry[e.field] = map[string]any{"got": text}
			case "path":
				entry["path"] = []any{"x", text}
			case "sourceName":
				entry["locations"] = []any{map[string]any{"line": 1, "column": 1, "sourceName": text}}
			}
			b, _ := json.Marshal(map[string]any{"errors": []any{entry}})
			return b
		}
		// As many as fit in what the client reads, the shortest first.
		text := ""
		for _, f := range forms {
			if len(bodyOf(text+" "+f)) > 1000 {
				break
			}
			text += " " + f
		}
		body := bodyOf(text)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(body)
		return
	}

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		return
	}
	defer ws.CloseNow()
	ctx := r.Context()
	send := func(m any) {
		b, _ := json.Marshal(m)
		_ = ws.Write(ctx, websocket.MessageText, b)
	}
	if _, ok := readType(ctx, ws, "connection_init"); !ok {
		return
	}
	if e.plan == "connection_error" {
		send(map[string]any{"type": "connection_error", "payload": map[string]any{"errors": []any{echoEntry(echo(conn))}}})
		return
	}
	send(map[string]any{"type": "connection_ack", "payload": map[string]any{"connectionTimeoutMs": 300000}})
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var m struct {
			Type    string
			ID      string
			Payload struct {
				Extensions struct {
					Authorization map[string]string
				}
			}
		}
		if json.Unmarshal(b, &m) != nil || m.Type != "start" {
			continue
		}
		all := append(e.received(m.Payload.Extensions.Authorization), conn...)
		text := echo(all)
		if e.plan == "start" {
			send(map[string]any{"type": "error", "id": m.ID, "payload": map[string]any{"errors": []any{echoEntry(text)}}})
			continue
		}
		send(map[string]any{"type": "start_ack", "id": m.ID})
		if e.plan != "data" || r.URL.Query().Has("again") {
			continue
		}
		send(map[string]any{"type": "data", "id": m.ID, "payload": map[string]any{
			"data": map[string]any{"onCreateTodo": nil}, "errors": []any{echoEntry(text), nil},
		}})
		// Frames the client only logs, then a connection_error that drops
		// the connection (a gap whose cause names it).
		send(map[string]any{"type": text})
		send(map[string]any{"type": "data", "id": text, "payload": map[string]any{"data": nil}})
		send(map[string]any{"type": "error", "id": text, "payload": map[string]any{"errors": []any{echoEntry(text)}}})
		send(map[string]any{"type": "connection_error", "payload": map[string]any{"errors": []any{echoEntry(text)}}})
	}
}

// A server that echoes the secrets it was sent, in every string field of
// its errors and in every escaped form, for every auth mode and every
// message that carries errors (a refused handshake's body,
// connection_error at connect and mid-stream, a start's error, an event's
// errors, frames that are only logged): no secret, nor any piece of one,
// reaches an error string, an error's fields, or a log line.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDECHOREALTIME", SecretAccessKey: echoSecretKey, SessionToken: echoSessionToken}, nil
	})
	modes := []struct {
		mode client.AuthMode
		opts []client.Option
	}{
		{client.AuthAPIKey, nil},
		{client.AuthIAM, []client.Option{client.WithCredentials(creds)}},
		{client.AuthIdentityPool, []client.Option{client.WithIdentityPool(creds)}},
		{client.AuthUserPool, []client.Option{client.WithUserPool(client.StaticToken(echoUserPoolJWT))}},
		{client.AuthOIDC, []client.Option{client.WithOIDC(client.StaticToken(echoOIDCJWT))}},
		{client.AuthLambda, []client.Option{client.WithLambda(client.StaticToken(echoLambdaToken))}},
	}
	fields := []string{"message", "errorType", "errorInfo", "data", "path", "sourceName"}
	for _, m := range modes {
		t.Run(string(m.mode), func(t *testing.T) {
			var logs bytes.Buffer
			var logMu sync.Mutex
			logger := slog.New(slog.NewJSONHandler(lockedWriter{&logMu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
			var texts []string
			var servers []*echoServer
			// record keeps every rendering of err and of the errors in it.
			record := func(err error) {
				require.Error(t, err)
				texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
				var ges client.GraphQLErrors
				if errors.As(err, &ges) {
					b, _ := json.Marshal(ges)
					texts = append(texts, string(b), fmt.Sprintf("%+v", []*client.GraphQLError(ges)))
					for _, ge := range ges {
						texts = append(texts, fmt.Sprintf("%+v %s %s", *ge, ge.ErrorInfo, ge.Data))
					}
				}
			}
			newRT := func(e *echoServer) *realtime.Client {
				servers = append(servers, e)
				ep := client.Endpoint{URL: e.url, Region: "us-east-1", APIKey: testAPIKey}
				auth, err := realtime.AuthorizerFor(ep, m.mode, m.opts...)
				require.NoError(t, err)
				return newClient(t, e.url, auth, realtime.WithLogger(logger), realtime.WithHeaderSubprotocol(true))
			}

			for i, field := range fields {
				e := newEchoServer(t, "handshake")
				e.field, e.form = field, i
				_, err := newRT(e).Subscribe(t.Context(), &graphql.Request{Query: onCreate})
				var ce *realtime.ConnectionError
				require.ErrorAs(t, err, &ce)
				require.NotEmpty(t, ce.Errors, "the body was read: %v", err)
				record(err)
			}
			for _, plan := range []string{"connection_error", "start"} {
				_, err := newRT(newEchoServer(t, plan)).Subscribe(t.Context(), &graphql.Request{Query: onCreate})
				record(err)
			}

			e := newEchoServer(t, "data")
			s, err := newRT(e).Subscribe(t.Context(), &graphql.Request{OpName: "OnCreateTodo", Query: onCreate})
			require.NoError(t, err)
			for _, err := range realtime.Values[map[string]any](s) {
				var ee *realtime.EventError
				require.ErrorAs(t, err, &ee)
				record(err)
				break
			}
			gap := nextGap(t, s)
			record(gap)

			logMu.Lock()
			texts = append(texts, strings.Split(logs.String(), "\n")...)
			logMu.Unlock()
			var secrets []string
			for _, e := range servers {
				e.mu.Lock()
				secrets = append(secrets, e.secrets...)
				e.mu.Unlock()
			}
			secrets = append(secrets, echoSecretKey)
			require.Greater(t, len(secrets), len(servers), "the servers saw the secrets")
			all := strings.Join(texts, "\n")
			require.Contains(t, all, "[REDACTED]", "the servers did echo them")
			checked := map[string]bool{}
			for _, sec := range secrets {
				c := core(sec)
				require.GreaterOrEqual(t, len(c), 8, "secret %.12q… has a distinctive prefix", sec)
				if checked[c] {
					continue
				}
				checked[c] = true
				for _, text := range texts {
					if strings.Contains(text, c) {
						t.Errorf("secret %.12q… leaked: %.400q", sec, text[max(0, strings.Index(text, c)-120):])
						break
					}
				}
			}
		})
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
