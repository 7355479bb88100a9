package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRun runs the example against the in-process backend and compares
// what it prints with testdata/output.txt.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	want, err := os.ReadFile(filepath.Join("testdata", "output.txt"))
	require.NoError(t, err)
	require.Equal(t, string(want), out.String(), "the example's output changed: check it, then `go run ./examples/blog > examples/blog/testdata/output.txt`")
}

// TestBackendIsTheFixture checks that the example's schema and outputs are
// the ones Amplify's transformer made for the blog backend of
// schema/testdata/amplify, whose resource.ts is amplify/data/schema.ts (amplify/data/resource.ts defines the data resource with it).
func TestBackendIsTheFixture(t *testing.T) {
	fixture := filepath.Join("..", "..", "schema", "testdata", "amplify", "backends", "blog")
	for copy, orig := range map[string]string{
		"amplify/schema.graphql": "generated/appsync.graphql",
		"amplify_outputs.json":   "generated/amplify_outputs.json",
		"amplify/data/schema.ts": "resource.ts",
	} {
		want, err := os.ReadFile(filepath.Join(fixture, orig))
		require.NoError(t, err)
		got, err := os.ReadFile(copy)
		require.NoError(t, err)
		require.Equalf(t, string(want), string(got), "%s is not a copy of %s: copy it and run go generate ./examples/...", copy, filepath.Join(fixture, orig))
	}
}
