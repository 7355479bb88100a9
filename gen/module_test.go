package gen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestModuleErrorsNameTheFix: when the go command cannot load the module
// the package goes into (here a requirement without its go.sum entry, as
// after `go mod edit -require` or a go.sum left behind), the generator
// says so and names the command that fixes it, rather than calling the
// folder outside the module.
func TestModuleErrorsNameTheFix(t *testing.T) {
	outputs, err := filepath.Abs(filepath.Join("testdata", "cases", "seed", "amplify_outputs.json"))
	require.NoError(t, err)
	dir := t.TempDir()
	// go 1.16: the go command loads the whole module graph, so the
	// requirement's go.mod (and its go.sum entry) is needed at once.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.16\n\nrequire github.com/Khan/genqlient v0.8.1\n"), 0o644))
	t.Chdir(dir)
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOWORK", "off")
	t.Setenv("GOPROXY", "off")
	err = Generate(Config{Outputs: outputs, Dir: "appdata"})
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "missing go.sum entry")
	assert.Contains(t, msg, "run `go mod tidy`")
	assert.Contains(t, msg, "go get -tool github.com/go-amplify/data/gen/cmd/amplifygen@latest")
	assert.NotContains(t, msg, "outside the Go module")
	assert.NoDirExists(t, filepath.Join(dir, "appdata"))
}

// TestModuleHint: the errors of the go command about a module's
// requirements get the remedy; others are left as they are.
func TestModuleHint(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		hint bool
	}{
		{"go: github.com/Khan/genqlient@v0.8.1: missing go.sum entry for go.mod file; to add it:\n\tgo mod download github.com/Khan/genqlient", true},
		{"no required module provides package github.com/go-amplify/data/client; to add it:\n\tgo get github.com/go-amplify/data/client", true},
		{"go: updates to go.mod needed; to update it:\n\tgo mod tidy", true},
		{"genqlient.yaml: unknown field", false},
	} {
		err := moduleHint(errString(tc.msg))
		assert.ErrorIs(t, err, errString(tc.msg))
		if tc.hint {
			assert.Contains(t, err.Error(), "run `go mod tidy`", tc.msg)
		} else {
			assert.Equal(t, tc.msg, err.Error())
		}
	}
	assert.NoError(t, moduleHint(nil))
}

type errString string

func (e errString) Error() string { return string(e) }
