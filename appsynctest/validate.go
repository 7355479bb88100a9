package appsynctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/scalar"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	_ "github.com/vektah/gqlparser/v2/validator/rules" // the specified rules
)

// AppSync runs graphql-java, so its validation messages are graphql-java's
// ("Validation error of type FieldUndefined: Field 'x' in type 'Query' is
// undefined @ 'x'"), not those of gqlparser (graphql-js's wording). This
// file validates with gqlparser and rewrites the messages into
// graphql-java's form, naming the field path in the document as
// graphql-java does.

// parseDocument parses and validates a GraphQL document against the
// schema, once it is within the limits on tokens and nesting.
func (s *Server) parseDocument(query string) (*ast.QueryDocument, []*gqlError) {
	if e := s.limits.scanDocument(query); e != nil {
		return nil, []*gqlError{e}
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil, []*gqlError{syntaxError(err)}
	}
	if e := s.limits.checkValidationCost(doc); e != nil {
		return nil, []*gqlError{e}
	}
	list := validator.Validate(s.schema, doc, validationRules...)
	idx := indexDocument(doc)
	var out []*gqlError
	for _, e := range list {
		// graphql-java does not look for fields inside a leaf field's
		// selection; it reports only SubSelectionNotAllowed.
		if e.Rule == "FieldsOnCorrectType" {
			if q := quotedRe.FindAllStringSubmatch(e.Message, -1); len(q) > 1 {
				if d := s.schema.Types[q[1][1]]; d != nil && (d.Kind == ast.Scalar || d.Kind == ast.Enum) {
					continue
				}
			}
		}
		out = append(out, javaValidationError(e, idx, doc))
	}
	out = append(out, s.checkOverlaps(doc)...)
	if len(out) == 0 {
		out = s.checkAWSLiterals(doc, idx)
	}
	if len(out) > 0 {
		return nil, out
	}
	return doc, nil
}

var (
	foundRe      = regexp.MustCompile(`(?:found|Unexpected) (.+?)\.?$`)
	tokenQuoteRe = regexp.MustCompile(`^[A-Za-z]+ "(.*)"$`)
	quotedRe     = regexp.MustCompile(`"([^"]*)"`)
)

// syntaxError converts a parse error into graphql-java's InvalidSyntax.
func syntaxError(err error) *gqlError {
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return &gqlError{kind: kindValidation, Message: "Invalid Syntax : " + err.Error()}
	}
	token := "<EOF>"
	if m := foundRe.FindStringSubmatch(ge.Message); m != nil {
		token = m[1]
		if q := tokenQuoteRe.FindStringSubmatch(token); q != nil {
			token = q[1]
		}
	}
	e := &gqlError{kind: kindValidation}
	line, col := 1, 1
	if len(ge.Locations) > 0 {
		line, col = ge.Locations[0].Line, ge.Locations[0].Column
		e.Locations = []location{{line, col}}
	}
	e.Message = fmt.Sprintf("Invalid Syntax : offending token '%s' at line %d column %d", token, line, col)
	return e
}

// docIndex maps positions in a document (line and column, as errors give
// them) to what is there.
type docIndex struct {
	// fieldPath maps the position of a field to its path of field names
	// from the root of its operation or fragment definition.
	fieldPath map[lineCol]string
	// fieldAt maps the position of a field to the field.
	fieldAt map[lineCol]*ast.Field
	// argOf maps the position of any value inside an argument to the
	// argument and the field (nil for a directive) it belongs to.
	argOf map[lineCol]argRef
	// varPath maps a variable name to the path of the first field using it.
	varPath map[string]string
}

// lineCol is a position as errors locate it.
type lineCol struct{ line, col int }

func posOf(p *ast.Position) lineCol { return lineCol{p.Line, p.Column} }

type argRef struct {
	arg   *ast.Argument
	field *ast.Field
}

