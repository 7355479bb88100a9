package client_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
)

// amplify_outputs.json holds the API's key whenever the API has one, so
// every client built from it has a key it was not given. That key serves
// the apiKey mode when it is the default mode or the mode a call asks for;
// the client falls back to it for an operation its default mode cannot
// call only when the caller passed it with WithAPIKey, as the client falls
// back only to credentials the caller gave.
func TestOutputsAPIKeyIsNoImplicitFallback(t *testing.T) {
	srv := newFakeAppSync(t, func(received) (int, string) {
		return 200, `{"data":{"getTodo":{"id":"t1","createdAt":"2024-01-02T03:04:05.123Z","updatedAt":"2024-01-02T03:04:05Z"}}}`
	})
	// The outputs' default mode is iam and they hold testAPIKey; getTodo is
	// made public: the API key only.
	endpoint := func(t *testing.T, def client.AuthMode) client.Endpoint {
		ep, err := client.EndpointFromOutputs(outputs(t, srv.URL))
		require.NoError(t, err)
		require.Equal(t, testAPIKey, ep.APIKey)
		if def != "" {
			ep.DefaultAuthMode = def
		}
		ep.Operations = map[string][]client.AuthMode{"GetTodo": {client.AuthAPIKey}}
		return ep
	}
	get := func(t *testing.T, c *tododata.Client, opts ...client.Option) error {
		_, err := c.Models.Todo.Get(context.Background(), tododata.TodoIdentifier{ID: "t1"}, opts...)
		return err
	}
	otherKey := "da2-anotherkey0123456789"

	refused := []struct {
		name string
		opts []client.Option
	}{
		{"iam credentials", []client.Option{client.WithCredentials(staticCreds(""))}},
		{"iam credentials and mode", []client.Option{client.WithCredentials(staticCreds("")), client.WithAuthMode(client.AuthIAM)}},
		{"user pool", []client.Option{client.WithUserPool(client.StaticToken(userToken)), client.WithAuthMode(client.AuthUserPool)}},
	}
	for _, tc := range refused {
		t.Run("not a fallback for "+tc.name, func(t *testing.T) {
			n := len(srv.got)
			c, err := tododata.NewFromEndpoint(endpoint(t, ""), tc.opts...)
			require.NoError(t, err)
			err = get(t, c)
			var aerr *client.AuthModeError
			require.ErrorAs(t, err, &aerr)
			assert.Equal(t, []client.AuthMode{client.AuthAPIKey}, aerr.Allowed)
			assert.Contains(t, err.Error(), "GetTodo")
			assert.Contains(t, err.Error(), "the endpoint's API key (api_key of amplify_outputs.json) is used only")
			assert.Contains(t, err.Error(), "pass client.WithAPIKey to New to let the client fall back to it")
			assert.NotContains(t, err.Error(), testAPIKey)
			assert.Len(t, srv.got, n, "nothing may be sent")

			_, _, _, err = c.GraphQL.SubscriptionAuth("GetTodo")
			require.ErrorAs(t, err, &aerr, "a subscription chooses its mode as a query does")
		})
	}

	used := []struct {
		name     string
		def      client.AuthMode // the endpoint's default mode, "" for the outputs' (iam)
		newOpts  []client.Option
		callOpts []client.Option
		key      string
	}{
		{"given with WithAPIKey, the outputs' key is a fallback", "", []client.Option{client.WithCredentials(staticCreds("")), client.WithAPIKey(testAPIKey)}, nil, testAPIKey},
		{"a key of the caller's is a fallback", "", []client.Option{client.WithCredentials(staticCreds("")), client.WithAPIKey(otherKey)}, nil, otherKey},
		{"a key set by an Option of the caller's is a fallback", "", []client.Option{client.WithCredentials(staticCreds("")), func(o *client.Options) { o.APIKey = otherKey }}, nil, otherKey},
		{"asked for by the call", "", []client.Option{client.WithCredentials(staticCreds(""))}, []client.Option{client.WithAuthMode(client.AuthAPIKey)}, testAPIKey},
		{"the default mode of New", "", []client.Option{client.WithCredentials(staticCreds("")), client.WithAuthMode(client.AuthAPIKey)}, nil, testAPIKey},
		{"the outputs' default mode", client.AuthAPIKey, []client.Option{client.WithCredentials(staticCreds(""))}, nil, testAPIKey},
	}
	for _, tc := range used {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tododata.NewFromEndpoint(endpoint(t, tc.def), tc.newOpts...)
			require.NoError(t, err)
			require.NoError(t, get(t, c, tc.callOpts...))
			assert.Equal(t, tc.key, srv.last(t).Header.Get("X-Api-Key"))
			assert.Empty(t, srv.last(t).Header.Get("Authorization"))

			_, mode, _, err := c.GraphQL.SubscriptionAuth("GetTodo", tc.callOpts...)
			require.NoError(t, err)
			assert.Equal(t, client.AuthAPIKey, mode)
		})
	}

	t.Run("an operation that allows the default mode uses it", func(t *testing.T) {
		ep := endpoint(t, "")
		ep.Operations = map[string][]client.AuthMode{"GetTodo": {client.AuthAPIKey, client.AuthIAM}}
		c, err := tododata.NewFromEndpoint(ep, client.WithCredentials(staticCreds("")), client.WithAPIKey(testAPIKey))
		require.NoError(t, err)
		require.NoError(t, get(t, c))
		assert.Contains(t, srv.last(t).Header.Get("Authorization"), "AWS4-HMAC-SHA256")
		assert.Empty(t, srv.last(t).Header.Get("X-Api-Key"))
	})
}
