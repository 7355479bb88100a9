package function

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/internal/testenv"
)

const password = "Passw0rd!long"

// amplifyEvent is the payload of Amplify's @function resolver (the
// request template of a.handler.function), as AppSync would send it for a
// userPool call by "admin"; USER_ID is replaced by each test.
const amplifyEvent = `{
  "typeName": "Mutation",
  "fieldName": "addUserToGroup",
  "arguments": {"userId": "USER_ID", "groupName": "ADMINS"},
  "identity": {
    "sub": "5468d468-4061-70ed-8870-45c766d26225",
    "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SIMULATED",
    "username": "admin",
    "claims": {
      "sub": "5468d468-4061-70ed-8870-45c766d26225",
      "cognito:groups": ["ADMINS"],
      "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SIMULATED",
      "client_id": "simulatedclientid",
      "token_use": "access",
      "scope": "aws.cognito.signin.user.admin",
      "username": "admin"
    },
    "sourceIp": ["203.0.113.7"],
    "defaultAuthStrategy": "ALLOW",
    "groups": ["ADMINS"]
  },
  "source": null,
  "request": {
    "headers": {
      "content-type": "application/json; charset=UTF-8",
      "host": "example1234567890000.appsync-api.us-east-1.amazonaws.com",
      "x-forwarded-for": "203.0.113.7"
    },
    "domainName": null
  },
  "prev": null
}`

// directEvent is the payload of an AppSync direct Lambda resolver, which
// carries info and stash instead of typeName and fieldName.
const directEvent = `{
  "arguments": {"userId": "USER_ID", "groupName": "ADMINS"},
  "identity": {
    "sub": "5468d468-4061-70ed-8870-45c766d26225",
    "username": "admin",
    "claims": {"cognito:groups": ["ADMINS"], "token_use": "access"},
    "groups": ["ADMINS"],
    "sourceIp": ["203.0.113.7"],
    "defaultAuthStrategy": "ALLOW"
  },
  "source": null,
  "request": {"headers": {"content-type": "application/json"}, "domainName": null},
  "info": {
    "fieldName": "addUserToGroup",
    "parentTypeName": "Mutation",
    "selectionSetList": [],
    "selectionSetGraphQL": "",
    "variables": {"userId": "USER_ID", "groupName": "ADMINS"}
  },
  "prev": null,
  "stash": {}
}`

func decodeEvent(t *testing.T, literal, userID string) Event {
	t.Helper()
	var ev Event
	require.NoError(t, json.Unmarshal([]byte(strings.ReplaceAll(literal, "USER_ID", userID)), &ev))
	return ev
}

// countingCognito counts calls to the real client.
type countingCognito struct {
	api   AdminAddUserToGroupAPI
	calls atomic.Int32
}

func (c *countingCognito) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	c.calls.Add(1)
	return c.api.AdminAddUserToGroup(ctx, in, optFns...)
}

