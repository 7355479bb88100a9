package appsynctest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// resolver resolves one field of an object type. It returns the field's
// raw value (a JSON value, see scalarInput) or an error, which is reported
// at the field's path as a resolver error.
type resolver func(f *fieldCtx) (any, error)

// fieldCtx is what a resolver gets: the request, the field, its coerced
// arguments and the parent object's value.
type fieldCtx struct {
	ex     *executor
	parent *ast.Definition
	field  *ast.Field
	def    *ast.FieldDefinition
	// args holds the arguments given (or defaulted); an argument that was
	// not given is absent.
	args   map[string]any
	source map[string]any
	path   []any
}

func (f *fieldCtx) ctx() context.Context { return f.ex.req.ctx }

// executor runs one operation of a validated document.
type executor struct {
	srv  *Server
	req  *request
	doc  *ast.QueryDocument
	op   *ast.OperationDefinition
	vars map[string]any
	errs []*gqlError
}

// run executes the operation and returns the data member of the response
// (nil when a non-null root field failed).
func (ex *executor) run() any {
	var root *ast.Definition
	switch ex.op.Operation {
	case ast.Mutation:
		root = ex.srv.schema.Mutation
	case ast.Subscription:
		root = ex.srv.schema.Subscription
	default:
		root = ex.srv.schema.Query
	}
	obj, ok := ex.selectionSet(root, nil, ex.op.SelectionSet, nil)
	if !ok {
		return nil
	}
	return obj
}

// fieldGroup is the fields of a selection set that share a response key.
type fieldGroup struct {
	key    string
	fields []*ast.Field
}

// collectFields implements CollectFields of the GraphQL specification:
// the fields of sels that apply to objType, grouped by response key in
// order, with @skip and @include applied and fragments expanded.
func (ex *executor) collectFields(objType *ast.Definition, sels ast.SelectionSet, visited map[string]bool, groups []*fieldGroup) []*fieldGroup {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *ast.Field:
			if !ex.included(sel.Directives) {
				continue
			}
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			i := slices.IndexFunc(groups, func(g *fieldGroup) bool { return g.key == key })
			if i < 0 {
				groups = append(groups, &fieldGroup{key: key})
				i = len(groups) - 1
			}
			groups[i].fields = append(groups[i].fields, sel)
		case *ast.InlineFragment:
			if !ex.included(sel.Directives) || !ex.typeApplies(objType, sel.TypeCondition) {
				continue
			}
			groups = ex.collectFields(objType, sel.SelectionSet, visited, groups)
		case *ast.FragmentSpread:
			if !ex.included(sel.Directives) || visited[sel.Name] {
				continue
			}
			visited[sel.Name] = true
			frag := ex.doc.Fragments.ForName(sel.Name)
			if frag == nil || !ex.typeApplies(objType, frag.TypeCondition) {
				continue
			}
			groups = ex.collectFields(objType, frag.SelectionSet, visited, groups)
		}
	}
	return groups
}

// included evaluates @skip and @include.
func (ex *executor) included(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		a := d.Arguments.ForName("if")
		if a == nil {
			continue
		}
		v, _ := ex.literal(a.Value, &ast.Type{NamedType: "Boolean", NonNull: true})
		b, _ := v.(bool)
		if d.Name == "skip" && b || d.Name == "include" && !b {
			return false
		}
	}
	return true
}

// typeApplies reports whether a fragment with the type condition applies
// to objects of objType.
func (ex *executor) typeApplies(objType *ast.Definition, cond string) bool {
	if cond == "" || cond == objType.Name {
		return true
	}
	for _, t := range ex.srv.schema.PossibleTypes[cond] {
		if t.Name == objType.Name {
			return true
		}
	}
	return false
}

// selectionSet executes a selection set on an object of type objType
// whose value is source. ok is false when a non-null field came out null,
// which makes the object null in turn.
func (ex *executor) selectionSet(objType *ast.Definition, source map[string]any, sels ast.SelectionSet, path []any) (*object, bool) {
	out := &object{}
	for _, g := range ex.collectFields(objType, sels, map[string]bool{}, nil) {
		fpath := append(slices.Clip(path), g.key)
		v, ok := ex.field(objType, source, g, fpath)
		if !ok {
			return nil, false
		}
		out.set(g.key, v)
	}
	return out, true
}

