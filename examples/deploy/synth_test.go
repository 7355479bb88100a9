// Package deploy proves, without an AWS account, that the examples'
// Amplify Gen 2 backends would deploy with their Go functions wired in: it
// synthesizes each app's amplify/backend.ts with the CDK, offline, as
// `npx ampx sandbox` does before it deploys, and reads the CloudFormation
// that would be deployed.
package deploy

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/internal/testenv"
)

// examplesDir is the npm workspace of the examples' apps: one
// package-lock.json installs the packages of every app into
// examples/node_modules, where each app's amplify/ folder finds them.
const examplesDir = ".."

// The sandbox this test synthesizes for: ampx sandbox takes the namespace
// from the app's package.json name and the name from the OS user (or
// --identifier); any fixed values do here. No AWS call is made: the account
// and region are the defaults the CDK CLI would pass from the credentials.
const (
	sandboxName = "synth"
	account     = "123456789012"
	region      = "us-east-1"
)

// requireSynthTools skips the test under -short (it installs Amplify's
// packages, about 1.2 GB, and runs Node.js and go build) and fails it when
// go is not on PATH (the functions are built at synth time), and returns
// the npm workspace, installed.
func requireSynthTools(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("synthesizes the examples' Amplify backends (Node.js, npm ci of Amplify's packages, go build); run without -short")
	}
	_, err := exec.LookPath("go")
	require.NoError(t, err, "the go command must be on PATH: defineGoFunction builds the functions at synth time")
	dir, err := filepath.Abs(examplesDir)
	require.NoError(t, err)
	return testenv.EnsureNPM(t, dir)
}

// synthOutput runs what `npx ampx sandbox` runs before it deploys, in the
// app folder app (the parent of amplify/), and returns the cloud assembly's
// folder, or the combined output of the step that failed:
//
//   - the type check: tsc --noEmit --skipLibCheck --project amplify;
//   - the synthesis: the CDK app amplify/backend.ts run with tsx, with
//     Amplify's backend context keys for a sandbox (CDK_CONTEXT_JSON) and the
//     output folder (CDK_OUTDIR), as `cdk synth --app "npx tsx
//     amplify/backend.ts" --context ...` passes them to the app and as
//     ampx's in-process toolkit (@aws-cdk/toolkit-lib, MemoryContext) does.
func synthOutput(t *testing.T, npm, app string, typeCheck bool) (string, []byte, error) {
	t.Helper()
	bin := filepath.Join(npm, "node_modules", ".bin")
	if typeCheck {
		cmd := exec.CommandContext(t.Context(), filepath.Join(bin, "tsc"), "--noEmit", "--skipLibCheck", "--project", "amplify")
		cmd.Dir = app
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", out, err
		}
	}

	var pkg struct {
		Name string `json:"name"`
	}
	if b, err := os.ReadFile(filepath.Join(app, "package.json")); err == nil {
		require.NoError(t, json.Unmarshal(b, &pkg))
	}
	if pkg.Name == "" {
		pkg.Name = filepath.Base(app)
	}
	context, err := json.Marshal(map[string]string{
		"amplify-backend-namespace": pkg.Name,
		"amplify-backend-name":      sandboxName,
		"amplify-backend-type":      "sandbox",
	})
	require.NoError(t, err)
	outdir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), filepath.Join(bin, "tsx"), filepath.Join("amplify", "backend.ts"))
	cmd.Dir = app
	cmd.Env = append(os.Environ(),
		"CDK_CONTEXT_JSON="+string(context),
		"CDK_OUTDIR="+outdir,
		"CDK_DEFAULT_ACCOUNT="+account,
		"CDK_DEFAULT_REGION="+region,
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err = cmd.Run()
	t.Logf("synthesized %s in %s", filepath.Base(app), time.Since(start).Round(time.Millisecond))
	return outdir, out.Bytes(), err
}

// synth type-checks and synthesizes the example app and loads its cloud
// assembly.
func synth(t *testing.T, app string) *assembly {
	t.Helper()
	npm := requireSynthTools(t)
	outdir, out, err := synthOutput(t, npm, filepath.Join(npm, app), true)
	require.NoError(t, err, "synthesizing %s failed:\n%s", app, out)
	return loadAssembly(t, outdir)
}

// TestMisplacedFunction synthesizes a backend whose Go function defineAuth
// grants access to but which is not in the auth stack: defineGoFunction
// refuses it, naming the resourceGroupName to set, instead of a circular
// reference between the stacks.
func TestMisplacedFunction(t *testing.T) {
	npm := requireSynthTools(t)
	app, err := filepath.Abs(filepath.Join("testdata", "misplaced"))
	require.NoError(t, err)
	_, out, err := synthOutput(t, npm, app, false)
	require.Error(t, err, "the synthesis succeeded:\n%s", out)
	require.Contains(t, string(out), `defineGoFunction add-user: it is granted access to a resource of the "auth" stack (AMPLIFY_AUTH_USERPOOL_ID), but is in the "function" stack`)
	require.Contains(t, string(out), `set resourceGroupName: "auth"`)
}