func indexDocument(doc *ast.QueryDocument) *docIndex {
	idx := &docIndex{fieldPath: map[lineCol]string{}, fieldAt: map[lineCol]*ast.Field{},
		argOf: map[lineCol]argRef{}, varPath: map[string]string{}}
	var walk func(sels ast.SelectionSet, prefix string)
	var walkValue func(v *ast.Value, ref argRef, path string)
	walkValue = func(v *ast.Value, ref argRef, path string) {
		if v == nil {
			return
		}
		if v.Position != nil {
			idx.argOf[posOf(v.Position)] = ref
		}
		if v.Kind == ast.Variable {
			if _, ok := idx.varPath[v.Raw]; !ok {
				idx.varPath[v.Raw] = path
			}
		}
		for _, c := range v.Children {
			if c.Position != nil {
				idx.argOf[posOf(c.Position)] = ref
			}
			walkValue(c.Value, ref, path)
		}
	}
	walkDirectives := func(ds ast.DirectiveList, path string) {
		for _, d := range ds {
			for _, a := range d.Arguments {
				walkValue(a.Value, argRef{arg: a}, path)
			}
		}
	}
	walk = func(sels ast.SelectionSet, prefix string) {
		for _, sel := range sels {
			switch sel := sel.(type) {
			case *ast.Field:
				path := sel.Name
				if prefix != "" {
					path = prefix + "/" + sel.Name
				}
				if sel.Position != nil {
					idx.fieldPath[posOf(sel.Position)] = path
					idx.fieldAt[posOf(sel.Position)] = sel
				}
				for _, a := range sel.Arguments {
					if a.Position != nil {
						idx.argOf[posOf(a.Position)] = argRef{arg: a, field: sel}
					}
					walkValue(a.Value, argRef{arg: a, field: sel}, path)
				}
				walkDirectives(sel.Directives, path)
				walk(sel.SelectionSet, path)
			case *ast.InlineFragment:
				walkDirectives(sel.Directives, prefix)
				walk(sel.SelectionSet, prefix)
			case *ast.FragmentSpread:
				walkDirectives(sel.Directives, prefix)
			}
		}
	}
	for _, op := range doc.Operations {
		walkDirectives(op.Directives, "")
		walk(op.SelectionSet, "")
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet, "")
	}
	return idx
}

// at returns " @ 'path'" for an error at the position of a field, or of a
// value inside a field's argument, or "".
func (idx *docIndex) at(locs []gqlerror.Location) string {
	if len(locs) == 0 {
		return ""
	}
	pos := lineCol{locs[0].Line, locs[0].Column}
	if path, ok := idx.fieldPath[pos]; ok {
		return " @ '" + path + "'"
	}
	if ref, ok := idx.argOf[pos]; ok && ref.field != nil && ref.field.Position != nil {
		return idx.at([]gqlerror.Location{{Line: ref.field.Position.Line, Column: ref.field.Position.Column}})
	}
	return ""
}

// fieldAtLoc returns the field at the location.
func (idx *docIndex) fieldAtLoc(locs []gqlerror.Location) *ast.Field {
	if len(locs) == 0 {
		return nil
	}
	return idx.fieldAt[lineCol{locs[0].Line, locs[0].Column}]
}

// argAt returns the argument a value at the location belongs to.
func (idx *docIndex) argAt(locs []gqlerror.Location) (argRef, bool) {
	if len(locs) == 0 {
		return argRef{}, false
	}
	ref, ok := idx.argOf[lineCol{locs[0].Line, locs[0].Column}]
	return ref, ok
}

