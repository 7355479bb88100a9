package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/examples/add-user-to-group/function"
	"github.com/go-amplify/data/internal/testenv"
)

// seedFunctions are the functions of the seed-todo backend: the seed's Go
// Lambda handler for addUserToGroup, and echo.
var seedFunctions = []lambda{
	{field: "addUserToGroup", name: "addUserToGroup", rules: []appsynctest.Rule{appsynctest.AllowGroups("ADMINS")},
		run: func(ctx context.Context, e *env, event json.RawMessage) (any, error) {
			var ev function.Event
			if err := json.Unmarshal(event, &ev); err != nil {
				return nil, err
			}
			h := function.Handler{Cognito: e.handlerCognito, UserPoolID: e.poolID}
			return h.Handle(ctx, ev)
		}},
	{field: "echo", name: "echoFn", rules: []appsynctest.Rule{appsynctest.AllowAuthenticated()},
		run: func(ctx context.Context, e *env, event json.RawMessage) (any, error) {
			var ev struct {
				Arguments struct {
					Msg string `json:"msg"`
				} `json:"arguments"`
			}
			if err := json.Unmarshal(event, &ev); err != nil {
				return nil, err
			}
			if ev.Arguments.Msg == "fail" {
				return nil, errEcho
			}
			return ev.Arguments.Msg, nil
		}},
}

var errEcho = errorString("echo: asked to fail")

type errorString string

func (e errorString) Error() string { return string(e) }

// TestSeed runs the seed of Amplify's admin-actions guide: the resolvers of
// addUserToGroup (the transformer's in the simulator, appsynctest's own),
// the seed's Go Lambda handler as its function, and the example's generated
// client.
func TestSeed(t *testing.T) {
	each(t, "seed-todo", seedFunctions, []string{"ADMINS"}, func(t *testing.T, e *env) {
		admin := e.newUser(t, "admin", "ADMINS")
		alice := e.newUser(t, "alice")
		ctx := context.Background()
		newClient := func(t *testing.T, opts ...client.Option) *amplifydata.Client {
			c, err := amplifydata.New(e.outputs, e.opts(opts...)...)
			require.NoError(t, err)
			return c
		}

		t.Run("non-admin gets Unauthorized and the function does not run", func(t *testing.T) {
			c := newClient(t, client.WithUserPool(alice.tokens))
			calls := len(e.calls())
			res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: alice.sub, GroupName: "ADMINS"})
			ge := requireGraphQLError(t, err, "Unauthorized")
			assert.Equal(t, "Not Authorized to access addUserToGroup on type Mutation", ge.Message)
			assert.Equal(t, []any{"addUserToGroup"}, ge.Path)
			assert.Nil(t, res)
			assert.Len(t, e.calls(), calls)
			assert.Equal(t, "userPool", e.lastAuth(t))
		})

		t.Run("admin adds a user to ADMINS through the Go handler", func(t *testing.T) {
			assert.NotContains(t, alice.groups(t), "ADMINS")

			// The user's ID: in a pool that signs in with email (the
			// seed's), the username is the sub. cognito-local's pool here
			// has plain usernames, and it records a membership under the id
			// it is given, so the username is what finds the user again.
			c := newClient(t, client.WithUserPool(admin.tokens))
			res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: alice.name, GroupName: "ADMINS"})
			require.NoError(t, err)

			// The function's JSON, as the handler returned it.
			var got function.Result
			require.NoError(t, json.Unmarshal(res, &got), "result %s", res)
			assert.Equal(t, 200, got.Metadata.HTTPStatusCode)

			// The handler saw the resolver's event: arguments and caller.
			calls := e.calls()
			require.NotEmpty(t, calls)
			last := calls[len(calls)-1]
			assert.Equal(t, "addUserToGroup", last.Field)
			var ev struct {
				TypeName  string `json:"typeName"`
				FieldName string `json:"fieldName"`
				Arguments struct {
					UserID    string `json:"userId"`
					GroupName string `json:"groupName"`
				} `json:"arguments"`
				Identity struct {
					Sub      string `json:"sub"`
					Username string `json:"username"`
				} `json:"identity"`
			}
			require.NoError(t, json.Unmarshal(last.Event, &ev), "event %s", last.Event)
			assert.Equal(t, "Mutation", ev.TypeName)
			assert.Equal(t, "addUserToGroup", ev.FieldName)
			assert.Equal(t, alice.name, ev.Arguments.UserID)
			assert.Equal(t, "ADMINS", ev.Arguments.GroupName)
			assert.Equal(t, admin.sub, ev.Identity.Sub)
			assert.Equal(t, "admin", ev.Identity.Username)

			// Alice's next token carries the group.
			assert.Contains(t, alice.groups(t), "ADMINS")
		})

		t.Run("IAM: identity-pool roles are refused, the account's own roles pass", func(t *testing.T) {
			// Gen 2 puts @aws_iam on every field; the resolver's ADMINS
			// rule then refuses identity-pool roles, and lets other IAM
			// principals of the account (a function's role) through.
			c := newClient(t, client.WithIdentityPool(e.authCreds), client.WithUserPool(admin.tokens))
			calls := len(e.calls())
			_, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: admin.name, GroupName: "ADMINS"},
				client.WithAuthMode(client.AuthIdentityPool))
			ge := requireGraphQLError(t, err, "Unauthorized")
			assert.Equal(t, "Not Authorized to access addUserToGroup on type Mutation", ge.Message)
			assert.Equal(t, "iam", e.lastAuth(t))
			assert.Len(t, e.calls(), calls)

			c = newClient(t, client.WithCredentials(e.adminCreds))
			res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: admin.name, GroupName: "ADMINS"})
			require.NoError(t, err)
			var got function.Result
			require.NoError(t, json.Unmarshal(res, &got))
			assert.Equal(t, 200, got.Metadata.HTTPStatusCode)
			assert.Equal(t, "iam", e.lastAuth(t))
		})
	})
}

// TestSeedAloneIsRefused records a fact about the seed as the guide writes
// it: a backend whose only operation is a custom mutation has no Query
// type, and a GraphQL schema needs one. AppSync refuses such a schema at
// deployment; the simulator (graphql-js) refuses every request to it, and
// appsynctest refuses to start with it.
func TestSeedAloneIsRefused(t *testing.T) {
	generated, err := filepath.Abs(filepath.Join(backends, "seed", "generated"))
	require.NoError(t, err)
	sdl, err := os.ReadFile(filepath.Join(generated, "appsync.graphql"))
	require.NoError(t, err)
	assert.NotContains(t, string(sdl), "type Query")

	t.Run(local, func(t *testing.T) {
		b, err := appsynctest.LoadBackend(filepath.Join(generated, "amplify_outputs.json"), filepath.Join(generated, "appsync.graphql"))
		if err == nil {
			var srv *appsynctest.Server
			srv, err = appsynctest.Start(b)
			if srv != nil {
				srv.Close()
			}
		}
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Query")
	})

	t.Run(simulator, func(t *testing.T) {
		sim := testenv.StartSimulator(t, testenv.SimulatorOptions{Generated: generated, AuthAccessKeyID: testenv.AuthCredentials.AccessKeyID})
		req, err := http.NewRequest(http.MethodPost, sim.URL, strings.NewReader(`{"query":"mutation { addUserToGroup(userId: \"u\", groupName: \"ADMINS\") }"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testenv.AdminCredentials.AccessKeyID+"/20261125/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=00")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Contains(t, string(body), "Query root type must be provided")
	})
}
