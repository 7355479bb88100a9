package appsynctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/go-amplify/data/internal/sigv4verify"
	"github.com/go-amplify/data/schema"
)

// identity is who made a request and how: $ctx.identity and
// $util.authType() of a resolver.
type identity struct {
	mode schema.AuthorizationType
	// User pools.
	claims   map[string]any
	sub      string
	username string
	issuer   string
	groups   []string
	// IAM.
	iam *iamPrincipal
	// sourceIP is the client's address.
	sourceIP string
}

// describe names the caller in logs (no secrets).
func (id *identity) describe() string {
	mode := string(id.mode)
	if ms := id.mode.Modes(); len(ms) > 0 {
		mode = string(ms[0])
	}
	switch id.mode {
	case schema.AuthIAM:
		return mode + ":" + id.iam.name
	case schema.AuthUserPools:
		return mode + ":" + id.username
	}
	return mode
}

// event returns $ctx.identity as AppSync builds it for the mode (null for
// API keys).
func (id *identity) event() any {
	switch id.mode {
	case schema.AuthUserPools:
		var groups any
		if len(id.groups) > 0 {
			groups = id.groups
		}
		var o value.Object
		o.Set("claims", id.claims)
		o.Set("defaultAuthStrategy", "ALLOW")
		o.Set("groups", groups)
		o.Set("issuer", id.issuer)
		o.Set("sourceIp", []string{id.sourceIP})
		o.Set("sub", id.sub)
		o.Set("username", id.username)
		return o
	case schema.AuthIAM:
		p := id.iam
		var o value.Object
		o.Set("accountId", p.accountID)
		o.Set("cognitoIdentityAuthProvider", nullIfEmpty(p.authProvider))
		o.Set("cognitoIdentityAuthType", nullIfEmpty(p.authType))
		o.Set("cognitoIdentityId", nullIfEmpty(p.identityID))
		o.Set("cognitoIdentityPoolId", nullIfEmpty(p.identityPoolID))
		o.Set("sourceIp", []string{id.sourceIP})
		o.Set("userArn", p.userArn)
		o.Set("username", p.username)
		return o
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// iamPrincipal is an IAM identity the server knows, with the credentials
// that sign as it: a role of the identity pool, or a role outside it.
type iamPrincipal struct {
	name                         string // "authenticated" or "unauthenticated"
	accessKeyID, secret, session string
	accountID, userArn, username string
	identityPoolID, identityID   string
	authType, authProvider, role string
}

func (p *iamPrincipal) provider() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: p.accessKeyID, SecretAccessKey: p.secret, SessionToken: p.session, Source: "appsynctest"}, nil
	})
}

