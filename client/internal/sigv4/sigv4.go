// Package sigv4 signs requests with AWS Signature Version 4 for HTTP calls
// and realtime messages alike, with aws-sdk-go-v2's v4.Signer, keeping one
// signer per credentials identity.
//
// A v4.Signer caches the key it derives from a secret by access key id and
// day, not by the secret (aws-sdk-go-v2 issue 3350): shared between
// credentials that have the same key id and different secrets, it signs the
// second with the key of the first. A signature with the wrong secret would
// then be accepted, and the right secret refused after a wrong one was used
// once, for the rest of the day. Here a signer is only ever given the
// credentials of one identity (key id and secret), so the key it caches is
// always the key of the credentials it signs with.
package sigv4

import (
	"context"
	"crypto/sha256"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// MaxIdentities bounds the signers a Signer keeps. Credentials rotate (each
// new session has a key id of its own) and calls may bring their own, so
// the set is bounded; a process signing for more identities at once than
// this derives some keys again, which costs four HMACs.
const MaxIdentities = 16

// identity is what a derived key depends on besides the scope: the key id
// and the secret, kept as its SHA-256 so that no secret outlives the
// credentials it came in.
type identity struct {
	accessKeyID string
	secret      [sha256.Size]byte
}

// Signer signs with SigV4. Its zero value is ready to use; it is safe for
// concurrent use.
type Signer struct {
	// signers is copied on write: the path of every request is one atomic
	// load and a lookup, with no lock.
	signers atomic.Pointer[map[identity]*v4.Signer]
	mu      sync.Mutex // serializes writers
}

// SignHTTP signs req as v4.Signer.SignHTTP does, with a key derived from
// creds.SecretAccessKey.
func (s *Signer) SignHTTP(ctx context.Context, creds aws.Credentials, req *http.Request, payloadHash, service, region string, signingTime time.Time) error {
	return s.signer(creds).SignHTTP(ctx, creds, req, payloadHash, service, region, signingTime)
}

// signer returns the signer of creds' identity, made on first use.
func (s *Signer) signer(creds aws.Credentials) *v4.Signer {
	id := identity{accessKeyID: creds.AccessKeyID, secret: hashSecret(creds.SecretAccessKey)}
	if m := s.signers.Load(); m != nil {
		if v, ok := (*m)[id]; ok {
			return v
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.signers.Load()
	if old != nil {
		if v, ok := (*old)[id]; ok {
			return v
		}
	}
	m := make(map[identity]*v4.Signer, MaxIdentities)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	// When full, one identity makes room: the map's order is as good a
	// choice as any, and the one dropped is derived again if it comes back.
	for k := range m {
		if len(m) < MaxIdentities {
			break
		}
		delete(m, k)
	}
	v := v4.NewSigner()
	m[id] = v
	s.signers.Store(&m)
	return v
}

// hashSecret returns the SHA-256 of secret. A secret access key is 40
// bytes: copied to a buffer on the stack, it is hashed without allocating.
func hashSecret(secret string) [sha256.Size]byte {
	var buf [128]byte
	if len(secret) <= len(buf) {
		n := copy(buf[:], secret)
		return sha256.Sum256(buf[:n])
	}
	return sha256.Sum256([]byte(secret))
}
