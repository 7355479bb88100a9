package client

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Khan/genqlient/graphql"

	"github.com/go-amplify/data/client/internal/redact"
)

// Reading replies. A reply body is read into a pooled buffer, never more
// than the response limit (Options.MaxResponseBytes, after decompression),
// then decoded in one walk: a scan of the top-level object finds the data,
// errors and extensions members, and decodes each member of data into its
// field of the operation's result as it goes (see decodeData). What is not
// a GraphQL reply is an *HTTPError, with no half-decoded result.

// bufferPool holds the buffers reply bodies are read into. Decoded values
// never alias them: encoding/json copies strings and raw messages, and
// json.Unmarshaler implementations must copy what they keep.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledBuffer is the largest buffer put back in the pool, so that one
// huge reply does not pin its memory.
const maxPooledBuffer = 256 << 10

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	bufferPool.Put(b)
}

var gzipPool sync.Pool // *gzip.Reader

// errTooLarge reports a body over the limit.
var errTooLarge = errors.New("body exceeds the limit")

// readLimited appends what r yields to buf, up to limit bytes; more is
// errTooLarge.
func readLimited(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return buf, errTooLarge
			}
			buf = append(buf, 0)[:len(buf)]
		}
		window := buf[len(buf):cap(buf)]
		if room := limit + 1 - int64(len(buf)); int64(len(window)) > room {
			window = window[:room]
		}
		n, err := r.Read(window)
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// readReply reads r's body into *buf (decompressing gzip) and checks its
// framing. It returns an *HTTPError for a body over the limit or with a
// wrong encoding, a *NetworkError when reading fails.
func readReply(r *http.Response, limit int64, buf *[]byte, sec *redact.Secrets) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &HTTPError{StatusCode: r.StatusCode, Reason: fmt.Sprintf("response body of %d bytes exceeds the %d-byte limit (raise it with client.WithMaxResponseBytes)", r.ContentLength, limit)}
	}
	if n := r.ContentLength; n > 0 && int64(cap(*buf)) < n {
		*buf = make([]byte, 0, n+1)
	}
	body, err := readLimited(r.Body, (*buf)[:0], limit)
	*buf = body
	if err == errTooLarge {
		return nil, &HTTPError{StatusCode: r.StatusCode, Reason: fmt.Sprintf("response body exceeds %d bytes (raise it with client.WithMaxResponseBytes)", limit), Snippet: snippet(body, sec)}
	}
	if err != nil {
		if isGzipError(err) { // a transport of the caller's decompressed it
			return nil, &HTTPError{StatusCode: r.StatusCode, Reason: "response body is labelled Content-Encoding: gzip but is not valid gzip: " + err.Error(), Snippet: snippet(body, sec)}
		}
		return nil, &NetworkError{Err: redactError(fmt.Errorf("read response: %w", err), sec)}
	}
	var enc string
	if v := r.Header["Content-Encoding"]; len(v) > 0 {
		enc = v[0]
	}
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		plain, err := gunzip(body, limit)
		if err != nil {
			if err == errTooLarge {
				return nil, &HTTPError{StatusCode: r.StatusCode, Reason: fmt.Sprintf("response body exceeds %d bytes once decompressed (raise it with client.WithMaxResponseBytes)", limit)}
			}
			return nil, &HTTPError{StatusCode: r.StatusCode, Reason: "response body is labelled Content-Encoding: gzip but is not valid gzip: " + err.Error(), Snippet: snippet(body, sec)}
		}
		*buf = plain
		return plain, nil
	default:
		return nil, &HTTPError{StatusCode: r.StatusCode, Reason: fmt.Sprintf("response has Content-Encoding %.40q, which the client did not ask for", enc), Snippet: snippet(body, sec)}
	}
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		return nil, &HTTPError{StatusCode: r.StatusCode, Reason: "response body is gzip-compressed but not labelled Content-Encoding: gzip", Snippet: snippet(body, sec)}
	}
	return body, nil
}

