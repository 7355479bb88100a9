package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runMainEnv makes the test binary run main with the arguments it holds
// (space-separated), so that a test can start the command as a process.
const runMainEnv = "APPSYNCTEST_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(runMainEnv); ok {
		os.Args = append([]string{"appsynctest"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestHelpSaysDataIsInMemory(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &stdout, &stderr, nil)
	require.ErrorIs(t, err, flag.ErrHelp)
	help := stderr.String()
	assert.Contains(t, help, "Usage: appsynctest -outputs amplify_outputs.json [-schema schema.graphql] [flags]")
	assert.Contains(t, help, "in memory")
	assert.Contains(t, help, "SIGTERM")
	assert.Contains(t, help, "-addr host:port")
}

func TestStopsOnSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runMainEnv+"=-outputs "+seedOutputs+" -schema "+seedSchema+" -addr 127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// The first line names the endpoint.
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		_ = cmd.Wait()
		t.Fatalf("no output: %s", stderr.String())
	}
	first := lines.Text()
	require.True(t, strings.HasPrefix(first, "appsynctest: serving http://"), first)
	u, err := url.Parse(strings.Fields(strings.TrimPrefix(first, "appsynctest: serving "))[0])
	require.NoError(t, err)
	c, err := net.Dial("tcp", u.Host)
	require.NoError(t, err, "serving")
	c.Close()
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("exit code %d after SIGTERM, want 0: %s", exit.ExitCode(), stderr.String())
		}
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after SIGTERM")
	}
	assert.Equal(t, 0, cmd.ProcessState.ExitCode())
	assert.Contains(t, <-rest, "appsynctest: stopping; the data held in memory is discarded")
	_, err = net.DialTimeout("tcp", u.Host, time.Second)
	assert.Error(t, err, "the port is closed")
}

// lockedBuffer is a buffer the process's output is copied into while the
// test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
