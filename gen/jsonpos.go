package gen

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// jsonDoc finds the values of a JSON document by their path, so a message
// can point at a line and column of amplify_outputs.json. (The schema
// package places its own loaders' errors the same way, with helpers it does
// not export.) Offsets are byte offsets into the document; -1 is "none".
type jsonDoc []byte

// jsonMember is a member of an object: its key and its value's offset.
type jsonMember struct {
	key string
	off int
}

// members lists the members of the object at off, in file order; none when
// there is no object at off.
func (d jsonDoc) members(off int) []jsonMember {
	if off < 0 || off >= len(d) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(d[off:]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []jsonMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := tok.(string)
		out = append(out, jsonMember{key: key, off: d.skip(off + int(dec.InputOffset()))})
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return out
		}
	}
	return out
}

// at returns the offset of the value at the key path below the value at
// off, or -1.
func (d jsonDoc) at(off int, keys ...string) int {
	for _, k := range keys {
		next := -1
		for _, m := range d.members(off) {
			if m.key == k {
				next = m.off
				break
			}
		}
		if next < 0 {
			return -1
		}
		off = next
	}
	return off
}

// memberNamed returns the offset of the member of the object at off whose
// value is an object with a "name" member equal to name, or -1.
func (d jsonDoc) memberNamed(off int, name string) int {
	for _, m := range d.members(off) {
		var n string
		if at := d.at(m.off, "name"); at >= 0 && json.NewDecoder(bytes.NewReader(d[at:])).Decode(&n) == nil && n == name {
			return m.off
		}
	}
	return -1
}

// element returns the offset of element i of the array at off, or -1.
func (d jsonDoc) element(off, i int) int {
	if off < 0 || off >= len(d) {
		return -1
	}
	dec := json.NewDecoder(bytes.NewReader(d[off:]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return -1
	}
	for n := 0; dec.More(); n++ {
		if n == i {
			return d.skip(off + int(dec.InputOffset()))
		}
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return -1
		}
	}
	return -1
}

// skip returns the offset of the first byte at or after off that is
// neither white space nor a separator (: or ,).
func (d jsonDoc) skip(off int) int {
	for off < len(d) {
		switch d[off] {
		case ' ', '\t', '\n', '\r', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// position turns off into a 1-based line and column (in characters).
func (d jsonDoc) position(off int) (line, col int) {
	off = min(max(off, 0), len(d))
	line = 1 + bytes.Count(d[:off], []byte{'\n'})
	start := bytes.LastIndexByte(d[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(d[start:off])
}
