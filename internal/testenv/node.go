// Package testenv provides real services on loopback for the repository's
// tests: cognito-local, a Cognito user-pools API written in Node.js,
// installed from internal/testenv/node/package-lock.json; the AppSync
// simulator with dynalite, from internal/testenv/simulator; and the two
// together behind a verifying front (StartStack).
//
// They need Node.js 20 with npm. When node or npm is not on PATH, a test
// using them fails, saying what needs Node.js and what is missing; with
// -short it is skipped instead. With Node.js on PATH, -short changes nothing
// here. Every helper reports failures from the test's own goroutine, also
// for the services StartStack starts in parallel.
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
	"strings"
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

// requireNode fails the test, or with -short skips it, when node or npm is
// not on PATH. what names what needs them, e.g. "cognito-local". It must be
// called from the test's goroutine, as t.Skip and t.Fatal must.
func requireNode(t testing.TB, what string) {
	t.Helper()
	// -short is the fast unit tests: nothing that starts Node.js, whether
	// or not it is installed.
	if testing.Short() {
		t.Skipf("testenv: %s runs on Node.js; skipped with -short", what)
	}
	var missing []string
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("testenv: Node.js 20 with npm is needed for %s (%s not found in PATH)", what, strings.Join(missing, " and "))
	t.Fatal(msg + "; install Node.js 20 with npm, or run `go test -short` to skip the tests that need it")
}

// EnsureNodeModules installs the npm packages of internal/testenv/node
// (cognito-local) and returns that folder; see EnsureNPM.
func EnsureNodeModules(t testing.TB) string {
	t.Helper()
	requireNode(t, "cognito-local")
	if err := ensureNPM(t, NodeDir()); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return NodeDir()
}

// EnsureNPM runs `npm ci` in dir (an npm package folder of this repository
// with a package-lock.json) unless its node_modules was installed from the
// same lock file, and returns dir. The stamp written into node_modules holds
// the lock file's SHA-256, so a changed lock reinstalls. It is safe when
// several test binaries call it at once: they serialize on syscall.Flock of a
// lock file in dir, and all but the first find node_modules up to date.
func EnsureNPM(t testing.TB, dir string) string {
	t.Helper()
	requireNode(t, "the npm folder "+dir)
	if err := ensureNPM(t, dir); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return dir
}

// ensureNPM is EnsureNPM after requireNode, returning its failure instead of
// failing t (which it only logs to), so that it may run in any goroutine.
func ensureNPM(t testing.TB, dir string) error {
	installMu.Lock()
	defer installMu.Unlock()
	if installed[dir] {
		return nil
	}

	lockPath := filepath.Join(dir, ".install.lock")
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("opening %s: %w", lockPath, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", lockPath, err)
	}
	defer func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }()

	want, err := lockSum(dir)
	if err != nil {
		return err
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
			return fmt.Errorf("`npm ci` in %s failed: %w\n%s", dir, err, out.String())
		}
		if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", stamp, err)
		}
		t.Logf("testenv: npm ci in %s took %s", dir, time.Since(start).Round(time.Millisecond))
	}
	installed[dir] = true
	return nil
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
