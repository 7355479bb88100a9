package gen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"sort"
	"strings"
)

// Unexporting genqlient's operation machinery.
//
// genqlient names everything of an operation after it: the function
// (GetPost), its document (GetPost_Operation), its response types
// (GetPostResponse, ListPostsListPostsModelPostConnection) and, for a
// subscription, a forwarding helper (OnCreatePostForwardData). For the
// operations the generator writes these are the facade's plumbing, and
// exported they would fill the package's documentation with hundreds of
// names nobody calls. genqlient has no option to unexport them, and naming
// the operations in lower case would change their names on the wire (in
// OperationAuthModes, errors and logs), so the generator lower-cases the
// first letter of these Go identifiers in genqlient's output, the
// operations keeping their names. Only identifiers that refer to the
// file's own package-level declarations are renamed (a struct field or
// method of the same spelling is left alone), and a renamed identifier
// keeps its length, so genqlient's gofmt'd layout stays as it was.

// unexportOperations returns src (genqlient's output) with the
// package-level names that belong to the operations ops unexported. A name
// belongs to the operation whose name is its longest prefix among ops and
// keep (the hand-written operations, whose response types the facade
// returns); fragment types (frags) are never renamed.
func unexportOperations(src []byte, ops, keep, frags []string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "genqlient.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("internal error: genqlient's output does not parse: %w", err)
	}
	generated := map[string]bool{}
	for _, op := range ops {
		generated[op] = true
	}
	prefixes := append(append([]string(nil), ops...), keep...)
	// Longest first, so that ListPostsByStatusResponse belongs to
	// ListPostsByStatus, not ListPosts.
	sort.Slice(prefixes, func(i, j int) bool { return len(prefixes[i]) > len(prefixes[j]) })
	isFrag := map[string]bool{}
	for _, fr := range frags {
		isFrag[fr] = true
	}
	rename := map[string]bool{}
	for name, obj := range f.Scope.Objects {
		if !ast.IsExported(name) || isFrag[name] || obj.Kind == ast.Bad {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				if generated[p] && name[0] >= 'A' && name[0] <= 'Z' {
					rename[name] = true
				}
				break
			}
		}
	}
	if len(rename) == 0 {
		return src, nil
	}
	out := bytes.Clone(src)
	lower := func(pos token.Pos) {
		off := fset.Position(pos).Offset
		out[off] += 'a' - 'A'
	}
	// A struct that embeds a renamed type has a field of its name, which
	// selectors reach (firstPass.GetPostResponse).
	embedded := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if st, ok := n.(*ast.StructType); ok {
			for _, fl := range st.Fields.List {
				t := fl.Type
				if s, ok := t.(*ast.StarExpr); ok {
					t = s.X
				}
				if id, ok := t.(*ast.Ident); ok && len(fl.Names) == 0 && rename[id.Name] {
					embedded[id.Name] = true
				}
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && embedded[sel.Sel.Name] {
			lower(sel.Sel.Pos())
			return true
		}
		id, ok := n.(*ast.Ident)
		if !ok || !rename[id.Name] {
			return true
		}
		// The declaration itself, or a use resolved to it.
		if obj := f.Scope.Objects[id.Name]; obj != nil && (id.Obj == obj || declIdent(obj) == id) {
			lower(id.Pos())
		}
		return true
	})
	// genqlient's comments name the declarations too ("GetPostResponse is
	// returned by GetPost on success.").
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			start := fset.Position(c.Pos()).Offset
			for _, m := range identWord.FindAllIndex(src[start:start+len(c.Text)], -1) {
				// Not after a dot: "returns T.Field" names a field.
				if rename[string(src[start+m[0]:start+m[1]])] && (m[0] == 0 || src[start+m[0]-1] != '.') {
					out[start+m[0]] += 'a' - 'A'
				}
			}
		}
	}
	return out, nil
}

// identWord matches a Go identifier in a comment.
var identWord = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*\b`)

// declIdent is the identifier that declares obj.
func declIdent(obj *ast.Object) *ast.Ident {
	switch d := obj.Decl.(type) {
	case *ast.FuncDecl:
		return d.Name
	case *ast.TypeSpec:
		return d.Name
	case *ast.ValueSpec:
		for _, n := range d.Names {
			if n.Name == obj.Name {
				return n
			}
		}
	}
	return nil
}

// goPrefix is the prefix of the Go names genqlient gives op in the
// generated package: lower-cased for the generator's own operations, so
// that they are unexported (see unexportOperations).
func goPrefix(op *operation) string {
	if op.User || op.Name == "" || op.Name[0] < 'A' || op.Name[0] > 'Z' {
		return op.Name
	}
	low := lowerFirst(op.Name)
	if token.IsKeyword(low) || predeclared[low] || facadeNames[low] {
		return op.Name // rare (an operation named Type or Args): it stays exported
	}
	return low
}

// facadeNames are the lower-case names the generated files use: imported
// packages and the parameters and variables of the facade's methods, which
// a package-level function of the same name would clash with or be
// shadowed by.
var facadeNames = map[string]bool{
	"args": true, "aws": true, "bytes": true, "condition": true, "conn": true, "context": true,
	"errors": true, "fmt": true, "function": true, "graphql": true, "id": true, "input": true,
	"item": true, "iter": true, "json": true, "key": true, "m": true, "o": true, "opts": true,
	"os": true, "page": true, "q": true, "realtime": true, "schema": true, "slices": true,
	"strings": true, "sub": true, "time": true, "token": true, "v": true,
}

// unexport applies unexportOperations to genqlient's output for a.
func (a *api) unexport(src []byte) ([]byte, error) {
	var ops, keep, frags []string
	for _, op := range a.Operations {
		if op.User {
			keep = append(keep, op.Name)
		} else if op.Go != op.Name {
			ops = append(ops, op.Name)
		}
	}
	for _, f := range a.Fragments {
		frags = append(frags, f.Name)
	}
	return unexportOperations(src, ops, keep, frags)
}
