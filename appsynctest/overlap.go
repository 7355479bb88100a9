package appsynctest

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// validationRules are gqlparser's rules (validator.Validate's default set,
// in the same order) but OverlappingFieldsCanBeMerged, which compares the
// fields of a response key pairwise, recollecting their selections for
// every pair: 200 KB of one repeated field took it 29 GiB. checkOverlaps
// does its work in linear time.
var validationRules = []validator.Rule{
	rules.FieldsOnCorrectTypeRule,
	rules.FragmentsOnCompositeTypesRule,
	rules.KnownArgumentNamesRule,
	rules.KnownDirectivesRule,
	rules.KnownFragmentNamesRule,
	rules.KnownRootTypeRule,
	rules.KnownTypeNamesRule,
	rules.LoneAnonymousOperationRule,
	rules.NoFragmentCyclesRule,
	rules.NoUndefinedVariablesRule,
	rules.NoUnusedFragmentsRule,
	rules.NoUnusedVariablesRule,
	rules.PossibleFragmentSpreadsRule,
	rules.ProvidedRequiredArgumentsRule,
	rules.ScalarLeafsRule,
	rules.SingleFieldSubscriptionsRule,
	rules.UniqueArgumentNamesRule,
	rules.UniqueDirectivesPerLocationRule,
	rules.UniqueFragmentNamesRule,
	rules.UniqueInputFieldNamesRule,
	rules.UniqueOperationNamesRule,
	rules.UniqueVariableNamesRule,
	rules.ValuesOfCorrectTypeRule,
	rules.VariablesAreInputTypesRule,
	rules.VariablesInAllowedPositionRule,
}

// overlapBudget bounds the fields checkOverlaps visits in one document:
// operations that spread one fragment many times make it visit the
// fragment's fields as many times. Past the budget the document is not
// checked further; its execution is bounded by the other limits.
const overlapBudget = 100_000

// checkOverlaps implements OverlappingFieldsCanBeMerged (the
// specification's FieldsInSetCanMerge) on a validated document, with
// graphql-java's messages ("x: they have differing arguments"). The fields
// of one response key are compared with the first of them rather than
// pairwise, which finds a conflict whenever a pair has one (having the
// same name, arguments and response shape is an equivalence), and their
// selections are merged and checked together, as CollectFields merges
// them for execution, rather than pair by pair. A document of n copies of
// a field costs n, and reports one conflict per response key, not n².
func (s *Server) checkOverlaps(doc *ast.QueryDocument) []*gqlError {
	c := &overlapChecker{schema: s.schema, doc: doc, budget: overlapBudget}
	var out []*gqlError
	for _, op := range doc.Operations {
		for _, cf := range c.conflicts([]ast.SelectionSet{op.SelectionSet}, "") {
			out = append(out, cf.error())
		}
	}
	return out
}

type overlapChecker struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	budget int
}

// conflict is a pair of fields that cannot be merged, and why.
type conflict struct {
	reason string
	path   string // the fields' parent field names, "/"-separated
	fields []*ast.Field
}

func (cf conflict) error() *gqlError {
	msg := "Validation error of type FieldsConflict: " + cf.reason
	if cf.path != "" {
		msg += " @ '" + cf.path + "'"
	}
	var locs []location
	for _, f := range cf.fields[:min(len(cf.fields), 2)] {
		locs = append(locs, locationsOf(f.Position)...)
	}
	return &gqlError{kind: kindValidation, Locations: locs, Message: msg}
}

// conflicts returns the conflicts among the fields of the selection sets
// sets, merged (the selections of fields that share a response key), at
// path.
func (c *overlapChecker) conflicts(sets []ast.SelectionSet, path string) []conflict {
	var fc fieldCollector
	visited := map[string]bool{}
	for _, sels := range sets {
		c.collect(&fc, sels, visited)
	}
	var out []conflict
	for _, g := range fc.groups {
		out = append(out, c.group(g, path)...)
	}
	return out
}

// collect adds the fields of sels to fc by response key, with inline
// fragments and fragment spreads expanded (each fragment once).
func (c *overlapChecker) collect(fc *fieldCollector, sels ast.SelectionSet, visited map[string]bool) {
	for _, sel := range sels {
		if c.budget <= 0 {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			c.budget--
			// Fields validation could not resolve have errors of their own.
			if sel.Definition == nil || sel.ObjectDefinition == nil {
				continue
			}
			fc.add(responseKey(sel), sel)
		case *ast.InlineFragment:
			c.collect(fc, sel.SelectionSet, visited)
		case *ast.FragmentSpread:
			if visited[sel.Name] {
				continue
			}
			visited[sel.Name] = true
			if frag := c.doc.Fragments.ForName(sel.Name); frag != nil {
				c.collect(fc, frag.SelectionSet, visited)
			}
		}
	}
}

