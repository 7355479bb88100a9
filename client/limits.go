package client

import (
	"github.com/Khan/genqlient/graphql"
)

// Limits are checked before a request is sent, so that a request AppSync
// would refuse fails at once with a *LimitError that says which limit and
// how to change it. Zero fields take the defaults of DefaultLimits; a
// negative value turns a check off.
type Limits struct {
	// MaxRequestBytes bounds the JSON body of a request (query, operation
	// name and variables). Default 1 MiB: AppSync resolves a request
	// through mapping templates or APPSYNC_JS functions whose
	// transformations are limited to 1 MB ("Transformation too large",
	// errorType MappingTemplate, a limit AWS support confirmed in
	// https://github.com/awslabs/aws-mobile-appsync-sdk-js/issues/124),
	// and a Lambda data source takes at most 6 MB in one invocation
	// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
	MaxRequestBytes int

	// MaxQueryDepth bounds the nesting of the operation's selection sets,
	// fragments expanded: `query { getTodo(id: 1) { id } }` is 2 deep.
	// AppSync limits it per API with queryDepthLimit, 1 to 75 levels, or
	// no limit when it is unset (the AppSync API reference, GraphqlApi,
	// https://docs.aws.amazon.com/appsync/latest/APIReference/API_GraphqlApi.html,
	// and https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html).
	// Default: no check, as an API has no depth limit unless one is set;
	// set it to your API's queryDepthLimit.
	//
	// AppSync's other per-request limits are not checkable before
	// sending: at most 10,000 resolver executions per request (or the
	// API's resolverCountLimit) and 30 seconds of execution
	// (https://docs.aws.amazon.com/general/latest/gr/appsync.html); replies
	// are bounded by Options.MaxResponseBytes.
	MaxQueryDepth int
}

// DefaultLimits are the limits of a Client built without WithLimits.
var DefaultLimits = Limits{MaxRequestBytes: 1 << 20}

// DefaultMaxResponseBytes is the default bound of a reply body, after
// decompression (WithMaxResponseBytes changes it).
const DefaultMaxResponseBytes = 16 << 20

// check returns a *LimitError for a request over a limit.
func (l *Limits) check(body []byte, req *graphql.Request) error {
	if l.MaxRequestBytes > 0 && len(body) > l.MaxRequestBytes {
		return &LimitError{Limit: "request size", Value: len(body), Max: l.MaxRequestBytes}
	}
	if l.MaxQueryDepth > 0 {
		if d := queryDepth(req.Query, req.OpName, l.MaxQueryDepth); d > l.MaxQueryDepth {
			return &LimitError{Limit: "query depth", Value: d, Max: l.MaxQueryDepth}
		}
	}
	return nil
}

// A small GraphQL lexer, enough to find an operation's type and depth.

const (
	tokEOF    = 0
	tokName   = 'n'
	tokString = 's'
	tokSpread = '.'
	tokOther  = 'x' // numbers and the punctuators not named
)

type lexer struct {
	s string
	i int
}

// next returns the kind of the next token and its text.
func (l *lexer) next() (byte, string) {
	s := l.s
	for l.i < len(s) {
		switch c := s[l.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			l.i++
		case c == '#':
			for l.i < len(s) && s[l.i] != '\n' && s[l.i] != '\r' {
				l.i++
			}
		case c == 0xEF && l.i+2 < len(s) && s[l.i+1] == 0xBB && s[l.i+2] == 0xBF: // BOM
			l.i += 3
		default:
			goto token
		}
	}
	return tokEOF, ""
token:
	start := l.i
	c := s[l.i]
	switch {
	case c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		l.i++
		for l.i < len(s) && (s[l.i] == '_' || s[l.i] >= 'A' && s[l.i] <= 'Z' || s[l.i] >= 'a' && s[l.i] <= 'z' || s[l.i] >= '0' && s[l.i] <= '9') {
			l.i++
		}
		return tokName, s[start:l.i]
	case c == '"':
		if len(s)-l.i >= 3 && s[l.i:l.i+3] == `"""` {
			l.i += 3
			for l.i < len(s) {
				if s[l.i] == '\\' && len(s)-l.i >= 4 && s[l.i+1:l.i+4] == `"""` {
					l.i += 4
					continue
				}
				if len(s)-l.i >= 3 && s[l.i:l.i+3] == `"""` {
					l.i += 3
					break
				}
				l.i++
			}
			return tokString, s[start:l.i]
		}
		l.i++
		for l.i < len(s) && s[l.i] != '"' && s[l.i] != '\n' {
			if s[l.i] == '\\' {
				l.i++
			}
			l.i++
		}
		if l.i < len(s) {
			l.i++
		}
		return tokString, s[start:min(l.i, len(s))]
	case c == '.':
		for l.i < len(s) && s[l.i] == '.' {
			l.i++
		}
		return tokSpread, s[start:l.i]
	case c == '{' || c == '}' || c == '(' || c == ')' || c == '[' || c == ']' || c == ':' || c == '@' || c == '$' || c == '=' || c == '!' || c == '|' || c == '&':
		l.i++
		return c, s[start:l.i]
	}
	l.i++
	for l.i < len(s) && (s[l.i] == '-' || s[l.i] == '+' || s[l.i] == '.' || s[l.i] >= '0' && s[l.i] <= '9' || s[l.i] >= 'a' && s[l.i] <= 'z' || s[l.i] >= 'A' && s[l.i] <= 'Z') {
		l.i++
	}
	return tokOther, s[start:l.i]
}

