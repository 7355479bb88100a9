package gen

import (
	"go/token"
	"strings"
	"unicode"
)

// initialisms are the words Go spells in capitals (as golint and gopls do).
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ARN": true, "ASCII": true, "AWS": true, "CPU": true, "CSS": true,
	"DB": true, "DNS": true, "EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true,
	"ID": true, "IDS": true, "IP": true, "JSON": true, "JWT": true, "OS": true, "SKU": true, "SQL": true,
	"SSH": true, "TCP": true, "TLS": true, "TTL": true, "UI": true, "UID": true, "URI": true,
	"URL": true, "UTF8": true, "UUID": true, "XML": true,
}

// words splits a GraphQL name into words at underscores, digits and case
// changes: "userId" -> user, Id; "HTTPServer" -> HTTP, Server;
// "IN_PROGRESS" -> IN, PROGRESS.
func words(name string) []string {
	var out []string
	runes := []rune(name)
	start := 0
	flush := func(end int) {
		if end > start {
			out = append(out, string(runes[start:end]))
		}
		start = end
	}
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if r == '_' || r == '-' || r == ' ' {
			flush(i)
			start = i + 1
			continue
		}
		if i == start {
			continue
		}
		prev := runes[i-1]
		switch {
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush(i)
		case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(runes) && unicode.IsLower(runes[i+1]):
			flush(i)
		case unicode.IsDigit(r) != unicode.IsDigit(prev):
			flush(i)
		}
	}
	flush(len(runes))
	return out
}

// goName turns a GraphQL name into an exported Go name with Go's
// initialisms: userId -> UserID, apiUrl -> APIURL, IN_PROGRESS -> InProgress.
func goName(name string) string {
	var b strings.Builder
	for _, w := range words(name) {
		up := strings.ToUpper(w)
		if initialisms[up] {
			b.WriteString(up)
			continue
		}
		rs := []rune(w)
		allUpper := true
		for _, r := range rs {
			if unicode.IsLower(r) {
				allUpper = false
				break
			}
		}
		if allUpper && len(rs) > 1 {
			// SCREAMING words (enum values) become Title case.
			b.WriteString(string(unicode.ToUpper(rs[0])) + strings.ToLower(string(rs[1:])))
			continue
		}
		b.WriteString(string(unicode.ToUpper(rs[0])) + string(rs[1:]))
	}
	s := b.String()
	if s == "" || !unicode.IsLetter([]rune(s)[0]) {
		s = "X" + s
	}
	return s
}

// safeVariable returns a lower-case Go identifier for a GraphQL variable that is
// never a Go keyword or a predeclared identifier.
func safeVariable(name string) string {
	if token.IsKeyword(name) || predeclared[name] {
		return name + "_"
	}
	return name
}

var predeclared = map[string]bool{
	"any": true, "append": true, "bool": true, "byte": true, "cap": true, "clear": true, "close": true,
	"comparable": true, "complex": true, "complex128": true, "complex64": true, "copy": true,
	"delete": true, "error": true, "false": true, "float32": true, "float64": true, "imag": true,
	"int": true, "int16": true, "int32": true, "int64": true, "int8": true, "iota": true, "len": true,
	"make": true, "max": true, "min": true, "new": true, "nil": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true, "rune": true, "string": true, "true": true,
	"uint": true, "uint16": true, "uint32": true, "uint64": true, "uint8": true, "uintptr": true,
	// names genqlient uses inside generated functions
	"ctx": true, "client": true, "data": true, "err": true, "req": true, "resp": true,
}

// namer hands out unique Go names within one scope (a package, or the
// fields of one struct), so GraphQL names that clash after casing still
// compile: the second UserID becomes UserID2.
type namer struct{ used map[string]bool }

func newNamer(reserved ...string) *namer {
	n := &namer{used: map[string]bool{}}
	for _, r := range reserved {
		n.used[r] = true
	}
	return n
}

func (n *namer) name(want string) string {
	got := want
	for i := 2; n.used[got]; i++ {
		got = want + itoa(i)
	}
	n.used[got] = true
	return got
}

// nameOr is name(want), unless want is taken and alt is free: then alt.
func (n *namer) nameOr(want, alt string) string {
	if n.used[want] && !n.used[alt] {
		return n.name(alt)
	}
	return n.name(want)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
