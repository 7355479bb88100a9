package value

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		in      string
		want    any
		wantErr bool
	}{
		{in: `{"a":[1,2.5,null,true,"x"]}`, want: map[string]any{"a": []any{json.Number("1"), json.Number("2.5"), nil, true, "x"}}},
		{in: ` 3 `, want: json.Number("3")},
		{in: `{"a":1} {"b":2}`, wantErr: true},
		{in: `{"a":1}x`, wantErr: true},
		{in: ``, wantErr: true},
	}
	for _, tt := range tests {
		got, err := Decode([]byte(tt.in))
		if tt.wantErr {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestNormalize(t *testing.T) {
	type item struct {
		ID   string `json:"id"`
		Size int    `json:"size"`
	}
	got, err := Normalize(item{ID: "a", Size: 3})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"id": "a", "size": json.Number("3")}, got)
	_, err = Normalize(func() {})
	assert.Error(t, err)
}

func TestCopyItem(t *testing.T) {
	orig := map[string]any{"tags": []any{"a"}, "meta": map[string]any{"n": json.Number("1")}}
	cp := CopyItem(orig)
	cp["tags"].([]any)[0] = "b"
	cp["meta"].(map[string]any)["n"] = json.Number("2")
	assert.Equal(t, "a", orig["tags"].([]any)[0])
	assert.Equal(t, json.Number("1"), orig["meta"].(map[string]any)["n"])
	assert.Nil(t, CopyItem(nil))
}
