package appsynctest_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/function"
	"github.com/go-amplify/data/internal/fixture/tododata"
)

// fakeCognito records AdminAddUserToGroup calls.
type fakeCognito struct {
	mu    sync.Mutex
	calls []cip.AdminAddUserToGroupInput
	err   error
}

func (f *fakeCognito) AdminAddUserToGroup(_ context.Context, in *cip.AdminAddUserToGroupInput, _ ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, *in)
	if f.err != nil {
		return nil, f.err
	}
	return &cip.AdminAddUserToGroupOutput{}, nil
}

func (f *fakeCognito) Calls() []cip.AdminAddUserToGroupInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]cip.AdminAddUserToGroupInput(nil), f.calls...)
}

// seedServer serves the seed example with its own Go Lambda handler.
func seedServer(t *testing.T) (*appsynctest.Server, *fakeCognito) {
	cognito := &fakeCognito{}
	h := &function.Handler{Cognito: cognito, UserPoolID: "us-east-1_SIMULATED"}
	srv := appsynctest.NewServer(t, seedBackend(t),
		// The seed allows addUserToGroup for the ADMINS group only
		// (.authorization((allow) => [allow.group("ADMINS")])).
		appsynctest.Handle("addUserToGroup", appsynctest.Typed(h.Handle), appsynctest.AllowGroups("ADMINS")),
		appsynctest.Handle("echo", appsynctest.Typed(func(_ context.Context, e struct {
			Arguments tododata.EchoArgs `json:"arguments"`
		}) (string, error) {
			return e.Arguments.Msg, nil
		}), appsynctest.AllowAuthenticated()),
	)
	return srv, cognito
}

