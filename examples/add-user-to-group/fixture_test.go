package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBackendIsTheFixture checks that the example's schema and outputs are
// the ones Amplify's tools made for its backend: the seed-todo backend of
// schema/testdata/amplify, regenerated there by Amplify's transformer.
func TestBackendIsTheFixture(t *testing.T) {
	fixture := filepath.Join("..", "..", "schema", "testdata", "amplify", "backends", "seed-todo", "generated")
	for copy, orig := range map[string]string{
		"amplify/schema.graphql": "appsync.graphql",
		"amplify_outputs.json":   "amplify_outputs.json",
	} {
		want, err := os.ReadFile(filepath.Join(fixture, orig))
		require.NoError(t, err)
		got, err := os.ReadFile(copy)
		require.NoError(t, err)
		require.Equalf(t, string(want), string(got),
			"%s is not a copy of %s: copy it (cp %s %s) and run go generate ./examples/...",
			copy, filepath.Join(fixture, orig), filepath.Join(fixture, orig), copy)
	}
}