// javaValidationError rewrites a gqlparser validation error into
// graphql-java's wording.
func javaValidationError(e *gqlerror.Error, idx *docIndex, doc *ast.QueryDocument) *gqlError {
	out := &gqlError{kind: kindValidation}
	for _, l := range e.Locations {
		out.Locations = append(out.Locations, location{l.Line, l.Column})
	}
	q := quotedRe.FindAllStringSubmatch(e.Message, -1)
	arg := func(i int) string {
		if i < len(q) {
			return q[i][1]
		}
		return ""
	}
	at := idx.at(e.Locations)
	typ, msg := e.Rule, ""
	switch e.Rule {
	case "FieldsOnCorrectType":
		typ, msg = "FieldUndefined", fmt.Sprintf("Field '%s' in type '%s' is undefined", arg(0), arg(1))
	case "KnownArgumentNames":
		typ = "UnknownArgument"
		if strings.Contains(e.Message, "on directive") {
			msg = "Unknown directive argument " + arg(0)
		} else {
			msg = "Unknown field argument " + arg(0)
			// graphql-java points at the argument, gqlparser at the field.
			if f := idx.fieldAtLoc(e.Locations); f != nil {
				if a := f.Arguments.ForName(arg(0)); a != nil && a.Position != nil {
					out.Locations = locationsOf(a.Position)
				}
			}
		}
	case "ProvidedRequiredArguments":
		typ, msg = "MissingFieldArgument", "Missing field argument "+arg(1)
		if strings.HasPrefix(e.Message, "Directive") {
			msg = "Missing directive argument " + arg(1)
		}
	case "ScalarLeafs":
		if strings.Contains(e.Message, "must not have a selection") {
			typ, msg = "SubSelectionNotAllowed", fmt.Sprintf("Sub selection not allowed on leaf type %s of field %s", arg(1), arg(0))
		} else {
			typ, msg = "SubSelectionRequired", fmt.Sprintf("Sub selection required for type %s of field %s", strings.Trim(arg(1), "[]!"), arg(0))
		}
	case "KnownTypeNames":
		typ, msg, at = "UnknownType", "Unknown type "+arg(0), ""
		// graphql-java points at the type, gqlparser at the variable.
		for _, op := range doc.Operations {
			for _, vd := range op.VariableDefinitions {
				if vd.Type != nil && vd.Type.Name() == arg(0) && vd.Type.Position != nil && vd.Position != nil &&
					len(e.Locations) > 0 && vd.Position.Line == e.Locations[0].Line && vd.Position.Column == e.Locations[0].Column {
					out.Locations = locationsOf(vd.Type.Position)
				}
			}
		}
	case "KnownFragmentNames":
		typ, msg = "UndefinedFragment", "Undefined fragment "+arg(0)
	case "NoUnusedFragments":
		typ, msg, at = "UnusedFragment", "Unused fragment "+arg(0), ""
	case "NoUndefinedVariables":
		name := strings.TrimPrefix(arg(0), "$")
		typ, msg, at = "UndefinedVariable", "Undefined variable "+name, ""
		if p, ok := idx.varPath[name]; ok && p != "" {
			at = " @ '" + p + "'"
		}
	case "NoUnusedVariables":
		typ, msg, at = "UnusedVariable", "Unused variable "+strings.TrimPrefix(arg(0), "$"), ""
	case "VariablesInAllowedPosition":
		typ, msg = "VariableTypeMismatch", fmt.Sprintf("Variable type '%s' doesn't match expected type '%s'", arg(1), arg(2))
		if p, ok := idx.varPath[strings.TrimPrefix(arg(0), "$")]; ok && at == "" && p != "" {
			at = " @ '" + p + "'"
		}
	case "ValuesOfCorrectType":
		typ, msg = wrongType(e, idx)
		// graphql-java points at the argument.
		if ref, ok := idx.argAt(e.Locations); ok && ref.arg != nil && ref.arg.Position != nil {
			out.Locations = locationsOf(ref.arg.Position)
		}
	case "KnownDirectives":
		if strings.HasPrefix(e.Message, "Unknown directive") {
			typ, msg = "UnknownDirective", "Unknown directive "+strings.TrimPrefix(arg(0), "@")
		} else {
			typ, msg = "MisplacedDirective", "Directive "+strings.TrimPrefix(arg(0), "@")+" not allowed here"
		}
	case "FragmentsOnCompositeTypes":
		typ = "InlineFragmentTypeConditionInvalid"
		if strings.HasPrefix(e.Message, "Fragment \"") {
			typ = "FragmentTypeConditionInvalid"
		}
		msg = strings.TrimSuffix(strings.ReplaceAll(e.Message, `"`, "'"), ".")
	case "PossibleFragmentSpreads":
		typ, msg = "InvalidFragmentType", strings.TrimSuffix(strings.ReplaceAll(e.Message, `"`, "'"), ".")
	case "OverlappingFieldsCanBeMerged":
		typ, msg = "FieldsConflict", strings.TrimSuffix(strings.ReplaceAll(e.Message, `"`, "'"), ".")
	case "LoneAnonymousOperation":
		typ, msg, at = "LoneAnonymousOperationViolation", "Operation  is following anonymous operation.", ""
	case "UniqueOperationNames":
		typ, msg, at = "DuplicateOperationName", "There can be only one operation named '"+arg(0)+"'", ""
	case "UniqueFragmentNames":
		typ, msg, at = "DuplicateFragmentName", "There can be only one fragment named '"+arg(0)+"'", ""
	case "UniqueArgumentNames":
		typ, msg = "DuplicateArgumentNames", "There can be only one argument named '"+arg(0)+"'"
	case "UniqueVariableNames":
		typ, msg, at = "DuplicateVariableName", "There can be only one variable named '"+strings.TrimPrefix(arg(0), "$")+"'", ""
	case "UniqueDirectivesPerLocation":
		typ, msg = "DuplicateDirectiveName", "Directives must be uniquely named within a location. The directive '"+strings.TrimPrefix(arg(0), "@")+"' is used more than once"
	case "UniqueInputFieldNames":
		typ, msg = "WrongType", "There can be only one input field named '"+arg(0)+"'"
	case "VariablesAreInputTypes":
		typ, msg = "NonInputTypeOnVariable", "Input variable "+strings.TrimPrefix(arg(0), "$")+" type "+arg(1)+" is not an input type"
	case "NoFragmentCycles":
		typ, msg = "FragmentCycle", "Fragment cycles not allowed"
	case "KnownRootType":
		// graphql-java fails these before validation.
		plural := map[string]string{"query": "queries", "mutation": "mutations", "subscription": "subscriptions"}[arg(0)]
		return &gqlError{kind: kindValidation, Message: fmt.Sprintf("Schema is not configured for %s.", plural)}
	case "SingleFieldSubscriptions":
		typ, msg = "SubscriptionMultipleRootFields", "Subscription operation must have exactly one root field"
	default:
		msg = strings.TrimSuffix(e.Message, ".")
	}
	out.Message = "Validation error of type " + typ + ": " + msg + at
	return out
}

