// Package fakecognito is a test double of the Cognito user-pools API on
// loopback (httptest), speaking the same JSON protocol (awsJson1_1,
// X-Amz-Target: AWSCognitoIdentityProviderService.<Op>) as Cognito, so that
// tests drive it through the real aws-sdk-go-v2 client. It covers what
// cognito-local does not: USER_SRP_AUTH with a real verifier check
// (PASSWORD_VERIFIER), SECRET_HASH, the MFA and custom challenges, and
// GetTokensFromRefreshToken with refresh token rotation.
//
// Its error codes and messages are Cognito's where Cognito documents them
// (NotAuthorizedException "Incorrect username or password.",
// CodeMismatchException, ...). Tokens are JWTs signed with HS256 and a
// random key: good for reading claims, not for verifying.
package fakecognito

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Region is the region of the default pool ID and of the clients.
const Region = "us-east-1"

// timestampLayout is the TIMESTAMP form of PASSWORD_VERIFIER.
const timestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// Options configures a Server.
type Options struct {
	// PoolID is the user pool ID; default "us-east-1_FakePool1".
	PoolID string
	// ClientID is the app client ID; default "fakeclient1".
	ClientID string
	// ClientSecret, when set, makes the app client one with a secret:
	// requests need SECRET_HASH (GetTokensFromRefreshToken: ClientSecret).
	ClientSecret string
	// RefreshTokenRotation enables rotation: GetTokensFromRefreshToken
	// returns a new refresh token and invalidates the one used (no grace
	// period), and REFRESH_TOKEN_AUTH is refused, as Cognito documents.
	RefreshTokenRotation bool
	// TokenTTL is the lifetime of ID and access tokens; default one hour.
	TokenTTL time.Duration
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// BeforeOp, when set, is called with the operation's name before the
	// server handles a request (outside its lock): tests block in it.
	BeforeOp func(op string)
}

// User is a user of the pool.
type User struct {
	// Username is the user's internal name (USER_ID_FOR_SRP).
	Username string
	// Alias is another name to sign in with (an email address), or "".
	Alias string
	// Password is the user's password; the server keeps only its SRP
	// verifier and, for USER_PASSWORD_AUTH, its hash.
	Password string
	// Challenges are the challenges, in order, Cognito asks after the
	// password: "NEW_PASSWORD_REQUIRED", "SMS_MFA", "SOFTWARE_TOKEN_MFA",
	// "EMAIL_OTP", "SELECT_MFA_TYPE" (then the chosen one), "MFA_SETUP",
	// "CUSTOM_CHALLENGE", "DEVICE_SRP_AUTH" (never answerable here).
	Challenges []string
	// Code is the right answer to the MFA challenges and CUSTOM_CHALLENGE.
	Code string
}

type user struct {
	name, alias, sub string
	salt, verifier   *big.Int
	passwordHash     [32]byte
	challenges       []string
	code             string
}

// session is the state behind one challenge's Session string.
type session struct {
	user      *user
	challenge string
	rest      []string // challenges still to come
	// PASSWORD_VERIFIER
	A, B, b     *big.Int
	secretBlock []byte
	// MFA_SETUP
	totpVerified bool
}

type refreshEntry struct {
	user    *user
	revoked bool
}

// Call is one request the server received.
type Call struct {
	Op   string
	Body map[string]any
}

// Server is the running double.
type Server struct {
	// URL is the endpoint, for cognitoidentityprovider.Options.BaseEndpoint.
	URL string
	// PoolID, ClientID and ClientSecret are the pool's and its app client's.
	PoolID, ClientID, ClientSecret string

	srv      *httptest.Server
	opts     Options
	poolName string
	jwtKey   []byte

	mu       sync.Mutex
	users    map[string]*user // by name and by alias
	sessions map[string]*session
	refresh  map[string]*refreshEntry
	calls    []Call
	serial   int
}

// New starts a Server on 127.0.0.1, closed at the test's cleanup.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s := Start(opts)
	t.Cleanup(s.Close)
	return s
}

