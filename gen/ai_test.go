package gen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAIRoutesDoNotBlockTheClient: a backend with a conversation route
// and generation routes (schema/testdata/amplify/backends/ai) generates,
// from amplify_outputs.json alone and with its AppSync schema: the models
// have their typed API, each generation route is a query of Queries
// returning the route's type, and no fragment of the conversation's types
// is written (genqlient refuses a fragment no operation uses). The corpus
// tests compile it.
func TestAIRoutesDoNotBlockTheClient(t *testing.T) {
	dir := filepath.Join(amplifyBackends, "ai", "generated")
	root, err := os.MkdirTemp("testdata", ".ai-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })
	for _, schemaPath := range []string{"", filepath.Join(dir, "appsync.graphql")} {
		out := filepath.Join(root, "syn", "amplifydata")
		if schemaPath != "" {
			out = filepath.Join(root, "real", "amplifydata")
		}
		require.NoError(t, Generate(Config{Outputs: filepath.Join(dir, "amplify_outputs.json"), Schema: schemaPath, Dir: out}))
		src, err := os.ReadFile(filepath.Join(out, "client.go"))
		require.NoError(t, err)
		assert.Contains(t, string(src), "func (m *NoteModel) Create(")
		assert.Contains(t, string(src), "func (q Queries) GenerateRecipe(ctx context.Context, args GenerateRecipeArgs, opts ...client.Option) (*Recipe, error) {")
		assert.Contains(t, string(src), "func (q Queries) Summarize(ctx context.Context, args SummarizeArgs, opts ...client.Option) (*string, error) {")
		frags, err := filepath.Glob(filepath.Join(out, "graphql", "fragments", "*.graphql"))
		require.NoError(t, err)
		var names []string
		for _, f := range frags {
			names = append(names, filepath.Base(f))
		}
		assert.ElementsMatch(t, []string{"Note.graphql", "Recipe.graphql"}, names)
	}
}
