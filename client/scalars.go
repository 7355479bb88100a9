package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AppSync's AWSJSON travels as a JSON string that holds a JSON document:
// {"meta":"{\"a\":1}"}. Generated code keeps the document itself in a
// json.RawMessage and converts with these functions.

// MarshalAWSJSON encodes the document in v as an AWSJSON string. A nil or
// empty document encodes as null.
func MarshalAWSJSON(v *json.RawMessage) ([]byte, error) {
	if v == nil || len(*v) == 0 {
		return []byte("null"), nil
	}
	if !json.Valid(*v) {
		return nil, fmt.Errorf("AWSJSON value is not valid JSON: %.40q", *v)
	}
	return json.Marshal(string(*v))
}

// UnmarshalAWSJSON decodes an AWSJSON value into the document it holds. It
// accepts the string AppSync sends and, leniently, a bare JSON document.
func UnmarshalAWSJSON(b []byte, v *json.RawMessage) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*v = nil
		return nil
	}
	if b[0] != '"' {
		if !json.Valid(b) {
			return fmt.Errorf("AWSJSON value is not valid JSON")
		}
		*v = append((*v)[:0], b...)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("AWSJSON value: %w", err)
	}
	if !json.Valid([]byte(s)) {
		return fmt.Errorf("AWSJSON string does not hold valid JSON: %.40q", s)
	}
	*v = json.RawMessage(s)
	return nil
}

// JSONString is an AWSJSON document inside generated input types: it
// marshals as the JSON string AppSync expects.
type JSONString json.RawMessage

// MarshalJSON encodes the document as a JSON string.
func (j JSONString) MarshalJSON() ([]byte, error) {
	raw := json.RawMessage(j)
	return MarshalAWSJSON(&raw)
}

// UnmarshalJSON decodes an AWSJSON string.
func (j *JSONString) UnmarshalJSON(b []byte) error {
	var raw json.RawMessage
	if err := UnmarshalAWSJSON(b, &raw); err != nil {
		return err
	}
	*j = JSONString(raw)
	return nil
}

// JSONStrings converts a list of documents for an input field.
func JSONStrings(docs []json.RawMessage) []JSONString {
	if docs == nil {
		return nil
	}
	out := make([]JSONString, len(docs))
	for i, d := range docs {
		out[i] = JSONString(d)
	}
	return out
}

// ParseAWSDateTime parses an AWSDateTime in every form AppSync accepts:
// YYYY-MM-DDThh:mm, optional :ss and a fraction of 1 to 9 digits, then Z or
// an offset ±hh, ±hh:mm or ±hh:mm:ss.
func ParseAWSDateTime(s string) (time.Time, error) { return parseAWSDateTime(s) }

// parseAWSDateTime is ParseAWSDateTime over a string or the bytes of a JSON
// string, without allocating unless it fails or the zone is not UTC.
func parseAWSDateTime[S ~string | ~[]byte](s S) (time.Time, error) {
	i := indexByte(s, 'T')
	if i < 0 {
		return time.Time{}, fmt.Errorf("AWSDateTime %q: want YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)", string(s))
	}
	y, mo, d, err := parseDate(s[:i])
	if err != nil {
		return time.Time{}, fmt.Errorf("AWSDateTime %q: %w", string(s), err)
	}
	h, mi, sec, ns, off, hasOff, err := parseTimeOfDay(s[i+1:])
	if err == nil && !hasOff {
		err = errMissingZone
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("AWSDateTime %q: %w", string(s), err)
	}
	loc := time.UTC
	if off != 0 {
		loc = time.FixedZone("", off)
	}
	return time.Date(y, mo, d, h, mi, sec, ns, loc), nil
}

// MarshalAWSDateTime encodes t as RFC 3339 with nanoseconds, which AppSync
// accepts as AWSDateTime, keeping a zone offset with seconds as ±hh:mm:ss.
// The zero time encodes as null.
func MarshalAWSDateTime(t *time.Time) ([]byte, error) {
	if t == nil || t.IsZero() {
		return []byte("null"), nil
	}
	_, off := t.Zone()
	return []byte(`"` + t.Format("2006-01-02T15:04:05.999999999") + formatOffset(off) + `"`), nil
}

// UnmarshalAWSDateTime decodes an AWSDateTime string.
func UnmarshalAWSDateTime(b []byte, t *time.Time) error {
	if string(b) == "null" {
		*t = time.Time{}
		return nil
	}
	if raw, ok := plainJSONString(b); ok {
		v, err := parseAWSDateTime(raw)
		if err != nil {
			return err
		}
		*t = v
		return nil
	}
	return unmarshalString(b, "AWSDateTime", ParseAWSDateTime, t)
}

// plainJSONString returns the contents of the JSON string b when it has no
// escape sequence and no control character, so that its bytes are its value.
func plainJSONString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	b = b[1 : len(b)-1]
	for _, c := range b {
		if c == '\\' || c == '"' || c < 0x20 {
			return nil, false
		}
	}
	return b, true
}