// gunzip decompresses b into a new pooled-size buffer, at most limit bytes.
func gunzip(b []byte, limit int64) ([]byte, error) {
	src := bytes.NewReader(b)
	zr, _ := gzipPool.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(src)
	} else {
		err = zr.Reset(src)
	}
	if err != nil {
		return nil, err
	}
	defer gzipPool.Put(zr)
	out, err := readLimited(zr, make([]byte, 0, 2*len(b)+512), limit)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func isGzipError(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &ce)
}

// decodeReply decodes the body of a 200 reply into resp. GraphQL errors come
// back as GraphQLErrors with resp.Data holding whatever data came with
// them; a body that is not a GraphQL reply is an *HTTPError.
func decodeReply(status int, body []byte, resp *graphql.Response, sec *redact.Secrets) error {
	bad := func(reason string) error {
		resetData(resp) // no half-decoded result with the error
		return &HTTPError{StatusCode: status, Reason: sec.String(reason), Snippet: snippet(body, sec)}
	}
	env, err := scanEnvelope(body, resp.Data)
	var derr *dataError
	if errors.As(err, &derr) {
		return bad("response is not a GraphQL JSON reply: data: " + derr.err.Error())
	}
	if err != nil {
		if b := skipSpace(body, 0); b < len(body) && body[b] == '<' {
			return bad("response is an HTML page, not a GraphQL JSON reply")
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return bad("response body is empty, not a GraphQL JSON reply")
		}
		return bad("response is not a GraphQL JSON reply: " + err.Error())
	}
	if !env.hasData && env.errors == nil {
		return bad("response has neither data nor errors")
	}
	var errs GraphQLErrors
	nulls := false
	if env.errors != nil {
		var err error
		if errs, nulls, err = decodeErrors(env.errors); err != nil {
			return bad("response is not a GraphQL JSON reply: errors: " + err.Error())
		}
	}
	// A GraphQL answer has data, errors, or both: a reply with neither an
	// error nor data (a null data is what a failed non-null root field
	// leaves, and it comes with the errors that say why; a nullable field
	// whose result is null is {"data":{"field":null}}) answers nothing, and
	// taking it for an empty result would hide the failure.
	if len(errs) == 0 {
		switch {
		case !env.hasData && nulls:
			return bad("response has no data and an errors list with no error object, only nulls")
		case !env.hasData:
			return bad("response has no data and an empty errors list")
		case env.data == nil:
			return bad(`response data is null and there are no errors: AppSync answers a null result with {"data":{"field":null}}`)
		}
	}
	if env.extensions != nil {
		var ext map[string]any
		if err := json.Unmarshal(env.extensions, &ext); err != nil {
			return bad("response is not a GraphQL JSON reply: extensions: " + err.Error())
		}
		resp.Extensions = ext
	}
	if len(errs) > 0 {
		return redactErrors(errs, sec)
	}
	return nil
}

// decodeData decodes the data member into target, the result type of the
// operation. encoding/json would check all of data, then walk it, and walk
// each value with an UnmarshalJSON method once more to find its end before
// handing it over (generated types have one: they check and decode their
// bytes themselves). So when target is a pointer to a plain struct (each
// field tagged with its JSON name, as genqlient writes them) the members of
// data are found with the scanner of the envelope and each is decoded by
// its field's own UnmarshalJSON, or by encoding/json: every byte is still
// checked, once. Other targets go to encoding/json as they are.
func decodeData(data []byte, target any) error {
	if u, ok := target.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(data)
	}
	plan := dataPlanOf(reflect.TypeOf(target))
	i := skipSpace(data, 0)
	if plan == nil || i >= len(data) || data[i] != '{' {
		return json.Unmarshal(data, target) // encoding/json decodes it, or says why not
	}
	end, err := plan.decodeObject(data, i, target)
	if err != nil {
		return err
	}
	if i = skipSpace(data, end); i != len(data) {
		return errSyntax(data, i, "the end of the data after the object")
	}
	return nil
}