// wrongType rewrites the errors of ValuesOfCorrectType: graphql-java names
// the argument and prints its whole value.
func wrongType(e *gqlerror.Error, idx *docIndex) (typ, msg string) {
	ref, ok := idx.argAt(e.Locations)
	if !ok || ref.arg == nil {
		return "WrongType", strings.TrimSuffix(strings.ReplaceAll(e.Message, `"`, "'"), ".")
	}
	value := javaValue(ref.arg.Value)
	q := quotedRe.FindAllStringSubmatch(e.Message, -1)
	switch {
	case strings.HasPrefix(e.Message, "Expected value of type") && strings.HasSuffix(e.Message, "found null."):
		return "NullValueForNonNullArgument", "Null value for non-null field argument " + ref.arg.Name
	case strings.Contains(e.Message, "of required type") && len(q) > 0:
		field := q[0][1]
		if i := strings.LastIndex(field, "."); i >= 0 {
			field = field[i+1:]
		}
		return "WrongType", fmt.Sprintf("argument '%s' with value '%s' is missing required fields '[%s]'", ref.arg.Name, value, field)
	case strings.Contains(e.Message, "is not defined by type") && len(q) > 1:
		return "WrongType", fmt.Sprintf("argument '%s' with value '%s' contains a field not in '%s': '%s'", ref.arg.Name, value, q[1][1], q[0][1])
	}
	expected := ""
	if ref.field != nil && ref.field.Definition != nil {
		if d := ref.field.Definition.Arguments.ForName(ref.arg.Name); d != nil {
			expected = d.Type.String()
		}
	}
	return "WrongType", fmt.Sprintf("argument '%s' with value '%s' is not a valid '%s'", ref.arg.Name, value, strings.Trim(expected, "[]!"))
}

// javaValue prints a document value as graphql-java's AST toString does,
// e.g. ObjectValue{objectFields=[ObjectField{name='a', value=IntValue{value=1}}]}.
func javaValue(v *ast.Value) string {
	if v == nil {
		return "NullValue{}"
	}
	switch v.Kind {
	case ast.Variable:
		return "VariableReference{name='" + v.Raw + "'}"
	case ast.IntValue:
		return "IntValue{value=" + v.Raw + "}"
	case ast.FloatValue:
		return "FloatValue{value=" + v.Raw + "}"
	case ast.StringValue, ast.BlockValue:
		return "StringValue{value='" + v.Raw + "'}"
	case ast.BooleanValue:
		return "BooleanValue{value=" + v.Raw + "}"
	case ast.EnumValue:
		return "EnumValue{name='" + v.Raw + "'}"
	case ast.ListValue:
		parts := make([]string, len(v.Children))
		for i, c := range v.Children {
			parts[i] = javaValue(c.Value)
		}
		return "ArrayValue{values=[" + strings.Join(parts, ", ") + "]}"
	case ast.ObjectValue:
		parts := make([]string, len(v.Children))
		for i, c := range v.Children {
			parts[i] = "ObjectField{name='" + c.Name + "', value=" + javaValue(c.Value) + "}"
		}
		return "ObjectValue{objectFields=[" + strings.Join(parts, ", ") + "]}"
	}
	return "NullValue{}"
}

