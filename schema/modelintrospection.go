package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ModelIntrospection is the model introspection schema that Amplify embeds
// in amplify_outputs.json as data.model_introspection. Every list keeps the
// order of the JSON object it was read from.
type ModelIntrospection struct {
	// Version is the introspection schema version (1).
	Version int
	// Models are the @model types, in file order.
	Models []*Model
	// Enums are the enum types, in file order.
	Enums []*Enum
	// NonModels are the custom (non-@model) object types, in file order.
	NonModels []*NonModel
	// Queries, Mutations and Subscriptions are the custom operations, in
	// file order.
	Queries, Mutations, Subscriptions []*CustomOperation
	// Generations are the AI generation routes (a.generation), in file
	// order: each is a custom query of the Query type that answers with
	// the route's return type. They are not among Queries.
	Generations []*CustomOperation
	// Conversations are the AI conversation routes (a.conversation), in
	// file order, with their own models, types and operations.
	Conversations []*Conversation
	// Inputs are the input types of custom operations' arguments, in file
	// order.
	Inputs []*Input
	// Extra keeps any other top-level section verbatim (compacted).
	//
	// Of Generations, Conversations and Inputs, nil means that the section
	// is absent and an empty slice that it is present and empty.
	Extra map[string]json.RawMessage
}

// Model is one @model type.
type Model struct {
	// Name is the GraphQL type name.
	Name string
	// PluralName is the plural used in generated operation names.
	PluralName string
	// Syncable reports whether DataStore sync is enabled.
	Syncable bool
	// Fields are the model's fields in file order (the default selection
	// set order).
	Fields []*Field
	// Attributes are the model attributes ("model", "auth", "key", ...).
	Attributes []Attribute
	// PrimaryKeyInfo describes the primary key.
	PrimaryKeyInfo PrimaryKeyInfo
}

// PrimaryKeyInfo describes the primary key of a model.
type PrimaryKeyInfo struct {
	// IsCustomPrimaryKey is true when the key is not the default "id".
	IsCustomPrimaryKey bool `json:"isCustomPrimaryKey"`
	// PrimaryKeyFieldName is the partition key field.
	PrimaryKeyFieldName string `json:"primaryKeyFieldName"`
	// SortKeyFieldNames are the sort key fields, in order.
	SortKeyFieldNames []string `json:"sortKeyFieldNames"`
}

// NonModel is a custom object type that is not a @model.
type NonModel struct {
	// Name is the GraphQL type name.
	Name string
	// Fields are the fields in file order.
	Fields []*Field
}

// Enum is an enum type.
type Enum struct {
	// Name is the GraphQL type name.
	Name string `json:"name"`
	// Values are the enum values in file order.
	Values []string `json:"values"`
}

// Field is a field of a model or non-model type.
type Field struct {
	// Name is the field name.
	Name string
	// Type is the field's named type.
	Type FieldType
	// IsArray is true for list fields.
	IsArray bool
	// IsRequired is true when the value (or, for lists, each element) is
	// non-null.
	IsRequired bool
	// IsArrayNullable is true when the list itself may be null.
	IsArrayNullable bool
	// IsReadOnly is true for fields the service sets (createdAt, updatedAt).
	IsReadOnly bool
	// Attributes are the field attributes.
	Attributes []Attribute
	// Association describes a relationship field; nil for other fields.
	Association *Association
	// Arguments are the field's arguments in file order, if any.
	Arguments []*Argument

	arrayNullableKey bool // isArrayNullable was written, if false
}

// FieldType is the named type of a field, argument or custom operation. In
// JSON it is either a string (a scalar such as "String", "ID" or "AWSJSON")
// or an object with exactly one of the keys enum, model, nonModel or input.
// Exactly one member is set.
type FieldType struct {
	// Scalar is the scalar type name.
	Scalar string
	// Enum is the enum type name.
	Enum string
	// Model is the @model type name.
	Model string
	// NonModel is the custom type name.
	NonModel string
	// Input is the input type name.
	Input string
}

