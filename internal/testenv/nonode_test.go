package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingTB is a testing.TB that runs a helper as the testing package
// runs a test, recording its failures instead of failing the real test,
// and noting those reported from another goroutine than the test's own:
// FailNow from another goroutine ends only that goroutine, and a failure
// reported after the test returned makes the testing package panic ("Fail
// in goroutine after ... has completed").
type recordingTB struct {
	testing.TB // the real test, for Name, Logf, TempDir, ...

	goroutine uint64 // the one running the helper

	mu           sync.Mutex
	failed       bool
	skipped      bool
	messages     []string
	offGoroutine []string // failures reported from another goroutine
	cleanups     []func()
}

// goroutineID parses the running goroutine's ID from its stack header,
// "goroutine 42 [running]:".
func goroutineID() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	if len(f) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(f[1], 10, 64)
	return id
}

// record notes a failure or skip; it returns after the lock is released.
func (r *recordingTB) record(skip bool, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if skip {
		r.skipped = true
	} else {
		r.failed = true
	}
	r.messages = append(r.messages, msg)
	if goroutineID() != r.goroutine {
		r.offGoroutine = append(r.offGoroutine, msg)
	}
}

func (r *recordingTB) Helper()                        {}
func (r *recordingTB) Fail()                          { r.record(false, "Fail") }
func (r *recordingTB) FailNow()                       { r.record(false, "FailNow"); runtime.Goexit() }
func (r *recordingTB) Error(args ...any)              { r.record(false, fmt.Sprint(args...)) }
func (r *recordingTB) Errorf(format string, a ...any) { r.record(false, fmt.Sprintf(format, a...)) }
func (r *recordingTB) Fatal(args ...any)              { r.record(false, fmt.Sprint(args...)); runtime.Goexit() }
func (r *recordingTB) Fatalf(format string, a ...any) {
	r.record(false, fmt.Sprintf(format, a...))
	runtime.Goexit()
}
func (r *recordingTB) Skip(args ...any) { r.record(true, fmt.Sprint(args...)); runtime.Goexit() }
func (r *recordingTB) Skipf(format string, a ...any) {
	r.record(true, fmt.Sprintf(format, a...))
	runtime.Goexit()
}
func (r *recordingTB) SkipNow() { r.record(true, "SkipNow"); runtime.Goexit() }
func (r *recordingTB) Cleanup(f func()) {
	r.mu.Lock()
	r.cleanups = append(r.cleanups, f)
	r.mu.Unlock()
}
func (r *recordingTB) Failed() bool                    { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }
func (r *recordingTB) Skipped() bool                   { r.mu.Lock(); defer r.mu.Unlock(); return r.skipped }
func (r *recordingTB) Log(args ...any)                 { r.TB.Log(args...) }
func (r *recordingTB) Logf(format string, args ...any) { r.TB.Logf(format, args...) }

// runRecorded runs fn with a recordingTB in a goroutine of its own, as a
// test, then its cleanups (last first), and returns the record.
func runRecorded(t *testing.T, fn func(testing.TB)) *recordingTB {
	r := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.goroutine = goroutineID()
		defer func() {
			for i := len(r.cleanups) - 1; i >= 0; i-- {
				r.cleanups[i]()
			}
		}()
		fn(r)
	}()
	<-done
	return r
}

// emptyPath sets PATH to an empty folder for the test: no node, no npm.
func emptyPath(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := exec.LookPath("node")
	require.Error(t, err)
}

// wantNodeMissing checks that r failed (or, with -short, was skipped) once,
// from the test's goroutine, saying what needs Node.js.
func wantNodeMissing(t *testing.T, r *recordingTB, what string) {
	t.Helper()
	want := "Node.js 20 with npm is needed for " + what + " (node and npm not found in PATH)"
	if testing.Short() {
		want = what + " runs on Node.js; skipped with -short"
	}
	assert.Empty(t, r.offGoroutine, "failures reported from another goroutine than the test's")
	require.Len(t, r.messages, 1, "one failure: %q", r.messages)
	assert.Contains(t, r.messages[0], want)
	if testing.Short() {
		assert.True(t, r.skipped, "with -short, a missing Node.js skips")
		assert.False(t, r.failed)
	} else {
		assert.True(t, r.failed, "without -short, a missing Node.js fails")
		assert.False(t, r.skipped)
	}
}