// Start starts a Server on 127.0.0.1; Close stops it.
func Start(opts Options) *Server {
	if opts.PoolID == "" {
		opts.PoolID = Region + "_FakePool1"
	}
	if opts.ClientID == "" {
		opts.ClientID = "fakeclient1"
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	_, poolName, _ := strings.Cut(opts.PoolID, "_")
	s := &Server{
		PoolID: opts.PoolID, ClientID: opts.ClientID, ClientSecret: opts.ClientSecret,
		opts: opts, poolName: poolName, jwtKey: randomBytes(32),
		users: map[string]*user{}, sessions: map[string]*session{}, refresh: map[string]*refreshEntry{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Client returns an SDK client for the server: no retries, dummy
// credentials (the sign-in operations are unsigned anyway).
func (s *Server) Client() *cip.Client {
	return cip.New(cip.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDFAKECOGNITO", "fake-secret", ""),
		RetryMaxAttempts: 1,
	})
}

// Issuer is the iss claim of the tokens, as Cognito writes it.
func (s *Server) Issuer() string {
	return "https://cognito-idp." + Region + ".amazonaws.com/" + s.PoolID
}

// AddUser adds a confirmed user, and returns its sub.
func (s *Server) AddUser(u User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	nu := &user{name: u.Username, alias: u.Alias, sub: uuid(), challenges: slices.Clone(u.Challenges), code: u.Code}
	nu.setPassword(s.poolName, u.Password)
	s.users[u.Username] = nu
	if u.Alias != "" {
		s.users[u.Alias] = nu
	}
	return nu.sub
}

func (u *user) setPassword(poolName, password string) {
	u.salt = new(big.Int).SetBytes(randomBytes(16))
	u.verifier = Verifier(poolName, u.name, password, u.salt)
	u.passwordHash = sha256.Sum256([]byte(password))
}

// RevokeRefreshToken makes a refresh token invalid, as RevokeToken does.
func (s *Server) RevokeRefreshToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.refresh[token]; ok {
		e.revoked = true
	}
}

// Calls returns the requests received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallCount counts the calls of one operation.
func (s *Server) CallCount(op string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Op == op {
			n++
		}
	}
	return n
}

// apiError is an error reply in Cognito's JSON form.
type apiError struct {
	code, message string
}

func fail(code, format string, args ...any) *apiError {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "AWSCognitoIdentityProviderService."
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, prefix)
	if r.Method != http.MethodPost || !ok {
		writeError(w, http.StatusBadRequest, fail("UnknownOperationException", "not a Cognito user-pools request"))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeError(w, http.StatusBadRequest, fail("SerializationException", "Content-Type %q", ct))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, fail("SerializationException", "reading body: %v", err))
		return
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		writeError(w, http.StatusBadRequest, fail("SerializationException", "body is not JSON"))
		return
	}
	var in request
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
	case "InitiateAuth":
		out, aerr = s.initiateAuth(&in)
	case "RespondToAuthChallenge":
		out, aerr = s.respondToAuthChallenge(&in)
	case "GetTokensFromRefreshToken":
		out, aerr = s.getTokensFromRefreshToken(&in)
	case "AssociateSoftwareToken":
		out, aerr = s.associateSoftwareToken(&in)
	case "VerifySoftwareToken":
		out, aerr = s.verifySoftwareToken(&in)
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

func writeError(w http.ResponseWriter, status int, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.code, "message": e.message})
}

type request struct {
	AuthFlow           string
	ClientId           string
	ClientSecret       string
	AuthParameters     map[string]string
	ChallengeName      string
	ChallengeResponses map[string]string
	Session            string
	RefreshToken       string
	UserCode           string
}

type authResult struct {
	AccessToken  string
	IdToken      string
	RefreshToken string `json:",omitempty"`
	ExpiresIn    int
	TokenType    string
}

type authOutput struct {
	AuthenticationResult *authResult       `json:",omitempty"`
	ChallengeName        string            `json:",omitempty"`
	ChallengeParameters  map[string]string `json:",omitempty"`
	Session              string            `json:",omitempty"`
}

func (s *Server) checkClient(id string) *apiError {
	if id != s.ClientID {
		return fail("ResourceNotFoundException", "User pool client %s does not exist.", id)
	}
	return nil
}