func TestSeedAddUserToGroup(t *testing.T) {
	srv, cognito := seedServer(t)
	ctx := context.Background()
	admin := srv.SignIn("admin@example.com", "ADMINS")

	c, err := tododata.New(srv.Outputs(), client.WithUserPool(admin))
	require.NoError(t, err)

	t.Run("an admin adds a user", func(t *testing.T) {
		res, err := c.Mutations.AddUserToGroup(ctx, tododata.AddUserToGroupArgs{UserID: "5468d468-4061-70ed-8870-45c766d26225", GroupName: "ADMINS"})
		require.NoError(t, err)
		assert.JSONEq(t, `{"$metadata":{}}`, string(res), "the handler's JSON, carried as AWSJSON")

		calls := cognito.Calls()
		require.Len(t, calls, 1)
		assert.Equal(t, "5468d468-4061-70ed-8870-45c766d26225", aws.ToString(calls[0].Username))
		assert.Equal(t, "ADMINS", aws.ToString(calls[0].GroupName))
		assert.Equal(t, "us-east-1_SIMULATED", aws.ToString(calls[0].UserPoolId))

		invs := srv.Invocations()
		require.Len(t, invs, 1)
		var ev map[string]any
		require.NoError(t, json.Unmarshal(invs[0].Event, &ev))
		assert.Equal(t, "Mutation", ev["typeName"])
		assert.Equal(t, "addUserToGroup", ev["fieldName"])
		assert.Equal(t, map[string]any{"userId": "5468d468-4061-70ed-8870-45c766d26225", "groupName": "ADMINS"}, ev["arguments"])
		assert.Nil(t, ev["source"])
		assert.Equal(t, map[string]any{"result": map[string]any{}}, ev["prev"])
		id := ev["identity"].(map[string]any)
		assert.Equal(t, admin.Sub(), id["sub"])
		assert.Equal(t, "admin@example.com", id["username"])
		assert.Equal(t, []any{"ADMINS"}, id["groups"])
		assert.Equal(t, "ALLOW", id["defaultAuthStrategy"])
		assert.Equal(t, []any{"127.0.0.1"}, id["sourceIp"])
		assert.Equal(t, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SIMULATED", id["issuer"])
		assert.Equal(t, "access", id["claims"].(map[string]any)["token_use"])
		req := ev["request"].(map[string]any)
		assert.Nil(t, req["domainName"])
		assert.Contains(t, req["headers"], "content-type")

		// The typed event of the seed handler decodes it as the Lambda
		// runtime would.
		var fe function.Event
		require.NoError(t, json.Unmarshal(invs[0].Event, &fe))
		assert.Equal(t, "addUserToGroup", fe.FieldName)
	})

	t.Run("a non-admin is unauthorized and the function does not run", func(t *testing.T) {
		before := len(cognito.Calls())
		mallory, err := tododata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("mallory@example.com")))
		require.NoError(t, err)
		_, err = mallory.Mutations.AddUserToGroup(ctx, tododata.AddUserToGroupArgs{UserID: "x", GroupName: "ADMINS"})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		require.Len(t, gqlErrs, 1)
		assert.Equal(t, "Unauthorized", gqlErrs[0].ErrorType)
		assert.Equal(t, "Not Authorized to access addUserToGroup on type Mutation", gqlErrs[0].Message)
		assert.Equal(t, []any{"addUserToGroup"}, gqlErrs[0].Path)
		assert.Len(t, cognito.Calls(), before)
	})

	t.Run("the exact body of AppSync's answer to a non-admin", func(t *testing.T) {
		_, body := gql(t, srv.URL(), session(srv.SignIn("mallory@example.com")),
			"mutation AddUserToGroup($userId: String!, $groupName: String!) {\n  addUserToGroup(userId: $userId, groupName: $groupName)\n}",
			map[string]any{"userId": "x", "groupName": "ADMINS"})
		// The body the seed's stand-in in examples/add-user-to-group
		// answers, which is AppSync's.
		assert.Equal(t, `{"data":{"addUserToGroup":null},"errors":[{"path":["addUserToGroup"],"data":null,"errorType":"Unauthorized","errorInfo":null,"locations":[{"line":2,"column":3,"sourceName":null}],"message":"Not Authorized to access addUserToGroup on type Mutation"}]}`, body)
	})

	t.Run("iam is refused by the field's directive", func(t *testing.T) {
		ic, err := tododata.New(srv.Outputs(), client.WithCredentials(srv.AuthenticatedCredentials()))
		require.NoError(t, err)
		_, err = ic.Mutations.AddUserToGroup(ctx, tododata.AddUserToGroupArgs{UserID: "x", GroupName: "ADMINS"}, client.WithAuthMode(client.AuthIAM))
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.True(t, gqlErrs.HasType("Unauthorized"))
	})

	t.Run("a Cognito error is Lambda:Unhandled with the handler's message", func(t *testing.T) {
		cognito.mu.Lock()
		cognito.err = &types.UserNotFoundException{Message: aws.String("User does not exist.")}
		cognito.mu.Unlock()
		defer func() { cognito.mu.Lock(); cognito.err = nil; cognito.mu.Unlock() }()
		_, err := c.Mutations.AddUserToGroup(ctx, tododata.AddUserToGroupArgs{UserID: "ghost", GroupName: "ADMINS"})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "Lambda:Unhandled", gqlErrs[0].ErrorType)
		assert.Contains(t, gqlErrs[0].Message, `add-user-to-group: adding user "ghost" to group "ADMINS"`)
		assert.Contains(t, gqlErrs[0].Message, "User does not exist.")
		last := srv.Invocations()[len(srv.Invocations())-1]
		assert.Equal(t, "wrapError", last.ErrorType, "what the Lambda runtime would log")
		var unf *types.UserNotFoundException
		assert.True(t, errors.As(last.Err, &unf))
	})

	t.Run("the server's user pool as the handler's Cognito", func(t *testing.T) {
		// The handler needs the server's pool, which exists once the
		// server does; it runs only when requests come.
		h := &function.Handler{}
		srv := appsynctest.NewServer(t, seedBackend(t),
			appsynctest.Handle("addUserToGroup", appsynctest.Typed(h.Handle), appsynctest.AllowGroups("ADMINS")))
		h.Cognito, h.UserPoolID = srv.UserPool(), srv.UserPool().ID()

		bob := srv.SignIn("bob")
		admin, err := tododata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("admin", "ADMINS")))
		require.NoError(t, err)
		_, err = admin.Mutations.AddUserToGroup(ctx, tododata.AddUserToGroupArgs{UserID: bob.Sub(), GroupName: "ADMINS"})
		require.NoError(t, err)
		assert.Equal(t, []string{"ADMINS"}, srv.UserPool().Groups("bob"))
		assert.Empty(t, bob.Groups(), "bob's current tokens do not carry the group")

		bc, err := tododata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("bob")))
		require.NoError(t, err)
		srv.SignIn("carol")
		_, err = bc.Mutations.AddUserToGroup(ctx, tododata.AddUserToGroupArgs{UserID: "carol", GroupName: "ADMINS"})
		require.NoError(t, err, "bob's next sign-in carries ADMINS")

		_, err = bc.Mutations.AddUserToGroup(ctx, tododata.AddUserToGroupArgs{UserID: "nobody", GroupName: "ADMINS"})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "Lambda:Unhandled", gqlErrs[0].ErrorType)
		assert.Contains(t, gqlErrs[0].Message, "UserNotFoundException: User does not exist.")
		_, err = bc.Mutations.AddUserToGroup(ctx, tododata.AddUserToGroupArgs{UserID: "carol", GroupName: "EDITORS"})
		require.ErrorAs(t, err, &gqlErrs)
		assert.Contains(t, gqlErrs[0].Message, "ResourceNotFoundException: Group not found.")
	})

	t.Run("echo", func(t *testing.T) {
		msg, err := c.Queries.Echo(ctx, tododata.EchoArgs{Msg: "hi"})
		require.NoError(t, err)
		assert.Equal(t, "hi", aws.ToString(msg))
	})
}
