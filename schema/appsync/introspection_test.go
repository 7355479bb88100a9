package appsync

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

// introspect renders s as a standard introspection result, the way a GraphQL
// server (AppSync included) answers the introspection query: every type,
// built-ins too, and every directive definition; applied directives other
// than @deprecated are not part of introspection.
func introspect(s *ast.Schema) *introResponse {
	str := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	var ref func(t *ast.Type) introTypeRef
	ref = func(t *ast.Type) introTypeRef {
		if t.NonNull {
			c := *t
			c.NonNull = false
			inner := ref(&c)
			return introTypeRef{Kind: "NON_NULL", OfType: &inner}
		}
		if t.Elem != nil {
			inner := ref(t.Elem)
			return introTypeRef{Kind: "LIST", OfType: &inner}
		}
		name := t.NamedType
		return introTypeRef{Kind: string(s.Types[name].Kind), Name: &name}
	}
	deprecation := func(ds ast.DirectiveList) (bool, *string) {
		d := ds.ForName("deprecated")
		if d == nil {
			return false, nil
		}
		reason := "No longer supported"
		if a := d.Arguments.ForName("reason"); a != nil {
			reason = a.Value.Raw
		}
		return true, &reason
	}
	inputValues := func(args ast.ArgumentDefinitionList, fields ast.FieldList) []introInputValue {
		out := []introInputValue{}
		add := func(name, desc string, typ *ast.Type, def *ast.Value, ds ast.DirectiveList) {
			v := introInputValue{Name: name, Description: str(desc), Type: ref(typ)}
			if def != nil {
				v.DefaultValue = str(def.String())
			}
			v.IsDeprecated, v.DeprecationReason = deprecation(ds)
			out = append(out, v)
		}
		for _, a := range args {
			add(a.Name, a.Description, a.Type, a.DefaultValue, a.Directives)
		}
		for _, f := range fields {
			add(f.Name, f.Description, f.Type, f.DefaultValue, f.Directives)
		}
		return out
	}
	named := func(names []string) []introTypeRef {
		out := []introTypeRef{}
		for _, n := range names {
			n := n
			out = append(out, introTypeRef{Kind: string(s.Types[n].Kind), Name: &n})
		}
		return out
	}

	out := &introSchema{Types: []introType{}, Directives: []introDirective{}}
	for _, op := range []struct {
		dst **introNamed
		def *ast.Definition
	}{{&out.QueryType, s.Query}, {&out.MutationType, s.Mutation}, {&out.SubscriptionType, s.Subscription}} {
		if op.def != nil {
			*op.dst = &introNamed{Name: op.def.Name}
		}
	}
	names := make([]string, 0, len(s.Types))
	for n := range s.Types {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		d := s.Types[n]
		t := introType{Kind: string(d.Kind), Name: d.Name, Description: str(d.Description)}
		switch d.Kind {
		case ast.Object, ast.Interface:
			t.Fields = []introField{}
			for _, f := range d.Fields {
				if strings.HasPrefix(f.Name, "__") {
					continue
				}
				fd := introField{Name: f.Name, Description: str(f.Description), Args: inputValues(f.Arguments, nil), Type: ref(f.Type)}
				fd.IsDeprecated, fd.DeprecationReason = deprecation(f.Directives)
				t.Fields = append(t.Fields, fd)
			}
			t.Interfaces = named(d.Interfaces)
			if d.Kind == ast.Interface {
				var impl []string
				for _, p := range s.PossibleTypes[d.Name] {
					impl = append(impl, p.Name)
				}
				t.PossibleTypes = named(impl)
			}
		case ast.Union:
			t.PossibleTypes = named(d.Types)
		case ast.Enum:
			t.EnumValues = []introEnumValue{}
			for _, v := range d.EnumValues {
				ev := introEnumValue{Name: v.Name, Description: str(v.Description)}
				ev.IsDeprecated, ev.DeprecationReason = deprecation(v.Directives)
				t.EnumValues = append(t.EnumValues, ev)
			}
		case ast.InputObject:
			t.InputFields = inputValues(nil, d.Fields)
		case ast.Scalar:
			if sb := d.Directives.ForName("specifiedBy"); sb != nil {
				t.SpecifiedByURL = str(sb.Arguments.ForName("url").Value.Raw)
			}
		}
		out.Types = append(out.Types, t)
	}
	dnames := make([]string, 0, len(s.Directives))
	for n := range s.Directives {
		dnames = append(dnames, n)
	}
	slices.Sort(dnames)
	for _, n := range dnames {
		d := s.Directives[n]
		id := introDirective{Name: d.Name, Description: str(d.Description), Args: inputValues(d.Arguments, nil), IsRepeatable: d.IsRepeatable, Locations: []string{}}
		for _, l := range d.Locations {
			id.Locations = append(id.Locations, string(l))
		}
		out.Directives = append(out.Directives, id)
	}
	r := &introResponse{}
	r.Data = &struct {
		Schema *introSchema `json:"__schema"`
	}{Schema: out}
	return r
}

