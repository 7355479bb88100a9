package scalar

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestText(t *testing.T) {
	tests := []struct {
		scalar string
		in     string
		want   bool
	}{
		{"AWSEmail", "example@example.com", true},
		{"AWSEmail", "first.last+tag@sub.example.org", true},
		{"AWSEmail", "example", false},
		{"AWSEmail", "Alice <alice@example.com>", false},
		{"AWSEmail", "<alice@example.com>", false},
		{"AWSEmail", "", false},

		{"AWSURL", "https://www.amazon.com/dp/B000NZW3KC/", true},
		{"AWSURL", "mailto:example@example.com", true},
		{"AWSURL", "http://localhost:8080/a?b=c#d", true},
		{"AWSURL", "www.amazon.com", false},
		{"AWSURL", "/relative/path", false},
		{"AWSURL", "https://example.com/a//b", false},
		{"AWSURL", "", false},

		{"AWSPhone", "+1 555 123 4567", true},
		{"AWSPhone", "555-123-4567", true},
		{"AWSPhone", "+44 20 7946 0958", true},
		{"AWSPhone", "5551234567", true},
		{"AWSPhone", "555--1234", false},
		{"AWSPhone", "555-1234-", false},
		{"AWSPhone", "+", false},
		{"AWSPhone", "(555) 123-4567", false},
		{"AWSPhone", "phone", false},
		{"AWSPhone", "", false},

		{"AWSIPAddress", "127.0.0.1", true},
		{"AWSIPAddress", "123.12.34.56/32", true},
		{"AWSIPAddress", "10.0.0.0/8", true},
		{"AWSIPAddress", "::1", true},
		{"AWSIPAddress", "1a2b:3c4b::/64", true},
		{"AWSIPAddress", "256.0.0.1", false},
		{"AWSIPAddress", "10.0.0.0/33", false},
		{"AWSIPAddress", "localhost", false},
		{"AWSIPAddress", "", false},

		{"AWSJSON", `{"a":[1,2,{"b":null}]}`, true},
		{"AWSJSON", `"text"`, true},
		{"AWSJSON", `3`, true},
		{"AWSJSON", `{"a":}`, false},
		{"AWSJSON", `{a:1}`, false},
		{"AWSJSON", ``, false},

		{"AWSDate", "1970-01-01", true},
		{"AWSTime", "12:00", true},
		{"AWSDateTime", "1970-01-01T12:00Z", true},
		{"AWSDateTime", "1970-01-01T12:00", false},
	}
	for _, tt := range tests {
		valid, known := Valid(tt.scalar, tt.in)
		assert.True(t, known, tt.scalar)
		assert.Equal(t, tt.want, valid, "%s %q", tt.scalar, tt.in)
	}
}

func TestValidUnknown(t *testing.T) {
	for _, name := range []string{"String", "ID", "AWSTimestamp", "Int", "MyScalar"} {
		_, known := Valid(name, "anything")
		assert.False(t, known, name)
	}
}
