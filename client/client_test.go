package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
	"github.com/go-amplify/data/internal/sigv4verify"
	"github.com/go-amplify/data/schema"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testToken  = "FQoGZXIvYXdzEXAMPLESESSIONTOKEN"
	testAPIKey = "da2-testkey0123456789"
	userToken  = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
)

// received is one request as the fake AppSync saw it.
type received struct {
	Header http.Header
	Body   []byte
	Req    struct {
		Query         string          `json:"query"`
		OperationName string          `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
	}
}

// fakeAppSync answers every request with reply and records it. IAM requests
// are checked by an independent SigV4 verifier, as AppSync checks them.
type fakeAppSync struct {
	*httptest.Server
	mu    sync.Mutex
	got   []received
	reply func(r received) (int, string)
}

func newFakeAppSync(t *testing.T, reply func(r received) (int, string)) *fakeAppSync {
	t.Helper()
	f := &fakeAppSync{reply: reply}
	verifier := &sigv4verify.Verifier{
		Credentials: map[string]string{testAKID: testSecret},
		Service:     "appsync", Region: "us-east-1",
	}
	f.Server = httptest.NewServer(verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := received{Header: r.Header.Clone(), Body: body}
		_ = json.Unmarshal(body, &rec.Req)
		f.mu.Lock()
		f.got = append(f.got, rec)
		f.mu.Unlock()
		status, out := 200, `{"data":{}}`
		if f.reply != nil {
			status, out = f.reply(rec)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, out)
	})))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAppSync) last(t *testing.T) received {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(t, f.got, "the server received no request")
	return f.got[len(f.got)-1]
}

// outputs are the seed's amplify_outputs.json pointed at url.
func outputs(t *testing.T, url string) *schema.Outputs {
	t.Helper()
	o, err := schema.LoadOutputs("../internal/fixture/testdata/amplify_outputs.json")
	require.NoError(t, err)
	o.Data.URL = url + "/graphql"
	o.Data.APIKey = testAPIKey
	return o
}

func staticCreds(session string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(testAKID, testSecret, session)
}

func TestAuthModesPutExactlyTheirHeaders(t *testing.T) {
	srv := newFakeAppSync(t, func(received) (int, string) {
		return 200, `{"data":{"getTodo":{"id":"t1","createdAt":"2024-01-02T03:04:05.123Z","updatedAt":"2024-01-02T03:04:05Z"}}}`
	})
	cases := []struct {
		name    string
		opts    []client.Option
		check   func(t *testing.T, h http.Header)
		session string
	}{
		{"apiKey", []client.Option{client.WithAuthMode(client.AuthAPIKey)}, func(t *testing.T, h http.Header) {
			assert.Equal(t, testAPIKey, h.Get("X-Api-Key"))
			assert.Empty(t, h.Get("Authorization"))
		}, ""},
		{"userPool", []client.Option{client.WithAuthMode(client.AuthUserPool), client.WithUserPool(client.StaticToken(userToken))}, func(t *testing.T, h http.Header) {
			assert.Equal(t, userToken, h.Get("Authorization"), "the token goes bare, without Bearer")
			assert.Empty(t, h.Get("X-Api-Key"))
		}, ""},
		{"oidc", []client.Option{client.WithAuthMode(client.AuthOIDC), client.WithOIDC(client.StaticToken("oidc-token-1"))}, func(t *testing.T, h http.Header) {
			assert.Equal(t, "oidc-token-1", h.Get("Authorization"))
		}, ""},
		{"lambda", []client.Option{client.WithAuthMode(client.AuthLambda), client.WithLambda(client.StaticToken("lambda-token-1"))}, func(t *testing.T, h http.Header) {
			assert.Equal(t, "lambda-token-1", h.Get("Authorization"))
		}, ""},
		{"none", []client.Option{client.WithAuthMode(client.AuthNone)}, func(t *testing.T, h http.Header) {
			assert.Empty(t, h.Get("Authorization"))
			assert.Empty(t, h.Get("X-Api-Key"))
		}, ""},
		{"iam", []client.Option{client.WithCredentials(staticCreds(""))}, func(t *testing.T, h http.Header) {
			assert.True(t, strings.HasPrefix(h.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="+testAKID+"/"), h.Get("Authorization"))
			assert.Contains(t, h.Get("Authorization"), "/us-east-1/appsync/aws4_request")
			assert.NotEmpty(t, h.Get("X-Amz-Date"))
			assert.Empty(t, h.Get("X-Amz-Security-Token"))
			assert.Empty(t, h.Get("X-Api-Key"))
		}, ""},
		{"iam with session token", []client.Option{client.WithCredentials(staticCreds(testToken))}, func(t *testing.T, h http.Header) {
			assert.Equal(t, testToken, h.Get("X-Amz-Security-Token"))
			assert.Contains(t, h.Get("Authorization"), "x-amz-security-token")
		}, testToken},
		{"identityPool", []client.Option{client.WithAuthMode(client.AuthIdentityPool), client.WithIdentityPool(staticCreds(testToken))}, func(t *testing.T, h http.Header) {
			assert.Contains(t, h.Get("Authorization"), "AWS4-HMAC-SHA256")
			assert.Equal(t, testToken, h.Get("X-Amz-Security-Token"))
		}, testToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var newOpts, callOpts []client.Option
			for _, o := range tc.opts {
				var probe client.Options
				o(&probe)
				if probe.AuthMode != "" {
					callOpts = append(callOpts, o) // a mode the schema may not list: force it per call
				} else {
					newOpts = append(newOpts, o)
				}
			}
			c, err := tododata.New(outputs(t, srv.URL), newOpts...)
			require.NoError(t, err)
			todo, err := c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, callOpts...)
			require.NoError(t, err)
			require.NotNil(t, todo)
			assert.Equal(t, "t1", todo.ID)
			assert.Equal(t, 123*time.Millisecond, time.Duration(todo.CreatedAt.Nanosecond()))
			got := srv.last(t)
			assert.Equal(t, "GetTodo", got.Req.OperationName)
			assert.JSONEq(t, `{"id":"t1"}`, string(got.Req.Variables))
			assert.Equal(t, "application/json; charset=UTF-8", got.Header.Get("Content-Type"))
			tc.check(t, got.Header)
		})
	}
}

// tamper changes a request after it was signed, before it is sent.
type tamper struct {
	base http.RoundTripper
	fn   func(*http.Request) *http.Request
}

func (t tamper) RoundTrip(r *http.Request) (*http.Response, error) { return t.base.RoundTrip(t.fn(r)) }

func TestSigV4RejectsChangedRequests(t *testing.T) {
	srv := newFakeAppSync(t, nil)
	cases := map[string]func(*http.Request) *http.Request{
		"body": func(r *http.Request) *http.Request {
			body := `{"query":"query { listTodos { items { id } } }"}`
			r2 := r.Clone(r.Context())
			r2.Body = io.NopCloser(strings.NewReader(body))
			r2.ContentLength = int64(len(body))
			return r2
		},
		"signed header": func(r *http.Request) *http.Request {
			r2 := r.Clone(r.Context())
			r2.Header.Set("Content-Type", "text/plain")
			return r2
		},
		"date": func(r *http.Request) *http.Request {
			r2 := r.Clone(r.Context())
			r2.Header.Set("X-Amz-Date", time.Now().Add(-time.Minute).UTC().Format("20060102T150405Z"))
			return r2
		},
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			hc := &http.Client{Transport: tamper{base: http.DefaultTransport, fn: fn}}
			c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds(testToken)), client.WithHTTPClient(hc))
			require.NoError(t, err)
			_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"})
			var herr *client.HTTPError
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, http.StatusForbidden, herr.StatusCode)
			assert.True(t, herr.Errors.HasType("InvalidSignatureException"), "errors: %v", herr.Errors)
			assert.NotContains(t, err.Error(), testToken, "the session token leaked into the error")
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
	t.Run("untouched passes", func(t *testing.T) {
		c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds(testToken)))
		require.NoError(t, err)
		_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"})
		require.NoError(t, err)
	})
}

// rotating hands out a new secret key pair on every retrieval.
type rotating struct{ n atomic.Int32 }

func (r *rotating) Retrieve(context.Context) (aws.Credentials, error) {
	i := r.n.Add(1)
	return aws.Credentials{AccessKeyID: "AKIDROTATING" + string(rune('0'+i)), SecretAccessKey: "secret-" + string(rune('0'+i)),
		CanExpire: true, Expires: time.Now().Add(-time.Second)}, nil
}

func TestRotatingCredentialsArePickedUp(t *testing.T) {
	keys := map[string]string{}
	for i := 1; i <= 3; i++ {
		keys["AKIDROTATING"+string(rune('0'+i))] = "secret-" + string(rune('0'+i))
	}
	verifier := &sigv4verify.Verifier{Credentials: keys, Service: "appsync", Region: "us-east-1"}
	var seen []string
	srv := httptest.NewServer(verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, strings.Split(strings.TrimPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="), "/")[0])
		_, _ = io.WriteString(w, `{"data":{"getTodo":null}}`)
	})))
	defer srv.Close()
	c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(&rotating{}))
	require.NoError(t, err)
	for range 3 {
		todo, err := c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "x"})
		require.NoError(t, err)
		assert.Nil(t, todo)
	}
	assert.Equal(t, []string{"AKIDROTATING1", "AKIDROTATING2", "AKIDROTATING3"}, seen)
}

func TestAuthModeChoice(t *testing.T) {
	srv := newFakeAppSync(t, func(received) (int, string) { return 200, `{"data":{"addUserToGroup":"{\"ok\":true}"}}` })
	args := tododata.AddUserToGroupArgs{UserID: "5468d468-4061-70ed-8870-45c766d26225", GroupName: "ADMINS"}

	t.Run("default iam is not configured: the allowed, configured user pool is used", func(t *testing.T) {
		c, err := tododata.New(outputs(t, srv.URL), client.WithAPIKey(testAPIKey), client.WithUserPool(client.StaticToken(userToken)))
		require.NoError(t, err)
		res, err := c.Mutations.AddUserToGroup(context.Background(), args)
		require.NoError(t, err)
		assert.JSONEq(t, `{"ok":true}`, string(res))
		got := srv.last(t)
		assert.Equal(t, userToken, got.Header.Get("Authorization"))
		assert.JSONEq(t, `{"userId":"5468d468-4061-70ed-8870-45c766d26225","groupName":"ADMINS"}`, string(got.Req.Variables))
	})
	t.Run("no allowed mode configured: fails before sending, naming the modes", func(t *testing.T) {
		n := len(srv.got)
		c, err := tododata.New(outputs(t, srv.URL), client.WithAPIKey(testAPIKey))
		require.NoError(t, err)
		_, err = c.Mutations.AddUserToGroup(context.Background(), args)
		var aerr *client.AuthModeError
		require.ErrorAs(t, err, &aerr)
		assert.Equal(t, []client.AuthMode{client.AuthIAM, client.AuthIdentityPool, client.AuthUserPool}, aerr.Allowed)
		assert.Contains(t, err.Error(), "client.WithUserPool")
		assert.Contains(t, err.Error(), "AddUserToGroup")
		assert.Len(t, srv.got, n, "nothing may be sent")
	})
	t.Run("per-call mode is used as is", func(t *testing.T) {
		c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(client.StaticToken(userToken)))
		require.NoError(t, err)
		_, err = c.Mutations.AddUserToGroup(context.Background(), args, client.WithAuthMode(client.AuthAPIKey))
		require.NoError(t, err)
		assert.Equal(t, testAPIKey, srv.last(t).Header.Get("X-Api-Key"))
		assert.Empty(t, srv.last(t).Header.Get("Authorization"))
	})
	t.Run("per-call token and header", func(t *testing.T) {
		c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(client.StaticToken(userToken)))
		require.NoError(t, err)
		_, err = c.Mutations.AddUserToGroup(context.Background(), args, client.WithToken("other-token"), client.WithHeader("X-Trace", "abc"))
		require.NoError(t, err)
		assert.Equal(t, "other-token", srv.last(t).Header.Get("Authorization"))
		assert.Equal(t, "abc", srv.last(t).Header.Get("X-Trace"))
		// The next call is back to the client's defaults.
		_, err = c.Mutations.AddUserToGroup(context.Background(), args)
		require.NoError(t, err)
		assert.Equal(t, userToken, srv.last(t).Header.Get("Authorization"))
		assert.Empty(t, srv.last(t).Header.Get("X-Trace"))
	})
	t.Run("header is signed in iam", func(t *testing.T) {
		c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds("")))
		require.NoError(t, err)
		_, err = c.Models.Todo.List(context.Background(), tododata.TodoListOptions{}, client.WithHeader("X-Trace", "abc"))
		require.NoError(t, err)
		assert.Contains(t, srv.last(t).Header.Get("Authorization"), "x-trace")
	})
}

func TestGraphQLErrorsKeepPartialData(t *testing.T) {
	srv := newFakeAppSync(t, func(received) (int, string) {
		return 200, `{"data":{"listTodos":{"items":[{"id":"a","createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z"},null],"nextToken":"tok"}},
		"errors":[{"path":["listTodos","items",1],"data":null,"errorType":"Unauthorized","errorInfo":{"why":"owner"},
		"locations":[{"line":2,"column":3,"sourceName":null}],"message":"Not Authorized to access items on type ModelTodoConnection"}]}`
	})
	c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds("")))
	require.NoError(t, err)
	page, err := c.Models.Todo.List(context.Background(), tododata.TodoListOptions{})
	require.Error(t, err)
	var gerrs client.GraphQLErrors
	require.ErrorAs(t, err, &gerrs)
	require.Len(t, gerrs, 1)
	assert.Equal(t, "Unauthorized", gerrs[0].ErrorType)
	assert.Equal(t, "Not Authorized to access items on type ModelTodoConnection", gerrs[0].Message)
	assert.Equal(t, []any{"listTodos", "items", float64(1)}, gerrs[0].Path)
	assert.Equal(t, []client.Location{{Line: 2, Column: 3}}, gerrs[0].Locations)
	assert.JSONEq(t, `{"why":"owner"}`, string(gerrs[0].ErrorInfo))
	var operr *client.OperationError
	require.ErrorAs(t, err, &operr)
	assert.Equal(t, "ListTodos", operr.Operation)
	assert.Equal(t, client.AuthIAM, operr.AuthMode)
	require.NotNil(t, page)
	require.Len(t, page.Items, 2)
	assert.Equal(t, "a", page.Items[0].ID)
	assert.Nil(t, page.Items[1])
	assert.Equal(t, client.Ptr("tok"), page.NextToken)
}

func TestBadRepliesAreTypedErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
		status           int
	}{
		{"html 403", `<html><body>403 Forbidden</body></html>`, "HTTP 403", 403},
		{"unauthorized json", `{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call."}]}`, "UnauthorizedException", 401},
		{"truncated json", `{"data":{"getTodo":{"id":"a"`, "not a GraphQL JSON reply", 200},
		{"neither data nor errors", `{"extensions":{}}`, "neither data nor errors", 200},
		{"wrong types", `{"data":{"getTodo":{"id":5}}}`, "not a GraphQL JSON reply", 200},
		{"echoes the token", `{"errors":[{"message":"bad token ` + userToken + `"}]}`, "[REDACTED]", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeAppSync(t, func(received) (int, string) { return tc.status, tc.body })
			c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(client.StaticToken(userToken)))
			require.NoError(t, err)
			_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "a"})
			var herr *client.HTTPError
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, tc.status, herr.StatusCode)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), userToken)
			assert.NotContains(t, herr.Snippet, userToken)
		})
	}
}