// checkSecretHash checks SECRET_HASH for username, when the client has a secret.
func (s *Server) checkSecretHash(params map[string]string, username string) *apiError {
	if s.ClientSecret == "" {
		return nil
	}
	got := params["SECRET_HASH"]
	if got == "" {
		return fail("NotAuthorizedException", "Client %s is configured with secret but SECRET_HASH was not received", s.ClientID)
	}
	want := base64.StdEncoding.EncodeToString(hmacSHA256([]byte(s.ClientSecret), []byte(username+s.ClientID)))
	if !hmac.Equal([]byte(got), []byte(want)) {
		return fail("NotAuthorizedException", "Unable to verify secret hash for client %s", s.ClientID)
	}
	return nil
}

func (s *Server) lookup(name string) (*user, *apiError) {
	u, ok := s.users[name]
	if !ok {
		return nil, fail("UserNotFoundException", "User does not exist.")
	}
	return u, nil
}

func (s *Server) initiateAuth(in *request) (any, *apiError) {
	if e := s.checkClient(in.ClientId); e != nil {
		return nil, e
	}
	p := in.AuthParameters
	switch in.AuthFlow {
	case "USER_PASSWORD_AUTH":
		u, e := s.lookup(p["USERNAME"])
		if e != nil {
			return nil, e
		}
		if e := s.checkSecretHash(p, p["USERNAME"]); e != nil {
			return nil, e
		}
		if h := sha256.Sum256([]byte(p["PASSWORD"])); !hmac.Equal(h[:], u.passwordHash[:]) {
			return nil, fail("NotAuthorizedException", "Incorrect username or password.")
		}
		return s.next(u, u.challenges), nil

	case "USER_SRP_AUTH":
		u, e := s.lookup(p["USERNAME"])
		if e != nil {
			return nil, e
		}
		if e := s.checkSecretHash(p, p["USERNAME"]); e != nil {
			return nil, e
		}
		A, ok := new(big.Int).SetString(p["SRP_A"], 16)
		if !ok || new(big.Int).Mod(A, N).Sign() == 0 {
			return nil, fail("InvalidParameterException", "SRP_A is missing or invalid")
		}
		b := new(big.Int).SetBytes(randomBytes(128))
		sess := &session{user: u, challenge: "PASSWORD_VERIFIER", rest: u.challenges,
			A: A, b: b, B: ServerB(u.verifier, b), secretBlock: randomBytes(64)}
		id := s.newSession(sess)
		return authOutput{
			ChallengeName: "PASSWORD_VERIFIER",
			Session:       id,
			ChallengeParameters: map[string]string{
				"SALT":            u.salt.Text(16),
				"SECRET_BLOCK":    base64.StdEncoding.EncodeToString(sess.secretBlock),
				"SRP_B":           sess.B.Text(16),
				"USERNAME":        u.name,
				"USER_ID_FOR_SRP": u.name,
			},
		}, nil

	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if s.opts.RefreshTokenRotation {
			return nil, fail("InvalidParameterException", "Refresh token rotation is enabled for this app client: REFRESH_TOKEN_AUTH is not allowed; use GetTokensFromRefreshToken")
		}
		e, ok := s.refresh[p["REFRESH_TOKEN"]]
		if !ok || e.revoked {
			return nil, fail("NotAuthorizedException", "Invalid Refresh Token")
		}
		if s.ClientSecret != "" {
			if err := s.checkSecretHash(p, p["USERNAME"]); err != nil {
				return nil, err
			}
		}
		res := s.tokens(e.user, false)
		return authOutput{AuthenticationResult: res}, nil
	}
	return nil, fail("InvalidParameterException", "fakecognito does not implement AuthFlow %q", in.AuthFlow)
}

func (s *Server) newSession(sess *session) string {
	id := base64.RawURLEncoding.EncodeToString(randomBytes(48))
	s.sessions[id] = sess
	return id
}

