// Package fuzztest holds the helpers the module's fuzz targets share: a
// time bound (every target), seeds from testdata and the check that every
// failure is a *schema.Error (the loaders of schema and schema/appsync).
package fuzztest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-amplify/data/schema"
)

// Within fails t when f does not return within d.
func Within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("no answer within %v", d)
	}
}

// AddFiles adds the files matching the patterns, relative to the package's
// testdata folder, to f's seed corpus.
func AddFiles(f *testing.F, patterns ...string) {
	f.Helper()
	for _, p := range patterns {
		files, err := filepath.Glob(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) <= 1<<20 {
				f.Add(data)
			}
		}
	}
}

// CheckError fails t unless err is a *schema.Error with a message.
func CheckError(t *testing.T, err error) {
	t.Helper()
	var e *schema.Error
	if !errors.As(err, &e) {
		t.Fatalf("not a *schema.Error: %#v", err)
	}
	if e.Error() == "" {
		t.Fatal("an error without a message")
	}
}
