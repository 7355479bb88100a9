package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/cognito"
	"github.com/go-amplify/data/internal/testenv"
	"github.com/go-amplify/data/schema"
)

// password is every test user's password.
const password = "Passw0rd!e2e-long"

// backends is where the transformer outputs of the test backends live.
const backends = "../schema/testdata/amplify/backends"

// env is one running backend of the suite.
type env struct {
	*testenv.Stack
	generated string
}

// start runs the local stack for the named backend of the fixture corpus,
// with fns as its Lambda functions and groups created in the user pool.
func start(t *testing.T, backend string, fns map[string]testenv.Function, groups ...string) *env {
	t.Helper()
	generated, err := filepath.Abs(filepath.Join(backends, backend, "generated"))
	require.NoError(t, err)
	s := testenv.StartStack(t, testenv.StackOptions{Generated: generated, Functions: fns, Groups: groups})
	return &env{Stack: s, generated: generated}
}

// outputs is the backend's amplify_outputs.json as a deployment would give
// it: the data URL is the stack's, the user pool is cognito-local's.
func (e *env) outputs(t *testing.T) *schema.Outputs {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.generated, "amplify_outputs.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	doc["data"].(map[string]any)["url"] = e.URL
	auth := doc["auth"].(map[string]any)
	auth["user_pool_id"] = e.Cognito.PoolID
	auth["user_pool_client_id"] = e.Cognito.ClientID
	b, err = json.Marshal(doc)
	require.NoError(t, err)
	out, err := schema.ParseOutputs("amplify_outputs.json", b)
	require.NoError(t, err)
	return out
}

// user is a signed-in test user.
type user struct {
	name   string
	sub    string
	tokens *cognito.TokenSource
	clock  *clock
}

// owner is the owner field as clients read it. Amplify's resolvers store
// "<sub>::<username>" and the owner field's own resolver returns the
// username part.
func (u *user) owner() string { return u.name }

// newUser creates a user in the pool (in groups) and signs them in through
// the SDK's Cognito token source, USER_PASSWORD_AUTH against cognito-local.
func (e *env) newUser(t *testing.T, name string, groups ...string) *user {
	t.Helper()
	sub := e.Cognito.CreateUser(t, name, password, groups...)
	c := &clock{}
	ts := cognito.NewTokenSource(e.Cognito.Client, cognito.Options{ClientID: e.Cognito.ClientID, Now: c.now})
	require.NoError(t, ts.SignIn(context.Background(), name, password))
	return &user{name: name, sub: sub, tokens: ts, clock: c}
}

// clock is a settable clock for token sources: advancing it makes them
// refresh their tokens for real.
type clock struct{ skew time.Duration }

func (c *clock) now() time.Time { return time.Now().Add(c.skew) }

// iam signs requests with the given identity-pool role credentials.
func iam(creds aws.Credentials) aws.CredentialsProvider {
	return credentials.StaticCredentialsProvider{Value: creds}
}

// requireGraphQLError asserts err carries a GraphQL error of errorType and
// returns it.
func requireGraphQLError(t *testing.T, err error, errorType string) *client.GraphQLError {
	t.Helper()
	require.Error(t, err)
	var es client.GraphQLErrors
	require.Truef(t, errors.As(err, &es), "want GraphQL errors, got %T: %v", err, err)
	for _, e := range es {
		if e.ErrorType == errorType {
			return e
		}
	}
	require.Failf(t, "no error of the wanted type", "want errorType %q in %v", errorType, err)
	return nil
}

// lastAuth is how the front saw the last request authorized.
func (e *env) lastAuth(t *testing.T) testenv.FrontRequest {
	t.Helper()
	reqs := e.Requests()
	require.NotEmpty(t, reqs)
	return reqs[len(reqs)-1]
}

// rawRequest is a hand-written operation for the runtime client.
func rawRequest(query string) *graphql.Request {
	return &graphql.Request{Query: query}
}

// rawResponse decodes the data of a reply into v.
func rawResponse(v any) *graphql.Response {
	return &graphql.Response{Data: v}
}

// groupsOf returns the cognito:groups claim.
func groupsOf(claims map[string]any) []string {
	var groups []string
	list, _ := claims["cognito:groups"].([]any)
	for _, g := range list {
		if s, ok := g.(string); ok {
			groups = append(groups, s)
		}
	}
	return groups
}

func decodeJWTPart(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func encodeJWTPart(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b)
}
