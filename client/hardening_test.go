package client_test

// Production hardening: retries and their limits, clock skew, token
// refresh on 401, request limits, malformed replies, logging.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
	"github.com/go-amplify/data/internal/sigv4verify"
)

// scripted is a fake AppSync whose nth request (from 1) is answered by
// handle. It records the requests.
type scripted struct {
	*httptest.Server
	n      atomic.Int32
	mu     sync.Mutex
	auths  []string // Authorization and X-Api-Key headers received
	handle func(n int, w http.ResponseWriter, r *http.Request, body []byte)
}

func newScripted(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request, body []byte)) *scripted {
	t.Helper()
	s := &scripted{handle: handle}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.auths = append(s.auths, r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
		s.mu.Unlock()
		s.handle(int(s.n.Add(1)), w, r, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scripted) requests() int { return int(s.n.Load()) }

func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

const todoReply = `{"data":{"getTodo":{"ID":"t1","createdAt":"2024-01-02T03:04:05Z","updatedAt":"2024-01-02T03:04:05Z"}}}`

// fastRetries are retries quick enough for tests.
var fastRetries = client.WithRetry(client.RetryOptions{BaseDelay: time.Millisecond, MaxBackoff: 5 * time.Millisecond})

func getTodo(t *testing.T, url string, opts ...client.Option) (*tododata.Todo, error) {
	t.Helper()
	c, err := tododata.New(outputs(t, url), append([]client.Option{client.WithAuthMode(client.AuthAPIKey)}, opts...)...)
	require.NoError(t, err)
	return c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthAPIKey))
}

func attemptsOf(t *testing.T, err error) int {
	t.Helper()
	var op *client.OperationError
	require.ErrorAs(t, err, &op)
	return op.Attempts
}

func TestRetriesThrottlingAndServerErrors(t *testing.T) {
	t.Run("429, 503 and a throttled data source, then success", func(t *testing.T) {
		srv := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			switch n {
			case 1:
				reply(w, http.StatusTooManyRequests, `{"errors":[{"errorType":"TooManyRequestsException","message":"Rate exceeded"}]}`)
			case 2:
				reply(w, http.StatusServiceUnavailable, `<html>503 Service Unavailable</html>`)
			case 3:
				reply(w, 200, `{"data":{"getTodo":null},"errors":[{"path":["getTodo"],"errorType":"DynamoDB:ProvisionedThroughputExceededException","message":"throttled"}]}`)
			default:
				reply(w, 200, todoReply)
			}
		})
		todo, err := getTodo(t, srv.URL, client.WithRetry(client.RetryOptions{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
		require.NoError(t, err)
		assert.Equal(t, "t1", todo.ID)
		assert.Equal(t, 4, srv.requests())
	})
	t.Run("attempts are bounded", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { reply(w, 502, `bad gateway`) })
		_, err := getTodo(t, srv.URL, fastRetries)
		var herr *client.HTTPError
		require.ErrorAs(t, err, &herr)
		assert.Equal(t, 502, herr.StatusCode)
		assert.Equal(t, 3, srv.requests(), "the default is 3 attempts, as aws-sdk-go-v2's")
		assert.Equal(t, 3, attemptsOf(t, err))
		assert.Contains(t, err.Error(), "3 attempts")
	})
	t.Run("what is not transient is not retried", func(t *testing.T) {
		for _, tc := range []struct {
			status int
			body   string
		}{
			{400, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"bad"}]}`},
			{401, `{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized"}]}`},
			{200, `{"data":{"getTodo":null},"errors":[{"errorType":"Unauthorized","message":"Not Authorized to access getTodo on type Query"}]}`},
			{200, `{"data":{"getTodo":null},"errors":[{"errorType":"Lambda:Unhandled","message":"boom"}]}`},
		} {
			srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { reply(w, tc.status, tc.body) })
			_, err := getTodo(t, srv.URL, fastRetries)
			require.Error(t, err)
			assert.Equal(t, 1, srv.requests(), "%d %s", tc.status, tc.body)
		}
	})
	t.Run("retries off", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { reply(w, 503, `x`) })
		_, err := getTodo(t, srv.URL, client.WithRetry(client.RetryOptions{MaxAttempts: 1}))
		require.Error(t, err)
		assert.Equal(t, 1, srv.requests())
		_, err = getTodo(t, srv.URL, client.WithRetryer(aws.NopRetryer{}))
		require.Error(t, err)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("an SDK retryer of the caller's", func(t *testing.T) {
		srv := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			if n < 5 {
				reply(w, 500, `x`)
				return
			}
			reply(w, 200, todoReply)
		})
		r := retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 5
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		})
		_, err := getTodo(t, srv.URL, client.WithRetryer(r))
		require.NoError(t, err)
		assert.Equal(t, 5, srv.requests())
	})
	t.Run("Retry-After beyond the time bound ends the call", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Retry-After", "120")
			reply(w, 429, `{"errors":[{"errorType":"TooManyRequestsException"}]}`)
		})
		start := time.Now()
		_, err := getTodo(t, srv.URL, client.WithRetry(client.RetryOptions{MaxElapsed: time.Second}))
		var herr *client.HTTPError
		require.ErrorAs(t, err, &herr)
		assert.Equal(t, 120*time.Second, herr.RetryAfter)
		assert.Equal(t, 1, srv.requests())
		assert.Less(t, time.Since(start), time.Second)
	})
	t.Run("a delay past the context's deadline ends the call", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { reply(w, 503, `x`) })
		c, err := tododata.New(outputs(t, srv.URL), client.WithAuthMode(client.AuthAPIKey),
			client.WithRetry(client.RetryOptions{BaseDelay: time.Hour, MaxBackoff: time.Hour}))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err = c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthAPIKey))
		var herr *client.HTTPError
		require.ErrorAs(t, err, &herr)
		// Either the drawn delay fit (and the wait was cut by the context)
		// or it did not (and the call ended at once): never an hour.
		assert.Less(t, time.Since(start), 3*time.Second)
		assert.LessOrEqual(t, srv.requests(), 2)
	})
	t.Run("cancelling stops the wait", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { reply(w, 503, `x`) })
		c, err := tododata.New(outputs(t, srv.URL), client.WithAuthMode(client.AuthAPIKey),
			client.WithRetryer(retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 10 * time.Second, nil })
			})))
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err = c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthAPIKey))
		require.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Equal(t, 1, srv.requests())
	})
}

