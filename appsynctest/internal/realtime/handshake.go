package realtime

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/value"
)

// Handshake is what a client's WebSocket upgrade request carries for the
// realtime endpoint.
type Handshake struct {
	// Headers are the authorization headers of the connection: the
	// header query parameter, or the header-<base64url> subprotocol that
	// current amplify-js also offers.
	Headers map[string]any
	// Payload is the payload query parameter decoded, {} when it is
	// missing or not base64 (what clients send, e30=).
	Payload []byte
}

// ErrNoHeader is an upgrade request without authorization headers.
var ErrNoHeader = errors.New("no header query parameter")

// ReadHandshake reads the handshake of an upgrade request: ErrNoHeader
// when it has no authorization headers, an error saying what is wrong
// when they are not base64 of a JSON object.
func ReadHandshake(r *http.Request) (*Handshake, error) {
	raw := rawQueryParam(r, "header")
	if raw == "" {
		raw = headerSubprotocol(r)
	}
	if raw == "" {
		return nil, ErrNoHeader
	}
	headers, err := decodeAuthHeader(raw)
	if err != nil {
		return nil, err
	}
	h := &Handshake{Headers: headers, Payload: []byte("{}")}
	if p := rawQueryParam(r, "payload"); p != "" {
		if b, err := decodeBase64(p); err == nil {
			h.Payload = b
		}
	}
	return h, nil
}

// IsUpgrade reports whether r asks for a WebSocket.
func IsUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// OffersOtherSubprotocols reports whether the client offered a
// subprotocol other than header-<...>: AppSync then answers one without
// graphql-ws with SubProtocolNotSupportedError, not NoProtocolError.
func OffersOtherSubprotocols(r *http.Request) bool {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" && !strings.HasPrefix(p, "header-") {
				return true
			}
		}
	}
	return false
}

// rawQueryParam returns a query parameter without turning '+' into a
// space: clients put standard base64 in the query string unescaped
// (amplify-js does).
func rawQueryParam(r *http.Request, name string) string {
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k != name {
			continue
		}
		if u, err := url.PathUnescape(v); err == nil {
			return u
		}
		return v
	}
	return ""
}

// headerSubprotocol returns the base64url part of a header-<base64url>
// subprotocol the client offers.
func headerSubprotocol(r *http.Request) string {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(p), "header-"); ok {
				return rest
			}
		}
	}
	return ""
}

// decodeBase64 decodes standard or URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		var b []byte
		if b, err = enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, err
}

// decodeAuthHeader decodes the header parameter: base64 of a JSON object.
func decodeAuthHeader(s string) (map[string]any, error) {
	b, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %v", err)
	}
	v, err := value.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}