func TestContextCancellation(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	c, err := tododata.New(outputs(t, srv.URL))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: "a"}, client.WithAuthMode(client.AuthAPIKey))
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestStoppedServerIsANetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := tododata.New(outputs(t, url))
	require.NoError(t, err)
	_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "a"}, client.WithAuthMode(client.AuthAPIKey))
	var nerr *client.NetworkError
	require.ErrorAs(t, err, &nerr)
	assert.NotContains(t, err.Error(), testAPIKey)
}

func TestInputsLeaveUnsetFieldsOut(t *testing.T) {
	srv := newFakeAppSync(t, func(received) (int, string) {
		return 200, `{"data":{"updateTodo":{"id":"a","content":null,"done":true,"createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00+05:30:15"}}}`
	})
	c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(client.StaticToken(userToken)))
	require.NoError(t, err)
	todo, err := c.Models.Todo.Update(context.Background(), tododata.UpdateTodoInput{
		ID: "a", Content: client.Null[string](), Done: client.Set(true),
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"input":{"id":"a","content":null,"done":true}}`, string(srv.last(t).Req.Variables),
		"priority is unset and must be absent; content is cleared with null")
	assert.Nil(t, todo.Content)
	assert.True(t, *todo.Done)
	_, off := todo.UpdatedAt.Zone()
	assert.Equal(t, 5*3600+30*60+15, off)

	_, err = c.Models.Todo.Create(context.Background(), tododata.CreateTodoInput{Content: client.Ptr("milk")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"input":{"content":"milk"}}`, string(srv.last(t).Req.Variables), "unset create fields and the nil condition are left out")

	_, err = c.Models.Todo.List(context.Background(), tododata.TodoListOptions{Limit: client.Ptr(5)}, client.WithAuthMode(client.AuthUserPool))
	require.NoError(t, err)
	assert.JSONEq(t, `{"limit":5}`, string(srv.last(t).Req.Variables))
}

