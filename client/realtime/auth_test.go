package realtime_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/internal/sigv4verify"
)

func TestRealtimeURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql":     "wss://abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.us-east-1.amazonaws.com/graphql",
		"https://abcdefghijklmnopqrstuvwxyz.appsync-api.cn-north-1.amazonaws.com.cn/graphql": "wss://abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.cn-north-1.amazonaws.com.cn/graphql",
		"https://api.example.com/graphql":                                                    "wss://api.example.com/graphql/realtime",
		"https://api.example.com/graphql/":                                                   "wss://api.example.com/graphql/realtime",
		"https://appsync-api.example.com/graphql":                                            "wss://appsync-api.example.com/graphql/realtime",
		"http://127.0.0.1:20002/graphql":                                                     "ws://127.0.0.1:20002/graphql",
		"http://localhost:20002/graphql?x=1":                                                 "ws://localhost:20002/graphql?x=1",
	} {
		got, err := realtime.RealtimeURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "graphql", "ftp://x/graphql", "/graphql", "https:///graphql"} {
		_, err := realtime.RealtimeURL(bad)
		assert.Error(t, err, bad)
	}
}

func TestAuthorizerHeaders(t *testing.T) {
	ctx := context.Background()
	const u = "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql"
	const host = "abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com"
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

	h, err := (&realtime.APIKey{URL: u, Key: "da2-key", Clock: func() time.Time { return at }}).Headers(ctx, []byte("{}"), true)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"host": host, "x-amz-date": "20250304T050607Z", "x-api-key": "da2-key"}, h)

	h, err = (&realtime.Token{URL: u, Source: client.StaticToken("eyJ.a.b")}).Headers(ctx, []byte("{}"), false)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"host": host, "Authorization": "eyJ.a.b"}, h)

	_, err = (&realtime.Token{URL: u, Source: client.StaticToken("")}).Headers(ctx, nil, true)
	assert.Error(t, err)

	verifier := &sigv4verify.Verifier{Credentials: map[string]string{"AKID": "secret"}, Service: "appsync", Region: "eu-west-1", Now: func() time.Time { return at }}
	for _, tc := range []struct {
		name    string
		creds   aws.Credentials
		connect bool
		body    string
		path    string
		keys    []string
	}{
		{"connect with session token", aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret", SessionToken: "sess"}, true, "{}", "/graphql/connect",
			[]string{"Authorization", "X-Amz-Security-Token", "accept", "content-encoding", "content-type", "host", "x-amz-date"}},
		{"start without session token", aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}, false, `{"query":"subscription { s }","variables":{}}`, "/graphql",
			[]string{"Authorization", "accept", "content-encoding", "content-type", "host", "x-amz-date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &realtime.IAM{URL: u, Region: "eu-west-1", Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return tc.creds, nil }), Clock: func() time.Time { return at }}
			h, err := a.Headers(ctx, []byte(tc.body), tc.connect)
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.keys, keysOf(h))
			assert.Equal(t, host, h["host"])
			assert.Equal(t, "20250304T050607Z", h["x-amz-date"])
			assert.Contains(t, h["Authorization"], "Credential=AKID/20250304/eu-west-1/appsync/aws4_request")
			req, _ := http.NewRequest(http.MethodPost, "https://"+host+tc.path, nil)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			require.NoError(t, verifier.Verify(req, []byte(tc.body)))
			assert.Error(t, verifier.Verify(req, []byte(tc.body+" ")), "the signature covers the exact body")
		})
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// AuthorizerFor builds each mode from the same options as client.New.
func TestAuthorizerFor(t *testing.T) {
	ep := client.Endpoint{URL: "http://127.0.0.1:1/graphql", Region: "us-east-1", APIKey: "da2-outputs-key"}
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, nil
	})
	for _, tc := range []struct {
		mode client.AuthMode
		opts []client.Option
		want any
	}{
		{client.AuthAPIKey, nil, &realtime.APIKey{}},
		{client.AuthIAM, []client.Option{client.WithCredentials(creds)}, &realtime.IAM{}},
		{client.AuthIdentityPool, []client.Option{client.WithIdentityPool(creds)}, &realtime.IAM{}},
		{client.AuthUserPool, []client.Option{client.WithUserPool(client.StaticToken("t"))}, &realtime.Token{}},
		{client.AuthOIDC, []client.Option{client.WithToken("t")}, &realtime.Token{}},
		{client.AuthLambda, []client.Option{client.WithLambda(client.StaticToken("t"))}, &realtime.Token{}},
	} {
		a, err := realtime.AuthorizerFor(ep, tc.mode, tc.opts...)
		require.NoError(t, err, tc.mode)
		assert.IsType(t, tc.want, a, tc.mode)
		h, err := a.Headers(context.Background(), []byte("{}"), true)
		require.NoError(t, err, tc.mode)
		assert.Equal(t, "127.0.0.1:1", h["host"])
	}
	a, err := realtime.AuthorizerFor(ep, client.AuthAPIKey, client.WithAPIKey("da2-override"))
	require.NoError(t, err)
	assert.Equal(t, "da2-override", a.(*realtime.APIKey).Key)

	for _, mode := range []client.AuthMode{client.AuthIAM, client.AuthUserPool, client.AuthNone, "bogus"} {
		_, err := realtime.AuthorizerFor(ep, mode)
		assert.Error(t, err, mode)
	}
	_, err = realtime.AuthorizerFor(client.Endpoint{URL: "not a url"}, client.AuthAPIKey, client.WithAPIKey("k"))
	assert.Error(t, err)
}

// The derived signing key belongs to the secret it was derived from, not to
// the access key id (aws-sdk-go-v2 issue 3350: its signer caches by key id
// and day). Every IAM authorizer of the process shares the realtime
// signer: after a signing with one secret, a signing with another secret
// under the same key id must use its own, so that a verifier knowing only
// the first refuses it, and the reverse.
func TestIAMSignsWithTheSecretGiven(t *testing.T) {
	const u = "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql"
	const body = `{"query":"subscription { s }","variables":{}}`
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	// A key id of this test only: no other test fills the cache for it.
	const akid = "AKIDSECRETGIVEN"
	secrets := map[string]string{"A": "secret-a/K7MDENG+bPxRfiCYEXAMPLEKEY", "B": "secret-b/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	verifier := func(secret string) *sigv4verify.Verifier {
		return &sigv4verify.Verifier{Credentials: map[string]string{akid: secret}, Service: "appsync", Region: "us-east-1", Now: func() time.Time { return at }}
	}
	for _, order := range [][]string{{"A", "B", "A"}, {"B", "A", "B"}} {
		for i, name := range order {
			other := map[string]string{"A": "B", "B": "A"}[name]
			creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secrets[name]}
			a := &realtime.IAM{URL: u, Region: "us-east-1", Clock: func() time.Time { return at },
				Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })}
			for _, connect := range []bool{true, false} {
				body, path := body, "/graphql"
				if connect {
					body, path = "{}", "/graphql/connect"
				}
				h, err := a.Headers(context.Background(), []byte(body), connect)
				require.NoError(t, err)
				req, _ := http.NewRequest(http.MethodPost, "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com"+path, nil)
				for k, v := range h {
					req.Header.Set(k, v)
				}
				assert.NoError(t, verifier(secrets[name]).Verify(req, []byte(body)), "%v, signing %d (%s, connect=%v): a verifier knowing its secret accepts it", order, i, name, connect)
				assert.Error(t, verifier(secrets[other]).Verify(req, []byte(body)), "%v, signing %d (%s, connect=%v): a verifier knowing the other secret refuses it", order, i, name, connect)
			}
		}
	}
}
