package appsynctest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
)

// Limits bound what one request may cost the server, so that a hostile or
// runaway request is refused cheaply, as AppSync refuses it, instead of
// taking the process's memory and time. Zero fields take the defaults of
// DefaultLimits; a negative value turns a check off.
//
// The checks run in the order a request meets them: the size of the body,
// then the document's tokens and nesting (before it is parsed), then, while
// it executes, the query depth, the resolvers run, the size of the response
// and the time taken.
type Limits struct {
	// MaxRequestBytes bounds the body of a POST (query, operation name and
	// variables) and the query string of a GET: larger is HTTP 413. Default
	// 1 MiB, the client package's default (client.DefaultLimits.
	// MaxRequestBytes), which is AppSync's 1 MB limit on a resolver's
	// transformation ("Transformation too large", aws-mobile-appsync-sdk-js
	// issue 124). AppSync documents no limit on the request itself.
	MaxRequestBytes int

	// MaxTokens bounds the tokens of a document (names, punctuators,
	// values; not commas, white space or comments), counted before the
	// document is parsed. Default 15,000, graphql-java's default
	// (ParserOptions.MAX_QUERY_TOKENS), with its message. AppSync runs
	// graphql-java but does not document which limits it keeps; generated
	// operations are far smaller. Validation walks each operation with the
	// fragments it spreads, so a document whose operations spread large
	// fragments many times is refused too when validating it would visit
	// more than 4 × MaxTokens selections.
	MaxTokens int

	// MaxNesting bounds how deeply brackets ({, [ and () nest in a
	// document, counted before it is parsed. Default 100: deeper than
	// AppSync's largest query depth limit (75) with the brackets of
	// arguments, and below graphql-java's limit of 500 nested grammar
	// rules (three to a selection set).
	MaxNesting int

	// MaxQueryDepth is the API's query depth limit (queryDepthLimit of
	// AppSync's GraphqlApi, 1 to 75): a field nested deeper than it is not
	// resolved but fails with QueryDepthLimitReached, its null propagating
	// as for any field error (https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html).
	// Root fields are at depth 1 and leaves count: { a { b } } is 2 deep,
	// as client.Limits.MaxQueryDepth counts. Default: none, as an AppSync
	// API has none until one is set.
	MaxQueryDepth int

	// MaxResolvers is the API's resolver count limit (resolverCountLimit,
	// 1 to 10,000): the resolvers (model operations, relationships, owner
	// fields, custom operations) a request runs past it fail with
	// ResolverExecutionLimitReached and do not run. Default 10,000, AppSync's
	// quota of resolvers executed in a single request
	// (https://docs.aws.amazon.com/general/latest/gr/appsync.html).
	MaxResolvers int

	// MaxResponseBytes bounds the response, as JSON: a request whose
	// response grows past it stops and is answered with data null and an
	// appsynctest:ResponseTooLarge error alone. Default 16 MiB, the largest reply the client package accepts
	// (client.DefaultMaxResponseBytes). AppSync documents no such limit;
	// its resolvers return at most 1 MB of DynamoDB items a page and 6 MB
	// from a Lambda function, and introspection or fragments can multiply
	// a small document into a large response.
	MaxResponseBytes int

	// Timeout bounds the execution of a request: AppSync's 30 seconds
	// (https://docs.aws.amazon.com/general/latest/gr/appsync.html). Handlers
	// get it as their context's deadline; when it passes, the request is
	// answered with ExecutionTimeout ("Execution timed out."), without
	// waiting for a handler that ignores its context.
	Timeout time.Duration
}

// DefaultLimits are the limits of a Server started without WithLimits.
var DefaultLimits = Limits{
	MaxRequestBytes:  1 << 20,
	MaxTokens:        15_000,
	MaxNesting:       100,
	MaxResolvers:     10_000,
	MaxResponseBytes: 16 << 20,
	Timeout:          30 * time.Second,
}

// WithLimits sets the limits of requests (see Limits): zero fields keep
// the defaults, negative ones turn a check off. MaxQueryDepth and
// MaxResolvers take AppSync's ranges (1 to 75, 1 to 10,000).
func WithLimits(l Limits) Option {
	return func(c *config) {
		if l.MaxQueryDepth > 75 {
			c.errs = append(c.errs, fmt.Errorf("appsynctest: WithLimits: MaxQueryDepth %d: AppSync's queryDepthLimit is 1 to 75", l.MaxQueryDepth))
		}
		if l.MaxResolvers > 10_000 {
			c.errs = append(c.errs, fmt.Errorf("appsynctest: WithLimits: MaxResolvers %d: AppSync's resolverCountLimit is 1 to 10000", l.MaxResolvers))
		}
		c.limits = l
	}
}

// resolved returns the limits with the defaults of zero fields and
// negative fields as 0 (no limit).
func (l Limits) resolved() Limits {
	pick := func(v, def int) int {
		switch {
		case v < 0:
			return 0
		case v == 0:
			return def
		}
		return v
	}
	d := DefaultLimits
	out := Limits{
		MaxRequestBytes:  pick(l.MaxRequestBytes, d.MaxRequestBytes),
		MaxTokens:        pick(l.MaxTokens, d.MaxTokens),
		MaxNesting:       pick(l.MaxNesting, d.MaxNesting),
		MaxQueryDepth:    pick(l.MaxQueryDepth, d.MaxQueryDepth),
		MaxResolvers:     pick(l.MaxResolvers, d.MaxResolvers),
		MaxResponseBytes: pick(l.MaxResponseBytes, d.MaxResponseBytes),
		Timeout:          l.Timeout,
	}
	switch {
	case l.Timeout < 0:
		out.Timeout = 0
	case l.Timeout == 0:
		out.Timeout = d.Timeout
	}
	return out
}

