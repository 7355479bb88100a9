package appsync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/go-amplify/data/schema"
)

// The shape of a standard GraphQL introspection result (__schema).
type (
	introResponse struct {
		Data *struct {
			Schema *introSchema `json:"__schema"`
		} `json:"data,omitempty"`
		Schema *introSchema    `json:"__schema,omitempty"`
		Errors json.RawMessage `json:"errors,omitempty"`
	}
	introSchema struct {
		Description      *string          `json:"description,omitempty"`
		QueryType        *introNamed      `json:"queryType"`
		MutationType     *introNamed      `json:"mutationType"`
		SubscriptionType *introNamed      `json:"subscriptionType"`
		Types            []introType      `json:"types"`
		Directives       []introDirective `json:"directives"`
	}
	introNamed struct {
		Name string `json:"name"`
	}
	introType struct {
		Kind           string            `json:"kind"`
		Name           string            `json:"name"`
		Description    *string           `json:"description"`
		SpecifiedByURL *string           `json:"specifiedByURL,omitempty"`
		SpecifiedByUrl *string           `json:"specifiedByUrl,omitempty"` //nolint:revive // older spelling
		Fields         []introField      `json:"fields"`
		InputFields    []introInputValue `json:"inputFields"`
		Interfaces     []introTypeRef    `json:"interfaces"`
		EnumValues     []introEnumValue  `json:"enumValues"`
		PossibleTypes  []introTypeRef    `json:"possibleTypes"`
	}
	introField struct {
		Name              string            `json:"name"`
		Description       *string           `json:"description"`
		Args              []introInputValue `json:"args"`
		Type              introTypeRef      `json:"type"`
		IsDeprecated      bool              `json:"isDeprecated"`
		DeprecationReason *string           `json:"deprecationReason"`
	}
	introInputValue struct {
		Name              string       `json:"name"`
		Description       *string      `json:"description"`
		Type              introTypeRef `json:"type"`
		DefaultValue      *string      `json:"defaultValue"`
		IsDeprecated      bool         `json:"isDeprecated,omitempty"`
		DeprecationReason *string      `json:"deprecationReason,omitempty"`
	}
	introEnumValue struct {
		Name              string  `json:"name"`
		Description       *string `json:"description"`
		IsDeprecated      bool    `json:"isDeprecated"`
		DeprecationReason *string `json:"deprecationReason"`
	}
	introDirective struct {
		Name         string            `json:"name"`
		Description  *string           `json:"description"`
		Locations    []string          `json:"locations"`
		Args         []introInputValue `json:"args"`
		IsRepeatable bool              `json:"isRepeatable,omitempty"`
	}
	introTypeRef struct {
		Kind   string        `json:"kind"`
		Name   *string       `json:"name"`
		OfType *introTypeRef `json:"ofType"`
	}
)

// builtinNames are the types and directives gqlparser's own prelude declares;
// introspection results repeat them, the SDL must not.
var builtinNames = func() map[string]bool {
	doc, err := parser.ParseSchema(validator.Prelude)
	if err != nil {
		panic(err)
	}
	m := map[string]bool{}
	for _, d := range doc.Definitions {
		m[d.Name] = true
	}
	for _, d := range doc.Directives {
		m["@"+d.Name] = true
	}
	// Directives that newer servers report and gqlparser may not declare
	// are still the server's built-ins, never user definitions.
	m["@oneOf"] = true
	return m
}()

// introHint is the hint for introspection files that do not parse.
const introHint = "the file must be a GraphQL introspection result, {\"data\":{\"__schema\":...}} or {\"__schema\":...}, e.g. from `npx ampx generate graphql-client-code --format introspection`"