func TestMutationsAreRetriedOnlyWhenSafe(t *testing.T) {
	create := func(t *testing.T, url string, opts ...client.Option) error {
		c, err := tododata.New(outputs(t, url), client.WithUserPool(client.StaticToken(userToken)), fastRetries)
		require.NoError(t, err)
		_, err = c.Models.Todo.Create(context.Background(), tododata.CreateTodoInput{Content: client.Ptr("milk")}, opts...)
		return err
	}
	const created = `{"data":{"createTodo":{"ID":"t1","createdAt":"2024-01-02T03:04:05Z","updatedAt":"2024-01-02T03:04:05Z"}}}`

	t.Run("a 503 reached the server: not retried", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { reply(w, 503, `x`) })
		require.Error(t, create(t, srv.URL))
		assert.Equal(t, 1, srv.requests())
	})
	t.Run("a throttled data source: not retried", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			reply(w, 200, `{"data":{"createTodo":null},"errors":[{"errorType":"DynamoDB:ProvisionedThroughputExceededException","message":"x"}]}`)
		})
		require.Error(t, create(t, srv.URL))
		assert.Equal(t, 1, srv.requests())
	})
	t.Run("the connection was cut after sending: not retried", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { hangUp(w) })
		err := create(t, srv.URL)
		var nerr *client.NetworkError
		require.ErrorAs(t, err, &nerr)
		assert.Equal(t, 1, srv.requests())
	})
	t.Run("the same cut for a query is retried", func(t *testing.T) {
		srv := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			if n == 1 {
				hangUp(w)
				return
			}
			reply(w, 200, todoReply)
		})
		_, err := getTodo(t, srv.URL, fastRetries)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("the server could not be reached: retried", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close()) // connections are refused
		var attempts atomic.Int32
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		err = create(t, "http://"+addr, client.WithLogger(logger.With()), client.WithHTTPClient(&http.Client{Transport: countingTransport{&attempts}}))
		var nerr *client.NetworkError
		require.ErrorAs(t, err, &nerr)
		assert.Equal(t, int32(3), attempts.Load())
		assert.Equal(t, 3, attemptsOf(t, err))
	})
	t.Run("opted in", func(t *testing.T) {
		srv := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			if n == 1 {
				reply(w, 503, `x`)
				return
			}
			reply(w, 200, created)
		})
		require.NoError(t, create(t, srv.URL, client.WithRetryMutations(true)))
		assert.Equal(t, 2, srv.requests())
	})
}

