package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"unicode/utf8"
)

// lineCol converts a byte offset in data into a 1-based line and column
// (the column counts characters, not bytes).
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	col = 1 + utf8.RuneCount(data[start:off])
	return line, col
}

// isSpace reports whether c is JSON white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the offset of the first byte at or after off that is not
// white space (or a ':' / ',' separator when seps is true).
func skipSpace(data []byte, off int, seps bool) int {
	for off < len(data) && (isSpace(data[off]) || (seps && (data[off] == ':' || data[off] == ','))) {
		off++
	}
	return off
}

// typeErrorStart turns the offset reported by json.UnmarshalTypeError (which
// is just past a literal, or just past the '{' / '[' of a composite value)
// into the offset of the start of the offending value.
func typeErrorStart(data []byte, off int) int {
	if off <= 0 || off > len(data) {
		return off
	}
	switch c := data[off-1]; {
	case c == '{' || c == '[':
		return off - 1
	case c == '"':
		// Walk back to the opening quote, skipping escaped quotes.
		for i := off - 2; i >= 0; i-- {
			if data[i] != '"' {
				continue
			}
			n := 0
			for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				return i
			}
		}
		return off
	default:
		i := off
		for i > 0 {
			c := data[i-1]
			if (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+' {
				i--
				continue
			}
			break
		}
		return i
	}
}

// member is one member of a JSON object, in file order.
type member struct {
	key   string
	value json.RawMessage
	off   int // offset of the start of value within the object's data
}

// members returns the members of the JSON object in data in file order. A
// JSON null yields no members. The caller has already checked that data is
// syntactically valid JSON. Errors carry offsets relative to data.
func members(data []byte, path string) ([]member, error) {
	start := skipSpace(data, 0, false)
	if start >= len(data) || bytes.HasPrefix(data[start:], []byte("null")) {
		return nil, nil
	}
	if data[start] != '{' {
		return nil, &Error{Field: path, Msg: fmt.Sprintf("expected a JSON object, got %s", jsonKind(data[start])), offset: start}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return nil, &Error{Field: path, Msg: err.Error(), Err: err, offset: start}
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, &Error{Field: path, Msg: err.Error(), Err: err, offset: int(dec.InputOffset())}
		}
		key, _ := tok.(string)
		off := skipSpace(data, int(dec.InputOffset()), true)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, &Error{Field: joinPath(path, key), Msg: err.Error(), Err: err, offset: off}
		}
		out = append(out, member{key: key, value: raw, off: off})
	}
	return out, nil
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	default:
		return "number"
	}
}

// find returns the member with the given key, or nil.
func find(ms []member, key string) *member {
	for i := range ms {
		if ms[i].key == key {
			return &ms[i]
		}
	}
	return nil
}

// valueOffset returns the offset in data of the value at the given object
// key path, or -1 if there is none.
func valueOffset(data []byte, path ...string) int {
	base := 0
	for _, key := range path {
		ms, err := members(data, "")
		if err != nil {
			return -1
		}
		m := find(ms, key)
		if m == nil {
			return -1
		}
		base += m.off
		data = m.value
	}
	return base
}

// decodeJSON unmarshals data into v, turning encoding/json errors into
// *Error values whose offset is relative to data and whose Field is prefixed
// with path.
func decodeJSON(data []byte, path string, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(err, data, path)
	}
	return nil
}

// jsonError converts an encoding/json error about data into an *Error with an
// offset relative to data.
func jsonError(err error, data []byte, path string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off := int(syn.Offset) - 1
		if off < 0 {
			off = 0
		}
		return &Error{Field: path, Msg: "invalid JSON: " + trimJSONPrefix(syn.Error()), Err: err, offset: off}
	case errors.As(err, &typ):
		msg := fmt.Sprintf("cannot use JSON %s as %s", typ.Value, typeName(typ.Type))
		return &Error{Field: joinPath(path, typ.Field), Msg: msg, Err: err, offset: typeErrorStart(data, int(typ.Offset))}
	default:
		if e, ok := asError(err); ok {
			e.Field = joinPath(path, e.Field)
			return e
		}
		return &Error{Field: path, Msg: err.Error(), Err: err, offset: -1}
	}
}

// trimJSONPrefix removes the "json: " prefix of encoding/json messages.
func trimJSONPrefix(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// typeName describes a Go type in JSON terms for error messages.
func typeName(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return typeName(t.Elem())
	}
	return t.String()
}

// compactRaw returns raw with insignificant white space removed, so that
// values survive a marshal/unmarshal round trip unchanged.
func compactRaw(raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return json.RawMessage(buf.Bytes())
}

// appendExtra adds the members of extra (sorted by key) to the JSON object obj.
func appendExtra(obj []byte, extra map[string]json.RawMessage) ([]byte, error) {
	if len(extra) == 0 {
		return obj, nil
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	obj = bytes.TrimRight(obj, " \n")
	if len(obj) < 2 || obj[len(obj)-1] != '}' {
		return nil, fmt.Errorf("schema: cannot add members to %q", obj)
	}
	out := append([]byte{}, obj[:len(obj)-1]...)
	empty := bytes.Equal(bytes.TrimSpace(out), []byte("{"))
	for _, k := range keys {
		if !empty {
			out = append(out, ',')
		}
		empty = false
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		out = append(out, kb...)
		out = append(out, ':')
		v := extra[k]
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
		out = append(out, compactRaw(v)...)
	}
	return append(out, '}'), nil
}

// extraMembers returns the members of the object data whose keys are not in
// known, compacted; nil if there are none.
func extraMembers(data []byte, known ...string) map[string]json.RawMessage {
	ms, err := members(data, "")
	if err != nil {
		return nil
	}
	var out map[string]json.RawMessage
outer:
	for _, m := range ms {
		for _, k := range known {
			if m.key == k {
				continue outer
			}
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[m.key] = compactRaw(m.value)
	}
	return out
}

// Position returns the 1-based line and column of the value at path in the
// JSON document data, so that a message about amplify_outputs.json can
// point at its place. The path holds object keys (string) and array
// indexes (int); a key an object does not have names its member whose
// "name" is that key (Amplify keys models, fields and the like by name, but
// not always). Position stops at the deepest part of the path the document
// has; ok is false when it has none of it.
func Position(data []byte, path ...any) (line, col int, ok bool) {
	off, cur := 0, json.RawMessage(data)
walk:
	for _, p := range path {
		next, val := -1, json.RawMessage(nil)
		switch p := p.(type) {
		case string:
			ms, err := members(cur, "")
			if err != nil {
				break walk
			}
			if m := find(ms, p); m != nil {
				next, val = m.off, m.value
				break
			}
			for _, m := range ms {
				var named struct {
					Name string `json:"name"`
				}
				if json.Unmarshal(m.value, &named) == nil && named.Name == p {
					next, val = m.off, m.value
					break
				}
			}
		case int:
			next, val = element(cur, p)
		}
		if next < 0 {
			break
		}
		off, cur, ok = off+next, val, true
	}
	if !ok {
		return 0, 0, false
	}
	line, col = lineCol(data, off)
	return line, col, true
}

// element returns the offset within data and the value of element i of the
// JSON array in data, or -1.
func element(data []byte, i int) (int, json.RawMessage) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return -1, nil
	}
	for n := 0; dec.More(); n++ {
		off := skipSpace(data, int(dec.InputOffset()), true)
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return -1, nil
		}
		if n == i {
			return off, raw
		}
	}
	return -1, nil
}
