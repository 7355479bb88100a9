package value

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdJSON is what encoding/json writes with HTML escaping off, which
// AppendJSON must match byte for byte.
func stdJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}

type appender string

func (a appender) AppendJSON(dst []byte) ([]byte, error) { return append(dst, a...), nil }

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	tests := []any{
		nil,
		"plain",
		`quote " backslash \ <tag> & amp`,
		"control \b\f\n\r\t \x01 \x1f",
		"line separators \u2028 \u2029",
		"invalid utf-8 \xff\xfe end",
		"ünïcödé ✓ 😀",
		true,
		false,
		42,
		json.Number("-1.5e10"),
		[]any{json.Number("1"), "a", nil, []any{}},
		map[string]any{"b": json.Number("2"), "a": []any{map[string]any{"z": nil, "y": true}}},
		struct {
			X int `json:"x"`
		}{3},
	}
	for _, v := range tests {
		got, err := Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, stdJSON(t, v), string(got), "%#v", v)
	}
}

func TestObjectKeepsOrder(t *testing.T) {
	o := NewObject(2)
	o.Set("z", json.Number("1"))
	o.Set("a", "x")
	o.Set("z", json.Number("2")) // replaces in place
	for i := range 10 {
		o.Add(string(rune('b'+i)), i)
	}
	assert.Equal(t, 12, o.Len())
	v, ok := o.Get("z")
	assert.True(t, ok)
	assert.Equal(t, json.Number("2"), v)
	v, ok = o.Get("k")
	assert.True(t, ok, "found through the index once the object is large")
	assert.Equal(t, 9, v)
	_, ok = o.Get("missing")
	assert.False(t, ok)

	got, err := Marshal(map[string]any{"o": o, "nil": (*Object)(nil), "raw": appender(`{"pre":1}`)})
	require.NoError(t, err)
	assert.Equal(t, `{"nil":null,"o":{"z":2,"a":"x","b":0,"c":1,"d":2,"e":3,"f":4,"g":5,"h":6,"i":7,"j":8,"k":9},"raw":{"pre":1}}`, string(got))
	std, err := json.Marshal(o)
	require.NoError(t, err)
	assert.Equal(t, `{"z":2,"a":"x","b":0,"c":1,"d":2,"e":3,"f":4,"g":5,"h":6,"i":7,"j":8,"k":9}`, string(std), "MarshalJSON agrees")
}
