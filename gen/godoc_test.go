package gen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exportedDecls lists the exported package-level names declared in the Go
// file path.
func exportedDecls(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	require.NoError(t, err)
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.IsExported() {
				names = append(names, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						names = append(names, s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							names = append(names, n.Name)
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// TestGodocIsTheTypedClient: the exported names of a generated package are
// its typed client. genqlient's own machinery for the operations the
// generator writes (the functions named after them, their *_Operation
// documents, *ForwardData subscription helpers and the long response types
// such as ListPostsListPostsModelPostConnection) is unexported, so it does
// not crowd the package's documentation; what genqlient generates for the
// fragments (the model and custom types the methods return) and for the
// operations of graphql/custom (which Operations returns as they are)
// stays exported. The wire names of the operations do not change.
func TestGodocIsTheTypedClient(t *testing.T) {
	root, err := os.MkdirTemp("testdata", ".godoc-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })
	dir := filepath.Join(root, "blogdata")
	custom, err := os.ReadFile(filepath.Join("..", "examples", "blog", "blogdata", "graphql", "custom", "PostWithComments.graphql"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "graphql", "custom"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "graphql", "custom", "PostWithComments.graphql"), custom, 0o644))
	require.NoError(t, Generate(Config{Outputs: filepath.Join("..", "examples", "blog", "amplify_outputs.json"),
		Schema: filepath.Join("..", "examples", "blog", "amplify", "schema.graphql"), Dir: dir}))

	frags, err := filepath.Glob(filepath.Join(dir, "graphql", "fragments", "*.graphql"))
	require.NoError(t, err)
	allowed := map[string]bool{}
	for _, f := range frags {
		allowed[strings.TrimSuffix(filepath.Base(f), ".graphql")] = true
	}
	var extra []string
	for _, name := range exportedDecls(t, filepath.Join(dir, "genqlient.go")) {
		if !allowed[name] && !strings.HasPrefix(name, "PostWithComments") {
			extra = append(extra, name)
		}
	}
	assert.Empty(t, extra, "genqlient.go exports names that are not the typed client's")
	assert.Contains(t, exportedDecls(t, filepath.Join(dir, "genqlient.go")), "PostWithCommentsResponse", "the hand-written operation's response type, which Operations.PostWithComments returns")

	src, err := os.ReadFile(filepath.Join(dir, "genqlient.go"))
	require.NoError(t, err)
	assert.Contains(t, string(src), "query GetPost (", "the operation keeps its name on the wire")
	assert.Contains(t, string(src), `OpName: "GetPost",`)
	// One way to subscribe: the facade's, through package realtime.
	assert.NotContains(t, string(src), "graphql.WebSocketClient", "genqlient's WebSocket subscription functions are dropped")
	assert.Contains(t, string(src), "const onCreatePost_Operation = `", "the subscription's document stays, for the facade")
	assert.Contains(t, string(src), "type onCreatePostResponse struct", "the subscription's response type stays, for realtime.Values")
}