// ParseIntrospection reads a GraphQL introspection result, either
// {"data":{"__schema":...}} or {"__schema":...}, converts it to SDL and
// parses that with ParseSDL. Applied directives such as @aws_iam are not
// part of introspection, so AuthDirectives finds none in such a schema.
func ParseIntrospection(name string, data []byte) (*Schema, error) {
	var r introResponse
	if err := schema.DecodeJSON(name, data, &r); err != nil {
		if e, ok := asError(err); ok {
			e.Hint = introHint
			if syn := (*json.SyntaxError)(nil); errors.As(err, &syn) {
				e.Hint = "fix the JSON syntax; " + introHint
			}
		}
		return nil, err
	}
	s := r.Schema
	if s == nil && r.Data != nil {
		s = r.Data.Schema
	}
	if s == nil {
		msg := "no __schema found"
		if len(r.Errors) > 0 && string(r.Errors) != "null" {
			msg = "the introspection query returned errors: " + compact(r.Errors)
		}
		return nil, &schema.Error{File: name, Msg: msg, Hint: introHint}
	}
	src, err := introspectionSDL(s)
	if err != nil {
		return nil, &schema.Error{File: name, Msg: err.Error(), Hint: introHint}
	}
	doc, err := parser.ParseSchema(&ast.Source{Name: name, Input: src})
	if err != nil {
		return nil, introSDLError(name, err)
	}
	var buf bytes.Buffer
	formatter.NewFormatter(&buf).FormatSchemaDocument(doc)
	sch, err := ParseSDL(name, buf.Bytes())
	if err != nil {
		return nil, introSDLError(name, err)
	}
	sch.FromIntrospection = true
	return sch, nil
}

// introSDLError reports an error found in the SDL rendered from an
// introspection result; its positions would not refer to the JSON file.
func introSDLError(name string, err error) error {
	e, ok := asError(err)
	if !ok {
		e = sdlError(name, err).(*schema.Error)
	}
	e.File, e.Line, e.Column = name, 0, 0
	e.Msg += " (in the SDL rendered from the introspection result)"
	return e
}

// introspectionSDL renders the introspection result as SDL text.
func introspectionSDL(s *introSchema) (string, error) {
	var b strings.Builder
	custom := false
	for _, op := range []struct {
		def string
		t   *introNamed
	}{{"Query", s.QueryType}, {"Mutation", s.MutationType}, {"Subscription", s.SubscriptionType}} {
		custom = custom || (op.t != nil && op.t.Name != "" && op.t.Name != op.def)
	}
	if custom {
		b.WriteString("schema {\n")
		for _, op := range []struct {
			name string
			t    *introNamed
		}{{"query", s.QueryType}, {"mutation", s.MutationType}, {"subscription", s.SubscriptionType}} {
			if op.t != nil && op.t.Name != "" {
				fmt.Fprintf(&b, "  %s: %s\n", op.name, op.t.Name)
			}
		}
		b.WriteString("}\n\n")
	}
	for _, d := range s.Directives {
		if builtinNames["@"+d.Name] {
			continue
		}
		writeDescription(&b, "", d.Description)
		b.WriteString("directive @" + d.Name)
		if err := writeArgs(&b, d.Args); err != nil {
			return "", fmt.Errorf("directive @%s: %w", d.Name, err)
		}
		if d.IsRepeatable {
			b.WriteString(" repeatable")
		}
		b.WriteString(" on " + strings.Join(d.Locations, " | ") + "\n\n")
	}
	for _, t := range s.Types {
		if t.Name == "" {
			return "", fmt.Errorf("a type of kind %s has no name", t.Kind)
		}
		if builtinNames[t.Name] || strings.HasPrefix(t.Name, "__") {
			continue
		}
		if err := writeType(&b, t); err != nil {
			return "", fmt.Errorf("type %s: %w", t.Name, err)
		}
	}
	return b.String(), nil
}