const introFixture = "testdata/seed.introspection.json"

// TestIntrospectionFixture keeps testdata/seed.introspection.json in step
// with testdata/seed.appsync.graphql; -update rewrites it.
func TestIntrospectionFixture(t *testing.T) {
	s, err := LoadSchema("testdata/seed.appsync.graphql")
	require.NoError(t, err)
	got, err := json.MarshalIndent(introspect(s.Schema), "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	if *update {
		require.NoError(t, os.WriteFile(introFixture, got, 0o644))
		return
	}
	want, err := os.ReadFile(introFixture)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got))
}

// assertSameSchema compares every user-visible definition of want (types,
// fields, arguments, default values, enum values, interfaces, unions and
// directive definitions) with got, ignoring applied directives, which
// introspection does not carry.
func assertSameSchema(t *testing.T, want, got *ast.Schema) {
	t.Helper()
	userTypes := func(s *ast.Schema) []string {
		var out []string
		for n, d := range s.Types {
			if !d.BuiltIn && !strings.HasPrefix(n, "__") {
				out = append(out, n)
			}
		}
		slices.Sort(out)
		return out
	}
	require.Equal(t, userTypes(want), userTypes(got))
	args := func(as ast.ArgumentDefinitionList) []string {
		var out []string
		for _, a := range as {
			s := a.Name + ": " + a.Type.String()
			if a.DefaultValue != nil {
				s += " = " + a.DefaultValue.String()
			}
			out = append(out, s)
		}
		return out
	}
	fields := func(fs ast.FieldList) []string {
		var out []string
		for _, f := range fs {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			s := f.Name + "(" + strings.Join(args(f.Arguments), ", ") + "): " + f.Type.String()
			if f.DefaultValue != nil {
				s += " = " + f.DefaultValue.String()
			}
			if f.Directives.ForName("deprecated") != nil {
				s += " @deprecated"
			}
			out = append(out, s)
		}
		return out
	}
	for _, n := range userTypes(want) {
		w, g := want.Types[n], got.Types[n]
		assert.Equal(t, w.Kind, g.Kind, n)
		assert.Equal(t, w.Description, g.Description, n)
		assert.Equal(t, fields(w.Fields), fields(g.Fields), n)
		assert.Equal(t, w.Interfaces, g.Interfaces, n)
		assert.Equal(t, w.Types, g.Types, n)
		var wv, gv []string
		for _, v := range w.EnumValues {
			wv = append(wv, v.Name)
		}
		for _, v := range g.EnumValues {
			gv = append(gv, v.Name)
		}
		assert.Equal(t, wv, gv, n)
	}
	for n, w := range want.Directives {
		if w.Position.Src.BuiltIn {
			continue
		}
		g := got.Directives[n]
		require.NotNil(t, g, n)
		assert.Equal(t, args(w.Arguments), args(g.Arguments), n)
		assert.Equal(t, w.Locations, g.Locations, n)
		assert.Equal(t, w.Description, g.Description, n)
	}
	if want.Query != nil {
		assert.Equal(t, want.Query.Name, got.Query.Name)
	}
	if want.Mutation != nil {
		assert.Equal(t, want.Mutation.Name, got.Mutation.Name)
	}
	if want.Subscription != nil {
		assert.Equal(t, want.Subscription.Name, got.Subscription.Name)
	}
}

