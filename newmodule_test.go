package data_test

// The path a new user takes first, in a module of their own outside this
// repository: add amplifygen as a tool, generate, tidy, build, run against
// appsynctest. The README's "Using it from your module" gives these
// commands; this test runs them as written, with one difference: the module
// proxy cannot serve this checkout, so the scratch module requires it
// through a replace (`go mod edit -require/-replace/-tool` instead of
// `go get -tool ...@latest`).

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On one line, so that go generate of this module does not take it for a
// directive of its own.
const newModuleGenerate = "package main\n\n//go:generate go tool amplifygen -outputs amplify_outputs.json -out amplifydata\n"

const newModuleMain = `package main

import (
	"context"
	"fmt"
	"log"

	"example.com/app/amplifydata"
	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
)

func main() {
	ctx := context.Background()
	backend, err := appsynctest.LoadBackend("amplify_outputs.json", "schema.graphql")
	if err != nil {
		log.Fatal(err)
	}
	srv, err := appsynctest.Start(backend)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := amplifydata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("alice")))
	if err != nil {
		log.Fatal(err)
	}
	todo, err := c.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{Content: client.Ptr("milk")})
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Models.Todo.List(ctx, amplifydata.TodoListOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created %s; %d todo(s)\n", *todo.Content, len(page.Items))
}
`

func TestFromANewModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a new module with the go command (about a minute); run without -short")
	}
	repo, err := os.Getwd()
	require.NoError(t, err)
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		// The module's own flags (CI sets -mod=readonly) are not the user's.
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Run(), "go %s:\n%s", strings.Join(args, " "), out.String())
		return out.String()
	}
	copyFile := func(from, to string) {
		b, err := os.ReadFile(filepath.Join(repo, from))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, to), b, 0o644))
	}
	copyFile("examples/add-user-to-group/amplify_outputs.json", "amplify_outputs.json")
	copyFile("examples/add-user-to-group/amplify/schema.graphql", "schema.graphql")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "generate.go"), []byte(newModuleGenerate), 0o644))

	run("mod", "init", "example.com/app")
	// go get -tool github.com/go-amplify/data/gen/cmd/amplifygen@latest, from this checkout:
	run("mod", "edit", "-require", "github.com/go-amplify/data@v0.0.0", "-replace", "github.com/go-amplify/data="+repo,
		"-tool", "github.com/go-amplify/data/gen/cmd/amplifygen")
	run("mod", "tidy")
	run("generate", "./...")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(newModuleMain), 0o644))
	run("mod", "tidy") // records what the generated package and main import
	run("vet", "./...")
	out := run("run", ".")
	assert.Equal(t, "created milk; 1 todo(s)\n", out)

	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(gomod), "tool github.com/go-amplify/data/gen/cmd/amplifygen")
}