// hangUp closes the connection without answering.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

type countingTransport struct{ n *atomic.Int32 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// skewedAppSync checks signatures against a clock offset from ours by skew,
// as AppSync with its own clock, and sends its Date.
func skewedAppSync(t *testing.T, skew time.Duration) *scripted {
	now := func() time.Time { return time.Now().Add(skew) }
	verifier := &sigv4verify.Verifier{Credentials: map[string]string{testAKID: testSecret}, Service: "appsync", Region: "us-east-1", Now: now}
	ok := verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { reply(w, 200, todoReply) }))
	return newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Date", now().UTC().Format(http.TimeFormat))
		r.Body = io.NopCloser(bytes.NewReader(body))
		ok.ServeHTTP(w, r)
	})
}

func TestClockSkewIsLearntOnce(t *testing.T) {
	for _, skew := range []time.Duration{time.Hour, -2 * time.Hour} {
		t.Run(skew.String(), func(t *testing.T) {
			srv := skewedAppSync(t, skew)
			c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds(testToken)), client.WithRetry(client.RetryOptions{MaxAttempts: 1}))
			require.NoError(t, err)
			_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"})
			require.NoError(t, err, "signed again with AppSync's time")
			assert.Equal(t, 2, srv.requests())
			// The offset is kept: the next calls, mutations included, are
			// signed right the first time.
			_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, client.WithHeader("X-Trace", "1"))
			require.NoError(t, err)
			assert.Equal(t, 3, srv.requests())
		})
	}
	t.Run("a mutation is signed again too: it was not executed", func(t *testing.T) {
		srv := skewedAppSync(t, 30*time.Minute)
		c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds("")))
		require.NoError(t, err)
		_, err = c.Mutations.AddUserToGroup(context.Background(), tododata.AddUserToGroupArgs{UserID: "u", GroupName: "ADMINS"})
		require.NoError(t, err)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("not yet current", func(t *testing.T) {
		serverNow := func() time.Time { return time.Now().Add(-10 * time.Minute) }
		srv := newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request, _ []byte) {
			w.Header().Set("Date", serverNow().UTC().Format(http.TimeFormat))
			signed, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
			if signed.Sub(serverNow()) > 5*time.Minute {
				reply(w, 403, `{"errors":[{"errorType":"InvalidSignatureException","message":"Signature not yet current: `+signed.Format("20060102T150405Z")+` is still later than ..."}]}`)
				return
			}
			reply(w, 200, todoReply)
		})
		c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds("")))
		require.NoError(t, err)
		_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"})
		require.NoError(t, err)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("without a Date there is nothing to learn", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header()["Date"] = nil // the server adds none
			reply(w, 403, `{"errors":[{"errorType":"InvalidSignatureException","message":"Signature expired: 20200101T000000Z is now earlier than ..."}]}`)
		})
		c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds("")))
		require.NoError(t, err)
		_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"})
		var herr *client.HTTPError
		require.ErrorAs(t, err, &herr)
		assert.Equal(t, 403, herr.StatusCode)
		assert.Equal(t, 1, srv.requests())
	})
	t.Run("a wrong signature is not a skew", func(t *testing.T) {
		srv := skewedAppSync(t, 0)
		c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "not-the-secret"}, nil
		})))
		require.NoError(t, err)
		_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"})
		require.Error(t, err)
		assert.Equal(t, 1, srv.requests())
	})
}

// refresher is a TokenRefresher handing out tokens[i], moving to the next on
// Refresh.
type refresher struct {
	mu        sync.Mutex
	tokens    []string
	i         int
	refreshes int
	rejected  []string
	err       error
}

func (r *refresher) Token(context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tokens[r.i], nil
}

func (r *refresher) Refresh(_ context.Context, rejected string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refreshes++
	r.rejected = append(r.rejected, rejected)
	if r.err != nil {
		return r.err
	}
	if r.tokens[r.i] == rejected && r.i+1 < len(r.tokens) {
		r.i++
	}
	return nil
}

// tokenAppSync accepts the tokens of valid and answers others 401.
func tokenAppSync(t *testing.T, valid ...string) *scripted {
	return newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request, _ []byte) {
		for _, v := range valid {
			if r.Header.Get("Authorization") == v {
				reply(w, 200, todoReply)
				return
			}
		}
		reply(w, 401, `{"errors":[{"errorType":"UnauthorizedException","message":"Token has expired."}]}`)
	})
}

