// Package redact removes secrets (API keys, tokens, secret access keys,
// session tokens, signatures) from text that leaves the SDK: error strings
// and log lines, on HTTP and realtime alike.
//
// A server may echo a secret in another form than it was sent, so every
// form a secret can take in a reply is removed: as it is, URL-escaped (query
// and path escaping, with upper- or lower-case hex digits) and JSON-escaped
// (Go's escaping of <, > and &, with lower- or upper-case hex digits, and an
// escaped solidus). The forms are computed only when text is redacted, which
// is rare, so that recording a secret on every call costs nothing; a set
// computes them once for all the texts it redacts.
package redact

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Mask replaces each secret.
const Mask = "[REDACTED]"

// MinLen is the length under which a value is not treated as a secret:
// shorter values are not secrets anyone would issue, and removing them
// would mangle ordinary text.
const MinLen = 4

// Secrets is the set of secret values one call used. Its zero value is an
// empty set. It is not safe for concurrent use.
type Secrets struct {
	fixed [6]string // a call holds a few secrets: no allocation for them
	n     int
	more  []string
	// forms are the forms of the secrets, longest first, computed by the
	// first String after an Add.
	forms []string
}

// Add records v, unless it is shorter than MinLen or already recorded.
func (s *Secrets) Add(v string) {
	if len(v) < MinLen || s.Has(v) {
		return
	}
	s.forms = nil
	if s.n < len(s.fixed) {
		s.fixed[s.n] = v
		s.n++
		return
	}
	s.more = append(s.more, v)
}

// Has reports whether v is recorded.
func (s *Secrets) Has(v string) bool {
	return slices.Contains(s.fixed[:s.n], v) || slices.Contains(s.more, v)
}

// Len is the number of secrets recorded.
func (s *Secrets) Len() int {
	if s == nil {
		return 0
	}
	return s.n + len(s.more)
}

// Values returns the secrets recorded.
func (s *Secrets) Values() []string {
	if s == nil {
		return nil
	}
	return append(append([]string(nil), s.fixed[:s.n]...), s.more...)
}

// MaxFormLen bounds the length of the longest form of a recorded secret (six
// times its length, a JSON \u00XX escape of every byte): a text cut for
// display must keep that much past its cut while it is redacted, so that no
// piece of a secret shows.
func (s *Secrets) MaxFormLen() int {
	if s == nil {
		return 0
	}
	m := 0
	for _, v := range s.fixed[:s.n] {
		m = max(m, 6*len(v))
	}
	for _, v := range s.more {
		m = max(m, 6*len(v))
	}
	return m
}

// String returns str with every form of every secret replaced by Mask.
func (s *Secrets) String(str string) string {
	if s == nil || s.n == 0 && len(s.more) == 0 || str == "" {
		return str
	}
	if s.forms == nil {
		s.forms = sortedForms(s.fixed[:s.n], s.more)
	}
	return replaceForms(str, s.forms)
}

// Replace returns s with every form of every secret of the lists replaced by
// Mask, longest form first, so that an encoded form is removed whole.
func Replace(s string, lists ...[]string) string {
	if s == "" {
		return s
	}
	return replaceForms(s, sortedForms(lists...))
}

// sortedForms returns the forms of the secrets of the lists, longest first.
func sortedForms(lists ...[]string) []string {
	var forms []string
	for _, list := range lists {
		for _, v := range list {
			if len(v) < MinLen {
				continue
			}
			forms = appendForms(forms, v)
		}
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return forms
}

func replaceForms(s string, forms []string) string {
	for _, f := range forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Mask)
		}
	}
	return s
}

// Forms returns the forms in which v may be echoed, v first.
func Forms(v string) []string { return appendForms(nil, v) }

func appendForms(forms []string, v string) []string {
	add := func(f string) {
		if f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	add(v)
	for _, esc := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		add(esc)
		add(lowerHex(esc))
		// A query-escaped space may also be %20.
		add(strings.ReplaceAll(esc, "+", "%20"))
	}
	if b, err := json.Marshal(v); err == nil {
		j := string(b[1 : len(b)-1]) // Go's escaping: \u003c, \u0026, ...
		add(j)
		add(strings.ReplaceAll(j, "/", `\/`))
		// Other encoders write the hex digits in upper case: \u003C.
		upper := upperUnicodeHex(j)
		add(upper)
		add(strings.ReplaceAll(upper, "/", `\/`))
		// Other encoders leave <, > and & as they are.
		plain := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(j)
		add(plain)
		add(strings.ReplaceAll(plain, "/", `\/`))
	}
	return forms
}

// lowerHex returns s with the hex digits of its %XX escapes in lower case.
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if b[j] >= 'A' && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
			i += 2
		}
	}
	return string(b)
}

// upperUnicodeHex returns s with the hex digits of its \uXXXX escapes in
// upper case.
func upperUnicodeHex(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	b := []byte(s)
	for i := 0; i+5 < len(b); i++ {
		if b[i] == '\\' {
			if b[i+1] == 'u' {
				for j := i + 2; j <= i+5; j++ {
					if b[j] >= 'a' && b[j] <= 'f' {
						b[j] -= 'a' - 'A'
					}
				}
				i += 5
			} else {
				i++ // an escaped character: \\ is not the start of \u
			}
		}
	}
	return string(b)
}

// Value returns v, a decoded JSON value, with replace applied to each of its
// strings and object keys, and whether any changed. Its slices and maps are
// changed in place.
func Value(v any, replace func(string) string) (any, bool) {
	switch v := v.(type) {
	case string:
		r := replace(v)
		return r, r != v
	case []any:
		changed := false
		for i, x := range v {
			var c bool
			if v[i], c = Value(x, replace); c {
				changed = true
			}
		}
		return v, changed
	case map[string]any:
		changed := false
		for k, x := range v {
			r, c := Value(x, replace)
			if rk := replace(k); rk != k {
				delete(v, k)
				k, c = rk, true
			}
			v[k] = r
			changed = changed || c
		}
		return v, changed
	}
	return v, false
}

// JSON returns raw with replace applied to its strings: decoded, so that a
// secret written with any JSON escapes is found, and encoded again when a
// string changed (numbers kept as they were written). A form the decoded
// strings do not hold (a secret split across escapes and members) is still
// removed from the text; raw that is not JSON becomes a JSON string of its
// redacted text.
func JSON(raw json.RawMessage, replace func(string) string) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		b, _ := json.Marshal(replace(string(raw)))
		return b
	}
	if v, changed := Value(v, replace); changed {
		if b, err := json.Marshal(v); err == nil {
			raw = b
		}
	}
	if r := replace(string(raw)); r != string(raw) {
		if json.Valid([]byte(r)) {
			return json.RawMessage(r)
		}
		b, _ := json.Marshal(r)
		return b
	}
	return raw
}