// group returns the conflicts of the fields of one response key at path:
// between them, else within their merged selections.
func (c *overlapChecker) group(g *fieldGroup, path string) []conflict {
	fs := g.fields
	sets := parentSets(fs)
	// Fields whose parents can coincide must be the same field with the
	// same arguments.
	for _, set := range sets {
		a := set[0]
		for _, f := range set[1:] {
			switch {
			case f.Name != a.Name:
				return []conflict{{path: path, fields: []*ast.Field{a, f},
					reason: fmt.Sprintf("%s: %s and %s are different fields", g.key, a.Name, f.Name)}}
			case !sameArguments(a.Arguments, f.Arguments):
				return []conflict{{path: path, fields: []*ast.Field{a, f},
					reason: g.key + ": they have differing arguments"}}
			}
		}
	}
	// The response shape must be the same whatever the parent types.
	first := fs[0]
	for _, f := range fs[1:] {
		if typesConflict(c.schema, first.Definition.Type, f.Definition.Type) {
			return []conflict{{path: path, fields: []*ast.Field{first, f},
				reason: fmt.Sprintf("%s: they return differing types %s and %s", g.key, first.Definition.Type, f.Definition.Type)}}
		}
	}
	var out []conflict
	for _, set := range sets {
		a := set[0]
		var sels []ast.SelectionSet
		for _, f := range set {
			if len(f.SelectionSet) > 0 {
				sels = append(sels, f.SelectionSet)
			}
		}
		if len(sels) == 0 {
			continue
		}
		subPath := a.Name
		if path != "" {
			subPath = path + "/" + a.Name
		}
		sub := c.conflicts(sels, subPath)
		if len(sub) == 0 {
			continue
		}
		if len(sels) == 1 {
			// Conflicts within one field's own selection.
			out = append(out, sub...)
			continue
		}
		// Conflicts between the fields' selections: graphql-java's
		// "a: (b: x and y are different fields)".
		reasons := make([]string, len(sub))
		fields := []*ast.Field{set[0], set[1]}
		for i, cf := range sub {
			reasons[i] = cf.reason
		}
		out = append(out, conflict{path: path, fields: fields, reason: g.key + ": (" + strings.Join(reasons, ", ") + ")"})
	}
	return out
}

// parentSets splits the fields of a response key into the sets whose
// parent types can apply to one object together: fields on different
// object types never do (the specification's mutually exclusive parents),
// fields on interfaces and unions may with any. Every pair of fields that
// must agree is in one set.
func parentSets(fs []*ast.Field) [][]*ast.Field {
	var abstract []*ast.Field
	var order []string
	byType := map[string][]*ast.Field{}
	for _, f := range fs {
		if f.ObjectDefinition.Kind != ast.Object {
			abstract = append(abstract, f)
			continue
		}
		name := f.ObjectDefinition.Name
		if _, seen := byType[name]; !seen {
			order = append(order, name)
		}
		byType[name] = append(byType[name], f)
	}
	if len(order) <= 1 {
		return [][]*ast.Field{fs}
	}
	sets := make([][]*ast.Field, len(order))
	for i, name := range order {
		sets[i] = append(byType[name], abstract...)
	}
	return sets
}

// sameArguments reports whether two fields have the same arguments, by
// name and printed value (in any order).
func sameArguments(a, b ast.ArgumentList) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		y := b.ForName(x.Name)
		if y == nil || x.Value.String() != y.Value.String() {
			return false
		}
	}
	return true
}

// typesConflict reports whether two fields' types give responses of
// different shapes: different list or non-null wrapping, or different
// leaf types (composite types merge their selections instead).
func typesConflict(schema *ast.Schema, t1, t2 *ast.Type) bool {
	if t1.NonNull != t2.NonNull || (t1.Elem == nil) != (t2.Elem == nil) {
		return true
	}
	if t1.Elem != nil {
		return typesConflict(schema, t1.Elem, t2.Elem)
	}
	leaf := func(name string) bool {
		d := schema.Types[name]
		return d != nil && (d.Kind == ast.Scalar || d.Kind == ast.Enum)
	}
	if leaf(t1.NamedType) || leaf(t2.NamedType) {
		return t1.NamedType != t2.NamedType
	}
	return false
}
