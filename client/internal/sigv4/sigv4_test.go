package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/internal/sigv4verify"
)

const (
	akid    = "AKIDEXAMPLE"
	secretA = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	secretB = "aDifferentSecretKeyForTheSameKeyID000000"
	body    = `{"query":"query { listTodos { items { id } } }"}`
)

var now = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

// sign signs a request over body with creds and returns it.
func sign(t *testing.T, s *Signer, creds aws.Credentials) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "https://example.appsync-api.us-east-1.amazonaws.com/graphql", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	require.NoError(t, s.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "appsync", "us-east-1", now))
	return req
}

// verify checks req with a verifier that knows only secret for akid.
func verify(req *http.Request, secret string) error {
	v := &sigv4verify.Verifier{Credentials: map[string]string{akid: secret}, Service: "appsync", Region: "us-east-1",
		Now: func() time.Time { return now }}
	return v.Verify(req, []byte(body))
}

func TestSignsWithTheSecretGiven(t *testing.T) {
	// Each order: the first signing fills the cache of derived keys, the
	// second must not use it.
	for _, order := range [][]string{{secretA, secretB, secretA}, {secretB, secretA, secretB}} {
		t.Run(fmt.Sprintf("%.4s then %.4s", order[0], order[1]), func(t *testing.T) {
			var s Signer
			for i, secret := range order {
				other := secretA
				if secret == secretA {
					other = secretB
				}
				req := sign(t, &s, aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret})
				assert.NoError(t, verify(req, secret), "signing %d: a verifier knowing its secret must accept it", i)
				assert.Error(t, verify(req, other), "signing %d: a verifier knowing the other secret must refuse it", i)
			}
		})
	}
}

func TestIdentitiesAreBounded(t *testing.T) {
	var s Signer
	for i := range 3 * MaxIdentities {
		secret := fmt.Sprintf("secret-%02d-%s", i, secretA)
		req := sign(t, &s, aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret})
		require.NoError(t, verify(req, secret), "identity %d", i)
		assert.LessOrEqual(t, len(*s.signers.Load()), MaxIdentities, "after identity %d", i)
	}
	// An identity dropped to make room signs correctly when it comes back.
	req := sign(t, &s, aws.Credentials{AccessKeyID: akid, SecretAccessKey: "secret-00-" + secretA})
	assert.NoError(t, verify(req, "secret-00-"+secretA))
}

func TestConcurrentIdentities(t *testing.T) {
	var s Signer
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			secret := []string{secretA, secretB}[g%2]
			for range 8 {
				req, _ := http.NewRequest(http.MethodPost, "https://example.appsync-api.us-east-1.amazonaws.com/graphql", strings.NewReader(body))
				sum := sha256.Sum256([]byte(body))
				if err := s.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, req,
					hex.EncodeToString(sum[:]), "appsync", "us-east-1", now); err != nil {
					errs <- err
					return
				}
				if err := verify(req, secret); err != nil {
					errs <- fmt.Errorf("goroutine %d: %w", g, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The lookup of a known identity is on the path of every signed request:
// it must not allocate.
func TestKnownIdentityDoesNotAllocate(t *testing.T) {
	var s Signer
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secretA}
	first := s.signer(creds)
	allocs := testing.AllocsPerRun(100, func() {
		if s.signer(creds) != first {
			t.Fatal("a known identity got another signer")
		}
	})
	assert.Zero(t, allocs)
}

// The cost of the identity lookup over v4.Signer's own (hashing the secret,
// one map read): go test -run '^$' -bench Sign -benchmem ./client/internal/sigv4/
func BenchmarkSign(b *testing.B) {
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secretA}
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	var s Signer
	plain := v4.NewSigner()
	for _, tc := range []struct {
		name string
		sign func(*http.Request) error
	}{
		{"v4.Signer", func(r *http.Request) error {
			return plain.SignHTTP(context.Background(), creds, r, hash, "appsync", "us-east-1", now)
		}},
		{"sigv4.Signer", func(r *http.Request) error {
			return s.SignHTTP(context.Background(), creds, r, hash, "appsync", "us-east-1", now)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req, err := http.NewRequest(http.MethodPost, "https://example.appsync-api.us-east-1.amazonaws.com/graphql", nil)
			require.NoError(b, err)
			b.ReportAllocs()
			for b.Loop() {
				req.Header = http.Header{"Content-Type": {"application/json"}}
				if err := tc.sign(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