// next returns the next challenge of rest, or tokens when none is left.
func (s *Server) next(u *user, rest []string) authOutput {
	if len(rest) == 0 {
		return authOutput{AuthenticationResult: s.tokens(u, true)}
	}
	name := rest[0]
	id := s.newSession(&session{user: u, challenge: name, rest: rest[1:]})
	params := map[string]string{"USER_ID_FOR_SRP": u.name}
	switch name {
	case "NEW_PASSWORD_REQUIRED":
		params["requiredAttributes"] = "[]"
		params["userAttributes"] = `{"email_verified":"true"}`
	case "SMS_MFA":
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "SMS"
		params["CODE_DELIVERY_DESTINATION"] = "+*******0100"
	case "EMAIL_OTP":
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "EMAIL"
		params["CODE_DELIVERY_DESTINATION"] = "a***@e***"
	case "SELECT_MFA_TYPE":
		params["MFAS_CAN_CHOOSE"] = `["SMS_MFA","SOFTWARE_TOKEN_MFA"]`
	case "MFA_SETUP":
		params["MFAS_CAN_SETUP"] = `["SOFTWARE_TOKEN_MFA"]`
	case "CUSTOM_CHALLENGE":
		params["question"] = "what is the code?"
	}
	return authOutput{ChallengeName: name, Session: id, ChallengeParameters: params}
}

func (s *Server) respondToAuthChallenge(in *request) (any, *apiError) {
	if e := s.checkClient(in.ClientId); e != nil {
		return nil, e
	}
	sess, ok := s.sessions[in.Session]
	if !ok {
		return nil, fail("NotAuthorizedException", "Invalid session for the user.")
	}
	if in.ChallengeName != sess.challenge {
		return nil, fail("InvalidParameterException", "Invalid challenge name %s for the session (expected %s).", in.ChallengeName, sess.challenge)
	}
	r := in.ChallengeResponses
	u := sess.user
	if r["USERNAME"] != u.name {
		return nil, fail("NotAuthorizedException", "Incorrect username or password.")
	}
	if e := s.checkSecretHash(r, u.name); e != nil {
		return nil, e
	}
	rest := sess.rest
	switch sess.challenge {
	case "PASSWORD_VERIFIER":
		delete(s.sessions, in.Session) // one proof per session
		if e := s.checkClaim(sess, r); e != nil {
			return nil, e
		}
	case "NEW_PASSWORD_REQUIRED":
		if r["NEW_PASSWORD"] == "" {
			return nil, fail("InvalidParameterException", "Missing required parameter NEW_PASSWORD")
		}
		u.setPassword(s.poolName, r["NEW_PASSWORD"])
		u.challenges = slices.DeleteFunc(slices.Clone(u.challenges), func(c string) bool { return c == "NEW_PASSWORD_REQUIRED" })
	case "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP":
		key := map[string]string{"SMS_MFA": "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE"}[sess.challenge]
		if r[key] == "" {
			return nil, fail("InvalidParameterException", "Missing required parameter %s", key)
		}
		if r[key] != u.code {
			return nil, fail("CodeMismatchException", "Invalid code received for user")
		}
	case "SELECT_MFA_TYPE":
		switch r["ANSWER"] {
		case "SMS_MFA", "SOFTWARE_TOKEN_MFA":
			rest = append([]string{r["ANSWER"]}, rest...)
		default:
			return nil, fail("InvalidParameterException", "ANSWER must be one of MFAS_CAN_CHOOSE")
		}
	case "CUSTOM_CHALLENGE":
		if r["ANSWER"] != u.code {
			// Cognito's custom flow decides per Lambda; the double refuses.
			return nil, fail("NotAuthorizedException", "Incorrect username or password.")
		}
	case "MFA_SETUP":
		if !sess.totpVerified {
			return nil, fail("InvalidParameterException", "MFA_SETUP: call AssociateSoftwareToken and VerifySoftwareToken with the session first")
		}
	default:
		return nil, fail("InvalidParameterException", "fakecognito cannot answer %s", sess.challenge)
	}
	delete(s.sessions, in.Session)
	return s.next(u, rest), nil
}