// unmarshalString decodes a JSON string and parses it into dst.
func unmarshalString[T any](b []byte, scalar string, parse func(string) (T, error), dst *T) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s: %w", scalar, err)
	}
	v, err := parse(s)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// Date is an AWSDate: a calendar date, with the zone offset it was written
// with (AppSync allows YYYY-MM-DD followed by Z or ±hh:mm[:ss]).
type Date struct {
	Year  int
	Month time.Month
	Day   int
	// Offset is the zone offset in seconds east of UTC, if one was given.
	Offset *int
}

// NewDate returns the date of t in t's location, without an offset.
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseAWSDate parses an AWSDate.
func ParseAWSDate(s string) (Date, error) { return parseAWSDate(s) }

func parseAWSDate[S ~string | ~[]byte](s S) (Date, error) {
	datePart, zone := s, s[:0]
	if len(s) > 10 {
		datePart, zone = s[:10], s[10:]
	}
	y, m, d, err := parseDate(datePart)
	if err != nil {
		return Date{}, fmt.Errorf("AWSDate %q: %w", string(s), err)
	}
	out := Date{Year: y, Month: m, Day: d}
	if len(zone) != 0 {
		off, err := parseOffset(zone)
		if err != nil {
			return Date{}, fmt.Errorf("AWSDate %q: %w", string(s), err)
		}
		out.Offset = &off
	}
	return out, nil
}

// String formats the date as AppSync does.
func (d Date) String() string {
	s := fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	if d.Offset != nil {
		s += formatOffset(*d.Offset)
	}
	return s
}

// Time returns midnight of the date in its offset (UTC when none).
func (d Date) Time() time.Time {
	loc := time.UTC
	if d.Offset != nil && *d.Offset != 0 {
		loc = time.FixedZone("", *d.Offset)
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// MarshalJSON encodes the date as an AWSDate string.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON decodes an AWSDate string.
func (d *Date) UnmarshalJSON(b []byte) error {
	if raw, ok := plainJSONString(b); ok {
		v, err := parseAWSDate(raw)
		if err != nil {
			return err
		}
		*d = v
		return nil
	}
	return unmarshalString(b, "AWSDate", ParseAWSDate, d)
}

// Time is an AWSTime: a time of day, hh:mm[:ss[.fraction]], with the zone
// offset it was written with, if any.
type Time struct {
	Hour, Minute, Second, Nanosecond int
	// Offset is the zone offset in seconds east of UTC, if one was given.
	Offset *int
}

// ParseAWSTime parses an AWSTime.
func ParseAWSTime(s string) (Time, error) { return parseAWSTime(s) }

func parseAWSTime[S ~string | ~[]byte](s S) (Time, error) {
	h, m, sec, ns, off, hasOff, err := parseTimeOfDay(s)
	if err != nil {
		return Time{}, fmt.Errorf("AWSTime %q: %w", string(s), err)
	}
	t := Time{Hour: h, Minute: m, Second: sec, Nanosecond: ns}
	if hasOff {
		t.Offset = &off
	}
	return t, nil
}

// String formats the time as AppSync does.
func (t Time) String() string {
	s := fmt.Sprintf("%02d:%02d:%02d", t.Hour, t.Minute, t.Second)
	if t.Nanosecond != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%09d", t.Nanosecond), "0")
	}
	if t.Offset != nil {
		s += formatOffset(*t.Offset)
	}
	return s
}

// MarshalJSON encodes the time as an AWSTime string.
func (t Time) MarshalJSON() ([]byte, error) { return []byte(`"` + t.String() + `"`), nil }

// UnmarshalJSON decodes an AWSTime string.
func (t *Time) UnmarshalJSON(b []byte) error {
	if raw, ok := plainJSONString(b); ok {
		v, err := parseAWSTime(raw)
		if err != nil {
			return err
		}
		*t = v
		return nil
	}
	return unmarshalString(b, "AWSTime", ParseAWSTime, t)
}

// The parse errors are values, so that parsing allocates nothing until it
// reports one with its input.
var (
	errBadDate       = errors.New("want a date YYYY-MM-DD")
	errBadTimeOfDay  = errors.New("want hh:mm[:ss[.fraction]] then Z or ±hh:mm")
	errBadFraction   = errors.New("fraction of a second needs 1 to 9 digits")
	errMissingZone   = errors.New("missing zone: end with Z or ±hh:mm")
	errBadZoneFormat = errors.New("want Z, ±hh, ±hh:mm or ±hh:mm:ss")
)

func indexByte[S ~string | ~[]byte](s S, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// digits parses s[i:i+n] as an unsigned decimal of exactly n digits.
func digits[S ~string | ~[]byte](s S, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func parseDate[S ~string | ~[]byte](s S) (int, time.Month, int, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, errBadDate
	}
	y, ok1 := digits(s, 0, 4)
	m, ok2 := digits(s, 5, 2)
	d, ok3 := digits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, errBadDate
	}
	if d > daysIn(time.Month(m), y) {
		return 0, 0, 0, fmt.Errorf("day %d does not exist in %04d-%02d", d, y, m)
	}
	return y, time.Month(m), d, nil
}

func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// parseTimeOfDay parses hh:mm[:ss[.f]] followed by an optional zone; off
// is the zone offset in seconds east of UTC, hasOff whether a zone was
// given.
func parseTimeOfDay[S ~string | ~[]byte](s S) (h, m, sec, ns, off int, hasOff bool, err error) {
	if len(s) < 5 || s[2] != ':' {
		return 0, 0, 0, 0, 0, false, errBadTimeOfDay
	}
	var ok1, ok2 bool
	h, ok1 = digits(s, 0, 2)
	m, ok2 = digits(s, 3, 2)
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, 0, 0, 0, 0, false, errBadTimeOfDay
	}
	rest := s[5:]
	if len(rest) >= 3 && rest[0] == ':' {
		v, ok := digits(rest, 1, 2)
		if !ok || v > 60 {
			return 0, 0, 0, 0, 0, false, errBadTimeOfDay
		}
		sec, rest = v, rest[3:]
		if len(rest) > 0 && rest[0] == '.' {
			j := 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			if j == 1 || j-1 > 9 {
				return 0, 0, 0, 0, 0, false, errBadFraction
			}
			for k := 1; k < 10; k++ {
				ns *= 10
				if k < j {
					ns += int(rest[k] - '0')
				}
			}
			rest = rest[j:]
		}
	}
	if len(rest) == 0 {
		return h, m, sec, ns, 0, false, nil
	}
	o, err := parseOffset(rest)
	if err != nil {
		return 0, 0, 0, 0, 0, false, err
	}
	return h, m, sec, ns, o, true, nil
}

