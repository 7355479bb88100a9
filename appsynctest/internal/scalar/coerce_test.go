package scalar

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInput(t *testing.T) {
	tests := []struct {
		scalar string
		in     any
		want   any
		why    string
	}{
		{"String", "x", "x", ""},
		{"String", json.Number("1"), nil, "Expected type 'String' but was 'Integer'."},
		{"ID", json.Number("12"), "12", ""},
		{"ID", json.Number("1.5"), nil, "Expected type 'ID' but was 'Double'."},
		{"Int", json.Number("2147483647"), json.Number("2147483647"), ""},
		{"Int", json.Number("2147483648"), nil, "Expected type 'Int' but was 'Integer'."},
		{"Float", json.Number("1.5"), json.Number("1.5"), ""},
		{"Boolean", true, true, ""},
		{"Boolean", "true", nil, "Expected type 'Boolean' but was 'String'."},
		{"AWSTimestamp", json.Number("1700000000"), json.Number("1700000000"), ""},
		{"AWSJSON", `{"a":1}`, map[string]any{"a": json.Number("1")}, ""},
		{"AWSJSON", `{"a":`, nil, `Unable to parse '{"a":' as valid JSON.`},
		{"AWSJSON", map[string]any{}, nil, "Unable to parse the value as valid JSON: an AWSJSON value is a string holding JSON."},
		{"AWSDate", "1970-01-01", "1970-01-01", ""},
		{"AWSDate", "1970-01-01+0530", nil, "Unable to parse '1970-01-01+0530' as a valid AWSDate."},
		{"AWSDateTime", "1970-01-01T00:00", nil, "Unable to parse '1970-01-01T00:00' as a valid AWSDateTime."},
		{"AWSEmail", "a@b.c", "a@b.c", ""},
		{"AWSPhone", []any{}, nil, "Expected type 'AWSPhone' but was 'ArrayList'."},
		{"MyScalar", "anything", "anything", ""},
	}
	for _, tt := range tests {
		got, why := Input(tt.scalar, tt.in)
		assert.Equal(t, tt.why, why, "%s %v", tt.scalar, tt.in)
		assert.Equal(t, tt.want, got, "%s %v", tt.scalar, tt.in)
	}
}

func TestOutput(t *testing.T) {
	tests := []struct {
		scalar  string
		in      any
		want    any
		wantErr string
	}{
		{"String", json.Number("3"), "3", ""},
		{"String", true, "true", ""},
		{"Int", json.Number("3.0"), json.Number("3"), ""},
		{"Int", "12", json.Number("12"), ""},
		{"Int", json.Number("4294967296"), nil, "Expected type 'Int' but was 'Integer'."},
		{"AWSTimestamp", json.Number("4294967296"), json.Number("4294967296"), ""},
		{"Float", "1.50", json.Number("1.5"), ""},
		{"Boolean", "false", false, ""},
		{"AWSJSON", map[string]any{"a": []any{json.Number("1")}}, `{"a":[1]}`, ""},
		{"AWSJSON", `"as is"`, `"as is"`, ""},
		{"ID", map[string]any{}, nil, "Expected type 'ID' but was 'LinkedHashMap'."},
	}
	for _, tt := range tests {
		got, err := Output(tt.scalar, tt.in)
		if tt.wantErr != "" {
			require.Error(t, err, "%s %v", tt.scalar, tt.in)
			assert.Equal(t, tt.wantErr, err.Error())
			continue
		}
		require.NoError(t, err, "%s %v", tt.scalar, tt.in)
		assert.Equal(t, tt.want, got, "%s %v", tt.scalar, tt.in)
	}
}
