package gen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUserOperationErrors: a hand-written operation that cannot become Go
// is refused with its file, line and column and a hint.
func TestUserOperationErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"syntax", "query Broken {\n  getTodo(id: \"x\") {\n", "graphql/custom/op.graphql:3:1: Expected Name, found <EOF>\n\thint: fix the GraphQL syntax"},
		{"unknown field", "query Q {\n  getTodo(id: \"x\") { nope }\n}\n", "graphql/custom/op.graphql:2:22: Cannot query field \"nope\" on type \"Todo\". Did you mean \"done\"?\n\thint: check the field and argument names against graphql/schema.graphql"},
		{"no name", "{\n  listTodos { items { id } }\n}\n", "graphql/custom/op.graphql:1:1: the operation has no name"},
		{"clash", "query GetTodo {\n  getTodo(id: \"x\") { id }\n}\n", "operation GetTodo: the Go name GetTodo is already used by the generated package"},
		{"lower case", "query todos {\n  listTodos { items { id } }\n}\n", "the name must start with an upper-case letter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join("testdata", ".got-custom", "amplifydata")
			t.Cleanup(func() { os.RemoveAll(filepath.Dir(dir)) })
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "graphql", "custom"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "graphql", "custom", "op.graphql"), []byte(tc.src), 0o644))
			err := Generate(Config{Outputs: "testdata/cases/seed/amplify_outputs.json", Schema: "testdata/cases/seed/schema.graphql", Dir: dir})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
