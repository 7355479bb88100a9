package appsynctest

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// introspect resolves __schema and __type on the query root, as AppSync
// answers introspection queries.
func (ex *executor) introspect(f *ast.Field, g *fieldGroup, path []any) (any, bool) {
	in := ex.srv.introspection()
	if f.Name == "__schema" {
		return ex.complete(ex.srv.schema.Query, &ast.Type{NamedType: "__Schema", NonNull: true}, g, in.schema, path)
	}
	var name string
	if a := f.Arguments.ForName("name"); a != nil {
		v, _ := ex.literal(a.Value, &ast.Type{NamedType: "String", NonNull: true})
		name, _ = v.(string)
	}
	var t any
	if m := in.typeByName(name); m != nil {
		t = m
	}
	return ex.complete(ex.srv.schema.Query, &ast.Type{NamedType: "__Type"}, g, t, path)
}

// introspectionData is the schema as the introspection types' values.
type introspectionData struct {
	s      *Server
	types  map[string]map[string]any
	schema map[string]any
}

// introspection builds the introspection values once.
func (s *Server) introspection() *introspectionData {
	s.introOnce.Do(func() {
		in := &introspectionData{s: s, types: map[string]map[string]any{}}
		// Create every named type first so references can point at them.
		for name := range s.schema.Types {
			in.types[name] = map[string]any{"name": name}
		}
		for name, def := range s.schema.Types {
			in.fill(in.types[name], def)
		}
		var types []any
		for _, name := range sortedNames(in.types) {
			types = append(types, in.types[name])
		}
		var dirs []any
		for _, name := range sortedNames(s.schema.Directives) {
			d := s.schema.Directives[name]
			locs := make([]any, len(d.Locations))
			for i, l := range d.Locations {
				locs[i] = string(l)
			}
			dirs = append(dirs, map[string]any{
				"name": d.Name, "description": nullIfEmpty(d.Description), "locations": locs,
				"args": in.inputValues(d.Arguments), "isRepeatable": d.IsRepeatable,
			})
		}
		root := func(d *ast.Definition) any {
			if d == nil {
				return nil
			}
			return in.types[d.Name]
		}
		in.schema = map[string]any{
			"description": nil, "types": types, "queryType": root(s.schema.Query),
			"mutationType": root(s.schema.Mutation), "subscriptionType": root(s.schema.Subscription),
			"directives": dirs,
		}
		s.intro = in
	})
	return s.intro
}

func (in *introspectionData) typeByName(name string) map[string]any { return in.types[name] }

// ref returns the __Type value of a type reference.
func (in *introspectionData) ref(t *ast.Type) map[string]any {
	if t == nil {
		return nil
	}
	if t.NonNull {
		inner := *t
		inner.NonNull = false
		return map[string]any{"kind": "NON_NULL", "name": nil, "ofType": in.ref(&inner)}
	}
	if t.Elem != nil {
		return map[string]any{"kind": "LIST", "name": nil, "ofType": in.ref(t.Elem)}
	}
	return in.types[t.NamedType]
}

func (in *introspectionData) inputValues(args ast.ArgumentDefinitionList) []any {
	out := []any{}
	for _, a := range args {
		var dv any
		if a.DefaultValue != nil {
			dv = a.DefaultValue.String()
		}
		out = append(out, map[string]any{"name": a.Name, "description": nullIfEmpty(a.Description),
			"type": in.ref(a.Type), "defaultValue": dv, "isDeprecated": false, "deprecationReason": nil})
	}
	return out
}

func deprecation(ds ast.DirectiveList) (bool, any) {
	d := ds.ForName("deprecated")
	if d == nil {
		return false, nil
	}
	reason := "No longer supported"
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil {
		reason = a.Value.Raw
	}
	return true, reason
}

// fill sets the members of a named type's __Type value.
func (in *introspectionData) fill(m map[string]any, def *ast.Definition) {
	m["kind"] = string(def.Kind)
	m["description"] = nullIfEmpty(def.Description)
	m["specifiedByURL"] = nil
	m["fields"], m["inputFields"], m["interfaces"], m["possibleTypes"], m["enumValues"] = nil, nil, nil, nil, nil
	switch def.Kind {
	case ast.Object, ast.Interface:
		fields := []any{}
		for _, f := range def.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			dep, reason := deprecation(f.Directives)
			fields = append(fields, map[string]any{"name": f.Name, "description": nullIfEmpty(f.Description),
				"args": in.inputValues(f.Arguments), "type": in.ref(f.Type), "isDeprecated": dep, "deprecationReason": reason})
		}
		m["fields"] = fields
		ifaces := []any{}
		for _, name := range def.Interfaces {
			ifaces = append(ifaces, in.types[name])
		}
		m["interfaces"] = ifaces
		if def.Kind == ast.Interface {
			var pts []any
			for _, t := range in.s.schema.PossibleTypes[def.Name] {
				pts = append(pts, in.types[t.Name])
			}
			m["possibleTypes"] = pts
		}
	case ast.Union:
		var pts []any
		for _, name := range def.Types {
			pts = append(pts, in.types[name])
		}
		m["possibleTypes"] = pts
	case ast.Enum:
		vals := []any{}
		for _, v := range def.EnumValues {
			dep, reason := deprecation(v.Directives)
			vals = append(vals, map[string]any{"name": v.Name, "description": nullIfEmpty(v.Description), "isDeprecated": dep, "deprecationReason": reason})
		}
		m["enumValues"] = vals
	case ast.InputObject:
		var args ast.ArgumentDefinitionList
		for _, f := range def.Fields {
			args = append(args, &ast.ArgumentDefinition{Name: f.Name, Description: f.Description, Type: f.Type, DefaultValue: f.DefaultValue})
		}
		m["inputFields"] = in.inputValues(args)
	}
}
