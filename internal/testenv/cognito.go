package testenv

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Region is the region the Cognito client is configured with.
const Region = "us-east-1"

// startTimeout bounds how long StartCognito waits for cognito-local.
const startTimeout = 60 * time.Second

// Cognito is a running cognito-local with one user pool and one app client.
type Cognito struct {
	// Endpoint is the base URL, e.g. "http://127.0.0.1:41234".
	Endpoint string
	// Client is a Cognito client pointed at Endpoint (no retries).
	Client *cip.Client
	// PoolID is the ID of the user pool created at start.
	PoolID string
	// ClientID is the ID of the app client created at start; it allows
	// USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH and ADMIN_USER_PASSWORD_AUTH.
	ClientID string

	jwksMu sync.Mutex
	jwks   map[string]*rsa.PublicKey
}

// NewClient returns a Cognito client for endpoint with static dummy
// credentials, region us-east-1 and a single attempt per call. It does not
// use config.LoadDefaultConfig, which breaks on this machine's AWS_CA_BUNDLE.
func NewClient(endpoint string) *cip.Client {
	cfg := aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTESTENV", "testenv-secret", ""),
	}
	return cip.NewFromConfig(cfg, func(o *cip.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.RetryMaxAttempts = 1
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartCognito starts cognito-local on a free 127.0.0.1 port with a fresh
// temporary data folder, waits until it answers, and creates a user pool
// (plain usernames, no username attributes) and an app client. The process
// group is killed and waited for at test cleanup; its output is logged only
// if the test failed.
func StartCognito(t testing.TB) *Cognito {
	t.Helper()
	requireNode(t, "cognito-local")
	c, err := startCognito(t)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return c
}

// startCognito is StartCognito after requireNode. It returns its failure
// instead of failing t, and only logs to t and registers cleanups, so that
// it may run in another goroutine than the test's (see StartStack).
func startCognito(t testing.TB) (*Cognito, error) {
	dir := NodeDir()
	if err := ensureNPM(t, dir); err != nil {
		return nil, err
	}
	start := time.Now()

	// Not t.TempDir, which calls t.Fatal when it fails.
	work, err := os.MkdirTemp("", "testenv-cognito-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = os.RemoveAll(work) })
	if err := os.MkdirAll(filepath.Join(work, ".cognito"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, ".cognito", "config.json"),
		[]byte(`{"UserPoolDefaults":{"UsernameAttributes":[]}}`), 0o644); err != nil {
		return nil, err
	}

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command("node", filepath.Join(dir, "node_modules", "cognito-local", "lib", "bin", "start.js"))
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "HOST=127.0.0.1", "PORT="+strconv.Itoa(port), "NO_COLOR=1", "FORCE_COLOR=0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &lockedBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting cognito-local: %w", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		// Negative pid: the whole process group started above.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Errorf("testenv: cognito-local (pid %d) did not exit after SIGKILL", cmd.Process.Pid)
		}
		if t.Failed() {
			t.Logf("testenv: cognito-local output:\n%s", out.String())
		}
	})

	httpc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := httpc.Get(endpoint + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("cognito-local exited before answering (%v); output:\n%s", waitErr, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("cognito-local did not answer on %s within %s; output:\n%s", endpoint, startTimeout, out.String())
		}
	}

	c := &Cognito{Endpoint: endpoint, Client: NewClient(endpoint)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := c.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("testenv")})
	if err != nil {
		return nil, fmt.Errorf("cognito-local: CreateUserPool: %w", err)
	}
	c.PoolID = aws.ToString(pool.UserPool.Id)
	app, err := c.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(c.PoolID),
		ClientName: aws.String("testenv"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
			types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("cognito-local: CreateUserPoolClient: %w", err)
	}
	c.ClientID = aws.ToString(app.UserPoolClient.ClientId)
	t.Logf("testenv: cognito-local ready on %s (pool %s) in %s", endpoint, c.PoolID, time.Since(start).Round(time.Millisecond))
	return c, nil
}

// Issuer is the "iss" claim of the pool's tokens.
func (c *Cognito) Issuer() string { return c.Endpoint + "/" + c.PoolID }

// CreateGroup creates a group in the pool.
func (c *Cognito) CreateGroup(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Client.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(c.PoolID), GroupName: aws.String(name)}); err != nil {
		t.Fatalf("testenv: CreateGroup %q: %v", name, err)
	}
}

