package gen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/go-amplify/data/schema"
)

// customDir holds the operations a user writes by hand, inside the output
// package: the generator reads them and never writes there.
const customDir = "graphql/custom"

// addUserOperations reads dir/graphql/custom/*.graphql: operations written
// by hand (a custom selection set, nested relationships, several root
// fields), which may spread the generated fragments (...Post). Each becomes
// a genqlient function and a method of the client's Operations, with the
// auth modes its root fields allow. Errors name the file, line and column.
func (a *api) addUserOperations(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(customDir), "*.graphql"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil
	}
	// The generated fragments may be spread: validate each file with them.
	var frags strings.Builder
	for _, f := range a.Fragments {
		frags.WriteString(f.Text)
		frags.WriteString("\n")
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(filepath.Join(customDir, filepath.Base(file)))
		doc, perr := parser.ParseQuery(&ast.Source{Name: rel, Input: string(src)})
		if perr != nil {
			return userOpError(rel, perr, "fix the GraphQL syntax")
		}
		full, perr := parser.ParseQuery(&ast.Source{Name: rel, Input: string(src) + "\n" + frags.String()})
		if perr != nil {
			return userOpError(rel, perr, "a fragment in the file has the name of a generated fragment: rename it")
		}
		for _, e := range validator.Validate(a.sch.Schema, full) {
			if e.Rule == "NoUnusedFragments" {
				continue // the generated fragments the file does not spread
			}
			return userOpError(rel, e, "check the field and argument names against graphql/schema.graphql")
		}
		a.userFiles = append(a.userFiles, rel)
		a.userDocs = append(a.userDocs, string(src))
		for _, od := range doc.Operations {
			if err := a.addUserOperation(rel, od); err != nil {
				return err
			}
		}
	}
	return nil
}

func userOpError(file string, err error, hint string) error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) && len(ge.Locations) > 0 {
		return fmt.Errorf("%s:%d:%d: %s\n\thint: %s", file, ge.Locations[0].Line, ge.Locations[0].Column, ge.Message, hint)
	}
	var list gqlerror.List
	if errors.As(err, &list) && len(list) > 0 {
		return userOpError(file, list[0], hint)
	}
	return fmt.Errorf("%s: %v\n\thint: %s", file, err, hint)
}

func (a *api) addUserOperation(file string, od *ast.OperationDefinition) error {
	pos := func() string {
		if od.Position != nil {
			return fmt.Sprintf("%s:%d:%d", file, od.Position.Line, od.Position.Column)
		}
		return file
	}
	if od.Name == "" {
		return fmt.Errorf("%s: the operation has no name\n\thint: name it (query PostWithComments { ... }): its name names the Go function and method", pos())
	}
	if od.Operation == ast.Subscription {
		return fmt.Errorf("%s: subscription %s: hand-written subscriptions are not supported yet\n\thint: use a query or a mutation", pos(), od.Name)
	}
	for _, n := range []string{od.Name, od.Name + "Response", od.Name + "_Operation", "__" + od.Name + "Input", od.Name + "Args"} {
		if a.names.used[n] {
			return fmt.Errorf("%s: operation %s: the Go name %s is already used by the generated package\n\thint: rename the operation (for example %sCustom)", pos(), od.Name, n, od.Name)
		}
	}
	if !goIdentifier(od.Name) {
		return fmt.Errorf("%s: operation %s: the name must start with an upper-case letter to be exported from Go\n\thint: rename it %s", pos(), od.Name, upperFirst(od.Name))
	}
	op := &operation{Name: a.names.name(od.Name), Method: od.Name, Kind: string(od.Operation), User: true,
		Result: "*" + od.Name + "Response"}
	op.Go = goPrefix(op)
	for _, n := range []string{op.Name + "Response", op.Name + "_Operation", "__" + op.Name + "Input"} {
		a.names.used[n] = true
	}
	fields := newNamer()
	for _, vd := range od.VariableDefinitions {
		v := &variable{Name: vd.Variable, Arg: vd.Variable, Type: vd.Type, Omit: !vd.Type.NonNull}
		v.GoField = fields.name(goName(vd.Variable))
		v.GoType, v.RawJSON = a.inputGoType(vd.Type, false)
		op.Vars = append(op.Vars, v)
	}
	root := a.root(string(od.Operation))
	first := true
	for _, sel := range od.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok || strings.HasPrefix(f.Name, "__") || root == nil {
			continue
		}
		modes := a.auth(root.Name, f.Name)
		if modes == nil {
			continue // unknown: the other fields decide
		}
		if first {
			op.Auth, first = modes, false
			continue
		}
		op.Auth = slices.DeleteFunc(op.Auth, func(m schema.AuthMode) bool { return !slices.Contains(modes, m) })
	}
	if len(op.Vars) > 0 {
		op.Args = &argsType{GoName: a.names.name(op.Method + "Args"), Fields: op.Vars}
		op.Args.Doc = fmt.Sprintf("%s are the variables of the %s %s (%s).", op.Args.GoName, op.Kind, od.Name, file)
		op.Call = op.Args.call("args")
	}
	a.Operations = append(a.Operations, op)
	a.UserOps = append(a.UserOps, op)
	return nil
}

func goIdentifier(s string) bool {
	return s != "" && s[0] >= 'A' && s[0] <= 'Z'
}
