package redact

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A session token as STS issues them: base64 with + / =.
const token = "IQoJb3JpZ2luX2VjE+/abc=def<&>"

func TestEveryFormIsRemoved(t *testing.T) {
	jsonForm, err := json.Marshal(token)
	require.NoError(t, err)
	forms := map[string]string{
		"verbatim":        token,
		"query-escaped":   url.QueryEscape(token),
		"path-escaped":    url.PathEscape(token),
		"lower-hex":       strings.NewReplacer("%2B", "%2b", "%2F", "%2f", "%3D", "%3d", "%3C", "%3c", "%3E", "%3e").Replace(url.QueryEscape(token)),
		"json (Go)":       string(jsonForm[1 : len(jsonForm)-1]),
		"json (solidus)":  strings.ReplaceAll(string(jsonForm[1:len(jsonForm)-1]), "/", `\/`),
		"json (JS)":       `IQoJb3JpZ2luX2VjE+/abc=def<&>`,
		"json (JS, \\/)":  `IQoJb3JpZ2luX2VjE+\/abc=def<&>`,
		"space as %20":    strings.ReplaceAll(url.QueryEscape(token+" x"), "+", "%20"),
		"inside a phrase": "before " + url.QueryEscape(token) + " after",
	}
	var s Secrets
	s.Add(token)
	s.Add(token + " x")
	for name, text := range forms {
		got := s.String("echo: " + text)
		assert.NotContains(t, got, "IQoJb3JpZ2luX2Vj", name)
		assert.Contains(t, got, Mask, name)
	}
}

func TestShortValuesAndEmptySets(t *testing.T) {
	var s Secrets
	s.Add("abc")
	assert.Equal(t, 0, s.Len())
	assert.Equal(t, "abc def", s.String("abc def"))
	var nilSet *Secrets
	assert.Equal(t, "x", nilSet.String("x"))
	assert.Equal(t, 0, nilSet.MaxFormLen())
}

func TestManySecretsAndLongestFirst(t *testing.T) {
	var s Secrets
	for i := range 10 {
		s.Add(strings.Repeat(string(rune('a'+i)), 8))
	}
	s.Add("aaaaaaaa") // again: recorded once
	assert.Equal(t, 10, s.Len())
	assert.Equal(t, "x "+Mask+" "+Mask+" y", s.String("x aaaaaaaa jjjjjjjj y"))
	// The key alone is within the signature line: the longer secret goes whole.
	got := Replace("sig=key-1234-and-more", []string{"key-1234", "key-1234-and-more"})
	assert.Equal(t, "sig="+Mask, got)
	assert.GreaterOrEqual(t, s.MaxFormLen(), 3*8)
}

func TestUpperCaseJSONEscapesAndLaterSecrets(t *testing.T) {
	var s Secrets
	s.Add("tok<en>&/0123")
	for _, text := range []string{`tok\u003Cen\u003E\u0026/0123`, `tok\u003Cen\u003E\u0026\/0123`, `tok\u003cen\u003e\u0026\/0123`} {
		assert.Equal(t, "x "+Mask, s.String("x "+text), text)
	}
	// A secret added after a String is redacted too: the forms are
	// computed again.
	s.Add("later-secret")
	assert.Equal(t, Mask+" "+Mask, s.String(`tok\u003Cen\u003E\u0026/0123 later-secret`))
	assert.Equal(t, `a\\u003c`, upperUnicodeHex(`a\\u003c`), "an escaped backslash does not start an escape")
	assert.Equal(t, `\u00AB\u00CD`, upperUnicodeHex(`\u00ab\u00cd`))
}
