package appsynctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/go-amplify/data/appsynctest/internal/scalar"
	"github.com/go-amplify/data/appsynctest/internal/value"
	"github.com/vektah/gqlparser/v2/ast"
)

// resolver resolves one field of an object type. It returns the field's
// raw value (a JSON value, see scalar.Input) or an error, which is reported
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

func (f *fieldCtx) ctx() context.Context { return f.ex.ctx }

// executor runs one operation of a validated document.
type executor struct {
	srv  *Server
	req  *request
	doc  *ast.QueryDocument
	op   *ast.OperationDefinition
	vars map[string]any
	errs []*gqlError

	// ctx is the request's context with the execution's deadline
	// (Limits.Timeout).
	ctx    context.Context
	limits Limits
	// resolvers counts the resolvers run, size the bytes of the response
	// so far (JSON, estimated as it is built).
	resolvers, size int
	// abort, once set, stops the execution: the response is data null and
	// this error alone.
	abort *gqlError
	// groups caches the fields collected for an object type and the field
	// group whose selections they are (nil: the operation's), so that the
	// items of a list collect them once, not once per item.
	groups map[groupKey][]*fieldGroup
}

type groupKey struct {
	objType *ast.Definition
	parent  *fieldGroup
}

// newExecutor prepares the execution of op for rq, under the server's
// limits; done releases the execution's deadline.
func (s *Server) newExecutor(rq *request, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) (ex *executor, done func()) {
	ctx, done := rq.ctx, func() {}
	if s.limits.Timeout > 0 {
		ctx, done = context.WithTimeout(ctx, s.limits.Timeout)
	}
	return &executor{srv: s, req: rq, doc: doc, op: op, vars: vars, ctx: ctx, limits: s.limits}, done
}

// response returns the response of the execution, whose data is data.
func (ex *executor) response(data any) *response {
	if ex.abort != nil {
		return &response{errs: []*gqlError{ex.abort}}
	}
	return &response{data: data, errs: ex.errs}
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
	obj, ok := ex.selectionSet(root, nil, nil, ex.op.SelectionSet, nil)
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
// order, with @skip and @include applied and fragments expanded. Fields of
// one response key are executed once (their selections merged), however
// many times the document repeats them.
func (ex *executor) collectFields(objType *ast.Definition, sels ast.SelectionSet, visited map[string]bool, groups []*fieldGroup) []*fieldGroup {
	c := fieldCollector{groups: groups}
	ex.collectInto(&c, objType, sels, visited)
	return c.groups
}

// fieldCollector accumulates field groups; past a few keys it indexes
// them, so that a selection of many response keys is collected in linear
// time.
type fieldCollector struct {
	groups []*fieldGroup
	index  map[string]*fieldGroup
}

func (c *fieldCollector) add(key string, f *ast.Field) {
	var g *fieldGroup
	if c.index != nil {
		g = c.index[key]
	} else {
		for _, x := range c.groups {
			if x.key == key {
				g = x
				break
			}
		}
	}
	if g == nil {
		g = &fieldGroup{key: key}
		c.groups = append(c.groups, g)
		switch {
		case c.index != nil:
			c.index[key] = g
		case len(c.groups) > 16:
			c.index = make(map[string]*fieldGroup, 2*len(c.groups))
			for _, x := range c.groups {
				c.index[x.key] = x
			}
		}
	}
	g.fields = append(g.fields, f)
}

// responseKey is the key of a field in the response: its alias, else its
// name.
func responseKey(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

func (ex *executor) collectInto(c *fieldCollector, objType *ast.Definition, sels ast.SelectionSet, visited map[string]bool) {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *ast.Field:
			if !ex.included(sel.Directives) {
				continue
			}
			c.add(responseKey(sel), sel)
		case *ast.InlineFragment:
			if !ex.included(sel.Directives) || !ex.typeApplies(objType, sel.TypeCondition) {
				continue
			}
			ex.collectInto(c, objType, sel.SelectionSet, visited)
		case *ast.FragmentSpread:
			if !ex.included(sel.Directives) || visited[sel.Name] {
				continue
			}
			visited[sel.Name] = true
			frag := ex.doc.Fragments.ForName(sel.Name)
			if frag == nil || !ex.typeApplies(objType, frag.TypeCondition) {
				continue
			}
			ex.collectInto(c, objType, frag.SelectionSet, visited)
		}
	}
}