func TestUnauthorizedRefreshesTheTokenOnce(t *testing.T) {
	get := func(t *testing.T, url string, ts client.TokenSource, opts ...client.Option) error {
		c, err := tododata.New(outputs(t, url), append([]client.Option{client.WithUserPool(ts), fastRetries}, opts...)...)
		require.NoError(t, err)
		_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthUserPool))
		return err
	}
	t.Run("the refreshed token is accepted", func(t *testing.T) {
		srv := tokenAppSync(t, "token-2")
		ts := &refresher{tokens: []string{"token-1", "token-2"}}
		require.NoError(t, get(t, srv.URL, ts))
		assert.Equal(t, 1, ts.refreshes)
		assert.Equal(t, []string{"token-1"}, ts.rejected)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("the refreshed token is rejected too: a typed error, no loop", func(t *testing.T) {
		srv := tokenAppSync(t)
		ts := &refresher{tokens: []string{"token-1", "token-2", "token-3"}}
		err := get(t, srv.URL, ts)
		var terr *client.TokenRejectedError
		require.ErrorAs(t, err, &terr)
		assert.True(t, terr.Refreshed)
		assert.Equal(t, client.AuthUserPool, terr.Mode)
		var herr *client.HTTPError
		require.ErrorAs(t, err, &herr, "the 401 is still reachable")
		assert.Equal(t, 401, herr.StatusCode)
		assert.Equal(t, 1, ts.refreshes)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("the refresh fails", func(t *testing.T) {
		srv := tokenAppSync(t)
		revoked := errors.New("refresh token revoked for token-1")
		ts := &refresher{tokens: []string{"token-1"}, err: revoked}
		err := get(t, srv.URL, ts)
		var terr *client.TokenRejectedError
		require.ErrorAs(t, err, &terr)
		assert.False(t, terr.Refreshed)
		assert.ErrorIs(t, err, revoked)
		assert.NotContains(t, err.Error(), "token-1", "the refresh error is redacted")
		assert.Equal(t, 1, srv.requests())
	})
	t.Run("a mutation is sent again too: it was not executed", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request, _ []byte) {
			if r.Header.Get("Authorization") != "token-2" {
				reply(w, 401, `{"errors":[{"errorType":"UnauthorizedException","message":"Token has expired."}]}`)
				return
			}
			reply(w, 200, `{"data":{"addUserToGroup":"{}"}}`)
		})
		ts := &refresher{tokens: []string{"token-1", "token-2"}}
		c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(ts))
		require.NoError(t, err)
		_, err = c.Mutations.AddUserToGroup(context.Background(), tododata.AddUserToGroupArgs{UserID: "u", GroupName: "ADMINS"})
		require.NoError(t, err)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("a source that cannot refresh: the 401 as it was", func(t *testing.T) {
		srv := tokenAppSync(t)
		err := get(t, srv.URL, client.StaticToken("token-1"))
		var herr *client.HTTPError
		require.ErrorAs(t, err, &herr)
		var terr *client.TokenRejectedError
		assert.False(t, errors.As(err, &terr))
		assert.Equal(t, 1, srv.requests())
	})
	t.Run("a per-call token is not refreshed", func(t *testing.T) {
		srv := tokenAppSync(t, "token-2")
		ts := &refresher{tokens: []string{"token-1", "token-2"}}
		require.Error(t, get(t, srv.URL, ts, client.WithToken("mine")))
		assert.Equal(t, 0, ts.refreshes)
	})
	t.Run("concurrent callers", func(t *testing.T) {
		srv := tokenAppSync(t, "token-2")
		ts := &refresher{tokens: []string{"token-1", "token-2"}}
		c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(ts))
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				_, err := c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, client.WithAuthMode(client.AuthUserPool))
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		assert.Equal(t, "token-2", ts.tokens[ts.i])
	})
}

