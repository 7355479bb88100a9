package gen

import (
	"errors"
	"flag"
	"io/fs"
	"maps"
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
// must write from them. A case whose package is mostly another case's names
// that case in a file base: its want/ then holds only the files that differ,
// and every other file must equal the base case's, so that one expected file
// is kept once (seed-introspection writes the seed's package but for its
// schema document and its unknown auth modes).
func TestGoldenCases(t *testing.T) {
	cases, err := filepath.Glob("testdata/cases/*")
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	var standalone []string
	for _, dir := range cases {
		base := baseOf(t, dir)
		if base == "" {
			standalone = append(standalone, dir)
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cfg := Config{Outputs: filepath.Join(dir, "amplify_outputs.json"), Schema: schemaOf(t, dir)}
			want := filepath.Join(dir, "want")
			if *update && base == "" {
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
			if base == "" {
				assertSameTree(t, readTree(t, want), readTree(t, got))
				return
			}
			baseWant := readTree(t, filepath.Join(filepath.Dir(dir), base, "want"))
			if *update {
				writeDifferences(t, want, baseWant, readTree(t, got))
				return
			}
			expected := maps.Clone(baseWant)
			for name, src := range readTree(t, want) {
				_, ok := baseWant[name]
				assert.True(t, ok, "%s: %s is not a file of %s's output: drop it", want, name, base)
				assert.NotEqual(t, baseWant[name], src, "%s: %s equals %s's: drop it (run go test ./gen -update)", want, name, base)
				expected[name] = src
			}
			if assertSameTree(t, expected, readTree(t, got)) {
				// The expected output is nowhere on disk whole: vet the
				// generated package, which equals it.
				vet(t, "./"+filepath.ToSlash(got))
			}
		})
	}
	t.Run("Build", func(t *testing.T) {
		// Every expected output must compile and pass vet: a snapshot that
		// does not build proves nothing.
		var pkgs []string
		for _, dir := range standalone {
			pkgs = append(pkgs, "./"+filepath.ToSlash(filepath.Join(dir, "want")))
		}
		vet(t, pkgs...)
	})
}

// baseOf returns the case named by the file base of the case dir, or "".
func baseOf(t *testing.T, dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "base"))
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	require.NoError(t, err)
	base := strings.TrimSpace(string(b))
	require.DirExists(t, filepath.Join(filepath.Dir(dir), base, "want"), "%s names the case %q", filepath.Join(dir, "base"), base)
	require.NoFileExists(t, filepath.Join(filepath.Dir(dir), base, "base"), "the base of %s has a base itself", dir)
	return base
}

// writeDifferences rewrites want as the files of got that are not the
// same in base.
func writeDifferences(t *testing.T, want string, base, got map[string]string) {
	require.NoError(t, os.RemoveAll(want))
	for name, src := range got {
		if b, ok := base[name]; ok && b == src {
			continue
		}
		p := filepath.Join(want, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
}

// vet runs go vet on the packages pkgs.
func vet(t *testing.T, pkgs ...string) {
	t.Helper()
	out, err := exec.Command("go", append([]string{"vet"}, pkgs...)...).CombinedOutput()
	require.NoError(t, err, "go vet of the expected outputs:\n%s", out)
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

// assertSameTree compares two trees, as readTree returns them, file by file,
// and reports whether they are the same.
func assertSameTree(t *testing.T, w, g map[string]string) bool {
	t.Helper()
	same := true
	for name := range w {
		_, ok := g[name]
		same = assert.True(t, ok, "generation no longer writes %s", name) && same
	}
	for name, src := range g {
		exp, ok := w[name]
		if !assert.True(t, ok, "generation writes %s, which the expected output lacks (run go test ./gen -update)", name) {
			same = false
			continue
		}
		same = assert.Equal(t, exp, src, "%s differs from the expected output (run go test ./gen -update after checking the change)", name) && same
	}
	return same
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
	assertSameTree(t, readTree(t, pkg), readTree(t, got))

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
	// amplifygen then drops genqlient's WebSocket subscription functions
	// (subscriptions.go) and unexports the names genqlient derives from the
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
	dropped, err := dropWebSocketFuncs(files[filepath.Join(pkg, "genqlient.go")])
	require.NoError(t, err)
	alone, err := unexportOperations(dropped, ops, nil, frags)
	require.NoError(t, err)
	assert.Equal(t, string(committed), string(alone))
}