// Association describes a relationship field.
type Association struct {
	// ConnectionType is HAS_ONE, HAS_MANY or BELONGS_TO.
	ConnectionType string `json:"connectionType"`
	// AssociatedWith names the fields on the related model (absent for
	// BELONGS_TO).
	AssociatedWith []string `json:"associatedWith,omitempty"`
	// TargetNames names the foreign key fields on this model.
	TargetNames []string `json:"targetNames,omitempty"`
}

// Attribute is a model or field attribute such as {"type":"key",...}.
type Attribute struct {
	// Type is the attribute type: "model", "auth", "key", ...
	Type string `json:"type"`
	// Properties is the attribute's properties object, compacted.
	Properties json.RawMessage `json:"properties,omitempty"`
}

// Argument is an argument of a custom operation or field.
type Argument struct {
	// Name is the argument name.
	Name string
	// Type is the argument's named type.
	Type FieldType
	// IsArray, IsRequired and IsArrayNullable have the same meaning as on
	// Field.
	IsArray, IsRequired, IsArrayNullable bool
}

// CustomOperation is a custom query, mutation or subscription.
type CustomOperation struct {
	// Name is the operation's field name.
	Name string
	// Type is the named return type.
	Type FieldType
	// IsArray, IsRequired and IsArrayNullable describe the return type as
	// on Field.
	IsArray, IsRequired, IsArrayNullable bool
	// Arguments are the arguments in file order.
	Arguments []*Argument
}

// Index is a secondary index of a model that has a query field.
type Index struct {
	// Name is the index name.
	Name string
	// QueryField is the name of the generated query field.
	QueryField string
	// Fields are the key fields: partition key first, then sort keys.
	Fields []string
}