func TestRequestLimitsFailBeforeSending(t *testing.T) {
	srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		reply(w, 200, `{"data":{"createTodo":null}}`)
	})
	c, err := tododata.New(outputs(t, srv.URL), client.WithUserPool(client.StaticToken(userToken)))
	require.NoError(t, err)
	_, err = c.Models.Todo.Create(context.Background(), tododata.CreateTodoInput{Content: client.Ptr(strings.Repeat("x", 1<<20))})
	var lerr *client.LimitError
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, "request size", lerr.Limit)
	assert.Equal(t, 1<<20, lerr.Max)
	assert.Contains(t, err.Error(), "CreateTodo")
	assert.Equal(t, 0, srv.requests())

	_, err = c.Models.Todo.Create(context.Background(), tododata.CreateTodoInput{Content: client.Ptr(strings.Repeat("x", 1<<20))},
		client.WithLimits(client.Limits{MaxRequestBytes: 2 << 20}))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.requests())

	_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, client.WithLimits(client.Limits{MaxQueryDepth: 1}))
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, client.LimitError{Limit: "query depth", Value: 2, Max: 1}, *lerr)
	assert.Equal(t, 1, srv.requests())
}

func TestMalformedRepliesAreTypedErrors(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write([]byte(s))
		_ = zw.Close()
		return b.Bytes()
	}
	cases := []struct {
		name     string
		status   int
		header   map[string]string
		body     []byte
		reason   string // in the error
		snippet  string // in the snippet
		limitOpt int64
	}{
		{"truncated JSON", 200, nil, []byte(`{"data":{"getTodo":{"ID":"t1"`), "not a GraphQL JSON reply", `{"data":{"getTodo"`, 0},
		{"wrong types", 200, nil, []byte(`{"data":{"getTodo":{"ID":5}}}`), "not a GraphQL JSON reply: data: json: cannot unmarshal number", `{"data":`, 0},
		{"wrong type of errors", 200, nil, []byte(`{"errors":{"message":"x"}}`), "not a GraphQL JSON reply: errors:", `{"errors"`, 0},
		{"HTML page", 200, map[string]string{"Content-Type": "text/html"}, []byte("<!DOCTYPE html><html><body>Gateway</body></html>"), "HTML page", "<!DOCTYPE html>", 0},
		{"HTML error page", 502, map[string]string{"Content-Type": "text/html"}, []byte("<html><body>502 Bad Gateway</body></html>"), "HTTP 502", "502 Bad Gateway", 0},
		{"empty body", 200, nil, nil, "empty", "", 0},
		{"neither data nor errors", 200, nil, []byte(`{"extensions":{}}`), "neither data nor errors", `{"extensions"`, 0},
		{"errors null alone", 200, nil, []byte(`{"errors":null}`), "neither data nor errors", `{"errors"`, 0},
		{"an empty errors list alone", 200, nil, []byte(`{"errors":[]}`), "no data and an empty errors list", `{"errors":[]}`, 0},
		{"an errors list of nulls alone", 200, nil, []byte(`{"errors":[null,null]}`), "no data and an errors list with no error object", `{"errors"`, 0},
		{"data null alone", 200, nil, []byte(`{"data":null}`), "data is null and there are no errors", `{"data":null}`, 0},
		{"data null, empty errors", 200, nil, []byte(`{"data":null,"errors":[]}`), "data is null and there are no errors", `{"data":null`, 0},
		{"a string in the errors list", 200, nil, []byte(`{"errors":["boom"]}`), "errors: entry 0 is a string, not an error object", `{"errors"`, 0},
		{"a number in the errors list", 200, nil, []byte(`{"data":{"getTodo":null},"errors":[{"message":"m"},42]}`), "errors: entry 1 is a number, not an error object", `{"data"`, 0},
		{"not an object", 200, nil, []byte(`["data"]`), "not a GraphQL JSON reply", `["data"]`, 0},
		{"garbage after the object", 200, nil, []byte(`{"data":{}} {"data":{}}`), "not a GraphQL JSON reply", `{"data":{}}`, 0},
		{"gzip not labelled", 200, nil, gz(todoReply), "gzip-compressed but not labelled", "\x1f", 0},
		{"labelled gzip, not gzip", 200, map[string]string{"Content-Encoding": "gzip"}, []byte(todoReply), "labelled Content-Encoding: gzip but is not valid gzip", `{"data"`, 0},
		{"an encoding not asked for", 200, map[string]string{"Content-Encoding": "br"}, []byte("\x0b\x02\x80"), `Content-Encoding "br"`, "", 0},
		{"too large", 200, nil, []byte(todoReply), "exceeds the 20-byte limit", "", 20},
		{"too large, chunked", 200, map[string]string{"chunked": "1"}, []byte(todoReply), "exceeds 20 bytes", `{"data":{"getTodo":{`, 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				for k, v := range tc.header {
					if k != "chunked" {
						w.Header().Set(k, v)
					}
				}
				if tc.header["chunked"] == "" {
					w.Header().Set("Content-Length", fmt.Sprint(len(tc.body)))
				}
				w.WriteHeader(tc.status)
				if tc.header["chunked"] != "" {
					for _, b := range tc.body {
						_, _ = w.Write([]byte{b})
						w.(http.Flusher).Flush()
					}
					return
				}
				_, _ = w.Write(tc.body)
			})
			opts := []client.Option{client.WithUserPool(client.StaticToken(userToken)), client.WithRetry(client.RetryOptions{MaxAttempts: 1})}
			if tc.limitOpt > 0 {
				opts = append(opts, client.WithMaxResponseBytes(tc.limitOpt))
			}
			c, err := tododata.New(outputs(t, srv.URL), opts...)
			require.NoError(t, err)
			_, err = c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"})
			var herr *client.HTTPError
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, tc.status, herr.StatusCode)
			assert.Contains(t, err.Error(), tc.reason)
			assert.Contains(t, herr.Snippet, tc.snippet)
			assert.LessOrEqual(t, len([]rune(herr.Snippet)), 257)
		})
	}
	t.Run("gzip labelled and valid is read", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request, _ []byte) {
			assert.Equal(t, "gzip", r.Header.Get("Accept-Encoding"))
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz(todoReply))
		})
		todo, err := getTodo(t, srv.URL)
		require.NoError(t, err)
		assert.Equal(t, "t1", todo.ID)
	})
	t.Run("a null result of a nullable field is an answer", func(t *testing.T) {
		for _, body := range []string{`{"data":{"getTodo":null}}`, `{"data":{"getTodo":null},"errors":[]}`, `{"data":{"getTodo":null},"errors":null}`} {
			srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { reply(w, 200, body) })
			todo, err := getTodo(t, srv.URL)
			require.NoError(t, err, body)
			assert.Nil(t, todo, body)
		}
	})
	t.Run("data with an empty errors list is an answer", func(t *testing.T) {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			reply(w, 200, strings.TrimSuffix(todoReply, "}")+`,"errors":[]}`)
		})
		todo, err := getTodo(t, srv.URL)
		require.NoError(t, err)
		assert.Equal(t, "t1", todo.ID)
	})
}

