package client_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
	"github.com/go-amplify/data/internal/sigv4verify"
)

// signedRequests is a server that answers every request and keeps it, so
// that a test can check its signature against verifiers of its choosing.
type signedRequests struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request // each with its body in bodies
	body [][]byte
}

func newSignedRequests(t *testing.T) *signedRequests {
	t.Helper()
	s := &signedRequests{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r = r.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.body = append(s.body, body)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":{"getTodo":null}}`)
	}))
	t.Cleanup(s.Close)
	return s
}

// verify checks the i-th request with a verifier that knows only secret
// for testAKID.
func (s *signedRequests) verify(t *testing.T, i int, secret string) error {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Greater(t, len(s.reqs), i, "the server received %d requests", len(s.reqs))
	v := &sigv4verify.Verifier{Credentials: map[string]string{testAKID: secret}, Service: "appsync", Region: "us-east-1"}
	return v.Verify(s.reqs[i], s.body[i])
}

// aws-sdk-go-v2's v4.Signer caches the derived signing key by access key id
// and day, not by secret (aws-sdk-go-v2 issue 3350): a client sharing one
// signer between its credentials and a call's would sign the second with
// the first's key whenever the key ids are the same. Each request must be
// signed with the secret it was given, whatever was signed before.
func TestEachRequestIsSignedWithItsOwnSecret(t *testing.T) {
	const secretA, secretB = testSecret, "aDifferentSecretKeyForTheSameKeyID0000000"
	a := credentials.NewStaticCredentialsProvider(testAKID, secretA, "")
	b := credentials.NewStaticCredentialsProvider(testAKID, secretB, "")
	cases := []struct {
		name    string
		client  aws.CredentialsProvider
		calls   []aws.CredentialsProvider // per call, nil for the client's
		secrets []string                  // the secret each call must be signed with
	}{
		{"A, then B for one call, then A", a, []aws.CredentialsProvider{nil, b, nil}, []string{secretA, secretB, secretA}},
		{"B, then A for one call, then B", b, []aws.CredentialsProvider{nil, a, nil}, []string{secretB, secretA, secretB}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSignedRequests(t)
			c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(tc.client))
			require.NoError(t, err)
			for i, p := range tc.calls {
				var opts []client.Option
				if p != nil {
					opts = append(opts, client.WithCredentials(p))
				}
				_, err := c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, opts...)
				require.NoError(t, err)
				other := secretA
				if tc.secrets[i] == secretA {
					other = secretB
				}
				assert.NoError(t, srv.verify(t, i, tc.secrets[i]), "call %d: a verifier knowing the secret it was given must accept it", i)
				var verr *sigv4verify.Error
				if assert.ErrorAs(t, srv.verify(t, i, other), &verr, "call %d: a verifier knowing the other secret must refuse it", i) {
					assert.Equal(t, sigv4verify.InvalidSignature, verr.ErrorType)
				}
			}
		})
	}
}
