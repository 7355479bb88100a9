package gen

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// excerpt quotes the lines of src around line (1-based), numbered, for an
// internal error about generated text: enough to see what is wrong, never
// the whole document (a synthesized schema runs to tens of kilobytes).
func excerpt(src string, line int) string {
	const around, width = 2, 120
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		line = 1
	}
	var b strings.Builder
	for i := max(line-around, 1); i <= min(line+around, len(lines)); i++ {
		text := lines[i-1]
		if utf8.RuneCountInString(text) > width {
			text = string([]rune(text)[:width]) + "…"
		}
		mark := " "
		if i == line {
			mark = ">"
		}
		fmt.Fprintf(&b, "\n\t%s%5d | %s", mark, i, text)
	}
	return b.String()
}

// moduleErrors are what the go command says when a module's requirements
// or go.sum do not cover what it loads.
var moduleErrors = []string{
	"missing go.sum entry",
	"no required module provides package",
	"updates to go.mod needed",
	"go.mod file indicates replacement",
	"inconsistent vendoring",
}

// moduleError is an error of the go command about the module's
// requirements, with the remedy.
type moduleError struct{ err error }

func (e *moduleError) Error() string {
	// go/packages reports the go command's failure as
	// "err: exit status 1: stderr: <what go said>".
	msg := e.err.Error()
	if i := strings.Index(msg, "stderr: "); i >= 0 && strings.HasPrefix(msg, "err: exit status") {
		msg = msg[i+len("stderr: "):]
	}
	return strings.TrimSpace(msg) + "\n\thint: the go command cannot load the module's requirements: run `go mod tidy` in the module " +
		"(if it does not require github.com/go-amplify/data yet, first `go get -tool github.com/go-amplify/data/gen/cmd/amplifygen@latest`), then generate again"
}

func (e *moduleError) Unwrap() error { return e.err }

// moduleHint adds the remedy to err when the go command refused to load
// the module (moduleErrors), and returns every other error as it is.
func moduleHint(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, m := range moduleErrors {
		if strings.Contains(msg, m) {
			return &moduleError{err}
		}
	}
	return err
}