func TestAWSJSONRoundTrip(t *testing.T) {
	var sent string
	srv := newFakeAppSync(t, func(r received) (int, string) {
		sent = string(r.Body)
		// AppSync returns AWSJSON as a string holding the document.
		return 200, `{"data":{"addUserToGroup":"{\"$metadata\":{\"httpStatusCode\":200},\"groups\":[\"ADMINS\"]}"}}`
	})
	c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(client.StaticToken(userToken)))
	require.NoError(t, err)
	res, err := c.Mutations.AddUserToGroup(context.Background(), tododata.AddUserToGroupArgs{UserID: "u", GroupName: "ADMINS"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"$metadata":{"httpStatusCode":200},"groups":["ADMINS"]}`, string(res))
	assert.Contains(t, sent, `"operationName":"AddUserToGroup"`)

	// On the way out a document is a JSON string.
	doc := json.RawMessage(`{"a":[1,2]}`)
	b, err := client.MarshalAWSJSON(&doc)
	require.NoError(t, err)
	assert.Equal(t, `"{\"a\":[1,2]}"`, string(b))
	var back json.RawMessage
	require.NoError(t, client.UnmarshalAWSJSON(b, &back))
	assert.JSONEq(t, string(doc), string(back))
	bad := json.RawMessage(`{"a":`)
	_, err = client.MarshalAWSJSON(&bad)
	require.Error(t, err)
	require.Error(t, client.UnmarshalAWSJSON([]byte(`"{not json"`), &back))
}

func TestErrorsUnwrapToContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := tododata.New(outputs(t, "http://127.0.0.1:1"), client.WithAuthMode(client.AuthAPIKey))
	require.NoError(t, err)
	_, err = c.Queries.Echo(ctx, tododata.EchoArgs{Msg: "hi"}, client.WithAuthMode(client.AuthAPIKey))
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}
