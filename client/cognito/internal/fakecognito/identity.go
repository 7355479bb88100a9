package fakecognito

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
)

// IdentityOptions configures an IdentityServer.
type IdentityOptions struct {
	// PoolID is the identity pool ID; default "us-east-1:00000000-0000-4000-8000-000000000001".
	PoolID string
	// UserPool is the user pool the identity pool trusts as its
	// authentication provider: ID tokens in Logins must be its, under the key
	// cognito-idp.<region>.amazonaws.com/<pool ID>, signed by it, for its app
	// client, unexpired. Nil: no authenticated identities.
	UserPool *Server
	// NoGuests refuses unauthenticated identities, as an identity pool
	// without guest access does.
	NoGuests bool
	// CredentialsTTL is the credentials' lifetime; default one hour.
	CredentialsTTL time.Duration
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// BeforeOp, when set, is called with the operation's name before the
	// server handles a request (outside its lock).
	BeforeOp func(op string)
}

// Role names the role of issued credentials.
type Role string

// The roles of an identity pool.
const (
	Guest         Role = "unauthenticated"
	Authenticated Role = "authenticated"
)

// Issued is a set of credentials the server handed out.
type Issued struct {
	AccessKeyID, SecretKey, SessionToken string
	IdentityID                           string
	Role                                 Role
	Expiration                           time.Time
}

type identity struct {
	id  string
	sub string // "" for a guest identity
}

// IdentityServer is a test double of the Cognito identity-pools API
// (awsJson1_1, X-Amz-Target: AWSCognitoIdentityService.<Op>): GetId and
// GetCredentialsForIdentity.
type IdentityServer struct {
	// URL is the endpoint, for cognitoidentity.Options.BaseEndpoint.
	URL string
	// PoolID is the identity pool ID.
	PoolID string

	srv  *httptest.Server
	opts IdentityOptions

	mu         sync.Mutex
	identities map[string]*identity // by identity ID
	bySub      map[string]*identity
	issued     map[string]Issued // by access key ID
	calls      []Call
}

// NewIdentity starts an IdentityServer on 127.0.0.1, closed at the test's cleanup.
func NewIdentity(t testing.TB, opts IdentityOptions) *IdentityServer {
	t.Helper()
	s := StartIdentity(opts)
	t.Cleanup(s.Close)
	return s
}

