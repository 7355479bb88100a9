package data_test

// Dependencies point one way (docs: "Dependencies point one way"): the
// runtime a frontend links does not carry the generator's GraphQL parser,
// and the generator does not carry the runtime's AWS SDK.

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDependencyDirection(t *testing.T) {
	// genqlient's runtime, which package client implements, carries
	// GraphQL errors as gqlerror.List (with ast positions): those two small
	// packages of gqlparser come with it; its lexer, parser, validator and
	// formatter must not.
	genqlientRuntime := []string{"github.com/vektah/gqlparser/v2/ast", "github.com/vektah/gqlparser/v2/gqlerror"}
	tests := []struct {
		pkg       string
		forbidden string
		allowed   []string
		why       string
	}{
		{"github.com/go-amplify/data/client", "github.com/vektah/gqlparser", genqlientRuntime,
			"the runtime reads amplify_outputs.json with package schema; the AppSync SDL parser belongs to schema/appsync, which only gen and appsynctest import"},
		{"github.com/go-amplify/data/schema", "github.com/vektah/gqlparser", nil,
			"package schema is the light half the runtime imports; SDL parsing lives in schema/appsync"},
		// What a frontend program links by importing a generated package.
		{"github.com/go-amplify/data/examples/add-user-to-group/amplifydata", "github.com/vektah/gqlparser", genqlientRuntime,
			"a generated package needs the runtime, not the generator's parser"},
		{"github.com/go-amplify/data/examples/add-user-to-group/amplifydata", "github.com/aws/aws-lambda-go", nil,
			"the function side is opt-in: the generated event types come from package function (standard library only); only function/lambda links aws-lambda-go"},
		{"github.com/go-amplify/data/function", "github.com/aws/aws-lambda-go", nil,
			"package function holds types only; function/lambda runs them on Lambda"},
		{"github.com/go-amplify/data/gen/cmd/amplifygen", "github.com/aws/aws-sdk-go-v2", nil,
			"the generator takes the auth vocabulary from package schema and must not import the runtime (package client)"},
		{"github.com/go-amplify/data/gen/cmd/amplifygen", "github.com/go-amplify/data/client", nil,
			"the generator writes code that imports client; it does not link it itself"},
	}
	for _, tt := range tests {
		t.Run(tt.pkg+" without "+tt.forbidden, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", tt.pkg).CombinedOutput()
			require.NoError(t, err, "go list -deps %s: %s", tt.pkg, out)
			var bad []string
			for _, dep := range strings.Fields(string(out)) {
				if (dep == tt.forbidden || strings.HasPrefix(dep, tt.forbidden+"/")) && !slices.Contains(tt.allowed, dep) {
					bad = append(bad, dep)
				}
			}
			assert.Empty(t, bad, "%s links %s: %s", tt.pkg, tt.forbidden, tt.why)
		})
	}
}
