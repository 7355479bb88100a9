package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunLocal is the README's main job: `go run ./examples/add-user-to-group`
// with no flags runs the seed end to end in-process, against appsynctest,
// with the seed's Go handler as the resolver.
func TestRunLocal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &stdout, &stderr), "stderr: %s", stderr.String())
	t.Logf("stdout:\n%s", stdout.String())
	t.Logf("stderr:\n%s", stderr.String())

	// stdout is the function's result: what the handler returned for
	// AdminAddUserToGroup, as the JavaScript handler returns the SDK's
	// response.
	var res struct {
		Metadata struct {
			HTTPStatusCode int    `json:"httpStatusCode"`
			RequestID      string `json:"requestId"`
		} `json:"$metadata"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &res))
	assert.Equal(t, 200, res.Metadata.HTTPStatusCode)
	assert.NotEmpty(t, res.Metadata.RequestID)

	// The user was outside ADMINS before the call and in it after.
	out := stderr.String()
	assert.Regexp(t, regexp.MustCompile(`local backend \(appsynctest\) on http://127\.0\.0\.1:\d+/graphql`), out)
	assert.Contains(t, out, "user@example.com (sub ")
	assert.Contains(t, out, "is in groups []")
	assert.Contains(t, out, "user@example.com's next sign-in carries groups [ADMINS]")
}
