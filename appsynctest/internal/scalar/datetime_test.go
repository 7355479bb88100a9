package scalar

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDate(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1970-01-01", true},
		{"1970-01-01Z", true},
		{"1970-01-01-07:00", true},
		{"1970-01-01+05:30", true},
		{"1970-01-01+05:30:15", true},
		{"2024-02-29", true},
		{"2000-02-29", true},
		{"-2017-01-01", true},
		{"0000-02-29", true},
		{"1970-01-01+18:00", true},

		{"", false},
		{"1970-1-01", false},
		{"70-01-01", false},
		{"19700101", false},
		{"1970-13-01", false},
		{"1970-00-01", false},
		{"1970-01-00", false},
		{"1970-01-32", false},
		{"1970-04-31", false},
		{"2023-02-29", false},
		{"1900-02-29", false},
		{"1970-01-01+0530", false},
		{"1970-01-01+05", false},
		{"1970-01-01+18:01", false},
		{"1970-01-01+05:60", false},
		{"1970-01-01z", false},
		{"1970-01-01 ", false},
		{"1970-01-01T00:00Z", false},
		{"+1970-01-01", false},
		{"197a-01-01", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsDate(tt.in), "IsDate(%q)", tt.in)
	}
}

func TestTime(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"12:00", true},
		{"12:00:00", true},
		{"12:00:00.000", true},
		{"12:30:24.5", true},
		{"12:30:24.123456789", true},
		{"12:30:24-07:00", true},
		{"12:30:24.500+05:30", true},
		{"12:30Z", true},
		{"00:00:00", true},
		{"23:59:59", true},

		{"", false},
		{"12", false},
		{"12:0", false},
		{"1:00", false},
		{"24:00", false},
		{"12:60", false},
		{"12:00:60", false},
		{"12:00:0", false},
		{"12:00.5", false},
		{"12:00:00.", false},
		{"12:00:00.1234567890", false},
		{"12:00:00+0700", false},
		{"12:00:00 Z", false},
		{"1970-01-01T12:00Z", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsTime(tt.in), "IsTime(%q)", tt.in)
	}
}

func TestDateTime(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1970-01-01T12:00:00.000Z", true},
		{"1970-01-01T12:00Z", true},
		{"1970-01-01T12:00:00.2Z", true},
		{"1970-01-01T12:00:00.277Z", true},
		{"1970-01-01T12:00:00.123456789Z", true},
		{"1970-01-01T12:00:00-07:00", true},
		{"1970-01-01T12:00:00+05:30:15", true},
		{"-2017-01-01T00:00Z", true},
		{"-9999-01-01T00:00Z", true},
		{"2024-02-29T23:59:59Z", true},

		{"1970-01-01T12:00:00", false},
		{"1970-01-01T12:00:00.000", false},
		{"1970-01-01 12:00:00Z", false},
		{"1970-01-01t12:00:00Z", false},
		{"1970-01-01T12:00:00+0530", false},
		{"1970-01-01T24:00:00Z", false},
		{"2023-02-29T00:00:00Z", false},
		{"1970-01-01Z", false},
		{"1970-01-01", false},
		{"12:00:00Z", false},
		{"1970-01-01T12:00:00.Z", false},
		{"1970-01-01T12:00:00ZZ", false},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsDateTime(tt.in), "IsDateTime(%q)", tt.in)
	}
}