// parseOffset parses Z, ±hh, ±hh:mm or ±hh:mm:ss into seconds east of UTC.
func parseOffset[S ~string | ~[]byte](s S) (int, error) {
	if len(s) == 1 && (s[0] == 'Z' || s[0] == 'z') {
		return 0, nil
	}
	if (len(s) != 3 && len(s) != 6 && len(s) != 9) || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("zone %q: %w", string(s), errBadZoneFormat)
	}
	limits := [3]int{23, 59, 59}
	mult := [3]int{3600, 60, 1}
	total := 0
	for i, p := 0, 1; p < len(s); i, p = i+1, p+3 {
		if p > 1 && s[p-1] != ':' {
			return 0, fmt.Errorf("zone %q: %w", string(s), errBadZoneFormat)
		}
		v, ok := digits(s, p, 2)
		if !ok || v > limits[i] {
			return 0, fmt.Errorf("zone %q: %w", string(s), errBadZoneFormat)
		}
		total += v * mult[i]
	}
	if s[0] == '-' {
		total = -total
	}
	return total, nil
}

func formatOffset(off int) string {
	if off == 0 {
		return "Z"
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	s := fmt.Sprintf("%c%02d:%02d", sign, off/3600, off/60%60)
	if off%60 != 0 {
		s += fmt.Sprintf(":%02d", off%60)
	}
	return s
}

// Nullable is an optional input field that tells three states apart, as
// Amplify's update inputs need: unset (the field is left out, so the
// stored value stays as it is), null (the stored value is removed), and a
// value. Generated Update<Model>Input types use it with the omitzero tag.
type Nullable[T any] struct {
	value T
	state uint8 // 0 unset, 1 null, 2 value
}

// Set returns a Nullable holding v.
func Set[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: 2} }

// Null returns a Nullable that sends null, clearing the field.
func Null[T any]() Nullable[T] { return Nullable[T]{state: 1} }

// IsZero reports whether n is unset; encoding/json's omitzero leaves such
// fields out.
func (n Nullable[T]) IsZero() bool { return n.state == 0 }

// IsNull reports whether n sends null.
func (n Nullable[T]) IsNull() bool { return n.state == 1 }

// Get returns the value and whether there is one.
func (n Nullable[T]) Get() (T, bool) { return n.value, n.state == 2 }

// MarshalJSON encodes null or the value. Unset fields must be left out with
// omitzero; on their own they encode as null.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.state != 2 {
		return []byte("null"), nil
	}
	return json.Marshal(n.value)
}

// UnmarshalJSON decodes null or a value.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*n = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Set(v)
	return nil
}

// MapNullable converts the value of n, keeping its state.
func MapNullable[T, U any](n Nullable[T], f func(T) U) Nullable[U] {
	switch n.state {
	case 2:
		return Set(f(n.value))
	case 1:
		return Null[U]()
	}
	return Nullable[U]{}
}

// Ptr returns a pointer to v, for optional input fields.
func Ptr[T any](v T) *T { return &v }
