package client_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
)

func TestParseAWSDateTime(t *testing.T) {
	ok := []struct {
		in   string
		want time.Time
	}{
		{"2024-02-29T13:14:15Z", time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC)},
		{"2024-02-29T13:14:15.1Z", time.Date(2024, 2, 29, 13, 14, 15, 100_000_000, time.UTC)},
		{"2024-02-29T13:14:15.123456789Z", time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.UTC)},
		{"2024-02-29T13:14Z", time.Date(2024, 2, 29, 13, 14, 0, 0, time.UTC)},
		{"2024-02-29T13:14:15+05:30", time.Date(2024, 2, 29, 13, 14, 15, 0, time.FixedZone("", 5*3600+1800))},
		{"2024-02-29T13:14:15-08", time.Date(2024, 2, 29, 13, 14, 15, 0, time.FixedZone("", -8*3600))},
		{"2024-02-29T13:14:15+05:30:15", time.Date(2024, 2, 29, 13, 14, 15, 0, time.FixedZone("", 5*3600+1800+15))},
		{"2024-02-29T13:14:15.5-00:00", time.Date(2024, 2, 29, 13, 14, 15, 500_000_000, time.UTC)},
	}
	for _, tc := range ok {
		got, err := client.ParseAWSDateTime(tc.in)
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(got), "%s: got %v want %v", tc.in, got, tc.want)
		_, wantOff := tc.want.Zone()
		_, gotOff := got.Zone()
		assert.Equal(t, wantOff, gotOff, tc.in)
		// What we send back parses to the same instant.
		b, err := client.MarshalAWSDateTime(&got)
		require.NoError(t, err)
		var back time.Time
		require.NoError(t, client.UnmarshalAWSDateTime(b, &back))
		assert.True(t, got.Equal(back))
	}
	for _, bad := range []string{"", "2024-02-29", "2024-02-29T13:14:15", "2024-02-30T00:00:00Z", "2024-02-29T25:00:00Z",
		"2024-02-29T13:14:15.Z", "2024-02-29T13:14:15.1234567890Z", "2024-02-29T13:14:15+5:30", "2024-02-29T13:14:15+05:30:15:01", "24-02-29T13:14:15Z"} {
		_, err := client.ParseAWSDateTime(bad)
		assert.Error(t, err, "%q must be rejected", bad)
	}
}

func TestAWSDateAndTime(t *testing.T) {
	for _, s := range []string{"2024-01-31", "2024-01-31Z", "2024-01-31+05:30", "2024-01-31-08:00:30"} {
		d, err := client.ParseAWSDate(s)
		require.NoError(t, err, s)
		b, err := json.Marshal(d)
		require.NoError(t, err)
		var back client.Date
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, d, back, s)
	}
	d, err := client.ParseAWSDate("2024-01-31+05:30")
	require.NoError(t, err)
	assert.Equal(t, "2024-01-31+05:30", d.String())
	assert.Equal(t, 31, d.Time().Day())
	_, err = client.ParseAWSDate("2023-02-29")
	assert.Error(t, err)

	for s, want := range map[string]string{"13:14": "13:14:00", "13:14:15.120": "13:14:15.12", "13:14:15Z": "13:14:15Z", "13:14:15.5-07:00": "13:14:15.5-07:00"} {
		tm, err := client.ParseAWSTime(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, tm.String())
		b, err := json.Marshal(tm)
		require.NoError(t, err)
		var back client.Time
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tm, back)
	}
	_, err = client.ParseAWSTime("24:00")
	assert.Error(t, err)
}

func TestNullableEncodesThreeStates(t *testing.T) {
	type input struct {
		A client.Nullable[string] `json:"a,omitzero"`
		B client.Nullable[int]    `json:"b,omitzero"`
		C client.Nullable[bool]   `json:"c,omitzero"`
	}
	b, err := json.Marshal(input{A: client.Set("x"), B: client.Null[int]()})
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":"x","b":null}`, string(b))
	var back input
	require.NoError(t, json.Unmarshal(b, &back))
	v, ok := back.A.Get()
	assert.True(t, ok)
	assert.Equal(t, "x", v)
	assert.True(t, back.B.IsNull())
	assert.True(t, back.C.IsZero())
}