// decodeObject decodes the object at data[i] (a '{') into target and
// returns the offset after it.
func (p *dataPlan) decodeObject(data []byte, i int, target any) (int, error) {
	obj := reflect.ValueOf(target).Elem()
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return 0, errSyntax(data, i, "a member name")
		}
		kEnd, err := skipString(data, i)
		if err != nil {
			return 0, err
		}
		name, err := memberName(data, i, kEnd)
		if err != nil {
			return 0, err
		}
		i = skipSpace(data, kEnd)
		if i >= len(data) || data[i] != ':' {
			return 0, errSyntax(data, i, "':' after a member name")
		}
		vStart := skipSpace(data, i+1)
		vEnd, err := skipValue(data, vStart)
		if err != nil {
			return 0, err
		}
		if err := p.decode(obj, name, data[vStart:vEnd]); err != nil {
			return 0, err
		}
		i = skipSpace(data, vEnd)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
			continue
		}
		if i < len(data) && data[i] == '}' {
			return i + 1, nil
		}
		return 0, errSyntax(data, i, "',' or '}' after a member")
	}
}

// dataPlan is how decodeData fills a result struct.
type dataPlan struct {
	fields []dataField
}

type dataField struct {
	name  string
	index int
	// direct is set when the field is a *T or a T whose *T has an
	// UnmarshalJSON method, which is called with the value's bytes.
	direct bool
	ptr    bool // the field is a pointer
}

var dataPlans sync.Map // reflect.Type → *dataPlan (nil: use encoding/json)

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
)

// dataPlanOf returns the plan for a target of type t, or nil when t is not
// a pointer to a struct whose every field is exported, not embedded and
// tagged with a plain JSON name. A field whose type has an UnmarshalJSON
// method gets its value's bytes unchecked, as the method must check them
// (genqlient's and this package's do); others are decoded by
// encoding/json.
func dataPlanOf(t reflect.Type) *dataPlan {
	if v, ok := dataPlans.Load(t); ok {
		return v.(*dataPlan)
	}
	plan := buildDataPlan(t)
	dataPlans.Store(t, plan)
	return plan
}

func buildDataPlan(t reflect.Type) *dataPlan {
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	st := t.Elem()
	plan := &dataPlan{}
	for i := range st.NumField() {
		f := st.Field(i)
		tag, ok := f.Tag.Lookup("json")
		name, opts, _ := strings.Cut(tag, ",")
		if !ok || f.Anonymous || !f.IsExported() || name == "" || name == "-" || opts != "" && opts != "omitempty" {
			return nil
		}
		df := dataField{name: name, index: i}
		// json.RawMessage keeps its bytes unchecked: encoding/json checks them.
		switch {
		case f.Type == rawMessageType || f.Type.Kind() == reflect.Pointer && f.Type.Elem() == rawMessageType:
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() != reflect.Pointer && reflect.PointerTo(f.Type.Elem()).Implements(unmarshalerType):
			df.direct, df.ptr = true, true
		case f.Type.Kind() != reflect.Pointer && reflect.PointerTo(f.Type).Implements(unmarshalerType):
			df.direct = true
		}
		plan.fields = append(plan.fields, df)
	}
	return plan
}

// decode decodes the member name, with value v, into obj as encoding/json
// would: the field whose name is name, else one whose name matches without
// regard to case; a member without a field is checked and dropped.
func (p *dataPlan) decode(obj reflect.Value, name, v []byte) error {
	var f *dataField
	for i := range p.fields {
		if p.fields[i].name == string(name) {
			f = &p.fields[i]
			break
		}
	}
	if f == nil {
		for i := range p.fields {
			if bytes.EqualFold([]byte(p.fields[i].name), name) {
				f = &p.fields[i]
				break
			}
		}
	}
	if f == nil {
		if !json.Valid(v) {
			return fmt.Errorf("member %.40q is not valid JSON", name)
		}
		return nil
	}
	field := obj.Field(f.index)
	switch {
	case f.direct && f.ptr:
		if string(v) == "null" {
			field.SetZero()
			return nil
		}
		nv := reflect.New(field.Type().Elem())
		if err := nv.Interface().(json.Unmarshaler).UnmarshalJSON(v); err != nil {
			return err
		}
		field.Set(nv)
		return nil
	case f.direct: // null included, as encoding/json does
		return field.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(v)
	}
	return json.Unmarshal(v, field.Addr().Interface())
}

