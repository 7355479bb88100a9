package gen

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-amplify/data/schema"
)

// validateNames checks, before anything is built from them, that the names
// of data.model_introspection (models, custom types, enums and their values,
// fields, arguments, custom operations, index query fields) are names the
// AppSync schema can hold, and that no two types share a name. A bad name
// would otherwise surface as a syntax error in the synthesized schema, or as
// genqlient's complaint about a document it never sees; here it is reported
// at its place in amplify_outputs.json (file:line:col: field: message) with
// the fix.
func validateNames(outputsPath string, intro *schema.ModelIntrospection) error {
	return (&nameValidator{file: outputsPath}).validate(intro)
}

// reservedTypeNames are the names the AppSync schema already gives a type:
// its scalars and root types.
var reservedTypeNames = func() map[string]bool {
	m := map[string]bool{"Query": true, "Mutation": true, "Subscription": true}
	for _, s := range append([]string{"ID", "String", "Int", "Float", "Boolean"}, appSyncScalars()...) {
		m[s] = true
	}
	return m
}()

// knownScalar reports whether name is a scalar of GraphQL or of AppSync.
func knownScalar(name string) bool {
	return reservedTypeNames[name] && name != "Query" && name != "Mutation" && name != "Subscription"
}

// appSyncScalars are the scalars AppSync adds to GraphQL's, in the order of
// scalarBindings.
func appSyncScalars() []string {
	out := make([]string, len(scalarBindings))
	for i, s := range scalarBindings {
		out[i] = s.Scalar
	}
	return out
}

// nameHint is the remedy for a name Amplify would not have written.
const nameHint = "Amplify's transformer accepts GraphQL names only, so the file was edited or comes from elsewhere: " +
	"rename the %s in amplify/data/resource.ts, deploy, and run `npx ampx generate outputs`"

// nameValidator checks the names of one amplify_outputs.json. The file is
// read again only to place an error: the names are almost always right.
type nameValidator struct{ file string }

