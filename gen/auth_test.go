package gen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// kitchenAPI builds the API of the kitchen case: a hand-written schema
// (default mode API_KEY) with root fields that carry no @aws_* directive
// on a root type that carries none either.
func kitchenAPI(t *testing.T) *api {
	t.Helper()
	dir := filepath.Join("testdata", "cases", "kitchen")
	out, err := schema.LoadOutputs(filepath.Join(dir, "amplify_outputs.json"))
	require.NoError(t, err)
	sch, err := appsync.LoadSchema(filepath.Join(dir, "schema.graphql"))
	require.NoError(t, err)
	a, err := buildAPI("want", "example.com/want", out, sch, apiOptions{})
	require.NoError(t, err)
	return a
}

func operationNamed(a *api, name string) *operation {
	for _, op := range a.Operations {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// TestAuthModesWithoutDirective: AppSync allows only the API's default
// authorization type on a field that has no @aws_* directive (and whose
// type has none), so OperationAuthModes says exactly that, rather than
// leaving the operation out (which the client reads as "any mode").
func TestAuthModesWithoutDirective(t *testing.T) {
	a := kitchenAPI(t)
	for _, name := range []string{"GetComment", "ListComments", "CreateComment", "Ping"} {
		op := operationNamed(a, name)
		require.NotNil(t, op, name)
		assert.Equal(t, []client.AuthMode{client.AuthAPIKey}, op.Auth, "%s: its field has no @aws_* directive and the default mode is API_KEY", name)
	}
	// Fields with directives keep theirs.
	assert.Equal(t, []client.AuthMode{client.AuthLambda, client.AuthOIDC}, operationNamed(a, "Statuses").Auth)

	// The promise of the entry: a client configured for IAM alone fails
	// before sending, with a *client.AuthModeError naming the allowed mode.
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"ping":null}}`))
	}))
	defer srv.Close()
	modes := map[string][]client.AuthMode{}
	for _, op := range a.Operations {
		if op.Auth != nil {
			modes[op.Name] = op.Auth
		}
	}
	c, err := client.New(client.Endpoint{URL: srv.URL, Region: "us-east-1", DefaultAuthMode: client.AuthIAM, Operations: modes},
		client.WithCredentials(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret", Source: "test"}, nil
		})))
	require.NoError(t, err)
	var resp graphql.Response
	err = c.MakeRequest(context.Background(), &graphql.Request{OpName: "Ping", Query: "query Ping { ping }"}, &resp)
	var ame *client.AuthModeError
	require.ErrorAs(t, err, &ame)
	assert.Equal(t, []client.AuthMode{client.AuthAPIKey}, ame.Allowed)
	assert.Zero(t, requests.Load(), "nothing is sent")
}

// TestAuthModesUnknown: a schema read from introspection JSON carries no
// applied directive at all, and a synthesized schema none on custom
// operations (model_introspection does not record their rules): their
// modes are unknown, so OperationAuthModes has no entry for them (the
// client then uses its default mode), the generator claims no mode it
// cannot know, and says so in a warning.
func TestAuthModesUnknown(t *testing.T) {
	t.Run("introspection", func(t *testing.T) {
		dir := filepath.Join("testdata", "cases", "seed-introspection")
		out, err := schema.LoadOutputs(filepath.Join(dir, "amplify_outputs.json"))
		require.NoError(t, err)
		sch, err := appsync.LoadSchema(filepath.Join(dir, "schema.json"))
		require.NoError(t, err)
		a, err := buildAPI("want", "example.com/want", out, sch, apiOptions{})
		require.NoError(t, err)
		for _, op := range a.Operations {
			assert.Nil(t, op.Auth, op.Name)
		}
		assert.Len(t, a.warnings, 1)
		assert.Contains(t, a.warnings[0], "introspection JSON carries no @aws_* directive")
	})
	t.Run("synthesized", func(t *testing.T) {
		out, err := schema.LoadOutputs(filepath.Join(amplifyBackends, "customops", "generated", "amplify_outputs.json"))
		require.NoError(t, err)
		sch, err := SynthesizeSchemaFromOutputs(out)
		require.NoError(t, err)
		a, err := buildAPI("want", "example.com/want", out, sch, apiOptions{synthesized: true})
		require.NoError(t, err)
		// Model operations: the synthesizer knows their rules.
		assert.Equal(t, []client.AuthMode{client.AuthAPIKey, client.AuthIAM, client.AuthIdentityPool, client.AuthUserPool}, operationNamed(a, "ListPhotos").Auth)
		// Custom operations: unknown, never the default mode (API_KEY),
		// which config (allow.guest(): IAM only) does not allow.
		for _, name := range []string{"Add", "Config", "SetMood", "Published"} {
			op := operationNamed(a, name)
			require.NotNil(t, op, name)
			assert.Nil(t, op.Auth, name)
		}
		require.Len(t, a.warnings, 1)
		assert.Contains(t, a.warnings[0], "model_introspection does not record the auth rules of custom operations")
		assert.Contains(t, a.warnings[0], "add, allBoxes, area, config")
	})
}
