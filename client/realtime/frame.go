package realtime

import (
	"encoding/json"
	"errors"
)

// frame is one message received from the server, read in a single pass
// over its bytes by decodeFrame. Its slices point into the received
// message, which the WebSocket reader never reuses: an event's Data and
// Payload are slices of it, not copies, so each event holds one buffer (at
// most MaxMessageBytes) and nothing more.
type frame struct {
	typ, id []byte
	// payload is the payload member as received, nil when absent.
	payload []byte
	// dataOK is true when the payload reads as a data message's (an
	// object, or null); data and errors are then its members (nil when
	// absent). For a data message the payload is read in the same pass as
	// the rest, so its data is never decoded on the way to the consumer,
	// who decodes it once, into its own type.
	dataOK       bool
	data, errors []byte
}

// errFrame is why a frame is not a message: not JSON, or JSON that is not
// an object with string type and id.
var errFrame = errors.New("not a JSON object with string type and id")

// decodeFrame reads a received message. It reads exactly what
// json.Unmarshal reads into a message, and then its payload into a
// dataPayload, would (decodeFrameSlow; the fuzz target FuzzFrame holds
// the two equal): any input that is not one JSON value (nesting at most
// 10000 deep) is an error, and so is a value that is neither an object
// nor null, or whose type or id is neither a string nor null. Member
// names match case-insensitively, the last of a name counts, and null
// leaves a string as it was.
//
// The common message (names and the strings of type and id plain ASCII,
// with no escape) is read without allocating; any other goes to
// decodeFrameSlow.
func decodeFrame(raw []byte) (frame, error) {
	s := frameScanner{b: raw}
	var f frame
	switch s.envelope(&f) {
	case scanOK:
		return f, nil
	case scanSlow:
		return decodeFrameSlow(raw)
	}
	return frame{}, errFrame
}

// decodeFrameSlow is decodeFrame by encoding/json: the reference the fast
// path is held to, and the path of unusual messages.
func decodeFrameSlow(raw []byte) (frame, error) {
	var m message
	if err := json.Unmarshal(raw, &m); err != nil {
		return frame{}, errFrame
	}
	f := frame{payload: m.Payload}
	if m.Type != "" {
		f.typ = []byte(m.Type)
	}
	if m.ID != "" {
		f.id = []byte(m.ID)
	}
	var p dataPayload
	if json.Unmarshal(m.Payload, &p) == nil {
		f.dataOK, f.data, f.errors = true, p.Data, p.Errors
	}
	return f, nil
}

type scanResult int

const (
	scanOK   scanResult = iota
	scanBad             // not what json.Unmarshal accepts
	scanSlow            // valid so far, but for decodeFrameSlow
)

// maxDepth is encoding/json's bound on nesting.
const maxDepth = 10000

// frameScanner validates JSON and finds the members of a frame, by hand:
// encoding/json's scanner steps through a function per byte, and its
// decoder reads a value twice (validation, then decoding).
type frameScanner struct {
	b     []byte
	i     int
	depth int
}

// envelope reads the whole input as a frame into f.
func (s *frameScanner) envelope(f *frame) scanResult {
	s.space()
	if s.i >= len(s.b) {
		return scanBad
	}
	switch s.b[s.i] {
	case '{':
	case 'n':
		if !s.literal("null") {
			return scanBad
		}
		return s.end()
	default:
		// Valid or not, json.Unmarshal refuses it for a message.
		return scanBad
	}
	s.i++
	s.depth++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return s.end()
	}
	for {
		name, plain, ok := s.key()
		if !ok {
			return scanBad
		}
		if !plain {
			return scanSlow
		}
		switch {
		case foldEqual(name, "type"), foldEqual(name, "id"):
			v, r := s.stringOrNull()
			if r != scanOK {
				return r
			}
			if v != nil {
				if foldEqual(name, "type") {
					f.typ = v
				} else {
					f.id = v
				}
			}
		case foldEqual(name, "payload"):
			f.dataOK, f.data, f.errors = false, nil, nil
			start := s.i
			var r scanResult
			switch {
			case s.i < len(s.b) && s.b[s.i] == '{':
				r = s.dataPayload(f)
			case s.i < len(s.b) && s.b[s.i] == 'n':
				// Null is a data payload without data.
				if r = scanBad; s.literal("null") {
					r, f.dataOK = scanOK, true
				}
			default:
				r = s.value()
			}
			if r != scanOK {
				return r
			}
			f.payload = s.b[start:s.i]
		default:
			if r := s.value(); r != scanOK {
				return r
			}
		}
		if r, more := s.next('}'); r != scanOK {
			return r
		} else if !more {
			break
		}
	}
	return s.end()
}

// dataPayload reads the object at s.i as a data message's payload into f.
func (s *frameScanner) dataPayload(f *frame) scanResult {
	s.i++
	if s.depth++; s.depth > maxDepth {
		return scanBad
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		f.dataOK = true
		return scanOK
	}
	for {
		name, plain, ok := s.key()
		if !ok {
			return scanBad
		}
		if !plain {
			return scanSlow
		}
		start := s.i
		if r := s.value(); r != scanOK {
			return r
		}
		switch {
		case foldEqual(name, "data"):
			f.data = s.b[start:s.i]
		case foldEqual(name, "errors"):
			f.errors = s.b[start:s.i]
		}
		if r, more := s.next('}'); r != scanOK {
			return r
		} else if !more {
			break
		}
	}
	f.dataOK = true
	return scanOK
}

