package client

import (
	"hash/maphash"
	"iter"
	"slices"
)

// All walks the pages of a list operation, starting at the page of token
// (nil: the first), and yields each item; a page whose NextToken is nil
// (or empty) is the last. It stops when the loop breaks;
// an error ends the walk and is yielded as its last element, with a nil
// item. Empty pages that carry a NextToken (AppSync returns them when a
// filter drops every item of a scanned page) are walked through. A page
// whose NextToken was returned before in the walk (or is the starting
// token) ends the walk with a *PaginationError wrapping
// ErrNextTokenCycle, rather than repeating pages forever: a cycle of up to
// 64 tokens is found as soon as it closes, a longer one within a few rounds
// of it, in a fixed amount of memory.
func All[T any](token *string, page func(token *string) (*Page[T], error)) iter.Seq2[*T, error] {
	return AllNamed("", token, page)
}

// AllNamed is All for the list operation op, which an error ending the
// walk names.
func AllNamed[T any](op string, token *string, page func(token *string) (*Page[T], error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for p, err := range PagesNamed(op, token, page) {
			if err != nil {
				yield(nil, err)
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
		}
	}
}

// PagesNamed walks the pages of the list operation op as AllNamed does,
// and yields each page as it is read (empty ones included), for callers
// that act per page, as ObserveQuery yields a snapshot per page. An error
// ends the walk and is yielded as its last element, with a nil page.
func PagesNamed[T any](op string, token *string, page func(token *string) (*Page[T], error)) iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		var seen tokenCycle
		seen.init()
		if token != nil {
			seen.seen(*token)
		}
		for pages := 1; ; pages++ {
			p, err := page(token)
			if err != nil {
				yield(nil, err)
				return
			}
			if p == nil {
				return // nothing more, as a page with no items and no token
			}
			if !yield(p, nil) {
				return
			}
			if p.NextToken == nil || *p.NextToken == "" {
				return
			}
			if seen.seen(*p.NextToken) {
				yield(nil, &PaginationError{Operation: op, Pages: pages, Err: ErrNextTokenCycle})
				return
			}
			next := *p.NextToken
			token = &next
		}
	}
}

// tokenCycle finds a repeated token in the sequence of a walk's tokens
// with bounded memory: it keeps hashes of the last len(recent) tokens,
// which find a short cycle when it first closes, and, for longer ones, one
// checkpoint token moved at powers of two, as in Brent's cycle detection:
// once the checkpoint is in the cycle and the power not below its length,
// the walk comes back to it within one round.
type tokenCycle struct {
	seed       maphash.Seed
	recent     [64]uint64
	n          int // tokens recorded
	checkpoint uint64
	power      int // tokens from one checkpoint to the next
	steps      int // since the checkpoint
}

func (c *tokenCycle) init() {
	c.seed = maphash.MakeSeed()
	c.power = len(c.recent)
}

// seen records t and reports whether it was recorded before (as far as
// the hashes remember).
func (c *tokenCycle) seen(t string) bool {
	h := maphash.String(c.seed, t)
	if c.n > 0 && h == c.checkpoint || slices.Contains(c.recent[:min(c.n, len(c.recent))], h) {
		return true
	}
	c.recent[c.n%len(c.recent)] = h
	c.n++
	if c.n == 1 {
		c.checkpoint = h
	}
	if c.steps++; c.steps >= c.power {
		c.checkpoint, c.steps = h, 0
		c.power *= 2
	}
	return false
}

// Page is one page of a list operation.
type Page[T any] struct {
	// Items are the items of the page. AppSync may return an empty page
	// that still has a NextToken.
	Items []*T
	// NextToken reads the next page; nil on the last page. It has the type
	// of the list options' NextToken (nullable in GraphQL, as in every list
	// query's arguments), so the next page is o.NextToken = page.NextToken.
	NextToken *string
}
