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
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/examples/add-user-to-group/function"
	"github.com/go-amplify/data/internal/testenv"
)

// TestSeed runs the seed of Amplify's admin-actions guide: the
// transformer's resolvers for addUserToGroup in the simulator, the seed's Go
// Lambda handler as its function, cognito-local as the user pool, and the
// example's generated client.
func TestSeed(t *testing.T) {
	var handler function.Handler
	e := start(t, "seed-todo", map[string]testenv.Function{
		"addUserToGroup": func(ctx context.Context, event json.RawMessage) (any, error) {
			var ev function.Event
			if err := json.Unmarshal(event, &ev); err != nil {
				return nil, err
			}
			return handler.Handle(ctx, ev)
		},
	}, "ADMINS")
	handler = function.Handler{Cognito: e.Cognito.Client, UserPoolID: e.Cognito.PoolID}

	admin := e.newUser(t, "admin", "ADMINS")
	alice := e.newUser(t, "alice")
	outputs := e.outputs(t)
	ctx := context.Background()

	t.Run("non-admin gets Unauthorized and the function does not run", func(t *testing.T) {
		c, err := amplifydata.New(outputs, client.WithUserPool(alice.tokens))
		require.NoError(t, err)
		calls := len(e.Calls())
		res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: alice.sub, GroupName: "ADMINS"})
		ge := requireGraphQLError(t, err, "Unauthorized")
		assert.Equal(t, "Not Authorized to access addUserToGroup on type Mutation", ge.Message)
		assert.Equal(t, []any{"addUserToGroup"}, ge.Path)
		assert.Nil(t, res)
		assert.Len(t, e.Calls(), calls)
		assert.Equal(t, testenv.FrontRequest{Auth: "userPool"}, e.lastAuth(t))
	})

	t.Run("admin adds a user to ADMINS through the Go handler", func(t *testing.T) {
		claims, err := alice.tokens.Claims(ctx)
		require.NoError(t, err)
		assert.NotContains(t, groupsOf(claims), "ADMINS")

		// The user's ID: in a pool that signs in with email (the seed's),
		// the username is the sub. cognito-local's pool here has plain
		// usernames, and it records a membership under the id it is
		// given, so the username is what finds the user again.
		c, err := amplifydata.New(outputs, client.WithUserPool(admin.tokens))
		require.NoError(t, err)
		res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: alice.name, GroupName: "ADMINS"})
		require.NoError(t, err)

		// The function's JSON, as the handler returned it.
		var got function.Result
		require.NoError(t, json.Unmarshal(res, &got), "result %s", res)
		assert.Equal(t, 200, got.Metadata.HTTPStatusCode)

		// The handler saw the resolver's event: arguments and the caller.
		calls := e.Calls()
		require.NotEmpty(t, calls)
		last := calls[len(calls)-1]
		assert.Equal(t, "addUserToGroup", last.Name)
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

		// Alice's next token, refreshed by her token source with
		// REFRESH_TOKEN_AUTH once her clock passes the refresh point,
		// carries the group, and the mutation is now hers to call.
		alice.clock.skew = 25 * time.Hour // cognito-local issues tokens for 24 h
		claims, err = alice.tokens.Claims(ctx)
		require.NoError(t, err)
		assert.Contains(t, groupsOf(claims), "ADMINS")
	})

	t.Run("IAM: identity-pool roles are refused, the account's own roles pass", func(t *testing.T) {
		// Gen 2 puts @aws_iam on every field; the resolver's ADMINS rule
		// then refuses identity-pool roles, and lets other IAM principals
		// of the account (a function's role) through.
		c, err := amplifydata.New(outputs, client.WithIdentityPool(iam(testenv.AuthCredentials)), client.WithUserPool(admin.tokens))
		require.NoError(t, err)
		calls := len(e.Calls())
		_, err = c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: admin.sub, GroupName: "ADMINS"},
			client.WithAuthMode(client.AuthIdentityPool))
		ge := requireGraphQLError(t, err, "Unauthorized")
		assert.Equal(t, "Not Authorized to access addUserToGroup on type Mutation", ge.Message)
		assert.Equal(t, testenv.FrontRequest{Auth: "iam"}, e.lastAuth(t))
		assert.Len(t, e.Calls(), calls)

		c, err = amplifydata.New(outputs, client.WithCredentials(iam(testenv.AdminCredentials)))
		require.NoError(t, err)
		res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: admin.sub, GroupName: "ADMINS"})
		require.NoError(t, err)
		assert.JSONEq(t, `{"$metadata":{"httpStatusCode":200,"attempts":1}}`, string(res))
		assert.Equal(t, testenv.FrontRequest{Auth: "iam"}, e.lastAuth(t))
	})
}

// TestSeedAloneIsRefused records a fact about the seed as the guide writes
// it: a backend whose only operation is a custom mutation has no Query
// type, and a GraphQL schema needs one. AppSync refuses such a schema at
// deployment; the simulator (graphql-js) refuses every request to it.
func TestSeedAloneIsRefused(t *testing.T) {
	generated, err := filepath.Abs(filepath.Join(backends, "seed", "generated"))
	require.NoError(t, err)
	sdl, err := os.ReadFile(filepath.Join(generated, "appsync.graphql"))
	require.NoError(t, err)
	assert.NotContains(t, string(sdl), "type Query")

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
}