// key reads a member name and the colon after it, and the space after
// that. plain is false when the name has an escape or a byte that is not
// ASCII: json.Unmarshal's matching of such a name (unescaped, Unicode
// case folding) is left to it.
func (s *frameScanner) key() (name []byte, plain, ok bool) {
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false
	}
	start := s.i + 1
	plain, ok = s.str()
	if !ok {
		return nil, false, false
	}
	name = s.b[start : s.i-1]
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return nil, false, false
	}
	s.i++
	s.space()
	return name, plain, true
}

// next reads the space and the comma or the closing byte after a member
// or an element: more is true after a comma.
func (s *frameScanner) next(closing byte) (r scanResult, more bool) {
	s.space()
	if s.i >= len(s.b) {
		return scanBad, false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return scanOK, true
	case closing:
		s.i++
		s.depth--
		return scanOK, false
	}
	return scanBad, false
}

// stringOrNull reads a string (its bytes, without the quotes) or null
// (nil) at s.i; anything else is what json.Unmarshal refuses for a
// string field, and a string that is not plain is for the slow path.
func (s *frameScanner) stringOrNull() ([]byte, scanResult) {
	if s.i >= len(s.b) {
		return nil, scanBad
	}
	switch s.b[s.i] {
	case '"':
		start := s.i + 1
		plain, ok := s.str()
		if !ok {
			return nil, scanBad
		}
		if !plain {
			return nil, scanSlow
		}
		return s.b[start : s.i-1], scanOK
	case 'n':
		if s.literal("null") {
			return nil, scanOK
		}
	}
	return nil, scanBad
}

// end reads the space after the value; anything else is an error.
func (s *frameScanner) end() scanResult {
	s.space()
	if s.i != len(s.b) {
		return scanBad
	}
	return scanOK
}

// space skips JSON's white space.
func (s *frameScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value reads one JSON value at s.i.
func (s *frameScanner) value() scanResult {
	if s.i >= len(s.b) {
		return scanBad
	}
	switch c := s.b[s.i]; {
	case c == '"':
		if _, ok := s.str(); !ok {
			return scanBad
		}
		return scanOK
	case c == '{':
		return s.object()
	case c == '[':
		return s.array()
	case c == '-' || ('0' <= c && c <= '9'):
		return s.number()
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	}
	return scanBad
}

func (s *frameScanner) lit(want string) scanResult {
	if s.literal(want) {
		return scanOK
	}
	return scanBad
}

func (s *frameScanner) object() scanResult {
	s.i++
	if s.depth++; s.depth > maxDepth {
		return scanBad
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return scanOK
	}
	for {
		if _, _, ok := s.key(); !ok {
			return scanBad
		}
		if r := s.value(); r != scanOK {
			return r
		}
		if r, more := s.next('}'); r != scanOK || !more {
			return r
		}
	}
}

func (s *frameScanner) array() scanResult {
	s.i++
	if s.depth++; s.depth > maxDepth {
		return scanBad
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return scanOK
	}
	for {
		s.space()
		if r := s.value(); r != scanOK {
			return r
		}
		if r, more := s.next(']'); r != scanOK || !more {
			return r
		}
	}
}

// str reads the string at s.i (a quote) and its closing quote. plain is
// false when it has an escape or a byte that is not ASCII.
func (s *frameScanner) str() (plain, ok bool) {
	plain = true
	b := s.b
	i := s.i + 1
	for {
		// Most of a message is the plain bytes of strings: skip them by
		// table before looking at the one that ends the run.
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		if i >= len(b) {
			return false, false
		}
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return plain, true
		case c == '\\':
			plain = false
			i++
			if i >= len(b) {
				return false, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+4 >= len(b) {
					return false, false
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						return false, false
					}
				}
				i += 5
			default:
				return false, false
			}
		case c < 0x20:
			return false, false
		default:
			// Not ASCII: encoding/json takes any byte here (invalid
			// UTF-8 becomes U+FFFD when decoded).
			plain = false
			i++
		}
	}
}

// plainByte marks the bytes a string holds as they are: printable ASCII
// but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// number reads a JSON number at s.i: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *frameScanner) number() scanResult {
	i := s.i
	if s.b[i] == '-' {
		i++
	}
	switch {
	case i < len(s.b) && s.b[i] == '0':
		i++
	case i < len(s.b) && '1' <= s.b[i] && s.b[i] <= '9':
		for i < len(s.b) && isDigit(s.b[i]) {
			i++
		}
	default:
		return scanBad
	}
	if i < len(s.b) && s.b[i] == '.' {
		i++
		if i >= len(s.b) || !isDigit(s.b[i]) {
			return scanBad
		}
		for i < len(s.b) && isDigit(s.b[i]) {
			i++
		}
	}
	if i < len(s.b) && (s.b[i] == 'e' || s.b[i] == 'E') {
		i++
		if i < len(s.b) && (s.b[i] == '+' || s.b[i] == '-') {
			i++
		}
		if i >= len(s.b) || !isDigit(s.b[i]) {
			return scanBad
		}
		for i < len(s.b) && isDigit(s.b[i]) {
			i++
		}
	}
	s.i = i
	return scanOK
}

// literal reads want (true, false, null) at s.i.
func (s *frameScanner) literal(want string) bool {
	if len(s.b)-s.i < len(want) || string(s.b[s.i:s.i+len(want)]) != want {
		return false
	}
	s.i += len(want)
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// foldEqual reports whether the ASCII name equals the lower-case ASCII
// want, ignoring case: how encoding/json matches a plain member name to a
// field.
func foldEqual(name []byte, want string) bool {
	if len(name) != len(want) {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	return true
}