// decodeErrors decodes an errors member (in a function of its own, so that
// a reply without errors allocates nothing for them). Null entries are
// dropped (nulls reports that there were some); an entry that is not an
// object is an error.
func decodeErrors(b []byte) (errs GraphQLErrors, nulls bool, err error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, false, err
	}
	errs = make(GraphQLErrors, 0, len(raw))
	for i, r := range raw {
		switch r[0] { // json.Unmarshal gave each a valid JSON value
		case 'n':
			nulls = true
			continue
		case '{':
		default:
			return nil, false, fmt.Errorf("entry %d is %s, not an error object", i, jsonKind(r[0]))
		}
		e := new(GraphQLError)
		if err := json.Unmarshal(r, e); err != nil {
			return nil, false, fmt.Errorf("entry %d: %w", i, err)
		}
		errs = append(errs, e)
	}
	return errs, nulls, nil
}

// jsonKind names the kind of the JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// decodeErrorReply turns a reply whose status is not 200 into an
// *HTTPError, with AppSync's error list when the body has one.
func decodeErrorReply(r *http.Response, body []byte, sec *redact.Secrets) *HTTPError {
	herr := &HTTPError{StatusCode: r.StatusCode, Snippet: snippet(body, sec), RetryAfter: retryAfter(r.Header)}
	if r.StatusCode >= 300 && r.StatusCode < 400 {
		herr.Reason = redirectReason(r, sec)
	}
	var wire struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &wire) == nil && len(wire.Errors) > 0 && wire.Errors[0] == '[' {
		if errs, _, err := decodeErrors(wire.Errors); err == nil && len(errs) > 0 {
			herr.Errors = redactErrors(errs, sec)
		}
	}
	return herr
}

// redirectReason says that AppSync does not redirect and where the reply
// pointed: its Location, without query or fragment (where tokens travel)
// or password, and with the call's secrets removed.
func redirectReason(r *http.Response, sec *redact.Secrets) string {
	const why = "AppSync does not redirect, and the client does not follow redirects, which would send the credentials elsewhere"
	loc, err := r.Location()
	if err != nil {
		if r.Header.Get("Location") == "" {
			return why + ": the reply has no Location (check the endpoint URL: data.url of amplify_outputs.json)"
		}
		return why + ": the reply's Location is not a URL (check the endpoint URL: data.url of amplify_outputs.json)"
	}
	dropped := ""
	if loc.RawQuery != "" || loc.ForceQuery || loc.Fragment != "" {
		loc.RawQuery, loc.ForceQuery, loc.Fragment, loc.RawFragment = "", false, "", ""
		dropped = " (query left out)"
	}
	where := sec.String(loc.Redacted())
	var b strings.Builder
	writeClipped(&b, where, 512)
	return fmt.Sprintf("%s: the reply points to %s%s (check the endpoint URL: data.url of amplify_outputs.json)", why, b.String(), dropped)
}

// retryAfter reads a Retry-After header given in seconds or as a date.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// envelope holds the members of a GraphQL reply, as raw JSON; a member is
// nil when absent or null.
type envelope struct {
	data, errors, extensions []byte
	hasData                  bool // the data member is there, null or not
}

// dataError is an error of decoding the data member.
type dataError struct{ err error }

func (e *dataError) Error() string { return e.err.Error() }

// inlinePlan returns the plan to decode the member key at body[vStart]
// into target on the way, or nil: key must be data, its value an object,
// target a plain struct (see decodeData).
func inlinePlan(key, body []byte, vStart int, target any) *dataPlan {
	if target == nil || vStart >= len(body) || body[vStart] != '{' || !bytes.EqualFold(key, []byte("data")) {
		return nil
	}
	if _, ok := target.(json.Unmarshaler); ok {
		return nil
	}
	return dataPlanOf(reflect.TypeOf(target))
}

// maxNesting bounds how deep scanEnvelope follows arrays and objects, as
// encoding/json does.
const maxNesting = 10000