// StartIdentity starts an IdentityServer on 127.0.0.1; Close stops it.
func StartIdentity(opts IdentityOptions) *IdentityServer {
	if opts.PoolID == "" {
		opts.PoolID = Region + ":00000000-0000-4000-8000-000000000001"
	}
	if opts.CredentialsTTL == 0 {
		opts.CredentialsTTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &IdentityServer{PoolID: opts.PoolID, opts: opts,
		identities: map[string]*identity{}, bySub: map[string]*identity{}, issued: map[string]Issued{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *IdentityServer) Close() { s.srv.Close() }

// Client returns an SDK client for the server: no retries, no credentials
// (GetId and GetCredentialsForIdentity are unsigned).
func (s *IdentityServer) Client() *ci.Client {
	return ci.New(ci.Options{Region: Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1})
}

// ProviderName is the Logins key of the trusted user pool.
func (s *IdentityServer) ProviderName() string {
	if s.opts.UserPool == nil {
		return ""
	}
	return "cognito-idp." + Region + ".amazonaws.com/" + s.opts.UserPool.PoolID
}

// Calls returns the requests received so far.
func (s *IdentityServer) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallCount counts the calls of one operation.
func (s *IdentityServer) CallCount(op string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Issued returns the credentials issued for an access key ID.
func (s *IdentityServer) Issued(accessKeyID string) (Issued, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.issued[accessKeyID]
	return c, ok
}

// SecretKeys maps every issued access key ID to its secret key, as a SigV4
// verifier wants them.
func (s *IdentityServer) SecretKeys() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, c := range s.issued {
		out[k] = c.SecretKey
	}
	return out
}

// DeleteIdentity removes an identity, as DeleteIdentities does.
func (s *IdentityServer) DeleteIdentity(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ident, ok := s.identities[id]; ok {
		delete(s.identities, id)
		if ident.sub != "" {
			delete(s.bySub, ident.sub)
		}
	}
}

type identityRequest struct {
	IdentityPoolId string
	IdentityId     string
	AccountId      string
	Logins         map[string]string
}

func (s *IdentityServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityService.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, http.StatusBadRequest, fail("UnknownOperationException", "not a Cognito identity request"))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeError(w, http.StatusBadRequest, fail("SerializationException", "Content-Type %q", ct))
		return
	}
	body, err := io.ReadAll(r.Body)
	var raw map[string]any
	if err != nil || json.Unmarshal(body, &raw) != nil {
		writeError(w, http.StatusBadRequest, fail("SerializationException", "body is not JSON"))
		return
	}
	var in identityRequest
	_ = json.Unmarshal(body, &in)
	if s.opts.BeforeOp != nil {
		s.opts.BeforeOp(op)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Op: op, Body: raw})
	var out any
	var aerr *apiError
	switch op {
	case "GetId":
		out, aerr = s.getID(&in)
	case "GetCredentialsForIdentity":
		out, aerr = s.getCredentials(&in)
	default:
		aerr = fail("UnknownOperationException", "fakecognito does not implement %s", op)
	}
	if aerr != nil {
		writeError(w, http.StatusBadRequest, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// login checks Logins and returns the user's sub, or "" for none.
func (s *IdentityServer) login(logins map[string]string) (string, *apiError) {
	if len(logins) == 0 {
		return "", nil
	}
	if len(logins) != 1 || s.opts.UserPool == nil {
		return "", fail("NotAuthorizedException", "Invalid login token. Not a valid provider for this identity pool.")
	}
	token, ok := logins[s.ProviderName()]
	if !ok {
		return "", fail("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName")
	}
	claims, ok := s.opts.UserPool.verify(token)
	if !ok {
		return "", fail("NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token.")
	}
	if claims["token_use"] != "id" {
		return "", fail("NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token.")
	}
	if claims["aud"] != s.opts.UserPool.ClientID {
		return "", fail("NotAuthorizedException", "Invalid login token. Incorrect audience.")
	}
	if exp, _ := claims["exp"].(float64); s.opts.Now().Unix() >= int64(exp) {
		return "", fail("NotAuthorizedException", "Invalid login token. Token expired: ")
	}
	sub, _ := claims["sub"].(string)
	return sub, nil
}

func (s *IdentityServer) getID(in *identityRequest) (any, *apiError) {
	if in.IdentityPoolId != s.PoolID {
		return nil, fail("ResourceNotFoundException", "IdentityPool '%s' not found.", in.IdentityPoolId)
	}
	sub, e := s.login(in.Logins)
	if e != nil {
		return nil, e
	}
	if sub == "" {
		if s.opts.NoGuests {
			return nil, fail("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
		}
		ident := &identity{id: Region + ":" + uuid()}
		s.identities[ident.id] = ident
		return map[string]string{"IdentityId": ident.id}, nil
	}
	ident, ok := s.bySub[sub]
	if !ok {
		ident = &identity{id: Region + ":" + uuid(), sub: sub}
		s.identities[ident.id] = ident
		s.bySub[sub] = ident
	}
	return map[string]string{"IdentityId": ident.id}, nil
}

func (s *IdentityServer) getCredentials(in *identityRequest) (any, *apiError) {
	ident, ok := s.identities[in.IdentityId]
	if !ok {
		return nil, fail("ResourceNotFoundException", "Identity '%s' not found.", in.IdentityId)
	}
	sub, e := s.login(in.Logins)
	if e != nil {
		return nil, e
	}
	role := Guest
	switch {
	case ident.sub == "" && sub != "":
		return nil, fail("NotAuthorizedException", "Logins don't match. Please include at least one valid login for this identity or identity pool.")
	case ident.sub != "" && sub != ident.sub:
		return nil, fail("NotAuthorizedException", "Logins don't match. Please include at least one valid login for this identity or identity pool.")
	case ident.sub != "":
		role = Authenticated
	case s.opts.NoGuests:
		return nil, fail("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
	}
	c := Issued{
		AccessKeyID:  "ASIA" + strings.ToUpper(hex.EncodeToString(randomBytes(8))),
		SecretKey:    base64.RawStdEncoding.EncodeToString(randomBytes(30)),
		SessionToken: "fake-session-" + string(role) + "-" + base64.RawURLEncoding.EncodeToString(randomBytes(24)),
		IdentityID:   ident.id,
		Role:         role,
		Expiration:   s.opts.Now().Add(s.opts.CredentialsTTL).Truncate(time.Second),
	}
	s.issued[c.AccessKeyID] = c
	return map[string]any{
		"IdentityId": ident.id,
		"Credentials": map[string]any{
			"AccessKeyId":  c.AccessKeyID,
			"SecretKey":    c.SecretKey,
			"SessionToken": c.SessionToken,
			"Expiration":   c.Expiration.Unix(),
		},
	}, nil
}

// verify checks a token's HS256 signature with the user pool's key and
// returns its claims.
func (s *Server) verify(token string) (map[string]any, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, hmacSHA256(s.jwtKey, []byte(parts[0]+"."+parts[1]))) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	if json.Unmarshal(b, &claims) != nil || claims["iss"] != s.Issuer() {
		return nil, false
	}
	return maps.Clone(claims), true
}
