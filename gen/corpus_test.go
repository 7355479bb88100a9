package gen

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// TestCorpusSynthesizedOperations generates, for every transformed backend
// of schema/testdata/amplify that has a Query type, the client from
// amplify_outputs.json alone (the schema synthesized from
// model_introspection), and checks it against what Amplify's transformer
// really made:
//
//   - every generated operation, with the fragments it spreads, validates
//     against the transformer's appsync.graphql (gqlparser's validator:
//     every type, field and argument exists, variables fit), and every
//     variable has exactly the type of the real argument and every selected
//     field the type of the real field;
//   - the Go it writes (client.go, types.go, genqlient.go) is the Go the
//     real schema gives, but for the auth modes of custom operations,
//     which model_introspection does not record (OperationAuthModes has no
//     entry for them: the client uses its default mode).
func TestCorpusSynthesizedOperations(t *testing.T) {
	// Inside the module (genqlient needs the package path), removed after.
	root, err := os.MkdirTemp("testdata", ".corpus-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })
	var pkgs []string
	t.Run("backends", func(t *testing.T) {
		for _, dir := range corpus(t) {
			name := backendName(dir)
			_, real := loadBackend(t, dir)
			if real.Query == nil {
				continue // the seed alone: AppSync refuses a schema without Query
			}
			pkgs = append(pkgs, "./"+filepath.ToSlash(filepath.Join(root, strings.ReplaceAll(name, "-", "_"), "syn", "amplifydata")))
			t.Run(name, func(t *testing.T) { checkBackend(t, root, dir) })
		}
	})
	if t.Failed() {
		return
	}
	// The clients generated from amplify_outputs.json alone build and vet.
	start := time.Now()
	cmd := exec.Command("go", append([]string{"vet"}, pkgs...)...)
	outText, err := cmd.CombinedOutput()
	require.NoError(t, err, "go vet of the synthesized clients:\n%s", outText)
	t.Logf("go vet of %d synthesized clients: %s", len(pkgs), time.Since(start).Round(time.Millisecond))
}

// checkBackend generates the backend in dir twice, from its outputs alone
// and with its real schema, and compares.
func checkBackend(t *testing.T, root, dir string) {
	t.Parallel()
	start := time.Now()
	name := backendName(dir)
	out, real := loadBackend(t, dir)
	base := filepath.Join(root, strings.ReplaceAll(name, "-", "_"))
	synDir, realDir := filepath.Join(base, "syn", "amplifydata"), filepath.Join(base, "real", "amplifydata")
	outputs := filepath.Join(dir, "amplify_outputs.json")
	require.NoError(t, Generate(Config{Outputs: outputs, Dir: synDir}))
	var warnings []string
	require.NoError(t, Generate(Config{Outputs: outputs, Schema: filepath.Join(dir, "appsync.graphql"), Dir: realDir,
		Warn: func(m string) { warnings = append(warnings, m) }}))
	assert.Empty(t, warnings, "the transformer's schema agrees with its model_introspection")

	n := checkOperations(t, synDir, real)
	diffs := compareGenerated(t, synDir, realDir, customOperationNames(out.Data.ModelIntrospection))
	t.Logf("%s: %d operations valid against the transformer's schema; Go identical but for %d OperationAuthModes entries of custom operations (%s)",
		name, n, diffs, time.Since(start).Round(time.Millisecond))
}

// checkOperations validates every operation document of the package in
// dir against the real schema and returns how many there are.
func checkOperations(t *testing.T, dir string, real *appsync.Schema) int {
	t.Helper()
	frags := map[string]string{}
	fragFiles, err := filepath.Glob(filepath.Join(dir, "graphql", "fragments", "*.graphql"))
	require.NoError(t, err)
	for _, f := range fragFiles {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		doc, err := parser.ParseQuery(&ast.Source{Name: f, Input: string(b)})
		require.NoError(t, err)
		for _, fd := range doc.Fragments {
			frags[fd.Name] = string(b)
		}
	}
	ops, err := filepath.Glob(filepath.Join(dir, "graphql", "operations", "*.graphql"))
	require.NoError(t, err)
	require.NotEmpty(t, ops)
	for _, f := range ops {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		text := string(b)
		// The fragments the operation spreads, transitively.
		seen := map[string]bool{}
		for changed := true; changed; {
			changed = false
			for name, src := range frags {
				if !seen[name] && strings.Contains(text, "..."+name+"\n") {
					seen[name] = true
					text += "\n" + src
					changed = true
				}
			}
		}
		doc, errs := gqlparser.LoadQuery(real.Schema, text)
		if !assert.Empty(t, errs, "%s against the transformer's schema:\n%s", filepath.Base(f), text) {
			continue
		}
		for _, op := range doc.Operations {
			checkSelection(t, filepath.Base(f), real.Schema, op.SelectionSet, doc, op)
		}
	}
	return len(ops)
}

// checkSelection requires every argument's variable to have exactly the
// real argument's type, and every field its real type (gqlparser's
// validator accepts a variable whose type is stricter than the argument's).
func checkSelection(t *testing.T, file string, real *ast.Schema, set ast.SelectionSet, doc *ast.QueryDocument, op *ast.OperationDefinition) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Definition == nil {
				continue
			}
			for _, a := range s.Arguments {
				if a.Value.Kind != ast.Variable {
					continue
				}
				v := op.VariableDefinitions.ForName(a.Value.Raw)
				def := s.Definition.Arguments.ForName(a.Name)
				if assert.NotNil(t, v, "%s: $%s", file, a.Value.Raw) && assert.NotNil(t, def, "%s: %s(%s)", file, s.Name, a.Name) {
					assert.Equal(t, def.Type.String(), v.Type.String(), "%s: the variable of %s(%s:) has another type than the real argument", file, s.Name, a.Name)
				}
			}
			checkSelection(t, file, real, s.SelectionSet, doc, op)
		case *ast.FragmentSpread:
			if fd := doc.Fragments.ForName(s.Name); fd != nil {
				checkSelection(t, file, real, fd.SelectionSet, doc, op)
			}
		case *ast.InlineFragment:
			checkSelection(t, file, real, s.SelectionSet, doc, op)
		}
	}
}

