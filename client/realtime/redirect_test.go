package realtime_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
)

// A redirect of the WebSocket handshake is not followed, for any auth
// mode: the handshake carries the credentials (the header query parameter,
// the header- subprotocol), and another host must get nothing of them.
// Subscribe fails with a *ConnectionError naming the redirect's status,
// also when the HTTP client given would follow redirects.
func TestHandshakeRedirectNotFollowed(t *testing.T) {
	var mu sync.Mutex
	var elsewhere []string // what the other host received
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere = append(elsewhere, r.URL.String()+" "+strings.Join(r.Header.Values("Sec-WebSocket-Protocol"), ","))
		mu.Unlock()
		http.Error(w, "nothing here", http.StatusNotFound)
	}))
	t.Cleanup(other.Close)

	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDREDIRECT", SecretAccessKey: "redirect-secret", SessionToken: "redirect-session-token"}, nil
	})
	modes := []struct {
		mode client.AuthMode
		opts []client.Option
	}{
		{client.AuthAPIKey, nil},
		{client.AuthIAM, []client.Option{client.WithCredentials(creds)}},
		{client.AuthIdentityPool, []client.Option{client.WithIdentityPool(creds)}},
		{client.AuthUserPool, []client.Option{client.WithUserPool(client.StaticToken("eyJ.userpool.sig"))}},
		{client.AuthOIDC, []client.Option{client.WithOIDC(client.StaticToken("eyJ.oidc.sig"))}},
		{client.AuthLambda, []client.Option{client.WithLambda(client.StaticToken("lambda-token"))}},
	}
	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	for _, code := range []int{301, 302, 307, 308} {
		for _, m := range modes {
			for _, hc := range []*http.Client{nil, follow} {
				t.Run(fmt.Sprintf("%d %s follow=%v", code, m.mode, hc != nil), func(t *testing.T) {
					var handshakes int
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						mu.Lock()
						handshakes++
						mu.Unlock()
						// Where the credentials would go, query string and all.
						http.Redirect(w, r, other.URL+"/graphql?"+r.URL.RawQuery, code)
					}))
					t.Cleanup(srv.Close)
					url := srv.URL + "/graphql"
					auth, err := realtime.AuthorizerFor(client.Endpoint{URL: url, Region: "us-east-1", APIKey: testAPIKey}, m.mode, m.opts...)
					require.NoError(t, err)
					opts := []realtime.Option{realtime.WithHeaderSubprotocol(true)}
					if hc != nil {
						opts = append(opts, realtime.WithHTTPClient(hc))
					}
					c := newClient(t, url, auth, opts...)
					_, err = c.Subscribe(t.Context(), &graphql.Request{Query: onCreate})
					var ce *realtime.ConnectionError
					require.ErrorAs(t, err, &ce)
					assert.Equal(t, code, ce.StatusCode)
					assert.Contains(t, err.Error(), fmt.Sprintf("HTTP %d", code))
					assert.Contains(t, err.Error(), "redirect")
					mu.Lock()
					defer mu.Unlock()
					assert.Empty(t, elsewhere, "the other host got nothing")
					assert.Equal(t, 1, handshakes)
				})
			}
		}
	}
	assert.Nil(t, follow.Transport, "the HTTP client given is not changed")
}