// peek returns the next token without consuming it.
func (l *lexer) peek() (byte, string) {
	save := l.i
	k, t := l.next()
	l.i = save
	return k, t
}

// skipBalanced consumes tokens up to the bracket that closes the one just
// read (open), following nested brackets of every kind.
func (l *lexer) skipBalanced() {
	depth := 1
	for depth > 0 {
		switch k, _ := l.next(); k {
		case tokEOF:
			return
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
	}
}

// definition is an operation or a fragment of a document.
type definition struct {
	kind string // query, mutation, subscription or fragment
	name string
	sel  int // offset of the '{' of its selection set; -1 if none
}

// definitions lists the top-level definitions of doc.
func definitions(doc string) []definition {
	var defs []definition
	l := lexer{s: doc}
	for {
		k, t := l.next()
		switch {
		case k == tokEOF:
			return defs
		case k == '{':
			defs = append(defs, definition{kind: "query", sel: l.i - 1})
			l.skipBalanced()
		case k == tokName && (t == "query" || t == "mutation" || t == "subscription" || t == "fragment"):
			d := definition{kind: t, sel: -1}
			if nk, nt := l.peek(); nk == tokName {
				l.next()
				d.name = nt
			}
			for {
				k, _ := l.next()
				if k == tokEOF {
					break
				}
				if k == '(' || k == '[' {
					l.skipBalanced()
					continue
				}
				if k == '{' {
					d.sel = l.i - 1
					l.skipBalanced()
					break
				}
			}
			defs = append(defs, d)
		}
	}
}

// operation returns the definition of the operation opName runs (the only
// or first operation when opName is empty), or false.
func operation(defs []definition, opName string) (definition, bool) {
	for _, d := range defs {
		if d.kind != "fragment" && (opName == "" || d.name == opName) {
			return d, true
		}
	}
	return definition{}, false
}

// operationType returns "query", "mutation" or "subscription" for the
// operation opName of doc, or "" when doc does not say. It reads no more
// of doc than it must: generated documents start with their operation.
func operationType(doc, opName string) string {
	l := lexer{s: doc}
	if k, t := l.next(); k == tokName && (t == "query" || t == "mutation" || t == "subscription") {
		if nk, nt := l.next(); opName == "" || nk == tokName && nt == opName {
			return t
		}
	} else if k == '{' && opName == "" {
		return "query"
	}
	if d, ok := operation(definitions(doc), opName); ok {
		return d.kind
	}
	return ""
}

// queryDepth returns the depth of the selection sets of operation opName
// in doc, fragments expanded; it stops counting past limit.
func queryDepth(doc, opName string, limit int) int {
	defs := definitions(doc)
	op, ok := operation(defs, opName)
	if !ok || op.sel < 0 {
		return 0
	}
	q := depthCounter{doc: doc, limit: limit, fragments: map[string]int{}, memo: map[string]int{}}
	for _, d := range defs {
		if d.kind == "fragment" && d.sel >= 0 {
			q.fragments[d.name] = d.sel
		}
	}
	return q.selectionSet(op.sel, 0)
}

type depthCounter struct {
	doc       string
	limit     int
	fragments map[string]int // fragment name → offset of its selection set
	memo      map[string]int // fragment name → depth; -1 while being computed
}

// selectionSet returns the depth of the selection set whose '{' is at
// offset at; level is how deep it is nested (to stop past the limit).
func (q *depthCounter) selectionSet(at, level int) int {
	if level > q.limit {
		return 1
	}
	l := lexer{s: q.doc, i: at + 1}
	depth := 0
	for {
		k, _ := l.next()
		switch k {
		case tokEOF, '}':
			return depth
		case tokSpread:
			nk, nt := l.peek()
			switch {
			case nk == tokName && nt != "on":
				l.next()
				depth = max(depth, q.fragment(nt, level))
			default: // an inline fragment: its selections are at this level
				for {
					k, _ := l.next()
					if k == tokEOF || k == '}' {
						return depth
					}
					if k == '(' || k == '[' {
						l.skipBalanced()
						continue
					}
					if k == '{' {
						depth = max(depth, q.selectionSet(l.i-1, level))
						l.i = skipFrom(q.doc, l.i-1)
						break
					}
				}
			}
		case tokName: // a field: alias, arguments, directives, selections
			d := 1
		field:
			for {
				nk, _ := l.peek()
				switch nk {
				case ':', tokName, '@':
					l.next()
				case '(':
					l.next()
					l.skipBalanced()
				case '{':
					l.next()
					d = 1 + q.selectionSet(l.i-1, level+1)
					l.i = skipFrom(q.doc, l.i-1)
					break field
				default:
					break field
				}
			}
			depth = max(depth, d)
		}
	}
}

// skipFrom returns the offset after the bracket that closes the one at
// offset at.
func skipFrom(doc string, at int) int {
	l := lexer{s: doc, i: at + 1}
	l.skipBalanced()
	return l.i
}

func (q *depthCounter) fragment(name string, level int) int {
	if d, ok := q.memo[name]; ok {
		return max(d, 0)
	}
	at, ok := q.fragments[name]
	if !ok {
		return 0
	}
	q.memo[name] = -1 // a cycle (invalid GraphQL) counts nothing
	d := q.selectionSet(at, level)
	q.memo[name] = d
	return d
}