// field resolves and completes one response key.
func (ex *executor) field(objType *ast.Definition, source map[string]any, g *fieldGroup, path []any) (any, bool) {
	f := g.fields[0]
	switch f.Name {
	case "__typename":
		return objType.Name, true
	case "__schema", "__type":
		if objType == ex.srv.schema.Query {
			return ex.introspect(f, g, path)
		}
	}
	def := objType.Fields.ForName(f.Name)
	if def == nil {
		// Validation rules this out; be safe.
		ex.addError(&gqlError{kind: kindExecution, Path: path, Message: fmt.Sprintf("Field '%s' in type '%s' is undefined", f.Name, objType.Name)})
		return nil, true
	}
	var value any
	if err := ex.srv.checkDirectives(ex.req.id, objType, def); err != nil {
		ex.resolverError(err, "", f, path)
	} else {
		args, err := ex.arguments(def.Arguments, f.Arguments)
		if err != nil {
			ex.resolverError(err, "", f, path)
		} else {
			fc := &fieldCtx{ex: ex, parent: objType, field: f, def: def, args: args, source: source, path: path}
			value, err = ex.resolve(fc)
			if err != nil {
				ex.resolverError(err, "", f, path)
				value = nil
			}
		}
	}
	return ex.complete(objType, def.Type, g.fields, value, path)
}

// resolve runs the field's resolver, or reads the field from the parent.
func (ex *executor) resolve(fc *fieldCtx) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("appsynctest: internal error resolving %s.%s: %v", fc.parent.Name, fc.def.Name, p)
		}
	}()
	if r := ex.srv.resolvers[fc.parent.Name+"."+fc.def.Name]; r != nil {
		return r(fc)
	}
	if fc.source == nil {
		return nil, nil
	}
	return fc.source[fc.def.Name], nil
}

// addError records an error of the response.
func (ex *executor) addError(e *gqlError) { ex.errs = append(ex.errs, e) }

// resolverError records err as the error of the field at path.
func (ex *executor) resolverError(err error, defaultType string, f *ast.Field, path []any) {
	re := asResolverError(err, defaultType)
	ex.addError(&gqlError{kind: kindResolver, Path: slices.Clone(path), Locations: locationsOf(f.Position),
		Message: re.Message, ErrorType: re.ErrorType, Data: re.Data, ErrorInfo: re.Info})
}

// complete turns a resolved value into the response value of type t
// (CompleteValue of the specification). ok is false when the value is null
// for a non-null type: the null propagates to the parent.
func (ex *executor) complete(parent *ast.Definition, t *ast.Type, fields []*ast.Field, v any, path []any) (any, bool) {
	if v == nil {
		if t.NonNull {
			ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path),
				Message: fmt.Sprintf("Cannot return null for non-nullable type: '%s' within parent '%s' (%s)", typeNameOf(t), parent.Name, pathString(path))})
			return nil, false
		}
		return nil, true
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			// graphql-java wraps a single value in a list.
			list = []any{v}
		}
		out := make([]any, len(list))
		for i, item := range list {
			r, ok := ex.complete(parent, t.Elem, fields, item, append(slices.Clip(path), i))
			if !ok {
				return ex.nullFor(t)
			}
			out[i] = r
		}
		return out, true
	}
	def := ex.srv.schema.Types[t.NamedType]
	switch def.Kind {
	case ast.Scalar:
		r, err := scalarOutput(def.Name, v)
		if err != nil {
			ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path),
				Message: fmt.Sprintf("Can't serialize value (%s) : %v", pathString(path), err)})
			return ex.nullFor(t)
		}
		return r, true
	case ast.Enum:
		s, ok := v.(string)
		if !ok || def.EnumValues.ForName(s) == nil {
			ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path),
				Message: fmt.Sprintf("Can't serialize value (%s) : Invalid input for Enum '%s'. Unknown value '%v'", pathString(path), def.Name, v)})
			return ex.nullFor(t)
		}
		return s, true
	default:
		m, ok := v.(map[string]any)
		if !ok {
			ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path),
				Message: fmt.Sprintf("Can't resolve value (%s) : type mismatch error, expected type %s", pathString(path), def.Name)})
			return ex.nullFor(t)
		}
		objType := def
		if def.Kind != ast.Object {
			objType = ex.concreteType(def, m)
			if objType == nil {
				ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path),
					Message: fmt.Sprintf("Can't resolve value (%s) : the value of abstract type %s has no __typename naming one of its possible types", pathString(path), def.Name)})
				return ex.nullFor(t)
			}
		}
		var sels ast.SelectionSet
		for _, f := range fields {
			sels = append(sels, f.SelectionSet...)
		}
		obj, ok := ex.selectionSet(objType, m, sels, path)
		if !ok {
			return ex.nullFor(t)
		}
		return obj, true
	}
}

