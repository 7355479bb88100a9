// Package testenv provides real services on loopback for the repository's
// tests. Today that is cognito-local, a Cognito user-pools API written in
// Node.js, installed from internal/testenv/node/package-lock.json.
//
// Tests that use it need Node.js 20 and npm. Without them the tests fail with
// a clear message, unless run with -short, in which case they are skipped:
// `go test -short ./...` runs only the fast unit tests.
package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stampName is written into node_modules after a successful `npm ci`; its
// modification time tells whether node_modules is up to date with the lock.
const stampName = ".testenv-installed"

var (
	installMu   sync.Mutex
	installDone string // node folder, once installed by this process
)

// NodeDir returns the absolute path of internal/testenv/node, found relative
// to this source file so that tests of any package can use it.
func NodeDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testenv: runtime.Caller failed")
	}
	return filepath.Join(filepath.Dir(file), "node")
}

// requireNode fails (or, with -short, skips) the test when node or npm are
// not on PATH.
func requireNode(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if testing.Short() {
				t.Skip("needs Node.js: cognito-local; run without -short")
			}
			t.Fatalf("testenv: %q not found on PATH: these tests need Node.js 20 and npm "+
				"(they run cognito-local on 127.0.0.1); install Node.js 20, or run `go test -short` for the unit tests only", tool)
		}
	}
}

// EnsureNodeModules runs `npm ci` in internal/testenv/node if its
// node_modules is missing or older than package-lock.json, and returns that
// folder. It is safe when several test binaries call it at once: they
// serialize on syscall.Flock of a lock file in that folder, and all but the
// first find node_modules up to date.
func EnsureNodeModules(t testing.TB) string {
	t.Helper()
	requireNode(t)
	dir := NodeDir()

	installMu.Lock()
	defer installMu.Unlock()
	if installDone != "" {
		return installDone
	}

	lockPath := filepath.Join(dir, ".install.lock")
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("testenv: opening %s: %v", lockPath, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("testenv: locking %s: %v", lockPath, err)
	}
	defer func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }()

	if !upToDate(dir) {
		start := time.Now()
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("testenv: `npm ci` in %s failed: %v\n%s", dir, err, out.String())
		}
		stamp := filepath.Join(dir, "node_modules", stampName)
		if err := os.WriteFile(stamp, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
			t.Fatalf("testenv: writing %s: %v", stamp, err)
		}
		t.Logf("testenv: npm ci in %s took %s", dir, time.Since(start).Round(time.Millisecond))
	}
	installDone = dir
	return dir
}

// upToDate reports whether node_modules was installed by EnsureNodeModules
// after package-lock.json last changed.
func upToDate(dir string) bool {
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return false
	}
	stamp, err := os.Stat(filepath.Join(dir, "node_modules", stampName))
	if err != nil {
		return false
	}
	return !stamp.ModTime().Before(lock.ModTime())
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes and reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
