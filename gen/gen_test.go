package gen

import (
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/Khan/genqlient/generate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the expected outputs of the golden cases")

// A golden case is a folder under testdata/cases holding amplify_outputs.json
// and schema.graphql (or schema.json), and want/, the package the generator
// must write from them.
func TestGoldenCases(t *testing.T) {
	cases, err := filepath.Glob("testdata/cases/*")
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cfg := Config{Outputs: filepath.Join(dir, "amplify_outputs.json"), Schema: schemaOf(t, dir)}
			want := filepath.Join(dir, "want")
			if *update {
				require.NoError(t, os.RemoveAll(want))
				cfg.Dir = want
				require.NoError(t, Generate(cfg))
				return
			}
			// Generate next to want/ (inside the module, so the package
			// path resolves) and compare whole trees.
			got := filepath.Join(dir, ".got", "want")
			require.NoError(t, os.RemoveAll(got))
			t.Cleanup(func() { os.RemoveAll(filepath.Dir(got)) })
			cfg.Dir, cfg.Package = got, "want"
			require.NoError(t, Generate(cfg))
			assertSameTree(t, want, got)
		})
	}
	t.Run("Build", func(t *testing.T) {
		// Every expected output must compile and pass vet: a snapshot that
		// does not build proves nothing.
		args := []string{"vet"}
		for _, dir := range cases {
			args = append(args, "./"+filepath.ToSlash(filepath.Join(dir, "want")))
		}
		cmd := exec.Command("go", args...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go vet of the expected outputs:\n%s", out)
	})
}

func schemaOf(t *testing.T, dir string) string {
	for _, name := range []string{"schema.graphql", "schema.json"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	t.Fatalf("%s has no schema.graphql or schema.json", dir)
	return ""
}

// assertSameTree compares two directories file by file.
func assertSameTree(t *testing.T, want, got string) {
	t.Helper()
	w, g := readTree(t, want), readTree(t, got)
	for name := range w {
		_, ok := g[name]
		assert.True(t, ok, "generation no longer writes %s", name)
	}
	for name, src := range g {
		exp, ok := w[name]
		if !assert.True(t, ok, "generation writes %s, which the expected output lacks (run go test ./gen -update)", name) {
			continue
		}
		assert.Equal(t, exp, src, "%s differs from the expected output (run go test ./gen -update after checking the change)", name)
	}
}

// readTree maps the slash-separated path of every file below root to its
// content.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	}))
	return files
}

// TestDeterministic regenerates a case twice into the same folder and checks
// that the second run changes no byte.
func TestDeterministic(t *testing.T) {
	dir := "testdata/cases/kitchen"
	got := filepath.Join(dir, ".twice", "kitchen")
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(got)) })
	cfg := Config{Outputs: filepath.Join(dir, "amplify_outputs.json"), Schema: filepath.Join(dir, "schema.graphql"), Dir: got}
	require.NoError(t, Generate(cfg))
	first := readTree(t, got)
	require.NoError(t, Generate(cfg))
	assert.Equal(t, first, readTree(t, got))
}

// A bad-input case is a folder under testdata/bad with the inputs and
// error.txt, the message the generator must give ({{dir}} stands for the
// case's folder). A case without schema.graphql or schema.json generates
// from amplify_outputs.json alone. No message quotes more than a snippet of
// what it is about: never a whole schema.
func TestBadInputs(t *testing.T) {
	cases, err := filepath.Glob("testdata/bad/*")
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			schemaPath := ""
			for _, name := range []string{"schema.graphql", "schema.json"} {
				if p := filepath.Join(dir, name); fileExists(p) {
					schemaPath = p
				}
			}
			out := filepath.Join(dir, ".got", "want")
			t.Cleanup(func() { os.RemoveAll(filepath.Dir(out)) })
			err := Generate(Config{Outputs: filepath.Join(dir, "amplify_outputs.json"), Schema: schemaPath, Dir: out})
			require.Error(t, err)
			msg := strings.ReplaceAll(err.Error(), dir, "{{dir}}")
			assert.LessOrEqual(t, len(msg), 1024, "the message is a few lines, not a dump:\n%.2000s", msg)
			assert.NoDirExists(t, out, "a failed generation writes nothing")
			golden := filepath.Join(dir, "error.txt")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(msg+"\n"), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, strings.TrimSuffix(string(want), "\n"), msg)
		})
	}
}

// TestExampleIsUpToDate regenerates the committed example client and
// checks that nothing changes, as `go generate ./...` must.
func TestExampleIsUpToDate(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	example := filepath.Join(root, "examples", "add-user-to-group")
	pkg := filepath.Join(example, "amplifydata")
	got := filepath.Join(example, ".got", "amplifydata")
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(got)) })
	// The genqlient.yaml goes one folder below the root, next to nothing
	// committed, so the test never writes into the source tree.
	ymlDir := filepath.Join(root, ".got-genqlient")
	t.Cleanup(func() { os.RemoveAll(ymlDir) })
	yml := filepath.Join(ymlDir, "genqlient.yaml")
	require.NoError(t, Generate(Config{
		Outputs: filepath.Join(example, "amplify_outputs.json"), Schema: filepath.Join(example, "amplify", "schema.graphql"),
		Dir: got, Package: "amplifydata", GenqlientConfig: yml,
	}))
	assertSameTree(t, pkg, got)

	// The top-level genqlient.yaml is what the generator hands genqlient
	// for the example: the fresh one must equal it but for the folders,
	// and genqlient run alone on it must reproduce the committed
	// genqlient.go.
	wantYML, err := os.ReadFile(filepath.Join(root, "genqlient.yaml"))
	require.NoError(t, err)
	gotYML, err := os.ReadFile(yml)
	require.NoError(t, err)
	assert.Equal(t, string(wantYML), strings.NewReplacer("/.got/", "/", "../examples/", "examples/").Replace(string(gotYML)))

	cfg, err := generate.ReadAndValidateConfig(filepath.Join(root, "genqlient.yaml"))
	require.NoError(t, err)
	files, err := generate.Generate(cfg)
	require.NoError(t, err)
	committed, err := os.ReadFile(filepath.Join(pkg, "genqlient.go"))
	require.NoError(t, err)
	require.Contains(t, files, filepath.Join(pkg, "genqlient.go"))
	// amplifygen then unexports the names genqlient derives from the
	// operations it wrote (unexport.go): the operations of
	// graphql/operations, none of the fragments of graphql/fragments.
	var ops, frags []string
	for dir, dst := range map[string]*[]string{"operations": &ops, "fragments": &frags} {
		docs, err := filepath.Glob(filepath.Join(pkg, "graphql", dir, "*.graphql"))
		require.NoError(t, err)
		for _, d := range docs {
			name := strings.TrimSuffix(filepath.Base(d), ".graphql")
			if dir == "fragments" || goPrefix(&operation{Name: name}) != name {
				*dst = append(*dst, name)
			}
		}
	}
	require.NotEmpty(t, ops)
	alone, err := unexportOperations(files[filepath.Join(pkg, "genqlient.go")], ops, nil, frags)
	require.NoError(t, err)
	assert.Equal(t, string(committed), string(alone))
}