func writeType(b *strings.Builder, t introType) error {
	writeDescription(b, "", t.Description)
	names := func(refs []introTypeRef) ([]string, error) {
		var out []string
		for _, r := range refs {
			if r.Name == nil {
				return nil, fmt.Errorf("unnamed type reference")
			}
			out = append(out, *r.Name)
		}
		return out, nil
	}
	switch t.Kind {
	case "SCALAR":
		b.WriteString("scalar " + t.Name)
		url := t.SpecifiedByURL
		if url == nil {
			url = t.SpecifiedByUrl
		}
		if url != nil {
			b.WriteString(" @specifiedBy(url: " + quote(*url) + ")")
		}
		b.WriteString("\n\n")
		return nil
	case "OBJECT", "INTERFACE":
		kw := map[string]string{"OBJECT": "type", "INTERFACE": "interface"}[t.Kind]
		b.WriteString(kw + " " + t.Name)
		ifs, err := names(t.Interfaces)
		if err != nil {
			return err
		}
		if len(ifs) > 0 {
			b.WriteString(" implements " + strings.Join(ifs, " & "))
		}
		if len(t.Fields) > 0 {
			b.WriteString(" {\n")
			for _, f := range t.Fields {
				writeDescription(b, "  ", f.Description)
				b.WriteString("  " + f.Name)
				if err := writeArgs(b, f.Args); err != nil {
					return fmt.Errorf("field %s: %w", f.Name, err)
				}
				typ, err := typeRef(&f.Type)
				if err != nil {
					return fmt.Errorf("field %s: %w", f.Name, err)
				}
				b.WriteString(": " + typ)
				writeDeprecated(b, f.IsDeprecated, f.DeprecationReason)
				b.WriteString("\n")
			}
			b.WriteString("}")
		}
	case "UNION":
		b.WriteString("union " + t.Name)
		ms, err := names(t.PossibleTypes)
		if err != nil {
			return err
		}
		if len(ms) > 0 {
			b.WriteString(" = " + strings.Join(ms, " | "))
		}
	case "ENUM":
		b.WriteString("enum " + t.Name)
		if len(t.EnumValues) > 0 {
			b.WriteString(" {\n")
			for _, v := range t.EnumValues {
				writeDescription(b, "  ", v.Description)
				b.WriteString("  " + v.Name)
				writeDeprecated(b, v.IsDeprecated, v.DeprecationReason)
				b.WriteString("\n")
			}
			b.WriteString("}")
		}
	case "INPUT_OBJECT":
		b.WriteString("input " + t.Name)
		if len(t.InputFields) > 0 {
			b.WriteString(" {\n")
			for _, f := range t.InputFields {
				writeDescription(b, "  ", f.Description)
				b.WriteString("  ")
				if err := writeInputValue(b, f); err != nil {
					return fmt.Errorf("input field %s: %w", f.Name, err)
				}
				b.WriteString("\n")
			}
			b.WriteString("}")
		}
	default:
		return fmt.Errorf("unknown kind %q", t.Kind)
	}
	b.WriteString("\n\n")
	return nil
}

func writeArgs(b *strings.Builder, args []introInputValue) error {
	if len(args) == 0 {
		return nil
	}
	b.WriteString("(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Description != nil && *a.Description != "" {
			b.WriteString(quote(*a.Description) + " ")
		}
		if err := writeInputValue(b, a); err != nil {
			return fmt.Errorf("argument %s: %w", a.Name, err)
		}
	}
	b.WriteString(")")
	return nil
}

func writeInputValue(b *strings.Builder, v introInputValue) error {
	typ, err := typeRef(&v.Type)
	if err != nil {
		return err
	}
	b.WriteString(v.Name + ": " + typ)
	if v.DefaultValue != nil {
		b.WriteString(" = " + *v.DefaultValue)
	}
	writeDeprecated(b, v.IsDeprecated, v.DeprecationReason)
	return nil
}

func writeDeprecated(b *strings.Builder, deprecated bool, reason *string) {
	if !deprecated {
		return
	}
	b.WriteString(" @deprecated")
	if reason != nil {
		b.WriteString("(reason: " + quote(*reason) + ")")
	}
}

func writeDescription(b *strings.Builder, indent string, d *string) {
	if d == nil || *d == "" {
		return
	}
	b.WriteString(indent + quote(*d) + "\n")
}

// typeRef renders a type reference such as [String!]!.
func typeRef(t *introTypeRef) (string, error) {
	switch {
	case t == nil:
		return "", fmt.Errorf("missing type")
	case t.Kind == "NON_NULL":
		inner, err := typeRef(t.OfType)
		return inner + "!", err
	case t.Kind == "LIST":
		inner, err := typeRef(t.OfType)
		return "[" + inner + "]", err
	case t.Name == nil || *t.Name == "":
		return "", fmt.Errorf("type reference of kind %q has no name", t.Kind)
	}
	return *t.Name, nil
}

// quote renders s as a GraphQL string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// compact returns the JSON value raw without insignificant white space.
func compact(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// asError returns err as a *schema.Error when it is one.
func asError(err error) (*schema.Error, bool) {
	var e *schema.Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
