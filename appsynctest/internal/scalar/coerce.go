package scalar

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/value"
)

// Values are JSON values as encoding/json decodes them with UseNumber
// (package value): nil, bool, string, json.Number, []any and
// map[string]any.

// Input checks and converts an input value (from variables or a literal)
// of the named scalar type, as AppSync coerces it. why is empty for a
// valid input, else graphql-java's words for what was wrong.
func Input(name string, v any) (out any, why string) {
	switch name {
	case "String":
		if s, ok := v.(string); ok {
			return s, ""
		}
	case "ID":
		switch v := v.(type) {
		case string:
			return v, ""
		case json.Number:
			if _, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
				return v.String(), ""
			}
		}
	case "Int":
		if n, ok := v.(json.Number); ok {
			i, err := strconv.ParseInt(n.String(), 10, 64)
			if err == nil && i >= math.MinInt32 && i <= math.MaxInt32 {
				return json.Number(strconv.FormatInt(i, 10)), ""
			}
		}
	case "Float":
		if n, ok := v.(json.Number); ok {
			if _, err := n.Float64(); err == nil {
				return n, ""
			}
		}
	case "Boolean":
		if b, ok := v.(bool); ok {
			return b, ""
		}
	case "AWSTimestamp":
		if n, ok := v.(json.Number); ok {
			if i, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
				return json.Number(strconv.FormatInt(i, 10)), ""
			}
		}
	case "AWSJSON":
		// AppSync parses an AWSJSON input (a string holding JSON) and hands
		// resolvers the parsed value.
		if s, ok := v.(string); ok {
			parsed, err := value.Decode([]byte(s))
			if err == nil {
				return parsed, ""
			}
			return nil, "Unable to parse " + quoteValue(s) + " as valid JSON."
		}
		return nil, "Unable to parse the value as valid JSON: an AWSJSON value is a string holding JSON."
	default:
		s, ok := v.(string)
		if !ok {
			break
		}
		// The AppSync scalars that travel as strings are checked with
		// appsynctest's own reading of their formats, not the client's.
		if valid, known := Valid(name, s); known && !valid {
			return nil, fmt.Sprintf("Unable to parse %s as a valid %s.", quoteValue(s), name)
		}
		return s, ""
	}
	return nil, fmt.Sprintf("Expected type '%s' but was '%s'.", name, JavaTypeName(v))
}

// quoteValue quotes a value in error messages, shortened.
func quoteValue(s string) string {
	if len(s) > 64 {
		s = s[:61] + "..."
	}
	return "'" + s + "'"
}

// JavaTypeName names the JSON type of v the way graphql-java's coercion
// messages do.
func JavaTypeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "String"
	case bool:
		return "Boolean"
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "Double"
		}
		return "Integer"
	case []any:
		return "ArrayList"
	case map[string]any:
		return "LinkedHashMap"
	}
	return fmt.Sprintf("%T", v)
}

// Output serializes a resolved value as the named scalar type, as
// AppSync does on the way out. A value that cannot be serialized is an
// error: graphql-java's "Can't serialize value".
func Output(name string, v any) (any, error) {
	switch name {
	case "String", "ID", "AWSDateTime", "AWSDate", "AWSTime", "AWSEmail", "AWSURL", "AWSPhone", "AWSIPAddress":
		switch v := v.(type) {
		case string:
			return v, nil
		case json.Number:
			return v.String(), nil
		case bool:
			return strconv.FormatBool(v), nil
		}
	case "Int", "AWSTimestamp":
		switch v := v.(type) {
		case json.Number:
			if i, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
				if name == "Int" && (i < math.MinInt32 || i > math.MaxInt32) {
					break
				}
				return json.Number(strconv.FormatInt(i, 10)), nil
			}
			if f, err := v.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				return json.Number(strconv.FormatInt(int64(f), 10)), nil
			}
		case string:
			if i, err := strconv.ParseInt(v, 10, 32); err == nil {
				return json.Number(strconv.FormatInt(i, 10)), nil
			}
		case bool:
			if v {
				return json.Number("1"), nil
			}
			return json.Number("0"), nil
		}
	case "Float":
		switch v := v.(type) {
		case json.Number:
			if f, err := v.Float64(); err == nil {
				return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
			}
		case string:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
			}
		}
	case "Boolean":
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			if b, err := strconv.ParseBool(v); err == nil {
				return b, nil
			}
		}
	case "AWSJSON":
		// AppSync sends AWSJSON as a string holding the JSON document; a
		// string the resolver returned is sent as it is.
		if s, ok := v.(string); ok {
			return s, nil
		}
		b, err := value.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	default:
		// A custom scalar: passed through.
		return v, nil
	}
	return nil, serializeError(fmt.Sprintf("Expected type '%s' but was '%s'.", name, JavaTypeName(v)))
}

// serializeError is a value that does not serialize as its type; its text
// is graphql-java's.
type serializeError string

func (e serializeError) Error() string { return string(e) }
