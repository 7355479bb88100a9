package realtime

import (
	"encoding/base64"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadHandshake(t *testing.T) {
	auth := `{"host":"example.com","x-api-key":"da2-key"}`
	std := base64.StdEncoding.EncodeToString([]byte(auth))
	url := base64.RawURLEncoding.EncodeToString([]byte(auth))
	wantHeaders := map[string]any{"host": "example.com", "x-api-key": "da2-key"}
	tests := []struct {
		name        string
		query       string
		subprotocol string
		wantPayload string
		wantErr     string
	}{
		{name: "query parameter", query: "header=" + std + "&payload=e30=", wantPayload: "{}"},
		{name: "unescaped plus and slash", query: "header=" + std, wantPayload: "{}"},
		{name: "url-safe unpadded", query: "header=" + url, wantPayload: "{}"},
		{name: "header subprotocol", subprotocol: "graphql-ws, header-" + url, wantPayload: "{}"},
		{name: "payload", query: "header=" + std + "&payload=" + base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)), wantPayload: `{"a":1}`},
		{name: "payload not base64 is {}", query: "header=" + std + "&payload=%%%", wantPayload: "{}"},
		{name: "no header", query: "payload=e30=", wantErr: ErrNoHeader.Error()},
		{name: "not base64", query: "header=***", wantErr: "not base64"},
		{name: "not JSON", query: "header=" + base64.StdEncoding.EncodeToString([]byte("{x")), wantErr: "not JSON"},
		{name: "not an object", query: "header=" + base64.StdEncoding.EncodeToString([]byte("[1]")), wantErr: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/graphql?"+tt.query, nil)
			if tt.subprotocol != "" {
				r.Header.Set("Sec-WebSocket-Protocol", tt.subprotocol)
			}
			h, err := ReadHandshake(r)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, wantHeaders, h.Headers)
			assert.Equal(t, tt.wantPayload, string(h.Payload))
		})
	}
}

func TestOffersOtherSubprotocols(t *testing.T) {
	tests := []struct {
		offered string
		want    bool
	}{
		{"", false},
		{"header-abc", false},
		{"graphql-ws", true},
		{"graphql-transport-ws, header-abc", true},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/graphql", nil)
		if tt.offered != "" {
			r.Header.Set("Sec-WebSocket-Protocol", tt.offered)
		}
		assert.Equal(t, tt.want, OffersOtherSubprotocols(r), tt.offered)
	}
}

func TestIsUpgrade(t *testing.T) {
	r := httptest.NewRequest("GET", "/graphql", nil)
	assert.False(t, IsUpgrade(r))
	r.Header.Set("Upgrade", "WebSocket")
	assert.True(t, IsUpgrade(r))
}
