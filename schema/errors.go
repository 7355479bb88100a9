package schema

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
)

// Error is the error type returned by every loader of this package and of
// package schema/appsync. It names the file and, when known, the position
// (Line, Column) or the JSON field path (Field) of the problem, says what is
// wrong (Msg) and how to fix it (Hint).
type Error struct {
	// File is the name of the file the problem is in.
	File string
	// Line and Column are 1-based; zero when the position is unknown.
	Line, Column int
	// Field is a JSON field path such as "data.url", or a GraphQL coordinate.
	Field string
	// Msg is the lower-case description of the problem.
	Msg string
	// Hint, when not empty, tells the user how to fix the problem.
	Hint string
	// Err is the underlying error, if any.
	Err error

	// offset is a byte offset (relative to some enclosing JSON value) that
	// has not yet been turned into Line and Column; -1 when unset.
	offset int
	// keys is the JSON object key path to the problem, used to find its
	// position; nil when unset.
	keys []string
}

// Error renders the error as "file:line:col: field: msg" followed, when a
// hint is present, by "\n\thint: ...".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("\n\thint: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// joinPath joins JSON field path elements, skipping empty ones.
func joinPath(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// asError returns err as an *Error when it is one.
func asError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// FileError returns the *Error of a file at path that could not be read:
// "cannot read <what>: <reason>", the reason without the path the error
// already names. Package schema/appsync reports its schema files with it.
func FileError(path, what string, err error) *Error {
	return &Error{File: path, Msg: "cannot read " + what + ": " + errText(err), Err: err, offset: -1}
}

// errText returns the message of a file system error without the path.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// DecodeJSON unmarshals the JSON file data, named name in errors, into v.
// Its errors are *Error values with the line and column of the problem and
// its JSON field path; a syntax error wraps the *json.SyntaxError. Package
// schema/appsync reads introspection JSON with it.
func DecodeJSON(name string, data []byte, v any) error {
	if err := checkSyntax(name, data); err != nil {
		return err
	}
	if err := decodeJSON(data, "", v); err != nil {
		return locate(err, name, data, 0, "")
	}
	return nil
}