// checkClaim verifies PASSWORD_CLAIM_SIGNATURE against the user's verifier.
func (s *Server) checkClaim(sess *session, r map[string]string) *apiError {
	block, err := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SECRET_BLOCK"])
	if err != nil || !hmac.Equal(block, sess.secretBlock) {
		return fail("NotAuthorizedException", "Incorrect username or password.")
	}
	ts, err := time.Parse(timestampLayout, r["TIMESTAMP"])
	if err != nil {
		return fail("InvalidParameterException", "TIMESTAMP %q is not in the form %q", r["TIMESTAMP"], timestampLayout)
	}
	if d := s.opts.Now().Sub(ts); d > 5*time.Minute || d < -5*time.Minute {
		return fail("NotAuthorizedException", "Incorrect username or password.")
	}
	sig, err := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SIGNATURE"])
	if err != nil {
		return fail("NotAuthorizedException", "Incorrect username or password.")
	}
	_, key := ServerKey(sess.A, sess.B, sess.user.verifier, sess.b)
	if !hmac.Equal(sig, Claim(key, s.poolName, sess.user.name, sess.secretBlock, r["TIMESTAMP"])) {
		return fail("NotAuthorizedException", "Incorrect username or password.")
	}
	return nil
}

func (s *Server) associateSoftwareToken(in *request) (any, *apiError) {
	sess, ok := s.sessions[in.Session]
	if !ok || sess.challenge != "MFA_SETUP" {
		return nil, fail("NotAuthorizedException", "Invalid session for the user.")
	}
	delete(s.sessions, in.Session)
	return map[string]string{"SecretCode": "JBSWY3DPEHPK3PXP", "Session": s.newSession(sess)}, nil
}

func (s *Server) verifySoftwareToken(in *request) (any, *apiError) {
	sess, ok := s.sessions[in.Session]
	if !ok || sess.challenge != "MFA_SETUP" {
		return nil, fail("NotAuthorizedException", "Invalid session for the user.")
	}
	if in.UserCode != sess.user.code {
		return nil, fail("EnableSoftwareTokenMFAException", "Code mismatch")
	}
	delete(s.sessions, in.Session)
	sess.totpVerified = true
	return map[string]string{"Status": "SUCCESS", "Session": s.newSession(sess)}, nil
}

func (s *Server) getTokensFromRefreshToken(in *request) (any, *apiError) {
	if e := s.checkClient(in.ClientId); e != nil {
		return nil, e
	}
	if s.ClientSecret != "" && !hmac.Equal([]byte(in.ClientSecret), []byte(s.ClientSecret)) {
		return nil, fail("NotAuthorizedException", "Unable to verify secret for client %s", s.ClientID)
	}
	e, ok := s.refresh[in.RefreshToken]
	if !ok || e.revoked {
		return nil, fail("NotAuthorizedException", "Invalid Refresh Token")
	}
	res := s.tokens(e.user, s.opts.RefreshTokenRotation)
	if s.opts.RefreshTokenRotation {
		e.revoked = true
	}
	return authOutput{AuthenticationResult: res}, nil
}

// tokens issues ID and access tokens, and a refresh token if withRefresh.
func (s *Server) tokens(u *user, withRefresh bool) *authResult {
	s.serial++
	now := s.opts.Now()
	exp := now.Add(s.opts.TokenTTL).Unix()
	common := map[string]any{"sub": u.sub, "iss": s.Issuer(), "exp": exp, "iat": now.Unix(), "auth_time": now.Unix(), "n": s.serial}
	id := map[string]any{"token_use": "id", "aud": s.ClientID, "cognito:username": u.name}
	access := map[string]any{"token_use": "access", "client_id": s.ClientID, "username": u.name, "scope": "aws.cognito.signin.user.admin"}
	for k, v := range common {
		id[k], access[k] = v, v
	}
	if u.alias != "" {
		id["email"] = u.alias
	}
	r := &authResult{AccessToken: s.jwt(access), IdToken: s.jwt(id), ExpiresIn: int(s.opts.TokenTTL / time.Second), TokenType: "Bearer"}
	if withRefresh {
		r.RefreshToken = fmt.Sprintf("fake-refresh-%d-%s", s.serial, hex.EncodeToString(randomBytes(8)))
		s.refresh[r.RefreshToken] = &refreshEntry{user: u}
	}
	return r
}

func (s *Server) jwt(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT","kid":"fakecognito"}`))
	b, _ := json.Marshal(claims)
	p := base64.RawURLEncoding.EncodeToString(b)
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(hmacSHA256(s.jwtKey, []byte(h+"."+p)))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func uuid() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