// newIAMPrincipals makes the identity pool's two roles, with random
// credentials per server.
func newIAMPrincipals(s *Server) map[string]*iamPrincipal {
	pool := ""
	if s.outputs.Auth != nil {
		pool = s.outputs.Auth.IdentityPoolID
	}
	if pool == "" {
		pool = s.region + ":00000000-0000-0000-0000-000000000000"
	}
	mk := func(name, roleName, authType string) *iamPrincipal {
		roleID := "AROA" + strings.ToUpper(randomHex(8))
		return &iamPrincipal{
			name:           name,
			accessKeyID:    "ASIA" + strings.ToUpper(randomHex(8)),
			secret:         randomHex(20),
			session:        "appsynctest-" + randomHex(24),
			accountID:      s.cfg.accountID,
			role:           "arn:aws:iam::" + s.cfg.accountID + ":role/" + roleName,
			userArn:        "arn:aws:sts::" + s.cfg.accountID + ":assumed-role/" + roleName + "/CognitoIdentityCredentials",
			username:       roleID + ":CognitoIdentityCredentials",
			identityPoolID: pool,
			identityID:     s.region + ":" + newUUID(),
			authType:       authType,
		}
	}
	// An IAM role outside the identity pool, such as a Lambda function's
	// execution role: AppSync's identity has no Cognito members.
	fn := mk("role", "amplify-appsynctest-functionRole", "")
	fn.userArn = "arn:aws:sts::" + s.cfg.accountID + ":assumed-role/amplify-appsynctest-functionRole/appsynctest"
	fn.username = strings.TrimSuffix(fn.username, ":CognitoIdentityCredentials") + ":appsynctest"
	fn.identityPoolID, fn.identityID = "", ""
	return map[string]*iamPrincipal{
		"authenticated":   mk("authenticated", "amplify-appsynctest-authenticatedRole", "authenticated"),
		"unauthenticated": mk("unauthenticated", "amplify-appsynctest-unauthenticatedRole", "unauthenticated"),
		"role":            fn,
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// authenticate identifies the caller of a GraphQL request as AppSync does
// before it runs anything. It returns a *requestError or a
// *sigv4verify.Error when the request is not authorized.
func (s *Server) authenticate(r *http.Request, body []byte) (*identity, error) {
	id := &identity{sourceIP: clientIP(r)}
	authz := r.Header.Get("Authorization")
	apiKey := r.Header.Get("X-Api-Key")
	switch {
	case strings.HasPrefix(authz, sigv4verify.Algorithm):
		if !s.data.HasMode(schema.AuthIAM) {
			return nil, errNoAuth
		}
		creds := map[string]string{}
		byKey := map[string]*iamPrincipal{}
		for _, p := range s.iam {
			creds[p.accessKeyID] = p.secret
			byKey[p.accessKeyID] = p
		}
		v := &sigv4verify.Verifier{Credentials: creds, Service: "appsync", Region: s.region, Now: s.now}
		if err := v.Verify(r, body); err != nil {
			// The canonical request in the message holds the signed
			// headers' values: keep the session token out of it.
			var se *sigv4verify.Error
			if errors.As(err, &se) {
				if tok := r.Header.Get("X-Amz-Security-Token"); tok != "" {
					cp := *se
					cp.Message = strings.ReplaceAll(cp.Message, tok, "<redacted>")
					return nil, &cp
				}
			}
			return nil, err
		}
		p := byKey[accessKeyOf(authz)]
		if p == nil {
			return nil, &sigv4verify.Error{Status: http.StatusForbidden, ErrorType: sigv4verify.UnrecognizedClient, Message: "The security token included in the request is invalid."}
		}
		if r.Header.Get("X-Amz-Security-Token") != p.session {
			return nil, &sigv4verify.Error{Status: http.StatusForbidden, ErrorType: sigv4verify.UnrecognizedClient, Message: "The security token included in the request is invalid."}
		}
		id.mode, id.iam = schema.AuthIAM, p
	case authz == "" && apiKey != "":
		if !s.data.HasMode(schema.AuthAPIKey) || apiKey != s.cfg.apiKey {
			return nil, errNoAuth
		}
		if !s.now().Before(s.cfg.apiKeyExpires) {
			return nil, errNoAuth
		}
		id.mode = schema.AuthAPIKey
	case authz != "":
		if !s.data.HasMode(schema.AuthUserPools) {
			return nil, errBadToken
		}
		claims, rerr := s.tokens.verify(authz)
		if rerr != nil {
			return nil, rerr
		}
		id.mode = schema.AuthUserPools
		id.claims = claims
		id.sub, _ = claims["sub"].(string)
		id.issuer, _ = claims["iss"].(string)
		id.username, _ = claims["username"].(string)
		if id.username == "" {
			id.username, _ = claims["cognito:username"].(string)
		}
		id.groups = stringList(claims["cognito:groups"])
	default:
		return nil, errNoAuth
	}
	return id, nil
}

// accessKeyOf extracts the access key ID from a SigV4 Authorization header.
func accessKeyOf(authz string) string {
	_, cred, ok := strings.Cut(authz, "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(cred, "/")
	return key
}

// clientIP returns the address of the client.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// stringList converts a JSON list of strings (or one string) to a slice.
func stringList(v any) []string {
	switch v := v.(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	case string:
		return []string{v}
	}
	return nil
}

// checkDirectives checks the AppSync auth directives of a field for the
// caller (the field's directives, else its type's, else the API's default
// mode only). It returns the Unauthorized error when they deny.
func (s *Server) checkDirectives(id *identity, parent *ast.Definition, def *ast.FieldDefinition) error {
	if strings.HasPrefix(parent.Name, "__") || strings.HasPrefix(def.Name, "__") {
		return nil
	}
	ds := s.sdl.AuthDirectives(parent.Name, def.Name)
	if len(ds) == 0 {
		if id.mode == s.data.DefaultAuthorizationType {
			return nil
		}
		return unauthorized(parent.Name, def.Name)
	}
	for _, d := range ds {
		if d.AuthorizationType() != id.mode {
			continue
		}
		if id.mode == schema.AuthUserPools && len(d.CognitoGroups) > 0 &&
			!slices.ContainsFunc(id.groups, func(g string) bool { return slices.Contains(d.CognitoGroups, g) }) {
			continue
		}
		return nil
	}
	return unauthorized(parent.Name, def.Name)
}
