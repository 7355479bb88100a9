package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

// SimulatorDir returns the absolute path of internal/testenv/simulator, the
// npm folder of the AppSync simulator (amplify-appsync-simulator with the
// patches of patches.js, and dynalite), found relative to this source file.
func SimulatorDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testenv: runtime.Caller failed")
	}
	return filepath.Join(filepath.Dir(file), "simulator")
}

// SimulatorOptions configures StartSimulator.
type SimulatorOptions struct {
	// Generated is a backend's folder of transformer outputs, holding
	// simulator.json and the files it names, e.g.
	// schema/testdata/amplify/backends/seed-todo/generated.
	Generated string
	// FunctionsURL is the base URL of an HTTP server that runs the
	// backend's Lambda functions: an AWS_LAMBDA data source POSTs the event
	// JSON to FunctionsURL + "/" + functionName and takes a 200 body as the
	// result; any other status with a body {"errorType": "...",
	// "errorMessage": "..."} is a Lambda error, which reaches the GraphQL
	// client as {"errorType": <errorType>, "message": <errorMessage>, ...}.
	// Empty: every Lambda call fails with errorType Lambda:Unhandled.
	FunctionsURL string
	// AuthAccessKeyID is the access key id the simulator treats as the
	// identity pool's authenticated role; any other key is the
	// unauthenticated role. The simulator reads only this id from a SigV4
	// Authorization header and verifies no signature.
	AuthAccessKeyID string
	// UnauthAccessKeyID, when set, is the access key id of the identity
	// pool's unauthenticated role, and every key that is neither it nor
	// AuthAccessKeyID acts as an IAM principal of the account outside the
	// identity pool (a function's role): no Cognito identity fields, which
	// Gen 2's IAM access lets through every rule. When empty, every other
	// key is the unauthenticated role.
	UnauthAccessKeyID string
}

// Simulator is a running AppSync simulator for one backend.
type Simulator struct {
	// URL is the GraphQL endpoint, http://127.0.0.1:<port>/graphql. The
	// realtime WebSocket is served on the same host and path (see
	// RealtimeURL).
	URL string
	// APIKey is the backend's API key (simulator.json's appSync.apiKey).
	APIKey string
	// DynamoDBEndpoint is the in-memory dynalite holding the model tables,
	// http://127.0.0.1:<port> (any credentials, region us-east-1).
	DynamoDBEndpoint string

	out *lockedBuffer
}

// RealtimeURL returns the simulator's realtime endpoint,
// ws://127.0.0.1:<port>/graphql (subprotocol graphql-ws, AppSync's
// header=<base64 JSON>&payload=e30= query string).
func (s *Simulator) RealtimeURL() string {
	return "ws" + strings.TrimPrefix(s.URL, "http")
}

// Output returns what the simulator process has logged so far.
func (s *Simulator) Output() string { return s.out.String() }

// simulatorReady is the line start.js prints on stdout when it is ready.
type simulatorReady struct {
	URL              string `json:"url"`
	APIKey           string `json:"apiKey"`
	DynamoDBEndpoint string `json:"dynamodbEndpoint"`
}

// StartSimulator installs the simulator's npm folder if needed (EnsureNPM),
// starts `node start.js <o.Generated>` on a free 127.0.0.1 port (dynalite
// with the backend's tables, the simulator with its schema and VTL, every
// patch applied) and waits for its ready line. The process group is killed
// and waited for at test cleanup, and the process also exits by itself when
// this test process dies (its stdin closes). Its output is logged only if
// the test failed.
func StartSimulator(t testing.TB, o SimulatorOptions) *Simulator {
	t.Helper()
	requireNode(t, "the AppSync simulator")
	s, err := startSimulator(t, o)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return s
}

// startSimulator is StartSimulator after requireNode. It returns its
// failure instead of failing t, and only logs to t and registers cleanups,
// so that it may run in another goroutine than the test's.
func startSimulator(t testing.TB, o SimulatorOptions) (*Simulator, error) {
	dir := SimulatorDir()
	if err := ensureNPM(t, dir); err != nil {
		return nil, err
	}
	start := time.Now()

	generated, err := filepath.Abs(o.Generated)
	if err != nil {
		return nil, fmt.Errorf("simulator backend %q: %w", o.Generated, err)
	}
	if _, err := os.Stat(filepath.Join(generated, "simulator.json")); err != nil {
		return nil, fmt.Errorf("simulator backend: %w (Generated must be a folder of transformer outputs with simulator.json)", err)
	}

	cmd := exec.Command("node", filepath.Join(dir, "start.js"), generated)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PORT=0",
		"FUNCTIONS_URL="+o.FunctionsURL,
		"AUTH_ACCESS_KEY_ID="+o.AuthAccessKeyID,
		"UNAUTH_ACCESS_KEY_ID="+o.UnauthAccessKeyID,
		"SIMULATOR_SKIP_PATCHES=",
		"NO_COLOR=1", "FORCE_COLOR=0",
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &lockedBuffer{}
	cmd.Stderr = out
	// stdin is the process's lifeline: start.js exits when it closes.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("simulator stdin: %w", err)
	}
	ready := &readyWriter{line: make(chan string, 1), rest: out}
	cmd.Stdout = ready
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the simulator: %w", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = stdin.Close()
		// Negative pid: the whole process group started above.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Errorf("testenv: simulator (pid %d) did not exit after SIGKILL", cmd.Process.Pid)
		}
		if t.Failed() {
			t.Logf("testenv: simulator output:\n%s", out.String())
		}
	})

	var line string
	select {
	case line = <-ready.line:
	case <-exited:
		return nil, fmt.Errorf("simulator exited before it was ready (%v); output:\n%s", waitErr, out.String())
	case <-time.After(startTimeout):
		return nil, fmt.Errorf("simulator not ready within %s; output:\n%s", startTimeout, out.String())
	}

	var r simulatorReady
	if err := json.Unmarshal([]byte(line), &r); err != nil || !strings.HasPrefix(r.URL, "http://127.0.0.1:") {
		return nil, fmt.Errorf("simulator ready line %q: %v", line, errOr(err, "url is not on 127.0.0.1"))
	}
	s := &Simulator{URL: r.URL, APIKey: r.APIKey, DynamoDBEndpoint: r.DynamoDBEndpoint, out: out}
	t.Logf("testenv: simulator for %s ready on %s in %s", filepath.Base(filepath.Dir(generated)), s.URL, time.Since(start).Round(time.Millisecond))
	return s, nil
}

// readyWriter is the simulator's stdout: it hands the first line to line
// and writes anything after it (unexpected) to rest.
type readyWriter struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	line chan string
	rest io.Writer
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return w.rest.Write(p)
	}
	w.buf = append(w.buf, p...)
	if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
		w.sent = true
		w.line <- string(w.buf[:i])
		if _, err := w.rest.Write(w.buf[i+1:]); err != nil {
			return 0, err
		}
		w.buf = nil
	}
	return len(p), nil
}

func errOr(err error, msg string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s", msg)
}
