package realtime_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/internal/sigv4verify"
)

// client.WithHeader reaches the realtime connection and each start, as
// amplify-js's additional headers do: the client's headers and the call's
// are merged into the auth headers of the connect (the header query
// parameter) and of every start (extensions.authorization). The
// connection carries the first subscription's call headers, each start its
// own. In the IAM modes they are part of the signed request: the fake
// verifies every signature with an independent verifier and requires each
// extra header sent to be in SignedHeaders.
func TestHeadersReachConnectAndStarts(t *testing.T) {
	for _, mode := range []client.AuthMode{client.AuthAPIKey, client.AuthUserPool, client.AuthIAM} {
		t.Run(string(mode), func(t *testing.T) {
			var f *fakeAppSync
			opts := []client.Option{client.WithHeader("X-Client-Tag", "client-wide")}
			switch mode {
			case client.AuthAPIKey:
				f, _ = newAPIKeyFake(t)
			case client.AuthUserPool:
				f = newFakeAppSync(t, "token")
				opts = append(opts, client.WithUserPool(&countingTokens{issue: f.addToken}))
			case client.AuthIAM:
				f = newIAMFake(t)
				opts = append(opts, client.WithCredentials(aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return credsA, nil }))))
			}
			f.extraHeaders = []string{"x-client-tag", "x-call-tag"}
			gql, err := client.New(client.Endpoint{URL: f.graphqlURL, Region: "us-east-1", APIKey: testAPIKey, DefaultAuthMode: mode}, opts...)
			require.NoError(t, err)
			s := realtime.NewSession(gql, fast)
			t.Cleanup(func() { _ = s.Close() })

			sub1, err := s.Subscribe(t.Context(), "OnCreateTodo", onCreate, nil, []client.Option{client.WithHeader("X-Call-Tag", "call-1")})
			require.NoError(t, err)
			sub2, err := s.Subscribe(t.Context(), "OnCreateTodo", onCreate, nil, []client.Option{client.WithHeader("X-Call-Tag", "call-2")})
			require.NoError(t, err)

			connect := f.await("connect", kind("connect"))
			starts := f.awaitN("starts", 2, kind("start"))
			assert.Equal(t, "client-wide", connect.Hdr["X-Client-Tag"], "the client's header on the connection")
			assert.Equal(t, "call-1", connect.Hdr["X-Call-Tag"], "the first subscription's call header on the connection")
			byID := map[string]srvEvent{starts[0].ID: starts[0], starts[1].ID: starts[1]}
			for sub, want := range map[*realtime.Subscription]string{sub1: "call-1", sub2: "call-2"} {
				st := byID[sub.ID()]
				assert.Equal(t, "client-wide", st.Hdr["X-Client-Tag"], "the client's header on each start")
				assert.Equal(t, want, st.Hdr["X-Call-Tag"], "each start carries its call's header")
			}
			if mode == client.AuthIAM {
				for _, ev := range append(starts, connect) {
					assert.Contains(t, ev.Hdr["Authorization"], "x-call-tag", "signed")
					assert.Contains(t, ev.Hdr["Authorization"], "x-client-tag", "signed")
				}
			}
			for _, ev := range append(starts, connect) {
				assert.NotEmpty(t, ev.Hdr["host"], "the auth headers are still there")
			}
		})
	}
}

// The auth headers win a name an extra header also has (as on the HTTP
// side, where the auth mode sets its headers last), and several values of
// one header travel as one, joined with ", ". In the IAM mode the extra
// headers are signed: changing one breaks the signature.
func TestExtraHeaders(t *testing.T) {
	ctx := context.Background()
	const u = "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql"
	const host = "abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com"
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	extra := http.Header{"X-Api-Key": {"da2-not-this-one"}, "Authorization": {"not-this-either"}, "Host": {"evil.example.com"},
		"X-Amz-Date": {"19700101T000000Z"}, "X-Trace": {"a", "b"}}

	h, err := (&realtime.APIKey{URL: u, Key: "da2-key", Clock: func() time.Time { return at }, Header: extra}).Headers(ctx, []byte("{}"), true)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"host": host, "x-amz-date": "20250304T050607Z", "x-api-key": "da2-key", "Authorization": "not-this-either", "X-Trace": "a, b"}, h,
		"no auth header of the API key mode is replaced; an Authorization header is the caller's to send in that mode")

	h, err = (&realtime.Token{URL: u, Source: client.StaticToken("eyJ.a.b"), Header: extra}).Headers(ctx, []byte("{}"), false)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"host": host, "Authorization": "eyJ.a.b", "X-Api-Key": "da2-not-this-one", "X-Amz-Date": "19700101T000000Z", "X-Trace": "a, b"}, h)

	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDEXTRA", SecretAccessKey: "secret-extra"}, nil
	})
	a := &realtime.IAM{URL: u, Region: "us-east-1", Credentials: creds, Clock: func() time.Time { return at }, Header: extra}
	body := `{"query":"subscription { s }","variables":{}}`
	h, err = a.Headers(ctx, []byte(body), false)
	require.NoError(t, err)
	assert.Equal(t, host, h["host"])
	assert.Equal(t, "20250304T050607Z", h["x-amz-date"])
	assert.Equal(t, "a, b", h["X-Trace"])
	assert.Contains(t, h["Authorization"], "SignedHeaders=accept;content-encoding;content-type;host;x-amz-date;x-api-key;x-trace,")
	assert.Equal(t, "da2-not-this-one", h["X-Api-Key"], "signed like any other extra header")
	verifier := &sigv4verify.Verifier{Credentials: map[string]string{"AKIDEXTRA": "secret-extra"}, Service: "appsync", Region: "us-east-1", Now: func() time.Time { return at }}
	req, _ := http.NewRequest(http.MethodPost, u, nil)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	require.NoError(t, verifier.Verify(req, []byte(body)))
	req.Header.Set("X-Trace", "a, c")
	assert.Error(t, verifier.Verify(req, []byte(body)), "the signature covers the extra headers")
	assert.False(t, strings.Contains(h["Authorization"], "not-this-either"))
}