// groupsFor returns the field groups of an object of type objType: those
// of sels, the selections of the group parent (nil: of the operation).
func (ex *executor) groupsFor(objType *ast.Definition, parent *fieldGroup, sels ast.SelectionSet) []*fieldGroup {
	k := groupKey{objType, parent}
	if gs, ok := ex.groups[k]; ok {
		return gs
	}
	gs := ex.collectFields(objType, sels, map[string]bool{}, nil)
	if ex.groups == nil {
		ex.groups = map[groupKey][]*fieldGroup{}
	}
	ex.groups[k] = gs
	return gs
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
// whose value is source: sels, the selections of the field group parent
// (nil for the operation's). ok is false when a non-null field came out
// null, which makes the object null in turn.
func (ex *executor) selectionSet(objType *ast.Definition, source map[string]any, parent *fieldGroup, sels ast.SelectionSet, path []any) (*value.Object, bool) {
	groups := ex.groupsFor(objType, parent, sels)
	out := value.NewObject(len(groups))
	ex.grow(2)
	if path == nil {
		// The path is a stack: a field's path extends its parent's in
		// place, and whatever keeps a path (an error) copies it.
		path = make([]any, 0, 32)
	}
	for _, g := range groups {
		if ex.abort != nil {
			return nil, false
		}
		v, ok := ex.field(objType, source, g, append(path, g.key))
		if !ok {
			return nil, false
		}
		out.Add(g.key, v)
		ex.grow(len(g.key) + 4)
	}
	return out, true
}

// field resolves and completes one response key.
func (ex *executor) field(objType *ast.Definition, source map[string]any, g *fieldGroup, path []any) (any, bool) {
	f := g.fields[0]
	if ex.stopped(f, path) {
		return nil, false
	}
	switch f.Name {
	case "__typename":
		if ex.tooDeep(f, path) {
			return nil, false
		}
		ex.grow(len(objType.Name) + 2)
		return objType.Name, true
	case "__schema", "__type":
		if objType == ex.srv.schema.Query {
			if ex.tooDeep(f, path) {
				return nil, f.Name == "__type"
			}
			return ex.introspect(f, g, path)
		}
	}
	def := objType.Fields.ForName(f.Name)
	if def == nil {
		// Validation rules this out; be safe.
		ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path), Message: fmt.Sprintf("Field '%s' in type '%s' is undefined", f.Name, objType.Name)})
		return nil, true
	}
	if ex.tooDeep(f, path) {
		return ex.nullFor(def.Type)
	}
	var resolved any
	if err := ex.srv.checkDirectives(ex.req.id, objType, def); err != nil {
		ex.resolverError(err, "", f, path)
	} else {
		args, err := ex.arguments(def.Arguments, f.Arguments)
		if err != nil {
			ex.resolverError(err, "", f, path)
		} else {
			resolved, err = ex.resolve(objType, f, def, args, source, path)
			if ex.stopped(f, path) {
				return nil, false
			}
			if err != nil {
				ex.resolverError(err, "", f, path)
				resolved = nil
			}
		}
	}
	return ex.complete(objType, def.Type, g, resolved, path)
}

// stopped reports whether the execution stops at the field f at path: it
// was aborted, or its deadline passed (or its caller went away), which
// aborts it with ExecutionTimeout at f.
func (ex *executor) stopped(f *ast.Field, path []any) bool {
	if ex.abort != nil {
		return true
	}
	err := ex.ctx.Err()
	if err == nil {
		return false
	}
	e := &gqlError{kind: kindResolver, Path: slices.Clone(path), Locations: locationsOf(f.Position)}
	if errors.Is(err, context.DeadlineExceeded) {
		e.ErrorType, e.Message = "ExecutionTimeout", "Execution timed out."
	} else {
		e.ErrorType, e.Message = "appsynctest:Canceled", "The request was canceled before it was answered."
	}
	ex.abort = e
	return true
}

// tooDeep reports whether the field f at path is deeper than the query
// depth limit, and records its QueryDepthLimitReached error if so.
func (ex *executor) tooDeep(f *ast.Field, path []any) bool {
	max := ex.limits.MaxQueryDepth
	if max <= 0 {
		return false
	}
	depth := 0
	for _, p := range path {
		if _, isIndex := p.(int); !isIndex {
			depth++
		}
	}
	if depth <= max {
		return false
	}
	ex.addError(&gqlError{kind: kindResolver, Path: slices.Clone(path), Locations: locationsOf(f.Position),
		ErrorType: "QueryDepthLimitReached", Message: fmt.Sprintf("Query depth limit of %d reached: the field is at depth %d.", max, depth)})
	return true
}