// Model returns the model with the given name, or nil.
func (m *ModelIntrospection) Model(name string) *Model {
	for _, x := range m.Models {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// Enum returns the enum with the given name, or nil.
func (m *ModelIntrospection) Enum(name string) *Enum {
	for _, x := range m.Enums {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// NonModel returns the non-model type with the given name, or nil.
func (m *ModelIntrospection) NonModel(name string) *NonModel {
	for _, x := range m.NonModels {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// Field returns the field with the given name, or nil.
func (m *Model) Field(name string) *Field {
	return findField(m.Fields, name)
}

// Field returns the field with the given name, or nil.
func (m *NonModel) Field(name string) *Field {
	return findField(m.Fields, name)
}

func findField(fs []*Field, name string) *Field {
	for _, f := range fs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Indexes returns the model's secondary indexes that have a query field,
// in attribute order.
func (m *Model) Indexes() []Index {
	var out []Index
	for _, a := range m.Attributes {
		if a.Type != "key" || len(a.Properties) == 0 {
			continue
		}
		var p struct {
			Name       string   `json:"name"`
			QueryField string   `json:"queryField"`
			Fields     []string `json:"fields"`
		}
		if json.Unmarshal(a.Properties, &p) != nil || p.QueryField == "" {
			continue
		}
		out = append(out, Index{Name: p.Name, QueryField: p.QueryField, Fields: p.Fields})
	}
	return out
}

// Name returns whichever type name is set.
func (t FieldType) Name() string {
	for _, s := range []string{t.Scalar, t.Enum, t.Model, t.NonModel, t.Input} {
		if s != "" {
			return s
		}
	}
	return ""
}

// String returns the type name, prefixed with its kind when not a scalar,
// e.g. "enum TodoPriority".
func (t FieldType) String() string {
	switch {
	case t.Enum != "":
		return "enum " + t.Enum
	case t.Model != "":
		return "model " + t.Model
	case t.NonModel != "":
		return "nonModel " + t.NonModel
	case t.Input != "":
		return "input " + t.Input
	}
	return t.Scalar
}

// UnmarshalJSON reads a type given as a string or as an object with one of
// the keys enum, model, nonModel or input.
func (t *FieldType) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return &Error{Msg: "empty type name", offset: 0}
		}
		*t = FieldType{Scalar: s}
		return nil
	}
	ms, err := members(b, "")
	if err != nil {
		return err
	}
	if ms == nil && !bytes.HasPrefix(b, []byte("{")) {
		return &Error{Msg: "missing type", offset: 0}
	}
	var out FieldType
	n := 0
	for _, m := range ms {
		var dst *string
		switch m.key {
		case "enum":
			dst = &out.Enum
		case "model":
			dst = &out.Model
		case "nonModel":
			dst = &out.NonModel
		case "input":
			dst = &out.Input
		default:
			return &Error{Field: m.key, Msg: fmt.Sprintf("unknown type kind %q; expected enum, model, nonModel or input", m.key), offset: m.off}
		}
		if err := json.Unmarshal(m.value, dst); err != nil || *dst == "" {
			return &Error{Field: m.key, Msg: "type name must be a non-empty string", offset: m.off}
		}
		n++
	}
	if n != 1 {
		return &Error{Msg: "type object must have exactly one of enum, model, nonModel or input", offset: 0}
	}
	*t = out
	return nil
}

// MarshalJSON writes a scalar as a string and other kinds as an object.
func (t FieldType) MarshalJSON() ([]byte, error) {
	switch {
	case t.Enum != "":
		return json.Marshal(map[string]string{"enum": t.Enum})
	case t.Model != "":
		return json.Marshal(map[string]string{"model": t.Model})
	case t.NonModel != "":
		return json.Marshal(map[string]string{"nonModel": t.NonModel})
	case t.Input != "":
		return json.Marshal(map[string]string{"input": t.Input})
	}
	return json.Marshal(t.Scalar)
}

// ParseModelIntrospection parses a model introspection document (the
// content of data.model_introspection, or a model_introspection.json file)
// and validates that every referenced enum, model and non-model is declared.
// name is the file name used in errors.
func ParseModelIntrospection(name string, data []byte) (*ModelIntrospection, error) {
	if err := checkSyntax(name, data); err != nil {
		return nil, err
	}
	mi, err := parseModelIntrospection(data)
	if err != nil {
		return nil, locate(err, name, data, 0, "")
	}
	if err := mi.validate(); err != nil {
		return nil, locateKeys(err, name, data, nil)
	}
	return mi, nil
}

// UnmarshalJSON decodes a model introspection document keeping the order of
// every JSON object. It does not validate references; ParseOutputs and
// ParseModelIntrospection do.
func (m *ModelIntrospection) UnmarshalJSON(data []byte) error {
	mi, err := parseModelIntrospection(data)
	if err != nil {
		return err
	}
	*m = *mi
	return nil
}

// shift adds off to the relative offset of an *Error.
func shift(err error, off int) error {
	if e, ok := asError(err); ok && e.offset >= 0 {
		e.offset += off
	}
	return err
}

// checkSyntax reports JSON syntax errors in data with file:line:col.
func checkSyntax(name string, data []byte) error {
	if json.Valid(data) {
		return nil
	}
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return nil
	}
	return locate(jsonError(err, data, ""), name, data, 0, "")
}

// locate sets File, Line and Column of err from its relative offset (plus
// base) within data, and prefixes its field path with prefix.
func locate(err error, name string, data []byte, base int, prefix string) error {
	e, ok := asError(err)
	if !ok {
		return &Error{File: name, Field: prefix, Msg: err.Error(), Err: err, offset: -1}
	}
	e.File = name
	e.Field = joinPath(prefix, e.Field)
	if e.offset >= 0 && e.Line == 0 {
		e.Line, e.Column = lineCol(data, base+e.offset)
	}
	e.offset = -1
	return e
}

// locateKeys resolves the position of a validation error in data by
// following prefix and then the error's JSON object key path.
func locateKeys(err error, name string, data []byte, prefix []string) error {
	e, ok := asError(err)
	if !ok || e.keys == nil {
		return locate(err, name, data, 0, "")
	}
	e.File = name
	if off := valueOffset(data, append(append([]string{}, prefix...), e.keys...)...); off >= 0 {
		e.Line, e.Column = lineCol(data, off)
	}
	e.offset = -1
	e.keys = nil
	return e
}

// parseModelIntrospection decodes data; errors carry offsets relative to
// data and field paths relative to the introspection root.
func parseModelIntrospection(data []byte) (*ModelIntrospection, error) {
	ms, err := members(data, "")
	if err != nil {
		return nil, err
	}
	mi := &ModelIntrospection{}
	for _, m := range ms {
		var err error
		switch m.key {
		case "version":
			err = decodeJSON(m.value, "version", &mi.Version)
		case "models":
			mi.Models, err = parseNamed(m.value, m.key, parseModel, func(x *Model) *string { return &x.Name })
		case "nonModels":
			mi.NonModels, err = parseNamed(m.value, m.key, parseNonModel, func(x *NonModel) *string { return &x.Name })
		case "enums":
			mi.Enums, err = parseNamed(m.value, m.key, parseEnum, func(x *Enum) *string { return &x.Name })
		case "queries", "mutations", "subscriptions":
			dst := map[string]*[]*CustomOperation{"queries": &mi.Queries, "mutations": &mi.Mutations, "subscriptions": &mi.Subscriptions}[m.key]
			*dst, err = parseNamed(m.value, m.key, parseCustomOperation, customOperationName)
		// The AI sections are told apart from absent ones by a non-nil slice.
		case "generations":
			mi.Generations, err = parseNamed(m.value, m.key, parseCustomOperation, customOperationName)
			mi.Generations = nonNil(mi.Generations)
		case "conversations":
			mi.Conversations, err = parseNamed(m.value, m.key, parseConversation, func(x *Conversation) *string { return &x.Name })
			mi.Conversations = nonNil(mi.Conversations)
		case "inputs":
			mi.Inputs, err = parseNamed(m.value, m.key, parseInput, func(x *Input) *string { return &x.Name })
			mi.Inputs = nonNil(mi.Inputs)
		default:
			if mi.Extra == nil {
				mi.Extra = map[string]json.RawMessage{}
			}
			mi.Extra[m.key] = compactRaw(m.value)
		}
		if err != nil {
			return nil, shift(err, m.off)
		}
	}
	return mi, nil
}

// eachMember calls fn for every member of the JSON object data, in order,
// with the member's path; errors are shifted to be relative to data.
// parseNamed parses each member of the object data with parse, in file
// order; an entry without a name takes its key, as Amplify keys the
// entries by name.
func parseNamed[T any](data []byte, path string, parse func([]byte, string) (*T, error), name func(*T) *string) ([]*T, error) {
	var out []*T
	err := eachMember(data, path, func(key string, raw []byte, path string) error {
		x, err := parse(raw, path)
		if err != nil {
			return err
		}
		if n := name(x); *n == "" {
			*n = key
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

func customOperationName(x *CustomOperation) *string { return &x.Name }

func parseEnum(data []byte, path string) (*Enum, error) {
	x := &Enum{}
	return x, decodeJSON(data, path, x)
}

// nonNil returns s, or an empty slice for nil.
func nonNil[T any](s []*T) []*T {
	if s == nil {
		return []*T{}
	}
	return s
}

func eachMember(data []byte, path string, fn func(key string, raw []byte, path string) error) error {
	ms, err := members(data, path)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := fn(m.key, m.value, joinPath(path, m.key)); err != nil {
			return shift(err, m.off)
		}
	}
	return nil
}

type modelWire struct {
	Name           string          `json:"name"`
	PluralName     string          `json:"pluralName"`
	Syncable       bool            `json:"syncable"`
	Fields         json.RawMessage `json:"fields"`
	Attributes     []Attribute     `json:"attributes"`
	PrimaryKeyInfo PrimaryKeyInfo  `json:"primaryKeyInfo"`
}

func parseModel(data []byte, path string) (*Model, error) {
	var w modelWire
	if err := decodeJSON(data, path, &w); err != nil {
		return nil, err
	}
	fields, err := parseFieldsMember(data, path)
	if err != nil {
		return nil, err
	}
	return &Model{
		Name: w.Name, PluralName: w.PluralName, Syncable: w.Syncable,
		Fields: fields, Attributes: compactAttributes(w.Attributes), PrimaryKeyInfo: w.PrimaryKeyInfo,
	}, nil
}

func parseNonModel(data []byte, path string) (*NonModel, error) {
	var w struct {
		Name   string          `json:"name"`
		Fields json.RawMessage `json:"fields"`
	}
	if err := decodeJSON(data, path, &w); err != nil {
		return nil, err
	}
	fields, err := parseFieldsMember(data, path)
	if err != nil {
		return nil, err
	}
	return &NonModel{Name: w.Name, Fields: fields}, nil
}

// parseFieldsMember decodes the "fields" member of the object data.
func parseFieldsMember(data []byte, path string) ([]*Field, error) {
	ms, err := members(data, path)
	if err != nil {
		return nil, err
	}
	m := find(ms, "fields")
	if m == nil {
		return nil, nil
	}
	out, err := parseNamed(m.value, joinPath(path, "fields"), parseField, func(f *Field) *string { return &f.Name })
	return out, shift(err, m.off)
}

type fieldWire struct {
	Name            string          `json:"name"`
	IsArray         bool            `json:"isArray"`
	Type            json.RawMessage `json:"type"`
	IsRequired      bool            `json:"isRequired"`
	IsArrayNullable bool            `json:"isArrayNullable"`
	IsReadOnly      bool            `json:"isReadOnly"`
	Attributes      []Attribute     `json:"attributes"`
	Association     *Association    `json:"association"`
	Arguments       json.RawMessage `json:"arguments"`
}

// parseField decodes a field, argument or custom operation object.
func parseField(data []byte, path string) (*Field, error) {
	var w fieldWire
	if err := decodeJSON(data, path, &w); err != nil {
		return nil, err
	}
	ms, err := members(data, path)
	if err != nil {
		return nil, err
	}
	f := &Field{
		Name: w.Name, IsArray: w.IsArray, IsRequired: w.IsRequired, IsArrayNullable: w.IsArrayNullable,
		IsReadOnly: w.IsReadOnly, Attributes: compactAttributes(w.Attributes), Association: w.Association,
	}
	f.arrayNullableKey = find(ms, "isArrayNullable") != nil && !f.IsArrayNullable
	tm := find(ms, "type")
	if tm == nil {
		return nil, &Error{Field: path, Msg: "missing type", offset: 0}
	}
	if err := decodeJSON(tm.value, joinPath(path, "type"), &f.Type); err != nil {
		return nil, shift(err, tm.off)
	}
	if am := find(ms, "arguments"); am != nil {
		err := eachMember(am.value, joinPath(path, "arguments"), func(key string, raw []byte, p string) error {
			a, err := parseField(raw, p)
			if err == nil {
				if a.Name == "" {
					a.Name = key
				}
				f.Arguments = append(f.Arguments, a.argument())
			}
			return err
		})
		if err != nil {
			return nil, shift(err, am.off)
		}
	}
	return f, nil
}

func (f *Field) argument() *Argument {
	return &Argument{Name: f.Name, Type: f.Type, IsArray: f.IsArray, IsRequired: f.IsRequired, IsArrayNullable: f.IsArrayNullable}
}

func parseCustomOperation(data []byte, path string) (*CustomOperation, error) {
	f, err := parseField(data, path)
	if err != nil {
		return nil, err
	}
	return &CustomOperation{Name: f.Name, Type: f.Type, IsArray: f.IsArray, IsRequired: f.IsRequired,
		IsArrayNullable: f.IsArrayNullable, Arguments: f.Arguments}, nil
}

func compactAttributes(as []Attribute) []Attribute {
	for i := range as {
		as[i].Properties = compactRaw(as[i].Properties)
	}
	return as
}

// validate checks that every type reference names a declared enum, model
// or non-model.
func (m *ModelIntrospection) validate() error {
	check := func(t FieldType, keys ...string) error {
		var kind, name string
		switch {
		case t.Enum != "" && m.Enum(t.Enum) == nil:
			kind, name = "enum", t.Enum
		case t.Model != "" && m.Model(t.Model) == nil:
			kind, name = "model", t.Model
		case t.NonModel != "" && m.NonModel(t.NonModel) == nil:
			kind, name = "nonModel", t.NonModel
		default:
			return nil
		}
		sections := map[string]string{"enum": "enums", "model": "models", "nonModel": "nonModels"}
		return &Error{
			Field:  joinPath(keys...),
			Msg:    fmt.Sprintf("type refers to %s %q, which is not declared in %s", kind, name, sections[kind]),
			Hint:   "the file looks hand-edited or out of date; regenerate it with `npx ampx generate outputs`",
			offset: -1,
			keys:   keys,
		}
	}
	fields := func(section, typ string, fs []*Field) error {
		for _, f := range fs {
			if err := check(f.Type, section, typ, "fields", f.Name); err != nil {
				return err
			}
			for _, a := range f.Arguments {
				if err := check(a.Type, section, typ, "fields", f.Name, "arguments", a.Name); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, x := range m.Models {
		if err := fields("models", x.Name, x.Fields); err != nil {
			return err
		}
	}
	for _, x := range m.NonModels {
		if err := fields("nonModels", x.Name, x.Fields); err != nil {
			return err
		}
	}
	for _, s := range []struct {
		section string
		ops     []*CustomOperation
	}{{"queries", m.Queries}, {"mutations", m.Mutations}, {"subscriptions", m.Subscriptions}, {"generations", m.Generations}} {
		for _, op := range s.ops {
			if err := check(op.Type, s.section, op.Name); err != nil {
				return err
			}
			for _, a := range op.Arguments {
				if err := check(a.Type, s.section, op.Name, "arguments", a.Name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// objectWriter writes a JSON object member by member, in call order.
type objectWriter struct {
	buf bytes.Buffer
	n   int
	err error
}

func (w *objectWriter) add(key string, v any) {
	if w.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		w.err = err
		return
	}
	w.raw(key, b)
}

func (w *objectWriter) raw(key string, b []byte) {
	if w.n == 0 {
		w.buf.WriteByte('{')
	} else {
		w.buf.WriteByte(',')
	}
	w.n++
	k, _ := json.Marshal(key)
	w.buf.Write(k)
	w.buf.WriteByte(':')
	w.buf.Write(b)
}

func (w *objectWriter) bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.n == 0 {
		return []byte("{}"), nil
	}
	w.buf.WriteByte('}')
	return w.buf.Bytes(), nil
}

// orderedObject marshals items as a JSON object keyed by name, in order.
func orderedObject[T any](items []T, name func(T) string) ([]byte, error) {
	var w objectWriter
	for _, it := range items {
		w.add(name(it), it)
	}
	return w.bytes()
}

// MarshalJSON writes the document with every object in the order of the
// slices.
func (m ModelIntrospection) MarshalJSON() ([]byte, error) {
	var w objectWriter
	w.add("version", m.Version)
	sections := []struct {
		key   string
		b     func() ([]byte, error)
		empty bool
		skip  bool
	}{
		{key: "models", b: func() ([]byte, error) { return orderedObject(m.Models, func(x *Model) string { return x.Name }) }},
		{key: "enums", b: func() ([]byte, error) { return orderedObject(m.Enums, func(x *Enum) string { return x.Name }) }},
		{key: "nonModels", b: func() ([]byte, error) {
			return orderedObject(m.NonModels, func(x *NonModel) string { return x.Name })
		}},
		{key: "queries", skip: m.Queries == nil, b: func() ([]byte, error) { return orderedObject(m.Queries, opName) }},
		{key: "mutations", skip: m.Mutations == nil, b: func() ([]byte, error) { return orderedObject(m.Mutations, opName) }},
		{key: "subscriptions", skip: m.Subscriptions == nil, b: func() ([]byte, error) { return orderedObject(m.Subscriptions, opName) }},
	}
	for _, s := range sections {
		if s.skip {
			continue
		}
		b, err := s.b()
		if err != nil {
			return nil, err
		}
		w.raw(s.key, b)
	}
	for _, s := range []struct {
		key string
		b   func() ([]byte, error)
		set bool
	}{
		{"generations", func() ([]byte, error) { return orderedObject(m.Generations, opName) }, m.Generations != nil},
		{"conversations", func() ([]byte, error) {
			return orderedObject(m.Conversations, func(x *Conversation) string { return x.Name })
		}, m.Conversations != nil},
		{"inputs", func() ([]byte, error) { return orderedObject(m.Inputs, func(x *Input) string { return x.Name }) }, m.Inputs != nil},
	} {
		if !s.set {
			continue
		}
		b, err := s.b()
		if err != nil {
			return nil, err
		}
		w.raw(s.key, b)
	}
	b, err := w.bytes()
	if err != nil {
		return nil, err
	}
	return appendExtra(b, m.Extra)
}

func opName(x *CustomOperation) string { return x.Name }

// MarshalJSON writes the model in the shape Amplify uses, fields in order.
func (m Model) MarshalJSON() ([]byte, error) {
	fields, err := orderedObject(m.Fields, func(f *Field) string { return f.Name })
	if err != nil {
		return nil, err
	}
	var w objectWriter
	w.add("name", m.Name)
	w.raw("fields", fields)
	w.add("syncable", m.Syncable)
	w.add("pluralName", m.PluralName)
	if m.Attributes != nil {
		w.add("attributes", m.Attributes)
	}
	w.add("primaryKeyInfo", m.PrimaryKeyInfo)
	return w.bytes()
}

// UnmarshalJSON decodes a model, keeping field order.
func (m *Model) UnmarshalJSON(data []byte) error {
	x, err := parseModel(data, "")
	if err != nil {
		return err
	}
	*m = *x
	return nil
}

// MarshalJSON writes the non-model type, fields in order.
func (m NonModel) MarshalJSON() ([]byte, error) {
	fields, err := orderedObject(m.Fields, func(f *Field) string { return f.Name })
	if err != nil {
		return nil, err
	}
	var w objectWriter
	w.add("name", m.Name)
	w.raw("fields", fields)
	return w.bytes()
}

// UnmarshalJSON decodes a non-model type, keeping field order.
func (m *NonModel) UnmarshalJSON(data []byte) error {
	x, err := parseNonModel(data, "")
	if err != nil {
		return err
	}
	*m = *x
	return nil
}

// MarshalJSON writes the field in the shape Amplify uses.
func (f Field) MarshalJSON() ([]byte, error) {
	var w objectWriter
	w.add("name", f.Name)
	w.add("isArray", f.IsArray)
	w.add("type", f.Type)
	w.add("isRequired", f.IsRequired)
	if f.Attributes != nil {
		w.add("attributes", f.Attributes)
	}
	if f.IsArrayNullable || f.arrayNullableKey {
		w.add("isArrayNullable", f.IsArrayNullable)
	}
	if f.IsReadOnly {
		w.add("isReadOnly", true)
	}
	if f.Association != nil {
		w.add("association", f.Association)
	}
	if f.Arguments != nil {
		b, err := orderedObject(f.Arguments, func(a *Argument) string { return a.Name })
		if err != nil {
			return nil, err
		}
		w.raw("arguments", b)
	}
	return w.bytes()
}

// UnmarshalJSON decodes a field, keeping argument order.
func (f *Field) UnmarshalJSON(data []byte) error {
	x, err := parseField(data, "")
	if err != nil {
		return err
	}
	*f = *x
	return nil
}

// MarshalJSON writes the argument in the shape Amplify uses.
func (a Argument) MarshalJSON() ([]byte, error) {
	var w objectWriter
	w.add("name", a.Name)
	w.add("isArray", a.IsArray)
	w.add("type", a.Type)
	w.add("isRequired", a.IsRequired)
	if a.IsArrayNullable {
		w.add("isArrayNullable", true)
	}
	return w.bytes()
}

// UnmarshalJSON decodes an argument.
func (a *Argument) UnmarshalJSON(data []byte) error {
	x, err := parseField(data, "")
	if err != nil {
		return err
	}
	*a = *x.argument()
	return nil
}

// MarshalJSON writes the custom operation in the shape Amplify uses,
// arguments in order.
func (c CustomOperation) MarshalJSON() ([]byte, error) {
	var w objectWriter
	w.add("name", c.Name)
	w.add("isArray", c.IsArray)
	w.add("type", c.Type)
	w.add("isRequired", c.IsRequired)
	if c.IsArrayNullable {
		w.add("isArrayNullable", true)
	}
	if c.Arguments != nil {
		b, err := orderedObject(c.Arguments, func(a *Argument) string { return a.Name })
		if err != nil {
			return nil, err
		}
		w.raw("arguments", b)
	}
	return w.bytes()
}

// UnmarshalJSON decodes a custom operation, keeping argument order.
func (c *CustomOperation) UnmarshalJSON(data []byte) error {
	x, err := parseCustomOperation(data, "")
	if err != nil {
		return err
	}
	*c = *x
	return nil
}