func TestHandle(t *testing.T) {
	c := testenv.StartCognito(t)
	c.CreateGroup(t, "ADMINS")
	c.CreateUser(t, "admin", password, "ADMINS")
	h := &Handler{Cognito: c.Client, UserPoolID: c.PoolID}
	ctx := context.Background()

	t.Run("event payloads decode", func(t *testing.T) {
		for name, literal := range map[string]string{"amplify": amplifyEvent, "direct": directEvent} {
			ev := decodeEvent(t, literal, "bob")
			assert.Equal(t, amplifydata.AddUserToGroupArgs{UserID: "bob", GroupName: "ADMINS"}, ev.Arguments, name)
			assert.JSONEq(t, "null", string(ev.Source), name)
			assert.Equal(t, "application/json", strings.Split(ev.Request.Headers["content-type"], ";")[0], name)
			require.NotNil(t, ev.Identity, name)
			assert.Equal(t, "admin", ev.Identity.Username, name)
			assert.Equal(t, []string{"ADMINS"}, ev.Identity.Groups, name)
			assert.True(t, ev.Identity.InGroup("ADMINS"), name)
		}
		amp := decodeEvent(t, amplifyEvent, "bob")
		assert.Equal(t, "Mutation", amp.TypeName)
		assert.Equal(t, "addUserToGroup", amp.FieldName)
		direct := decodeEvent(t, directEvent, "bob")
		assert.Equal(t, "Mutation", direct.Info.ParentTypeName)
		assert.Equal(t, "addUserToGroup", direct.Info.FieldName)
		assert.JSONEq(t, `{"userId":"bob","groupName":"ADMINS"}`, string(direct.Info.Variables))
		assert.JSONEq(t, `{}`, string(direct.Stash))
	})

	// Each case adds a fresh user with the user ID the case names, then
	// checks the user's next sign-in carries the group.
	//
	// What Username accepts: the Cognito API reference says the username
	// or any alias attribute, or the sub of a local user. In a pool that
	// signs in with email (Amplify's loginWith: {email: true}), the
	// username Cognito generates is the user's sub, which is why the seed
	// passes a UUID. Measured here against cognito-local 5.3.0 (plain
	// usernames): both the username and the sub are accepted. Not measured
	// against real Cognito (no AWS account is reachable from these tests).
	for _, tc := range []struct {
		name, username, literal string
		bySub                   bool
	}{
		{name: "amplify payload, by username", username: "bob", literal: amplifyEvent},
		{name: "direct payload, by username", username: "carol", literal: directEvent},
		{name: "amplify payload, by sub", username: "dave", literal: amplifyEvent, bySub: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := c.CreateUser(t, tc.username, password)
			require.NotContains(t, c.Groups(t, tc.username, password), "ADMINS", "precondition: not yet an admin")
			userID := tc.username
			if tc.bySub {
				userID = sub
			}

			out, err := h.Handle(ctx, decodeEvent(t, tc.literal, userID))
			require.NoError(t, err)
			var res struct {
				Metadata struct {
					HTTPStatusCode int `json:"httpStatusCode"`
					Attempts       int `json:"attempts"`
				} `json:"$metadata"`
			}
			require.NoError(t, json.Unmarshal(out, &res), "result %s", out)
			assert.Equal(t, 200, res.Metadata.HTTPStatusCode, "result %s", out)
			assert.Equal(t, 1, res.Metadata.Attempts, "result %s", out)

			assert.Contains(t, c.Groups(t, tc.username, password), "ADMINS")
		})
	}

	t.Run("missing argument", func(t *testing.T) {
		counting := &countingCognito{api: c.Client}
		h := &Handler{Cognito: counting, UserPoolID: c.PoolID}
		for _, tc := range []struct {
			args    amplifydata.AddUserToGroupArgs
			missing string
		}{
			{amplifydata.AddUserToGroupArgs{GroupName: "ADMINS"}, "userId"},
			{amplifydata.AddUserToGroupArgs{UserID: "bob"}, "groupName"},
			{amplifydata.AddUserToGroupArgs{}, "userId"},
		} {
			out, err := h.Handle(ctx, Event{Arguments: tc.args})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "argument "+tc.missing+" is required")
			assert.Nil(t, out)
		}
		assert.Zero(t, counting.calls.Load(), "Cognito must not be called without arguments")
	})

	t.Run("unknown user", func(t *testing.T) {
		_, err := h.Handle(ctx, decodeEvent(t, amplifyEvent, "nobody"))
		require.Error(t, err)
		var notFound *types.UserNotFoundException
		require.ErrorAs(t, err, &notFound)
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "UserNotFoundException", apiErr.ErrorCode())
		assert.Contains(t, err.Error(), `"nobody"`)
	})

	t.Run("unknown group", func(t *testing.T) {
		ev := decodeEvent(t, amplifyEvent, "admin")
		ev.Arguments.GroupName = "EDITORS"
		_, err := h.Handle(ctx, ev)
		var notFound *types.ResourceNotFoundException
		require.ErrorAs(t, err, &notFound)
	})

	t.Run("through the Lambda runtime's handler", func(t *testing.T) {
		c.CreateUser(t, "erin", password)
		// lambda.NewHandler is what lambda.Start wraps: it decodes the raw
		// payload into Event and encodes the json.RawMessage result.
		payload := strings.ReplaceAll(amplifyEvent, "USER_ID", "erin")
		out, err := lambda.NewHandler(h.Handle).Invoke(ctx, []byte(payload))
		require.NoError(t, err)
		assert.JSONEq(t, `{"$metadata":{"httpStatusCode":200,"attempts":1}}`, string(out))
		assert.Contains(t, c.Groups(t, "erin", password), "ADMINS")

		bad := strings.ReplaceAll(amplifyEvent, `"userId": "USER_ID", `, "")
		_, err = lambda.NewHandler(h.Handle).Invoke(ctx, []byte(bad))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "userId")
	})
}

func TestNewFromEnv(t *testing.T) {
	t.Setenv(UserPoolIDEnv, "")
	_, err := NewFromEnv(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), UserPoolIDEnv)

	t.Setenv(UserPoolIDEnv, "us-east-1_SIMULATED")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	h, err := NewFromEnv(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "us-east-1_SIMULATED", h.UserPoolID)
	require.NotNil(t, h.Cognito)
	assert.Equal(t, "us-east-1", h.Cognito.(*cip.Client).Options().Region)
}

func TestHandleWithoutConfiguration(t *testing.T) {
	_, err := (&Handler{}).Handle(context.Background(), Event{Arguments: amplifydata.AddUserToGroupArgs{UserID: "bob", GroupName: "ADMINS"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no Cognito client or user pool ID")
}
