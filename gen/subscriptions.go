package gen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
)

// Dropping genqlient's WebSocket functions.
//
// For a subscription genqlient writes, besides the document and the
// response type, a function that subscribes over a
// graphql.WebSocketClient (OnCreateTodo(ctx, ws, filter, owner)), a
// channel element type (OnCreateTodoWsResponse) and a decoding helper
// (OnCreateTodoForwardData): some 60 lines per subscription, a second way
// to subscribe that the facade never calls, since its methods subscribe
// through package realtime with the document and decode events into the
// response type (realtime.Values[OnCreateTodoResponse]). genqlient has no
// option to leave them out, so the generator removes them from its output,
// keeping the document, the variables' struct and the response types. The
// rest of the file is left byte for byte as genqlient wrote it.

// dropWebSocketFuncs returns src (genqlient's output) without the
// functions that take a graphql.WebSocketClient and, for each, its
// <name>WsResponse type and <name>ForwardData function; imports that only
// they used go too.
func dropWebSocketFuncs(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "genqlient.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("internal error: genqlient's output does not parse: %w", err)
	}
	drop := map[string]bool{}
	var funcs []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && takesWebSocketClient(fd) {
			n := fd.Name.Name
			drop[n], drop[n+"WsResponse"], drop[n+"ForwardData"] = true, true, true
			funcs = append(funcs, n)
		}
	}
	if len(drop) == 0 {
		return src, nil
	}
	type span struct{ start, end int }
	var cut []span
	add := func(doc *ast.CommentGroup, from, to token.Pos) {
		if doc != nil {
			from = doc.Pos()
		}
		start, end := fset.Position(from).Offset, fset.Position(to).Offset
		// The declaration's line ending and the blank line after it.
		for end < len(src) && src[end] == '\n' && end-fset.Position(to).Offset < 2 {
			end++
		}
		cut = append(cut, span{start, end})
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && drop[d.Name.Name] {
				add(d.Doc, d.Pos(), d.End())
			}
		case *ast.GenDecl:
			if d.Tok == token.TYPE && len(d.Specs) == 1 && drop[d.Specs[0].(*ast.TypeSpec).Name.Name] {
				add(d.Doc, d.Pos(), d.End())
			}
		}
	}
	slices.SortFunc(cut, func(a, b span) int { return a.start - b.start })
	var out bytes.Buffer
	last := 0
	for _, c := range cut {
		out.Write(src[last:c.start])
		last = c.end
	}
	out.Write(src[last:])
	// genqlient's comments of the document and of the response type name
	// the function, gone now: they name the subscription instead.
	b := out.Bytes()
	for _, n := range funcs {
		b = bytes.ReplaceAll(b, []byte("// The subscription executed by "+n+".\n"),
			[]byte("// The document of the subscription "+n+".\n"))
		b = bytes.ReplaceAll(b, []byte(" is returned by "+n+" on success.\n"),
			[]byte(" is the data of an event of the subscription "+n+".\n"))
	}
	return dropUnusedImports(b)
}

// takesWebSocketClient says whether fd has a graphql.WebSocketClient
// parameter.
func takesWebSocketClient(fd *ast.FuncDecl) bool {
	for _, p := range fd.Type.Params.List {
		if sel, ok := p.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "WebSocketClient" {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "graphql" {
				return true
			}
		}
	}
	return false
}

// dropUnusedImports removes from src the imports no selector uses, and
// formats it.
func dropUnusedImports(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "genqlient.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("internal error: genqlient's output without its WebSocket functions does not parse: %w", err)
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Obj == nil {
				used[x.Name] = true
			}
		}
		return true
	})
	out := bytes.Clone(src)
	for i := len(f.Imports) - 1; i >= 0; i-- {
		is := f.Imports[i]
		path, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			return nil, fmt.Errorf("internal error: import %s: %w", is.Path.Value, err)
		}
		name := pathBase(path)
		if is.Name != nil {
			name = is.Name.Name
		}
		if name == "_" || name == "." || used[name] {
			continue
		}
		// The whole line of the import spec.
		start, end := fset.Position(is.Pos()).Offset, fset.Position(is.End()).Offset
		for start > 0 && out[start-1] != '\n' {
			start--
		}
		for end < len(out) && out[end] != '\n' {
			end++
		}
		out = append(out[:start], out[min(end+1, len(out)):]...)
	}
	formatted, err := format.Source(out)
	if err != nil {
		return nil, fmt.Errorf("internal error: genqlient's output without its WebSocket functions does not format: %w", err)
	}
	return formatted, nil
}

// pathBase is the package name an import path gives by default.
func pathBase(path string) string {
	if i := bytes.LastIndexByte([]byte(path), '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}
