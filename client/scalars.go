package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
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
func ParseAWSDateTime(s string) (time.Time, error) {
	i := strings.IndexByte(s, 'T')
	if i < 0 {
		return time.Time{}, fmt.Errorf("AWSDateTime %q: want YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)", s)
	}
	y, mo, d, err := parseDate(s[:i])
	if err != nil {
		return time.Time{}, fmt.Errorf("AWSDateTime %q: %w", s, err)
	}
	h, mi, sec, ns, off, err := parseTimeOfDay(s[i+1:], true)
	if err != nil {
		return time.Time{}, fmt.Errorf("AWSDateTime %q: %w", s, err)
	}
	loc := time.UTC
	if *off != 0 {
		loc = time.FixedZone("", *off)
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
	return unmarshalString(b, "AWSDateTime", ParseAWSDateTime, t)
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
func ParseAWSDate(s string) (Date, error) {
	datePart, zone := s, ""
	if len(s) > 10 {
		datePart, zone = s[:10], s[10:]
	}
	y, m, d, err := parseDate(datePart)
	if err != nil {
		return Date{}, fmt.Errorf("AWSDate %q: %w", s, err)
	}
	out := Date{Year: y, Month: m, Day: d}
	if zone != "" {
		off, err := parseOffset(zone)
		if err != nil {
			return Date{}, fmt.Errorf("AWSDate %q: %w", s, err)
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
func (d *Date) UnmarshalJSON(b []byte) error { return unmarshalString(b, "AWSDate", ParseAWSDate, d) }

// Time is an AWSTime: a time of day, hh:mm[:ss[.fraction]], with the zone
// offset it was written with, if any.
type Time struct {
	Hour, Minute, Second, Nanosecond int
	// Offset is the zone offset in seconds east of UTC, if one was given.
	Offset *int
}

// ParseAWSTime parses an AWSTime.
func ParseAWSTime(s string) (Time, error) {
	h, m, sec, ns, off, err := parseTimeOfDay(s, false)
	if err != nil {
		return Time{}, fmt.Errorf("AWSTime %q: %w", s, err)
	}
	return Time{Hour: h, Minute: m, Second: sec, Nanosecond: ns, Offset: off}, nil
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
func (t *Time) UnmarshalJSON(b []byte) error { return unmarshalString(b, "AWSTime", ParseAWSTime, t) }

func parseDate(s string) (int, time.Month, int, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, fmt.Errorf("want a date YYYY-MM-DD")
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:10])
	if err1 != nil || err2 != nil || err3 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, fmt.Errorf("want a date YYYY-MM-DD")
	}
	if t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); t.Day() != d {
		return 0, 0, 0, fmt.Errorf("day %d does not exist in %04d-%02d", d, y, m)
	}
	return y, time.Month(m), d, nil
}

// parseTimeOfDay parses hh:mm[:ss[.f]] followed by a zone, which is
// required when zoneRequired is set. off is the zone offset in seconds east
// of UTC, nil when no zone was given.
func parseTimeOfDay(s string, zoneRequired bool) (h, m, sec, ns int, off *int, err error) {
	bad := fmt.Errorf("want hh:mm[:ss[.fraction]] then Z or ±hh:mm")
	if len(s) < 5 || s[2] != ':' {
		return 0, 0, 0, 0, nil, bad
	}
	var e1, e2 error
	h, e1 = strconv.Atoi(s[:2])
	m, e2 = strconv.Atoi(s[3:5])
	if e1 != nil || e2 != nil || h > 23 || m > 59 || s[0] == '+' || s[0] == '-' || s[3] == '+' || s[3] == '-' {
		return 0, 0, 0, 0, nil, bad
	}
	rest := s[5:]
	if len(rest) >= 3 && rest[0] == ':' {
		v, err := strconv.Atoi(rest[1:3])
		if err != nil || v > 60 || rest[1] == '+' || rest[1] == '-' {
			return 0, 0, 0, 0, nil, bad
		}
		sec, rest = v, rest[3:]
		if len(rest) > 0 && rest[0] == '.' {
			j := 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			digits := rest[1:j]
			if len(digits) == 0 || len(digits) > 9 {
				return 0, 0, 0, 0, nil, fmt.Errorf("fraction of a second needs 1 to 9 digits")
			}
			ns, _ = strconv.Atoi(digits + strings.Repeat("0", 9-len(digits)))
			rest = rest[j:]
		}
	}
	if rest == "" {
		if zoneRequired {
			return 0, 0, 0, 0, nil, fmt.Errorf("missing zone: end with Z or ±hh:mm")
		}
		return h, m, sec, ns, nil, nil
	}
	o, err := parseOffset(rest)
	if err != nil {
		return 0, 0, 0, 0, nil, err
	}
	return h, m, sec, ns, &o, nil
}

// parseOffset parses Z, ±hh, ±hh:mm or ±hh:mm:ss into seconds east of UTC.
func parseOffset(s string) (int, error) {
	if s == "Z" || s == "z" {
		return 0, nil
	}
	bad := fmt.Errorf("zone %q: want Z, ±hh, ±hh:mm or ±hh:mm:ss", s)
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, bad
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	parts := strings.Split(s[1:], ":")
	if len(parts) > 3 {
		return 0, bad
	}
	limits := []int{23, 59, 59}
	mult := []int{3600, 60, 1}
	total := 0
	for i, p := range parts {
		if len(p) != 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' {
			return 0, bad
		}
		v, _ := strconv.Atoi(p)
		if v > limits[i] {
			return 0, bad
		}
		total += v * mult[i]
	}
	return sign * total, nil
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
