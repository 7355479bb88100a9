package schema_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/internal/testenv"
)

// The Gen 2 backends under testdata/amplify/backends/<name>/resource.ts and
// the outputs Amplify's transformer makes of them, committed in
// <name>/generated/ by testdata/amplify/tool/generate.mjs.
const (
	amplifyTool     = "testdata/amplify/tool"
	amplifyBackends = "testdata/amplify/backends"
	regenerateHint  = "regenerate with: cd schema/testdata/amplify/tool && npm ci && node generate.mjs ../backends"
)

// TestAmplifyFixturesRegenerate runs the generator into a temporary folder
// and requires every backend's committed generated/ folder to hold exactly
// the same files, byte for byte.
func TestAmplifyFixturesRegenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates the Amplify fixtures with Amplify's transformer (Node.js, npm ci); run without -short")
	}
	tool, err := filepath.Abs(amplifyTool)
	require.NoError(t, err)
	backends, err := filepath.Abs(amplifyBackends)
	require.NoError(t, err)
	testenv.EnsureNPM(t, tool)

	out := t.TempDir()
	start := time.Now()
	cmd := exec.CommandContext(t.Context(), "node", "generate.mjs", backends, out)
	cmd.Dir = tool
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "node generate.mjs failed:\n%s", output)
	t.Logf("generate.mjs took %s", time.Since(start).Round(time.Millisecond))

	names := backendNames(t)
	require.NotEmpty(t, names, "no backends under %s", amplifyBackends)
	generated, err := os.ReadDir(out)
	require.NoError(t, err)
	var got []string
	for _, e := range generated {
		got = append(got, e.Name())
	}
	require.Equal(t, names, got, "generate.mjs wrote other backends than %s holds", amplifyBackends)

	for _, name := range names {
		committed := filepath.Join(amplifyBackends, name, "generated")
		compareTrees(t, committed, filepath.Join(out, name))
	}
}

// TestAmplifyFixturesMatchCopies requires the seed-todo outputs to equal the
// copies of them that the schema tests read.
func TestAmplifyFixturesMatchCopies(t *testing.T) {
	generated := filepath.Join(amplifyBackends, "seed-todo", "generated")
	// ../appsync/testdata/seed.appsync.graphql is not among them: it lacks the @aws_iam
	// that Gen 2 puts on every field (defineData always enables IAM access,
	// the synth parameter enableIamAccess), which generated/appsync.graphql has.
	for _, c := range []struct{ file, copyPath string }{
		{"amplify.graphql", "testdata/seed.amplify.graphql"},
		{"model_introspection.json", "testdata/model_introspection.json"},
		{"amplify_outputs.json", "testdata/amplify_outputs.json"},
	} {
		want, err := os.ReadFile(filepath.Join(generated, c.file))
		require.NoError(t, err)
		got, err := os.ReadFile(c.copyPath)
		require.NoError(t, err)
		if !bytes.Equal(want, got) {
			t.Errorf("%s differs from %s, its source; copy it again\n%s",
				c.copyPath, filepath.Join(generated, c.file), lineDiff(want, got))
		}
	}
}

// backendNames returns the folders of amplifyBackends that hold a resource.ts.
func backendNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(amplifyBackends)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(amplifyBackends, e.Name(), "resource.ts")); e.IsDir() && err == nil {
			names = append(names, e.Name())
		}
	}
	return names
}

// readTree returns the files under dir, keyed by slash-separated relative
// path; none if dir does not exist.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return files // a backend never generated: all its files are missing
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	require.NoError(t, err)
	return files
}

// compareTrees reports every file that is missing from, extra in or
// different in the committed folder, compared with the regenerated one.
func compareTrees(t *testing.T, committedDir, regeneratedDir string) {
	t.Helper()
	committed := readTree(t, committedDir)
	regenerated := readTree(t, regeneratedDir)
	var paths []string
	for p := range committed {
		paths = append(paths, p)
	}
	for p := range regenerated {
		if _, ok := committed[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		file := filepath.Join(committedDir, filepath.FromSlash(p))
		want, inRegenerated := regenerated[p]
		got, inCommitted := committed[p]
		switch {
		case !inCommitted:
			t.Errorf("%s: missing (the generator writes it); %s", file, regenerateHint)
		case !inRegenerated:
			t.Errorf("%s: extra (the generator does not write it); %s", file, regenerateHint)
		case !bytes.Equal(want, got):
			t.Errorf("%s: differs from the regenerated file; %s\n%s", file, regenerateHint, lineDiff(want, got))
		}
	}
}

// lineDiff shows where got (committed) first departs from want
// (regenerated): the differing lines with a little context, diff style.
func lineDiff(want, got []byte) string {
	w := strings.SplitAfter(string(want), "\n")
	g := strings.SplitAfter(string(got), "\n")
	first := 0
	for first < len(w) && first < len(g) && w[first] == g[first] {
		first++
	}
	// Match the common tail too, so that the hunk holds only what changed.
	wEnd, gEnd := len(w), len(g)
	for wEnd > first && gEnd > first && w[wEnd-1] == g[gEnd-1] {
		wEnd--
		gEnd--
	}
	const context, maxLines = 2, 12
	var b strings.Builder
	fmt.Fprintf(&b, "--- committed\n+++ regenerated\n@@ line %d @@\n", first+1)
	for i := max(0, first-context); i < first; i++ {
		b.WriteString(" " + line(w[i]))
	}
	for i := first; i < gEnd && i < first+maxLines; i++ {
		b.WriteString("-" + line(g[i]))
	}
	if gEnd-first > maxLines {
		fmt.Fprintf(&b, "-... (%d more lines)\n", gEnd-first-maxLines)
	}
	for i := first; i < wEnd && i < first+maxLines; i++ {
		b.WriteString("+" + line(w[i]))
	}
	if wEnd-first > maxLines {
		fmt.Fprintf(&b, "+... (%d more lines)\n", wEnd-first-maxLines)
	}
	return b.String()
}

// line returns s ending in exactly one newline, marking a missing one.
func line(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n\\ no newline at end of file\n"
}
