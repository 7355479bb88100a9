package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The usage line names every flag, and the package documentation and the
// README give the same line.
func TestSynopsisNamesEveryFlag(t *testing.T) {
	// main registers its flags when it runs: read them from its calls.
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	names := regexp.MustCompile(`flag\.\w+Var\(&cfg\.\w+, "([a-z-]+)"`).FindAllStringSubmatch(string(src), -1)
	require.NotEmpty(t, names)
	for _, n := range names {
		assert.Contains(t, synopsis, "-"+n[1]+" ", "the usage line lacks -%s", n[1])
	}
	assert.Contains(t, string(src), "//\t"+synopsis, "the package documentation gives another usage line")
	readme, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(readme), "`"+synopsis+"`"), "the README gives another usage line for amplifygen")
}