func customOperationNames(intro *schema.ModelIntrospection) []string {
	var out []string
	for _, op := range slices.Concat(intro.Queries, intro.Generations, intro.Mutations, intro.Subscriptions) {
		out = append(out, op.Name)
	}
	return out
}

// authModesEntry matches a line of OperationAuthModes: "Name": {...},
var authModesEntry = regexp.MustCompile(`^\s*"(\w+)":\s+\{[^}]*\},$`)

var alignment = regexp.MustCompile(`:\s+\{`)

// compareGenerated requires the Go files of the synthesized and the real
// generation to be identical but for OperationAuthModes entries of custom
// operations (which must be missing from the synthesized one, not
// different), and returns how many such entries there are.
func compareGenerated(t *testing.T, synDir, realDir string, custom []string) int {
	t.Helper()
	customOp := map[string]bool{}
	for _, c := range custom {
		customOp[goName(c)] = true
		customOp[goName(c)+"Query"] = true
		customOp[goName(c)+"Mutation"] = true
	}
	gaps := 0
	for _, f := range []string{"client.go", "types.go", "genqlient.go"} {
		s, err := os.ReadFile(filepath.Join(synDir, f))
		require.NoError(t, err)
		r, err := os.ReadFile(filepath.Join(realDir, f))
		require.NoError(t, err)
		// Removing map entries changes gofmt's alignment of the others:
		// compare those lines with their spaces collapsed.
		norm := func(src string) string {
			lines := strings.Split(src, "\n")
			for i, line := range lines {
				if authModesEntry.MatchString(line) {
					lines[i] = alignment.ReplaceAllString(line, ": {")
				}
			}
			return strings.Join(lines, "\n")
		}
		var kept []string
		for _, line := range strings.Split(string(r), "\n") {
			if m := authModesEntry.FindStringSubmatch(line); m != nil && customOp[m[1]] {
				gaps++
				continue
			}
			kept = append(kept, line)
		}
		assert.Equal(t, norm(strings.Join(kept, "\n")), norm(string(s)), "%s generated from the synthesized schema differs from the one the transformer's schema gives", f)
	}
	return gaps
}
