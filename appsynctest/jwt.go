package appsynctest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/go-amplify/data/schema"
)

// tokenIssuer is the server's user pool: it issues Cognito-shaped JWTs
// signed with RS256 by a key of its own and verifies them as AppSync
// verifies Cognito tokens.
type tokenIssuer struct {
	s        *Server
	key      *rsa.PrivateKey
	kid      string
	poolID   string
	clientID string
	issuer   string
}

func newTokenIssuer(s *Server) (*tokenIssuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("appsynctest: generating the token signing key: %w", err)
	}
	ti := &tokenIssuer{s: s, key: key, kid: randomHex(16)}
	ti.poolID = s.region + "_appsynctest"
	ti.clientID = "appsynctestclient"
	if a := s.outputs.Auth; a != nil {
		if a.UserPoolID != "" {
			ti.poolID = a.UserPoolID
		}
		if a.UserPoolClientID != "" {
			ti.clientID = a.UserPoolClientID
		}
	}
	// AppSync accepts tokens of the user pool it is configured with, whose
	// issuer is Cognito's URL for the pool.
	ti.issuer = "https://cognito-idp." + s.region + ".amazonaws.com/" + ti.poolID
	return ti, nil
}

// jwksPath is where the server serves the pool's public keys, as Cognito
// serves them at <issuer>/.well-known/jwks.json.
func (ti *tokenIssuer) jwksPath() string { return "/" + ti.poolID + "/.well-known/jwks.json" }

// jwks returns the JSON Web Key Set with the signing key.
func (ti *tokenIssuer) jwks() []byte {
	pub := ti.key.PublicKey
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"alg": "RS256", "e": b64(big.NewInt(int64(pub.E)).Bytes()), "kid": ti.kid,
		"kty": "RSA", "n": b64(pub.N.Bytes()), "use": "sig",
	}}})
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// user is a user of the pool.
type user struct {
	username string
	sub      string
	groups   []string
}

// issue returns a token of the given use ("access" or "id") for u, valid
// from now for the server's token lifetime.
func (ti *tokenIssuer) issue(u *user, use string) (string, time.Time) {
	now := ti.s.now()
	exp := now.Add(ti.s.cfg.tokenTTL)
	claims := map[string]any{
		"sub":        u.sub,
		"iss":        ti.issuer,
		"token_use":  use,
		"auth_time":  now.Unix(),
		"iat":        now.Unix(),
		"exp":        exp.Unix(),
		"jti":        newUUID(),
		"origin_jti": newUUID(),
		"event_id":   newUUID(),
	}
	if len(u.groups) > 0 {
		claims["cognito:groups"] = u.groups
	}
	if use == "access" {
		claims["client_id"] = ti.clientID
		claims["scope"] = "aws.cognito.signin.user.admin"
		claims["username"] = u.username
	} else {
		claims["aud"] = ti.clientID
		claims["cognito:username"] = u.username
	}
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": ti.kid})
	payload, _ := json.Marshal(claims)
	signing := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, ti.key, crypto.SHA256, sum[:])
	return signing + "." + b64(sig), exp
}

// verify checks a token as AppSync checks a Cognito user pool token: the
// signature, the issuer, the expiry, the token use and the app client.
func (ti *tokenIssuer) verify(token string) (map[string]any, *requestError) {
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errBadToken
	}
	var header struct {
		Alg, Kid string
	}
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "RS256" || header.Kid != ti.kid {
		return nil, errBadToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errBadToken
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&ti.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return nil, errBadToken
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, errBadToken
	}
	if iss, _ := claims["iss"].(string); iss != ti.issuer {
		return nil, errBadToken
	}
	exp, ok := claims["exp"].(json.Number)
	if !ok {
		return nil, errBadToken
	}
	expUnix, err := exp.Int64()
	if err != nil {
		return nil, errBadToken
	}
	if !ti.s.now().Before(time.Unix(expUnix, 0)) {
		return nil, errExpired
	}
	switch claims["token_use"] {
	case "access":
		if claims["client_id"] != ti.clientID {
			return nil, errBadToken
		}
	case "id":
		if claims["aud"] != ti.clientID {
			return nil, errBadToken
		}
	default:
		return nil, errBadToken
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	x, err := value.Decode(b)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(x)
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	return dec.Decode(v)
}

// SignIn signs a user of the server's user pool in and returns their
// session, a client.TokenSource for client.WithUserPool. The user is
// created on first sign-in, with a random sub that stays the same for the
// server's life, and is added to groups (as an administrator would before
// the sign-in). The session's tokens carry the groups the user is in when
// it signs in; a later change (UserPool().AdminAddUserToGroup) shows in the
// tokens of the next sign-in, as with Cognito.
func (s *Server) SignIn(username string, groups ...string) *Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(username)
	for _, g := range groups {
		if !slices.Contains(u.groups, g) {
			u.groups = append(u.groups, g)
		}
	}
	cp := user{username: u.username, sub: u.sub, groups: slices.Clone(u.groups)}
	return &Session{s: s, user: &cp}
}

// userLocked returns the user, creating it (the caller holds s.mu).
func (s *Server) userLocked(username string) *user {
	u := s.users[username]
	if u == nil {
		u = &user{username: username, sub: newUUID()}
		s.users[username] = u
	}
	return u
}

// Session is a signed-in user. Its Token method supplies the access token
// (client.TokenSource), issuing a new one when the last has expired, as a
// token source that refreshes does.
type Session struct {
	s    *Server
	user *user

	mu      sync.Mutex
	access  string
	expires time.Time
}

// Token returns a valid access token.
func (t *Session) Token(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !t.s.data.HasMode(schema.AuthUserPools) {
		return "", errors.New("appsynctest: the API has no AMAZON_COGNITO_USER_POOLS authorization mode, so it accepts no user pool tokens: add a userPool mode to defineData, or sign requests another way")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.access == "" || !t.s.now().Before(t.expires.Add(-time.Minute)) {
		t.access, t.expires = t.s.tokens.issue(t.user, "access")
	}
	return t.access, nil
}

// IDToken returns a new ID token of the user (AppSync accepts those too).
func (t *Session) IDToken() string {
	tok, _ := t.s.tokens.issue(t.user, "id")
	return tok
}

// Username returns the user's name.
func (t *Session) Username() string { return t.user.username }

// Sub returns the user's sub (their stable ID).
func (t *Session) Sub() string { return t.user.sub }

// Groups returns the groups the session's tokens carry.
func (t *Session) Groups() []string { return append([]string(nil), t.user.groups...) }

// Owner returns the value Amplify stores in an owner field for the user:
// "<sub>::<username>".
func (t *Session) Owner() string { return t.user.sub + "::" + t.user.username }

// JWKSURL returns the URL of the user pool's JSON Web Key Set, for code
// that verifies the server's tokens itself.
func (s *Server) JWKSURL() string {
	return strings.TrimSuffix(s.url, "/graphql") + s.tokens.jwksPath()
}

// Issuer returns the iss claim of the server's tokens: Cognito's URL for
// the user pool of the outputs.
func (s *Server) Issuer() string { return s.tokens.issuer }