// TestNodeMissing: without node and npm on PATH, each helper that needs
// them fails the test (with -short: skips it) from the test's goroutine,
// naming what needs Node.js.
func TestNodeMissing(t *testing.T) {
	for _, tc := range []struct {
		name, what string
		run        func(testing.TB)
	}{
		{"StartStack", "the simulator stack, cognito-local and the AppSync simulator",
			func(tb testing.TB) { StartStack(tb, StackOptions{Generated: seedTodoGenerated}) }},
		{"StartCognito", "cognito-local", func(tb testing.TB) { StartCognito(tb) }},
		{"StartSimulator", "the AppSync simulator",
			func(tb testing.TB) { StartSimulator(tb, SimulatorOptions{Generated: seedTodoGenerated}) }},
		{"EnsureNPM", "the npm folder " + SimulatorDir(), func(tb testing.TB) { EnsureNPM(tb, SimulatorDir()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emptyPath(t)
			wantNodeMissing(t, runRecorded(t, tc.run), tc.what)
		})
	}
}

// TestStartStackReportsFromTheTestGoroutine: when cognito-local, which
// StartStack starts in a goroutine of its own, fails to start, and so does
// the simulator, both failures reach the test from its own goroutine, in
// one message. A fake node that exits at once stands in for a broken
// install; the simulator's fails a second later, so that, reported from
// the goroutine, cognito-local's failure would come first.
func TestStartStackReportsFromTheTestGoroutine(t *testing.T) {
	// Installed with the real PATH: the fake npm below never runs.
	EnsureNodeModules(t)
	EnsureNPM(t, SimulatorDir())

	bin := t.TempDir()
	writeScript(t, filepath.Join(bin, "node"), `case "$*" in *simulator/start.js*) /bin/sleep 1 ;; esac
echo "fake node: not running $*" >&2
exit 3`)
	writeScript(t, filepath.Join(bin, "npm"), `echo "fake npm: not installing" >&2
exit 1`)
	t.Setenv("PATH", bin)

	r := runRecorded(t, func(tb testing.TB) { StartStack(tb, StackOptions{Generated: seedTodoGenerated}) })
	assert.Empty(t, r.offGoroutine, "failures reported from another goroutine than the test's")
	require.True(t, r.failed)
	require.Len(t, r.messages, 1, "one failure: %q", r.messages)
	msg := r.messages[0]
	assert.Contains(t, msg, "cognito-local exited before answering")
	assert.Contains(t, msg, "simulator exited before it was ready")
	assert.Contains(t, msg, "fake node: not running")
}

func writeScript(t *testing.T, path, body string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755))
}

// TestStartStackWithoutNodeInGoTest runs a test calling StartStack in a
// test binary (this one) with no node on PATH, as `go test` runs it:
// without -short it fails saying what is missing, without a panic; with
// -short it is skipped.
func TestStartStackWithoutNodeInGoTest(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	empty := t.TempDir()
	for _, short := range []bool{false, true} {
		t.Run("short="+strconv.FormatBool(short), func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^TestStartStackHelper$", "-test.v", "-test.count=5", "-test.short="+strconv.FormatBool(short))
			cmd.Env = append(os.Environ(), "PATH="+empty, "TESTENV_HELPER=StartStack")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			log := out.String()
			assert.NotContains(t, log, "panic")
			if short {
				assert.Contains(t, log, "the simulator stack, cognito-local and the AppSync simulator runs on Node.js; skipped with -short")
			} else {
				assert.Contains(t, log, "Node.js 20 with npm is needed for the simulator stack, cognito-local and the AppSync simulator (node and npm not found in PATH)")
			}
			if short {
				require.NoError(t, err, "%s", log)
				assert.Equal(t, 5, strings.Count(log, "--- SKIP: TestStartStackHelper"), "%s", log)
			} else {
				var ee *exec.ExitError
				require.ErrorAs(t, err, &ee, "%s", log)
				assert.Equal(t, 1, ee.ExitCode(), "%s", log)
				assert.Equal(t, 5, strings.Count(log, "--- FAIL: TestStartStackHelper"), "%s", log)
			}
		})
	}
}

// TestStartStackHelper is the test TestStartStackWithoutNodeInGoTest runs
// in a child process; run directly, it is skipped.
func TestStartStackHelper(t *testing.T) {
	if os.Getenv("TESTENV_HELPER") != "StartStack" {
		t.Skip("run by TestStartStackWithoutNodeInGoTest in a child process")
	}
	StartStack(t, StackOptions{Generated: seedTodoGenerated})
	t.Error("StartStack returned without Node.js")
}
