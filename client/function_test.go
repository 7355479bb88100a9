package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
)

func TestFunctionEndpoint(t *testing.T) {
	env := map[string]string{
		"AMPLIFY_DATA_DEFAULT_NAME":     "amplifyData",
		"AMPLIFY_DATA_GRAPHQL_ENDPOINT": "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql",
		"AWS_REGION":                    "eu-west-1",
	}
	ep, err := client.FunctionEndpoint(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, client.Endpoint{URL: env["AMPLIFY_DATA_GRAPHQL_ENDPOINT"], Region: "eu-west-1", DefaultAuthMode: client.AuthIAM}, ep)

	env["AMPLIFY_DATA_DEFAULT_NAME"] = "myAPI2Name-x"
	env["MY_API2_NAME_X_GRAPHQL_ENDPOINT"] = "https://other/graphql"
	ep, err = client.FunctionEndpoint(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "https://other/graphql", ep.URL)

	for _, missing := range []string{"AWS_REGION", "MY_API2_NAME_X_GRAPHQL_ENDPOINT", "AMPLIFY_DATA_DEFAULT_NAME"} {
		delete(env, missing)
		_, err = client.FunctionEndpoint(func(k string) string { return env[k] })
		require.Error(t, err)
		assert.Contains(t, err.Error(), missing)
	}
}