// nullFor returns the completion of a failed value of type t: null when t
// is nullable, else a failure that propagates.
func (ex *executor) nullFor(t *ast.Type) (any, bool) { return nil, !t.NonNull }

// concreteType resolves the object type of a value of an interface or
// union type from its __typename.
func (ex *executor) concreteType(abstract *ast.Definition, m map[string]any) *ast.Definition {
	name, _ := m["__typename"].(string)
	for _, t := range ex.srv.schema.PossibleTypes[abstract.Name] {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// typeNameOf prints the type inside a non-null wrapper, as graphql-java's
// messages name it.
func typeNameOf(t *ast.Type) string {
	c := *t
	c.NonNull = false
	return c.String()
}

// arguments coerces the arguments of a field (CoerceArgumentValues): the
// given ones, variables substituted, and the defaults of those not given.
// AppSync passes an argument whose variable was not provided as an
// explicit null (aws/aws-appsync-community#348), and so does this server,
// unless the argument has a default value, which applies.
func (ex *executor) arguments(defs ast.ArgumentDefinitionList, given ast.ArgumentList) (map[string]any, error) {
	out := map[string]any{}
	for _, d := range defs {
		a := given.ForName(d.Name)
		if a == nil {
			if d.DefaultValue != nil {
				v, err := ex.literal(d.DefaultValue, d.Type)
				if err != nil {
					return nil, err
				}
				out[d.Name] = v
			}
			continue
		}
		if a.Value != nil && a.Value.Kind == ast.Variable && d.DefaultValue != nil {
			if _, given := ex.vars[a.Value.Raw]; !given {
				v, err := ex.literal(d.DefaultValue, d.Type)
				if err != nil {
					return nil, err
				}
				out[d.Name] = v
				continue
			}
		}
		v, err := ex.literal(a.Value, d.Type)
		if err != nil {
			return nil, err
		}
		out[d.Name] = v
	}
	return out, nil
}

// literal converts a value of the document (variables substituted) to a
// JSON value of type t, applying input object defaults. Validation has
// already checked its type; AWS scalars are checked here.
func (ex *executor) literal(v *ast.Value, t *ast.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.Kind {
	case ast.Variable:
		return ex.vars[v.Raw], nil
	case ast.NullValue:
		return nil, nil
	case ast.ListValue:
		elem := t
		if t != nil && t.Elem != nil {
			elem = t.Elem
		}
		out := make([]any, 0, len(v.Children))
		for _, c := range v.Children {
			x, err := ex.literal(c.Value, elem)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case ast.ObjectValue:
		out := map[string]any{}
		var def *ast.Definition
		if t != nil {
			def = ex.srv.schema.Types[t.Name()]
		}
		for _, c := range v.Children {
			var ft *ast.Type
			if def != nil {
				if fd := def.Fields.ForName(c.Name); fd != nil {
					ft = fd.Type
				}
			}
			if c.Value.Kind == ast.Variable {
				if x, ok := ex.vars[c.Value.Raw]; ok {
					out[c.Name] = x
				}
				continue
			}
			x, err := ex.literal(c.Value, ft)
			if err != nil {
				return nil, err
			}
			out[c.Name] = x
		}
		if def != nil {
			for _, fd := range def.Fields {
				if _, ok := out[fd.Name]; !ok && fd.DefaultValue != nil {
					x, err := ex.literal(fd.DefaultValue, fd.Type)
					if err != nil {
						return nil, err
					}
					out[fd.Name] = x
				}
			}
		}
		return out, nil
	}
	var raw any
	switch v.Kind {
	case ast.IntValue, ast.FloatValue:
		raw = json.Number(v.Raw)
	case ast.BooleanValue:
		raw = v.Raw == "true"
	default: // StringValue, BlockValue, EnumValue
		raw = v.Raw
	}
	if t == nil {
		return raw, nil
	}
	def := ex.srv.schema.Types[t.Name()]
	if def == nil || def.Kind != ast.Scalar {
		return raw, nil
	}
	if def.Name == "Float" {
		if n, ok := raw.(json.Number); ok {
			return n, nil
		}
	}
	if def.Name == "AWSJSON" && v.Kind != ast.StringValue && v.Kind != ast.BlockValue {
		return raw, nil
	}
	out, why := scalarInput(def.Name, raw)
	if why != "" {
		return nil, &ResolverError{Message: why}
	}
	return out, nil
}