// grow adds n bytes to the response's size, and aborts the execution when
// it passes Limits.MaxResponseBytes.
func (ex *executor) grow(n int) {
	ex.size += n
	if max := ex.limits.MaxResponseBytes; max > 0 && ex.size > max && ex.abort == nil {
		ex.abort = &gqlError{kind: kindResolver, ErrorType: "appsynctest:ResponseTooLarge",
			Message: fmt.Sprintf("The response is larger than %d bytes, appsynctest's limit (appsynctest.Limits.MaxResponseBytes): select fewer fields or items.", max)}
	}
}

// resolve runs the field's resolver, or reads the field from the parent.
func (ex *executor) resolve(parent *ast.Definition, f *ast.Field, def *ast.FieldDefinition, args, source map[string]any, path []any) (v any, err error) {
	r := ex.srv.resolvers[parent.Name+"."+def.Name]
	if r == nil {
		if source == nil {
			return nil, nil
		}
		return source[def.Name], nil
	}
	fc := &fieldCtx{ex: ex, parent: parent, field: f, def: def, args: args, source: source, path: path}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("appsynctest: internal error resolving %s.%s: %v", fc.parent.Name, fc.def.Name, p)
		}
	}()
	ex.resolvers++
	if max := ex.limits.MaxResolvers; max > 0 && ex.resolvers > max {
		return nil, &ResolverError{ErrorType: "ResolverExecutionLimitReached",
			Message: fmt.Sprintf("Resolver execution limit of %d reached: the resolver did not run.", max)}
	}
	return r(fc)
}

// addError records an error of the response.
func (ex *executor) addError(e *gqlError) {
	ex.errs = append(ex.errs, e)
	ex.grow(len(e.Message) + 16*len(e.Path) + 96)
}

// resolverError records err as the error of the field at path.
func (ex *executor) resolverError(err error, defaultType string, f *ast.Field, path []any) {
	re := asResolverError(err, defaultType)
	ex.addError(&gqlError{kind: kindResolver, Path: slices.Clone(path), Locations: locationsOf(f.Position),
		Message: re.Message, ErrorType: re.ErrorType, Data: re.Data, ErrorInfo: re.Info})
}

// complete turns a resolved value into the response value of type t
// (CompleteValue of the specification). ok is false when the value is null
// for a non-null type: the null propagates to the parent.
func (ex *executor) complete(parent *ast.Definition, t *ast.Type, g *fieldGroup, v any, path []any) (any, bool) {
	if v == nil {
		if t.NonNull {
			ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path),
				Message: fmt.Sprintf("Cannot return null for non-nullable type: '%s' within parent '%s' (%s)", typeNameOf(t), parent.Name, pathString(path))})
			return nil, false
		}
		ex.grow(4)
		return nil, true
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			// graphql-java wraps a single value in a list.
			list = []any{v}
		}
		out := make([]any, len(list))
		ex.grow(2)
		for i, item := range list {
			if ex.abort != nil {
				return nil, false
			}
			ex.grow(1)
			r, ok := ex.complete(parent, t.Elem, g, item, append(path, i))
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
		r, err := scalar.Output(def.Name, v)
		if err != nil {
			ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path),
				Message: fmt.Sprintf("Can't serialize value (%s) : %v", pathString(path), err)})
			return ex.nullFor(t)
		}
		ex.grow(leafSize(r))
		return r, true
	case ast.Enum:
		s, ok := v.(string)
		if !ok || def.EnumValues.ForName(s) == nil {
			ex.addError(&gqlError{kind: kindExecution, Path: slices.Clone(path),
				Message: fmt.Sprintf("Can't serialize value (%s) : Invalid input for Enum '%s'. Unknown value '%v'", pathString(path), def.Name, v)})
			return ex.nullFor(t)
		}
		ex.grow(len(s) + 2)
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
		if _, cached := ex.groups[groupKey{objType, g}]; !cached {
			for _, f := range g.fields {
				sels = append(sels, f.SelectionSet...)
			}
		}
		obj, ok := ex.selectionSet(objType, m, g, sels, path)
		if !ok {
			return ex.nullFor(t)
		}
		return obj, true
	}
}

// leafSize estimates the bytes of a scalar's JSON.
func leafSize(v any) int {
	switch v := v.(type) {
	case string:
		return len(v) + 2
	case json.Number:
		return len(v)
	case bool:
		return 5
	}
	return 24
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
	if len(defs) == 0 {
		// Most fields take no arguments: no map to allocate (reading a nil
		// map finds nothing).
		return nil, nil
	}
	out := make(map[string]any, len(defs))
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
	out, why := scalar.Input(def.Name, raw)
	if why != "" {
		return nil, &ResolverError{Message: why}
	}
	return out, nil
}