// errTooLarge is the answer to a request body over MaxRequestBytes.
func errTooLarge(max int) *requestError {
	return &requestError{http.StatusRequestEntityTooLarge, "MalformedHttpRequestException",
		"The request body is larger than " + strconv.Itoa(max) + " bytes."}
}

// scanDocument counts the tokens and the nesting of a document before it
// is parsed, so that a document over the limits costs a pass of the lexer
// up to the token that crosses them, not an AST and its validation. It
// returns graphql-java's syntax error for the first limit crossed, or nil
// (a document the lexer cannot read is left to the parser, which reports
// the syntax error).
func (l Limits) scanDocument(query string) *gqlError {
	if l.MaxTokens <= 0 && l.MaxNesting <= 0 {
		return nil
	}
	lx := lexer.New(&ast.Source{Input: query})
	tokens, depth := 0, 0
	for {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return nil
		}
		switch tok.Kind {
		case lexer.Comment:
			continue
		case lexer.BraceL, lexer.BracketL, lexer.ParenL:
			depth++
			if l.MaxNesting > 0 && depth > l.MaxNesting {
				return parseCancelled(fmt.Sprintf("More than %d nested brackets have been opened.", l.MaxNesting), tok)
			}
		case lexer.BraceR, lexer.BracketR, lexer.ParenR:
			depth--
		}
		tokens++
		if l.MaxTokens > 0 && tokens > l.MaxTokens {
			return parseCancelled(fmt.Sprintf("More than %s 'grammar' tokens have been presented.", thousands(l.MaxTokens)), tok)
		}
	}
}

// checkValidationCost refuses a document whose validation would visit more
// than 4 × MaxTokens selections: the validator walks every operation with
// the fragments it spreads (and each fragment once more), so 1,500
// operations spreading one fragment of 2,500 fields, 15,000 tokens, would
// cost 3.75 million visits.
func (l Limits) checkValidationCost(doc *ast.QueryDocument) *gqlError {
	if l.MaxTokens <= 0 {
		return nil
	}
	budget := 4 * l.MaxTokens
	type node struct {
		size    int
		spreads []string
	}
	count := func(sels ast.SelectionSet) node {
		var n node
		var walk func(ast.SelectionSet)
		walk = func(sels ast.SelectionSet) {
			for _, sel := range sels {
				n.size++
				switch sel := sel.(type) {
				case *ast.Field:
					walk(sel.SelectionSet)
				case *ast.InlineFragment:
					walk(sel.SelectionSet)
				case *ast.FragmentSpread:
					n.spreads = append(n.spreads, sel.Name)
				}
			}
		}
		walk(sels)
		return n
	}
	frags := make(map[string]node, len(doc.Fragments))
	cost := 0
	for _, f := range doc.Fragments {
		n := count(f.SelectionSet)
		frags[f.Name] = n
		cost += n.size
	}
	for _, op := range doc.Operations {
		n := count(op.SelectionSet)
		cost += n.size
		seen := map[string]bool{}
		stack := n.spreads
		for len(stack) > 0 && cost <= budget {
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[name] {
				continue
			}
			seen[name] = true
			f := frags[name]
			cost += f.size
			stack = append(stack, f.spreads...)
		}
		if cost > budget {
			return &gqlError{kind: kindValidation, Locations: locationsOf(op.Position),
				Message: fmt.Sprintf("Validation error: validating the document would visit more than %s selections, its operations spreading their fragments so often. To prevent Denial Of Service attacks, validation has been cancelled.", thousands(budget))}
		}
	}
	return nil
}

// parseCancelled is graphql-java's InvalidSyntax error for a document its
// parser gives up on (ParseCancelledException).
func parseCancelled(why string, tok lexer.Token) *gqlError {
	text := tok.Value
	if text == "" {
		text = punctuators[tok.Kind]
	}
	if len(text) > 40 {
		text = text[:40]
	}
	line, col := tok.Pos.Line, tok.Pos.Column
	return &gqlError{kind: kindValidation, Locations: []location{{line, col}},
		Message: fmt.Sprintf("Invalid Syntax : %s To prevent Denial Of Service attacks, parsing has been cancelled. offending token '%s' at line %d column %d", why, text, line, col)}
}

// punctuators are the text of the tokens whose Value the lexer leaves
// empty.
var punctuators = map[lexer.Type]string{
	lexer.Bang: "!", lexer.Dollar: "$", lexer.Amp: "&", lexer.ParenL: "(", lexer.ParenR: ")",
	lexer.Spread: "...", lexer.Colon: ":", lexer.Equals: "=", lexer.At: "@", lexer.BracketL: "[",
	lexer.BracketR: "]", lexer.BraceL: "{", lexer.BraceR: "}", lexer.Pipe: "|",
}

// thousands formats n with comma separators, as graphql-java's messages
// (java.text.MessageFormat) print numbers.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