// logCapture collects the records of a logger.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestLoggerRecordsCalls(t *testing.T) {
	srv := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		if n == 1 {
			reply(w, 503, `x`)
			return
		}
		reply(w, 200, todoReply)
	})
	var logs logCapture
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err := getTodo(t, srv.URL, client.WithLogger(logger), fastRetries)
	require.NoError(t, err)
	lines := logs.lines()
	require.Len(t, lines, 2)
	assert.Equal(t, "amplify data: retrying", lines[0]["msg"])
	assert.Equal(t, "INFO", lines[0]["level"])
	assert.Equal(t, float64(503), lines[0]["status"])
	assert.Equal(t, "amplify data: call", lines[1]["msg"])
	assert.Equal(t, "DEBUG", lines[1]["level"])
	assert.Equal(t, "GetTodo", lines[1]["operation"])
	assert.Equal(t, "apiKey", lines[1]["auth"])
	assert.Equal(t, float64(200), lines[1]["status"])
	assert.Equal(t, float64(2), lines[1]["attempts"])
	assert.Contains(t, lines[1], "duration")

	// A failure is logged at warn level, with the error.
	_, err = getTodo(t, "http://127.0.0.1:1", client.WithLogger(logger), client.WithRetry(client.RetryOptions{MaxAttempts: 1}))
	require.Error(t, err)
	lines = logs.lines()
	last := lines[len(lines)-1]
	assert.Equal(t, "WARN", last["level"])
	assert.Equal(t, "amplify data: call failed", last["msg"])
	assert.Contains(t, last["error"], "network")

	// A logger that is off costs nothing and logs nothing.
	quiet := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))
	n := len(logs.lines())
	_, err = getTodo(t, srv.URL, client.WithLogger(quiet))
	require.NoError(t, err)
	assert.Len(t, logs.lines(), n)
}

