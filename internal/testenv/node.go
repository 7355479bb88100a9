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
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stampName is written into node_modules after a successful `npm ci`; it
// holds the SHA-256 of the package-lock.json that was installed.
const stampName = ".testenv-installed"

var (
	installMu sync.Mutex
	installed = map[string]bool{} // npm folders installed by this process
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

// EnsureNodeModules installs the npm packages of internal/testenv/node
// (cognito-local) and returns that folder; see EnsureNPM.
func EnsureNodeModules(t testing.TB) string {
	t.Helper()
	return EnsureNPM(t, NodeDir())
}

// EnsureNPM runs `npm ci` in dir (an npm package folder of this repository
// with a package-lock.json) unless its node_modules was installed from the
// same lock file, and returns dir. The stamp written into node_modules holds
// the lock file's SHA-256, so a changed lock reinstalls. It is safe when
// several test binaries call it at once: they serialize on syscall.Flock of a
// lock file in dir, and all but the first find node_modules up to date.
func EnsureNPM(t testing.TB, dir string) string {
	t.Helper()
	requireNode(t)

	installMu.Lock()
	defer installMu.Unlock()
	if installed[dir] {
		return dir
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

	want, err := lockSum(dir)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	stamp := filepath.Join(dir, "node_modules", stampName)
	if got, _ := os.ReadFile(stamp); string(got) != want {
		start := time.Now()
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("testenv: `npm ci` in %s failed: %v\n%s", dir, err, out.String())
		}
		if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
			t.Fatalf("testenv: writing %s: %v", stamp, err)
		}
		t.Logf("testenv: npm ci in %s took %s", dir, time.Since(start).Round(time.Millisecond))
	}
	installed[dir] = true
	return dir
}

// lockSum returns the hex SHA-256 of dir/package-lock.json.
func lockSum(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", fmt.Errorf("reading the npm lock file: %w (every npm folder of the repository commits its package-lock.json)", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) + "\n", nil
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