// scanEnvelope finds the members of the top-level object of body, and
// decodes the data member into target (when not nil) where it finds it. It
// checks the structure it walks (strings, nesting, separators); the values
// it returns are validated when they are decoded, and the members it skips
// are checked with json.Valid. An error of decoding data is a *dataError.
func scanEnvelope(body []byte, target any) (envelope, error) {
	var env envelope
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return env, errors.New("the body is not a JSON object")
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			if i >= len(body) || body[i] != '"' {
				return env, errSyntax(body, i, "a member name")
			}
			kStart := i + 1
			kEnd, err := skipString(body, i)
			if err != nil {
				return env, err
			}
			key, err := memberName(body, kStart-1, kEnd)
			if err != nil {
				return env, err
			}
			i = skipSpace(body, kEnd)
			if i >= len(body) || body[i] != ':' {
				return env, errSyntax(body, i, "':' after a member name")
			}
			vStart := skipSpace(body, i+1)
			var vEnd int
			decoded := false
			if plan := inlinePlan(key, body, vStart, target); plan != nil {
				// The members of data decoded as they are found: one walk.
				if vEnd, err = plan.decodeObject(body, vStart, target); err != nil {
					return env, &dataError{err}
				}
				decoded = true
			} else if vEnd, err = skipValue(body, vStart); err != nil {
				return env, err
			}
			v := body[vStart:vEnd]
			if string(v) == "null" {
				v = nil
			}
			// Names match as encoding/json matches them to the fields of a
			// struct: without regard to case.
			switch {
			case bytes.EqualFold(key, []byte("data")):
				// Each data member is decoded where it is, as encoding/json
				// does (a later one decodes over an earlier one).
				env.data, env.hasData = v, true
				if !decoded && v != nil && target != nil {
					if err := decodeData(v, target); err != nil {
						return env, &dataError{err}
					}
				}
			case bytes.EqualFold(key, []byte("errors")):
				env.errors = v
			case bytes.EqualFold(key, []byte("extensions")):
				env.extensions = v
			default:
				if !json.Valid(v) && v != nil {
					return env, fmt.Errorf("member %.40q is not valid JSON", key)
				}
			}
			i = skipSpace(body, vEnd)
			if i < len(body) && body[i] == ',' {
				i = skipSpace(body, i+1)
				continue
			}
			if i < len(body) && body[i] == '}' {
				i++
				break
			}
			return env, errSyntax(body, i, "',' or '}' after a member")
		}
	}
	if i = skipSpace(body, i); i != len(body) {
		return env, errSyntax(body, i, "the end of the body after the object")
	}
	return env, nil
}

// memberName returns the name of the member whose quoted name is
// body[start:end]: its bytes, or what its escapes stand for.
func memberName(body []byte, start, end int) ([]byte, error) {
	name := body[start+1 : end-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		var unescaped string
		if err := json.Unmarshal(body[start:end], &unescaped); err != nil {
			return nil, fmt.Errorf("member name: %w", err)
		}
		return []byte(unescaped), nil
	}
	for _, c := range name {
		if c < 0x20 {
			return nil, errSyntax(body, start, "a member name without control characters")
		}
	}
	return name, nil
}

func errSyntax(body []byte, i int, want string) error {
	if i >= len(body) {
		return fmt.Errorf("unexpected end of JSON input (want %s)", want)
	}
	return fmt.Errorf("invalid character %q at offset %d (want %s)", body[i], i, want)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the offset after the JSON string at b[i] (a '"'): the
// next quote not escaped by an odd number of backslashes. It does not
// check the characters in between: the values kept are validated by
// encoding/json, the others by json.Valid, member names by scanEnvelope.
func skipString(b []byte, i int) (int, error) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, errSyntax(b, len(b), "the end of a string")
		}
		j += k
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1, nil
		}
		j++
	}
}

// skipValue returns the offset after the JSON value at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax(b, i, "a value")
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				if depth++; depth > maxNesting {
					return 0, fmt.Errorf("exceeded max depth of %d", maxNesting)
				}
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errSyntax(b, len(b), "the end of an object or array")
	}
	j := i
	for j < len(b) {
		c := b[j]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		j++
	}
	if j == i {
		return 0, errSyntax(b, i, "a value")
	}
	return j, nil
}

// resetData zeroes the result an earlier attempt decoded into, so that a
// retried reply is not merged with it.
func resetData(resp *graphql.Response) {
	resp.Extensions = nil
	v := resp.Data
	if v == nil {
		return
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().CanSet() {
		rv.Elem().SetZero()
	}
}