func TestNetworkErrorsKeepTheURLError(t *testing.T) {
	_, err := getTodo(t, "http://127.0.0.1:1", client.WithRetry(client.RetryOptions{MaxAttempts: 1}))
	var uerr *url.Error
	require.ErrorAs(t, err, &uerr, "as http.Client reports them")
	assert.Equal(t, "Post", uerr.Op)
	var operr *net.OpError
	require.ErrorAs(t, err, &operr)
	assert.Equal(t, "dial", operr.Op)
}

func TestRedirectsAreNotFollowedUnlessAsked(t *testing.T) {
	srv := newScripted(t, func(n int, w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Path == "/graphql" {
			http.Redirect(w, r, "/moved", http.StatusTemporaryRedirect)
			return
		}
		reply(w, 200, todoReply)
	})
	_, err := getTodo(t, srv.URL)
	var herr *client.HTTPError
	require.ErrorAs(t, err, &herr)
	assert.Equal(t, http.StatusTemporaryRedirect, herr.StatusCode)
	assert.Contains(t, herr.Reason, "AppSync does not redirect")
	assert.Contains(t, herr.Reason, "/moved")

	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	todo, err := getTodo(t, srv.URL, client.WithHTTPClient(follow))
	require.NoError(t, err)
	assert.Equal(t, "t1", todo.ID)
}

// authModes are the options that make a GetTodo call use each auth mode
// that sends a credential: opts go to New, call to the call.
func authModes() []struct {
	name       string
	opts, call []client.Option
} {
	return []struct {
		name       string
		opts, call []client.Option
	}{
		{"apiKey", nil, []client.Option{client.WithAuthMode(client.AuthAPIKey)}},
		{"iam", []client.Option{client.WithCredentials(staticCreds(testToken))}, []client.Option{client.WithAuthMode(client.AuthIAM)}},
		{"identityPool", []client.Option{client.WithIdentityPool(staticCreds(testToken))}, []client.Option{client.WithAuthMode(client.AuthIdentityPool)}},
		{"userPool", []client.Option{client.WithUserPool(client.StaticToken(userToken))}, []client.Option{client.WithAuthMode(client.AuthUserPool)}},
		{"oidc", []client.Option{client.WithOIDC(client.StaticToken("oidc-token-0123456789"))}, []client.Option{client.WithAuthMode(client.AuthOIDC)}},
		{"lambda", []client.Option{client.WithLambda(client.StaticToken("lambda-token-0123456789"))}, []client.Option{client.WithAuthMode(client.AuthLambda)}},
	}
}

func TestRedirectsToAnotherHostGetNoCredentials(t *testing.T) {
	// The other host records whatever reaches it.
	var otherRequests, otherCredentials atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherRequests.Add(1)
		for _, h := range []string{"X-Api-Key", "Authorization", "X-Amz-Security-Token"} {
			if r.Header.Get(h) != "" {
				otherCredentials.Add(1)
			}
		}
		reply(w, 200, todoReply)
	}))
	t.Cleanup(other.Close)
	target := other.URL + "/graphql?token=" + testAPIKey + "&x=1"

	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv := newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request, _ []byte) {
			http.Redirect(w, r, target, code)
		})
		for _, m := range authModes() {
			for _, hc := range []struct {
				name    string
				perCall bool
			}{{"client", false}, {"per call", true}} {
				t.Run(fmt.Sprintf("%d %s %s", code, m.name, hc.name), func(t *testing.T) {
					before := otherRequests.Load()
					tuned := client.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}) // as the README advises
					opts := append([]client.Option{client.WithRetry(client.RetryOptions{MaxAttempts: 1})}, m.opts...)
					call := m.call
					if hc.perCall {
						call = append(call, tuned)
					} else {
						opts = append(opts, tuned)
					}
					c, err := tododata.New(outputs(t, srv.URL), opts...)
					require.NoError(t, err)
					todo, err := c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, call...)
					assert.Nil(t, todo, "the other host's reply is not data")
					assert.Equal(t, before, otherRequests.Load(), "the other host received a request")
					assert.Zero(t, otherCredentials.Load(), "the other host received a credential")
					var herr *client.HTTPError
					require.ErrorAs(t, err, &herr)
					assert.Equal(t, code, herr.StatusCode)
					assert.Contains(t, herr.Reason, "AppSync does not redirect")
					assert.Contains(t, herr.Reason, strings.TrimPrefix(other.URL, "http://")+"/graphql")
					assert.NotContains(t, err.Error(), testAPIKey, "the Location's query is not shown")
					assert.False(t, herr.RetryableError())
				})
			}
		}
	}
}