// checkAWSLiterals validates literal values of the AppSync scalars, which
// gqlparser does not know: AppSync rejects them as WrongType.
func (s *Server) checkAWSLiterals(doc *ast.QueryDocument, idx *docIndex) []*gqlError {
	var out []*gqlError
	var check func(v *ast.Value, t *ast.Type, arg *ast.Argument, field *ast.Field)
	check = func(v *ast.Value, t *ast.Type, arg *ast.Argument, field *ast.Field) {
		if v == nil || t == nil || v.Kind == ast.Variable || v.Kind == ast.NullValue {
			return
		}
		name := t.Name()
		_, awsScalar := scalar.Valid(name, "")
		awsScalar = awsScalar || name == "AWSTimestamp"
		if awsScalar && t.Elem == nil && (v.Kind == ast.ListValue || v.Kind == ast.ObjectValue) {
			// An AWSJSON literal is a string holding JSON, not an object.
			at := ""
			if field != nil && field.Position != nil {
				at = idx.at([]gqlerror.Location{{Line: field.Position.Line, Column: field.Position.Column}})
			}
			out = append(out, &gqlError{kind: kindValidation, Locations: locationsOf(arg.Position),
				Message: fmt.Sprintf("Validation error of type WrongType: argument '%s' with value '%s' is not a valid '%s'%s", arg.Name, javaValue(arg.Value), name, at)})
			return
		}
		switch v.Kind {
		case ast.ListValue:
			elem := t
			if t.Elem != nil {
				elem = t.Elem
			}
			for _, c := range v.Children {
				check(c.Value, elem, arg, field)
			}
			return
		case ast.ObjectValue:
			def := s.schema.Types[t.Name()]
			if def == nil {
				return
			}
			for _, c := range v.Children {
				if fd := def.Fields.ForName(c.Name); fd != nil {
					check(c.Value, fd.Type, arg, field)
				}
			}
			return
		}
		if !awsScalar {
			return
		}
		var raw any = v.Raw
		switch v.Kind {
		case ast.IntValue, ast.FloatValue:
			raw = json.Number(v.Raw)
		case ast.BooleanValue:
			raw = v.Raw == "true"
		case ast.EnumValue:
			raw = nil
		}
		if _, why := scalar.Input(name, raw); why != "" {
			at := ""
			if field != nil && field.Position != nil {
				at = idx.at([]gqlerror.Location{{Line: field.Position.Line, Column: field.Position.Column}})
			}
			out = append(out, &gqlError{kind: kindValidation, Locations: locationsOf(arg.Position),
				Message: fmt.Sprintf("Validation error of type WrongType: argument '%s' with value '%s' is not a valid '%s'%s", arg.Name, javaValue(arg.Value), name, at)})
		}
	}
	var walk func(sels ast.SelectionSet)
	walk = func(sels ast.SelectionSet) {
		for _, sel := range sels {
			switch sel := sel.(type) {
			case *ast.Field:
				if sel.Definition != nil {
					for _, a := range sel.Arguments {
						if d := sel.Definition.Arguments.ForName(a.Name); d != nil {
							check(a.Value, d.Type, a, sel)
						}
					}
				}
				walk(sel.SelectionSet)
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
	return out
}

// selectOperation picks the operation to run (GetOperation of the
// specification).
func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, *gqlError) {
	if name != "" {
		if op := doc.Operations.ForName(name); op != nil {
			return op, nil
		}
		return nil, &gqlError{kind: kindValidation, Message: fmt.Sprintf("Unknown operation named '%s'.", name)}
	}
	if len(doc.Operations) == 1 {
		return doc.Operations[0], nil
	}
	if len(doc.Operations) == 0 {
		return nil, &gqlError{kind: kindValidation, Message: "The document contains no operation to execute."}
	}
	return nil, &gqlError{kind: kindValidation, Message: "Must provide operation name if query contains multiple operations."}
}

// coerceVariables implements CoerceVariableValues with graphql-java's
// messages, as AppSync reports them.
func (s *Server) coerceVariables(op *ast.OperationDefinition, given map[string]any) (map[string]any, []*gqlError) {
	out := map[string]any{}
	var errs []*gqlError
	for _, vd := range op.VariableDefinitions {
		locs := locationsOf(vd.Position)
		v, present := given[vd.Variable]
		if !present {
			if vd.DefaultValue != nil {
				ex := &executor{srv: s, vars: map[string]any{}}
				d, err := ex.literal(vd.DefaultValue, vd.Type)
				if err != nil {
					errs = append(errs, &gqlError{kind: kindValidation, Locations: locs, Message: fmt.Sprintf("Variable '%s' has an invalid value: %v", vd.Variable, err)})
					continue
				}
				out[vd.Variable] = d
				continue
			}
			if vd.Type.NonNull {
				errs = append(errs, &gqlError{kind: kindValidation, Locations: locs,
					Message: fmt.Sprintf("Variable '%s' has coerced Null value for NonNull type '%s'", vd.Variable, vd.Type.String())})
			}
			continue
		}
		c := &varCoercer{s: s, name: vd.Variable}
		x, err := c.coerce(v, vd.Type)
		if err != nil {
			if err.noLocation {
				locs = nil
			}
			errs = append(errs, &gqlError{kind: kindValidation, Locations: locs, Message: err.msg})
			continue
		}
		out[vd.Variable] = x
	}
	return out, errs
}

type varCoercer struct {
	s    *Server
	name string
}

type varError struct {
	msg        string
	noLocation bool
}

func (c *varCoercer) coerce(v any, t *ast.Type) (any, *varError) {
	if v == nil {
		if t.NonNull {
			return nil, &varError{msg: fmt.Sprintf("Variable '%s' has coerced Null value for NonNull type '%s'", c.name, t.String())}
		}
		return nil, nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		out := make([]any, len(list))
		for i, x := range list {
			y, err := c.coerce(x, t.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	}
	def := c.s.schema.Types[t.NamedType]
	switch def.Kind {
	case ast.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, &varError{msg: fmt.Sprintf("Variable '%s' has an invalid value: Expected type 'Map' but was '%s'. Variables for input objects must be an instance of type 'Map'.", c.name, scalar.JavaTypeName(v))}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if def.Fields.ForName(k) == nil {
				return nil, &varError{msg: fmt.Sprintf("The variables input contains a field that is not defined for input object type '%s' ", def.Name), noLocation: true}
			}
		}
		out := map[string]any{}
		for _, fd := range def.Fields {
			x, present := m[fd.Name]
			if !present {
				if fd.DefaultValue != nil {
					ex := &executor{srv: c.s, vars: map[string]any{}}
					d, err := ex.literal(fd.DefaultValue, fd.Type)
					if err != nil {
						return nil, &varError{msg: fmt.Sprintf("Variable '%s' has an invalid value: %v", c.name, err)}
					}
					out[fd.Name] = d
				} else if fd.Type.NonNull {
					return nil, &varError{msg: fmt.Sprintf("Variable '%s' has coerced Null value for NonNull type '%s'", c.name, fd.Type.String())}
				}
				continue
			}
			y, err := c.coerce(x, fd.Type)
			if err != nil {
				return nil, err
			}
			out[fd.Name] = y
		}
		return out, nil
	case ast.Enum:
		s, ok := v.(string)
		if !ok || def.EnumValues.ForName(s) == nil {
			return nil, &varError{msg: fmt.Sprintf("Variable '%s' has an invalid value: Invalid input for Enum '%s'. No value found for name '%v'", c.name, def.Name, v)}
		}
		return s, nil
	default:
		x, why := scalar.Input(def.Name, v)
		if why != "" {
			return nil, &varError{msg: fmt.Sprintf("Variable '%s' has an invalid value: %s", c.name, why)}
		}
		return x, nil
	}
}
