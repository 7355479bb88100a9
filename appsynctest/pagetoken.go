package appsynctest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/go-amplify/data/appsynctest/internal/value"
)

// pageToken is the nextToken of a list: the last evaluated key, signed by
// the server and bound to the table and index, as AppSync's tokens are
// opaque and tamper-proof.
type pageToken struct {
	Scope string         `json:"s"`
	Key   map[string]any `json:"k"`
}

func (s *Server) encodeToken(scope string, key map[string]any) string {
	payload, _ := json.Marshal(pageToken{Scope: scope, Key: key})
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(payload)
	inner := base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	outer, _ := json.Marshal(map[string]any{"version": 3, "token": inner})
	return base64.StdEncoding.EncodeToString(outer)
}

// errBadToken is the error AppSync gives for a nextToken it did not issue.
var errInvalidToken = &ResolverError{ErrorType: "DynamoDB:UserIllegalArgumentException",
	Message: "com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given."}

func (s *Server) decodeToken(scope, token string) (map[string]any, error) {
	outer, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return nil, errInvalidToken
	}
	var t struct {
		Version int    `json:"version"`
		Token   string `json:"token"`
	}
	if json.Unmarshal(outer, &t) != nil {
		return nil, errInvalidToken
	}
	payloadB64, macB64, ok := strings.Cut(t.Token, ".")
	if !ok {
		return nil, errInvalidToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(payloadB64)
	sum, err2 := base64.RawURLEncoding.DecodeString(macB64)
	if err1 != nil || err2 != nil {
		return nil, errInvalidToken
	}
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(payload)
	if !hmac.Equal(sum, mac.Sum(nil)) {
		return nil, errInvalidToken
	}
	v, err := value.Decode(payload)
	if err != nil {
		return nil, errInvalidToken
	}
	m, _ := v.(map[string]any)
	if m == nil || m["s"] != scope {
		return nil, errInvalidToken
	}
	key, _ := m["k"].(map[string]any)
	if key == nil {
		return nil, errInvalidToken
	}
	return key, nil
}

// tokenScope binds tokens to a table or index.
func tokenScope(m *model, ix *index) string {
	if ix == nil || ix == m.key {
		return m.name
	}
	return m.name + "/" + ix.name
}