// CreateUser creates a confirmed user with a permanent password, adds it to
// the given (existing) groups, and returns its sub.
func (c *Cognito) CreateUser(t testing.TB, username, password string, groups ...string) (sub string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := c.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:    aws.String(c.PoolID),
		Username:      aws.String(username),
		MessageAction: types.MessageActionTypeSuppress,
	})
	if err != nil {
		t.Fatalf("testenv: AdminCreateUser %q: %v", username, err)
	}
	for _, a := range out.User.Attributes {
		if aws.ToString(a.Name) == "sub" {
			sub = aws.ToString(a.Value)
		}
	}
	if sub == "" {
		t.Fatalf("testenv: AdminCreateUser %q returned no sub", username)
	}
	if _, err := c.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(c.PoolID),
		Username:   aws.String(username),
		Password:   aws.String(password),
		Permanent:  true,
	}); err != nil {
		t.Fatalf("testenv: AdminSetUserPassword %q: %v", username, err)
	}
	for _, g := range groups {
		c.AddUserToGroup(t, username, g)
	}
	return sub
}

// AddUserToGroup adds an existing user to an existing group. The
// cognito:groups claim reflects it from the next sign-in.
func (c *Cognito) AddUserToGroup(t testing.TB, username, group string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(c.PoolID), Username: aws.String(username), GroupName: aws.String(group),
	}); err != nil {
		t.Fatalf("testenv: AdminAddUserToGroup %q %q: %v", username, group, err)
	}
}

// SignIn signs username in with USER_PASSWORD_AUTH and returns the result.
func (c *Cognito) SignIn(t testing.TB, username, password string) *types.AuthenticationResultType {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := c.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(c.ClientID),
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("testenv: InitiateAuth %q: %v", username, err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("testenv: InitiateAuth %q: challenge %s instead of tokens", username, out.ChallengeName)
	}
	return out.AuthenticationResult
}

// Groups signs username in and returns the cognito:groups claim of the new
// ID token, verified against the pool's JWKS: the groups the user's next
// session carries.
func (c *Cognito) Groups(t testing.TB, username, password string) []string {
	t.Helper()
	res := c.SignIn(t, username, password)
	if res.IdToken == nil {
		t.Fatalf("testenv: sign-in of %q returned no ID token", username)
	}
	claims, err := c.VerifyJWT(*res.IdToken)
	if err != nil {
		t.Fatalf("testenv: ID token of %q: %v", username, err)
	}
	raw, _ := claims["cognito:groups"].([]any)
	groups := make([]string, 0, len(raw))
	for _, g := range raw {
		name, ok := g.(string)
		if !ok {
			t.Fatalf("testenv: cognito:groups of %q holds %T, want strings", username, g)
		}
		groups = append(groups, name)
	}
	return groups
}

// JWKS fetches the pool's signing keys from /<poolId>/.well-known/jwks.json,
// keyed by kid.
func (c *Cognito) JWKS(t testing.TB) map[string]*rsa.PublicKey {
	t.Helper()
	keys, err := c.fetchJWKS()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return keys
}

func (c *Cognito) fetchJWKS() (map[string]*rsa.PublicKey, error) {
	c.jwksMu.Lock()
	defer c.jwksMu.Unlock()
	if c.jwks != nil {
		return c.jwks, nil
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(c.Issuer() + "/.well-known/jwks.json")
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching JWKS: HTTP %d", resp.StatusCode)
	}
	var doc struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("decoding JWKS: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("JWKS key %q is malformed", k.Kid)
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS has no RSA keys")
	}
	c.jwks = keys
	return keys, nil
}

// VerifyJWT checks that token is an RS256 JWT signed by one of the pool's
// JWKS keys, not expired, and issued by this pool, and returns its claims.
func (c *Cognito) VerifyJWT(token string) (claims map[string]any, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("jwt: not three dot-separated parts")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("jwt header: %w", err)
	}
	if header.Alg != "RS256" {
		return nil, fmt.Errorf("jwt: alg %q, want RS256", header.Alg)
	}
	keys, err := c.fetchJWKS()
	if err != nil {
		return nil, err
	}
	key, ok := keys[header.Kid]
	if !ok {
		return nil, fmt.Errorf("jwt: unknown kid %q", header.Kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("jwt signature: %w", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return nil, fmt.Errorf("jwt: bad signature: %w", err)
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("jwt payload: %w", err)
	}
	exp, ok := claims["exp"].(float64)
	if !ok {
		return nil, errors.New("jwt: no exp claim")
	}
	if time.Now().After(time.Unix(int64(exp), 0)) {
		return nil, fmt.Errorf("jwt: expired at %s", time.Unix(int64(exp), 0).UTC())
	}
	if iss, _ := claims["iss"].(string); iss != c.Issuer() {
		return nil, fmt.Errorf("jwt: iss %q, want %q", iss, c.Issuer())
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