func TestParseIntrospectionSeed(t *testing.T) {
	sdl, err := LoadSchema("testdata/seed.appsync.graphql")
	require.NoError(t, err)

	intro, err := LoadSchema(introFixture)
	require.NoError(t, err)
	assert.Equal(t, introFixture, intro.Name)
	assertSameSchema(t, sdl.Schema, intro.Schema)
	// The introspection result declares the AppSync scalars and directives
	// itself, so no prelude was needed.
	assert.Empty(t, intro.Prelude)
	assert.Contains(t, intro.SDL, "type Todo {")
	assert.NotContains(t, intro.SDL, "__Schema")
	assert.NotContains(t, intro.SDL, "directive @deprecated")
	// Introspection does not carry applied directives, and the schema
	// says so.
	assert.Nil(t, intro.AuthDirectives("Query", "getTodo"))
	assert.True(t, intro.FromIntrospection)
	assert.False(t, sdl.FromIntrospection)

	// The SDL is deterministic and loads as SDL again, to the same schema.
	again, err := LoadSchema(introFixture)
	require.NoError(t, err)
	assert.Equal(t, intro.SDL, again.SDL)
	fromSDL, err := ParseSDL("rendered.graphql", []byte(intro.SDL))
	require.NoError(t, err)
	assertSameSchema(t, intro.Schema, fromSDL.Schema)

	// Without the {"data": ...} wrapper.
	data, err := os.ReadFile(introFixture)
	require.NoError(t, err)
	var wrapped struct {
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(data, &wrapped))
	bare, err := ParseIntrospection("bare.json", wrapped.Data)
	require.NoError(t, err)
	assert.Equal(t, intro.SDL, bare.SDL)
}

func TestParseIntrospectionRichSchema(t *testing.T) {
	src := `
"Root query."
type RootQuery {
  "Find things."
  search(term: String = "x", first: Int = 10, kinds: [Kind!] = [A, B], where: Filter = {name: "n"}): [Result!]!
  node(id: ID!): Node
  old: String @deprecated(reason: "use search")
}

type RootMutation {
  touch(id: ID!): Thing
}

interface Node {
  id: ID!
}

type Thing implements Node {
  id: ID!
  kind: Kind
  at: AWSTimestamp
}

type Other implements Node {
  id: ID!
}

union Result = Thing | Other

"Kinds of things."
enum Kind {
  A
  "the B kind"
  B
  C @deprecated
}

input Filter {
  name: String = "default \"quoted\"\nline"
  kind: Kind = A
  nested: [Filter!]
}

scalar Url @specifiedBy(url: "https://example.com/url")

directive @custom(n: Int = 1) repeatable on FIELD_DEFINITION | OBJECT

schema {
  query: RootQuery
  mutation: RootMutation
}
`
	want, err := ParseSDL("rich.graphql", []byte(src))
	require.NoError(t, err)
	data, err := json.Marshal(introspect(want.Schema))
	require.NoError(t, err)
	got, err := ParseIntrospection("rich.json", data)
	require.NoError(t, err)
	assertSameSchema(t, want.Schema, got.Schema)
	assert.Equal(t, "https://example.com/url", got.Types["Url"].Directives.ForName("specifiedBy").Arguments.ForName("url").Value.Raw)
	assert.True(t, got.Directives["custom"].IsRepeatable)
	assert.Equal(t, "use search", got.Types["RootQuery"].Fields.ForName("old").Directives.ForName("deprecated").Arguments.ForName("reason").Value.Raw)
	assert.Equal(t, "the B kind", got.Types["Kind"].EnumValues.ForName("B").Description)
	assert.NotNil(t, got.Types["Kind"].EnumValues.ForName("C").Directives.ForName("deprecated"))
	assert.Equal(t, "Find things.", got.Types["RootQuery"].Fields.ForName("search").Description)
}

func TestParseIntrospectionErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"syntax", "{\n  \"__schema\": {\n    \"types\": [,]\n  }\n}", "x.json:3:15: invalid JSON: invalid character ',' looking for beginning of value"},
		{"no schema", `{"data": {}}`, "x.json: no __schema found"},
		{"wrong type", "{\"__schema\": {\n\"types\": [{\"kind\": 5}]}}", "x.json:2:20: __schema.types.kind: cannot use JSON number as a string"},
		{"unnamed type ref", `{"__schema": {"types": [{"kind": "OBJECT", "name": "Query", "fields": [{"name": "a", "type": {"kind": "LIST", "ofType": null}}]}]}}`, "x.json: type Query: field a: missing type"},
		{"unknown kind", `{"__schema": {"types": [{"kind": "THING", "name": "X"}]}}`, `x.json: type X: unknown kind "THING"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIntrospection("x.json", []byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "hint: ")
		})
	}
}
