package appsync

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/go-amplify/data/schema"
)

// Schema is a validated AppSync GraphQL schema.
type Schema struct {
	// Schema is the validated schema, with the AppSync prelude merged in.
	*ast.Schema
	// Name is the name of the file the schema came from.
	Name string
	// SDL is the schema without the prelude: the file text verbatim for
	// SDL input, or SDL rendered by gqlparser's formatter for introspection
	// input.
	SDL string
	// Prelude holds the AppSync prelude definitions that were added because
	// the SDL did not declare them itself.
	Prelude string
	// FromIntrospection reports a schema read from introspection JSON,
	// which carries no applied directive: AuthDirectives finds none on
	// any field, whatever the real schema's rules are.
	FromIntrospection bool
}

// LoadSchema reads the AppSync schema at path: SDL for .graphql, .gql and
// .graphqls files, introspection JSON for .json files.
func LoadSchema(path string) (*Schema, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".graphql", ".gql", ".graphqls", ".json":
	default:
		return nil, &schema.Error{File: path,
			Msg:  fmt.Sprintf("unsupported schema file extension %q", ext),
			Hint: "pass the AppSync schema as SDL (.graphql, .gql, .graphqls) or as introspection JSON (.json)"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		e := schema.FileError(path, "schema", err)
		e.Hint = "download the schema from the AppSync console, or run `npx ampx generate graphql-client-code --format introspection`"
		return nil, e
	}
	if ext == ".json" {
		return ParseIntrospection(path, data)
	}
	return ParseSDL(path, data)
}

// schemaHint explains which schema this package expects.
const schemaHint = "the schema must be the final AppSync schema (`npx ampx generate graphql-client-code --format introspection`, or the schema.graphql the AppSync console shows), not the Amplify input schema"

// ParseSDL parses and validates the AppSync schema SDL in src; name is the
// file name used in errors. The AppSync scalars and directives that src does
// not declare itself are added from Prelude.
func ParseSDL(name string, src []byte) (*Schema, error) {
	user := &ast.Source{Name: name, Input: string(src)}
	doc, err := parser.ParseSchema(user)
	if err != nil {
		return nil, sdlError(name, err)
	}
	declared := map[string]bool{}
	for _, d := range doc.Definitions {
		declared[d.Name] = true
	}
	for _, d := range doc.Directives {
		declared[d.Name] = true
	}
	var prelude strings.Builder
	for _, d := range preludeDefs {
		if !declared[d.name] {
			if prelude.Len() > 0 {
				prelude.WriteByte('\n')
			}
			prelude.WriteString(d.sdl)
		}
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: preludeFile, Input: prelude.String()}, user)
	if err != nil {
		return nil, sdlError(name, err)
	}
	return &Schema{Schema: s, Name: name, SDL: string(src), Prelude: prelude.String()}, nil
}

// sdlError converts a gqlparser error into a *schema.Error.
func sdlError(name string, err error) error {
	var ge *gqlerror.Error
	var list gqlerror.List
	switch {
	case errors.As(err, &list) && len(list) > 0:
		ge = list[0]
	case errors.As(err, &ge):
	default:
		return &schema.Error{File: name, Msg: err.Error(), Err: err}
	}
	e := &schema.Error{File: name, Msg: lowerMessage(ge.Message), Err: err}
	if len(ge.Locations) > 0 {
		e.Line, e.Column = ge.Locations[0].Line, ge.Locations[0].Column
	}
	if f, _ := ge.Extensions["file"].(string); f != "" && f != name {
		e.File = f
	}
	msg := ge.Message
	switch {
	case strings.HasPrefix(msg, "Undefined type"):
		e.Hint = schemaHint + "; check the spelling"
	case strings.HasPrefix(msg, "Undefined directive"):
		e.Hint = schemaHint + "; Amplify directives such as @model, @auth and @function exist only in the input schema"
	case strings.Contains(msg, "is not applicable on"):
		e.Hint = "use the directive only where its definition allows: AppSync auth directives on types and fields, @aws_subscribe on subscription fields"
	case msg == "Unexpected <Invalid>":
		e.Msg = "invalid token (an unterminated string, or a character GraphQL does not allow)"
		e.Hint = "fix the GraphQL syntax"
	case strings.HasPrefix(msg, "Cannot redeclare"):
		e.Hint = "remove the duplicate declaration"
	case ge.Rule == "" && isSyntax(msg):
		e.Hint = "fix the GraphQL syntax"
	}
	return e
}

// isSyntax reports whether a gqlparser message is a syntax error.
func isSyntax(msg string) bool {
	for _, p := range []string{"Expected", "Unexpected", "Unterminated", "Invalid", "Cannot parse", "Unknown"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// lowerMessage lower-cases the first letter of a message (unless it starts
// an identifier-like word with more capitals) and drops a final period.
func lowerMessage(s string) string {
	s = strings.TrimSuffix(s, ".")
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	if n < len(s) {
		r2, _ := utf8.DecodeRuneInString(s[n:])
		if unicode.IsUpper(r2) {
			return s
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}