func (v *nameValidator) validate(intro *schema.ModelIntrospection) error {
	types := map[string]string{} // type name -> where it was declared
	declare := func(section, kind, name string) error {
		if err := v.name(kind, name, section, name); err != nil {
			return err
		}
		switch {
		case reservedTypeNames[name]:
			return v.fail(fmt.Sprintf("%s %q has the name of a type AppSync defines itself", kind, shorten(name)),
				fmt.Sprintf("rename the %s in amplify/data/resource.ts", kind), section, name, "name")
		case types[name] != "":
			return v.fail(fmt.Sprintf("%s %q has the name of the %s", kind, shorten(name), types[name]),
				"give the two types different names in amplify/data/resource.ts", section, name, "name")
		}
		types[name] = fmt.Sprintf("%s at data.model_introspection.%s.%s", kind, section, shorten(name))
		return nil
	}
	operations := map[string]string{} // upper-cased model name -> model
	for _, m := range intro.Models {
		key := m.Name // Amplify keys each member by its name
		if err := declare("models", "model", key); err != nil {
			return err
		}
		// getNote and createNote serve note and Note alike.
		if other, ok := operations[upperFirst(m.Name)]; ok {
			return v.fail(fmt.Sprintf("models %q and %q would have the same operations (get%s, create%s, ...)", other, m.Name, upperFirst(m.Name), upperFirst(m.Name)),
				"rename one of them in amplify/data/resource.ts", "models", key, "name")
		}
		operations[upperFirst(m.Name)] = m.Name
		if m.PluralName != "" {
			if !graphQLName(m.PluralName) {
				return v.fail(badName("plural name", m.PluralName), fmt.Sprintf(nameHint, "model"), "models", key, "pluralName")
			}
		}
		if err := v.fields("models", key, m.Fields); err != nil {
			return err
		}
		for i, a := range m.Attributes {
			if a.Type != "key" || len(a.Properties) == 0 {
				continue
			}
			var p struct {
				QueryField string `json:"queryField"`
			}
			if json.Unmarshal(a.Properties, &p) == nil && p.QueryField != "" && !graphQLName(p.QueryField) {
				return v.fail(badName("index query field", p.QueryField), fmt.Sprintf(nameHint, "index's queryField"),
					"models", key, "attributes", i, "properties", "queryField")
			}
		}
	}
	for _, nm := range intro.NonModels {
		key := nm.Name // Amplify keys each member by its name
		if err := declare("nonModels", "custom type", key); err != nil {
			return err
		}
		if err := v.fields("nonModels", key, nm.Fields); err != nil {
			return err
		}
	}
	for _, e := range intro.Enums {
		key := e.Name // Amplify keys each member by its name
		if err := declare("enums", "enum", key); err != nil {
			return err
		}
		for i, val := range e.Values {
			msg := ""
			switch {
			case !graphQLName(val):
				msg = badName("enum value", val)
			case val == "true" || val == "false" || val == "null":
				msg = fmt.Sprintf("enum value %q is a GraphQL literal, which an enum value cannot be", val)
			}
			if msg != "" {
				return v.fail(msg, fmt.Sprintf(nameHint, "enum value"), "enums", key, "values", i)
			}
		}
	}
	for _, s := range []struct {
		section string
		ops     []*schema.CustomOperation
	}{{"queries", intro.Queries}, {"mutations", intro.Mutations}, {"subscriptions", intro.Subscriptions}} {
		for _, op := range s.ops {
			key := op.Name
			if err := v.name("custom operation", op.Name, s.section, key); err != nil {
				return err
			}
			if err := v.scalar(op.Type, s.section, key); err != nil {
				return err
			}
			for _, a := range op.Arguments {
				akey := a.Name
				if err := v.name("argument", a.Name, s.section, key, "arguments", akey); err != nil {
					return err
				}
				if err := v.scalar(a.Type, s.section, key, "arguments", akey); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// fields checks the fields of a model or custom type.
func (v *nameValidator) fields(section, key string, fields []*schema.Field) error {
	for _, f := range fields {
		fkey := f.Name
		if err := v.name("field", f.Name, section, key, "fields", fkey); err != nil {
			return err
		}
		if err := v.scalar(f.Type, section, key, "fields", fkey); err != nil {
			return err
		}
		for _, a := range f.Arguments {
			akey := a.Name
			if err := v.name("argument", a.Name, section, key, "fields", fkey, "arguments", akey); err != nil {
				return err
			}
		}
	}
	return nil
}

// name checks the name of the object at path (its "name" member, or the
// object itself when it has none).
func (v *nameValidator) name(kind, name string, path ...string) error {
	if graphQLName(name) {
		return nil
	}
	return v.fail(badName(kind, name), fmt.Sprintf(nameHint, kind), append(anys(path), "name")...)
}

// scalar checks that the scalar type at path is one AppSync knows.
func (v *nameValidator) scalar(t schema.FieldType, path ...string) error {
	if t.Scalar == "" || knownScalar(t.Scalar) {
		return nil
	}
	return v.fail(fmt.Sprintf("unknown scalar type %q: AppSync's scalars are ID, String, Int, Float, Boolean, %s", shorten(t.Scalar), strings.Join(appSyncScalars(), ", ")),
		"the file was edited or comes from elsewhere: regenerate it with `npx ampx generate outputs`", append(anys(path), "type")...)
}

// fail returns the error at data.model_introspection.path (object keys
// and array indexes), placed at the deepest part of the path the file has.
// Amplify keys the members of models, fields and the like by their names;
// a member keyed otherwise is found by its "name".
func (v *nameValidator) fail(msg, hint string, path ...any) error {
	e := &schema.Error{File: v.file, Field: "data.model_introspection", Msg: msg, Hint: hint}
	for _, p := range path {
		switch p := p.(type) {
		case string:
			e.Field += "." + p
		case int:
			e.Field += "[" + strconv.Itoa(p) + "]"
		}
	}
	data, err := os.ReadFile(v.file)
	if err != nil {
		return e
	}
	if line, col, ok := schema.Position(data, append([]any{"data", "model_introspection"}, path...)...); ok {
		e.Line, e.Column = line, col
	}
	return e
}

func anys(path []string) []any {
	out := make([]any, len(path))
	for i, p := range path {
		out[i] = p
	}
	return out
}

// graphQLName reports whether s is a GraphQL name that a schema may
// declare: /[_A-Za-z][_0-9A-Za-z]*/, not starting with __ (reserved for
// introspection).
func graphQLName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func badName(kind, name string) string {
	if strings.HasPrefix(name, "__") && graphQLName(name[2:]) {
		return fmt.Sprintf("%s %q starts with __, which GraphQL reserves for introspection", kind, name)
	}
	return fmt.Sprintf("%s %q is not a GraphQL name (letters, digits and _, not starting with a digit)", kind, shorten(name))
}

// shorten caps a name quoted in a message.
func shorten(s string) string {
	const limit = 60
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "…"
}
