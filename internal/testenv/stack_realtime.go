package testenv

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/coder/websocket"
)

// serveRealtime is the front of the realtime WebSocket: AppSync checks the
// connection's auth headers (the header query parameter) and each start's
// extensions.authorization; the simulator checks neither signature nor
// token. The front verifies them as it verifies HTTP requests (SigV4 over
// POST <url>/connect with body {} for the connection and over POST <url>
// with the start's data for a start; tokens against cognito-local's JWKS),
// bridges token issuers, and relays the frames to and from the simulator.
func (s *Stack) serveRealtime(w http.ResponseWriter, r *http.Request) {
	headers, err := decodeHeaderParam(r.URL.Query().Get("header"))
	if err != nil {
		appSyncError(w, http.StatusBadRequest, "BadRequestException", err.Error())
		return
	}
	if status, typ, msg := s.checkAuth(headers, r.URL.Path+"/connect", []byte("{}")); status != 0 {
		appSyncError(w, status, typ, msg)
		return
	}
	q := url.Values{}
	b, _ := json.Marshal(headers)
	q.Set("header", base64.StdEncoding.EncodeToString(b))
	q.Set("payload", r.URL.Query().Get("payload"))
	target := "ws" + strings.TrimPrefix(s.Simulator.URL, "http") + "?" + q.Encode()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	upstream, _, err := websocket.Dial(ctx, target, &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		appSyncError(w, http.StatusBadGateway, "BadGatewayException", "the simulator's realtime endpoint: "+err.Error())
		return
	}
	defer upstream.CloseNow()
	down, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		return
	}
	defer down.CloseNow()
	upstream.SetReadLimit(-1)
	down.SetReadLimit(-1)

	errc := make(chan error, 2)
	go func() { // simulator → client, as is
		for {
			typ, msg, err := upstream.Read(ctx)
			if err == nil {
				err = down.Write(ctx, typ, msg)
			}
			if err != nil {
				errc <- err
				return
			}
		}
	}()
	go func() { // client → simulator, starts checked and bridged
		for {
			typ, msg, err := down.Read(ctx)
			if err != nil {
				errc <- err
				return
			}
			out, reject := s.relayStart(r.URL.Path, msg)
			if reject != nil {
				err = down.Write(ctx, websocket.MessageText, reject)
			} else {
				err = upstream.Write(ctx, typ, out)
			}
			if err != nil {
				errc <- err
				return
			}
		}
	}()
	err = <-errc
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		_ = down.Close(ce.Code, ce.Reason)
		_ = upstream.Close(ce.Code, ce.Reason)
	}
}

// relayStart checks and bridges the authorization of a start frame; other
// frames pass unchanged. A refused start is answered, not forwarded.
func (s *Stack) relayStart(path string, msg []byte) (out, reject []byte) {
	var frame struct {
		Type    string `json:"type"`
		ID      string `json:"id"`
		Payload struct {
			Data       string `json:"data"`
			Extensions struct {
				Authorization map[string]string `json:"authorization"`
			} `json:"extensions"`
		} `json:"payload"`
	}
	if json.Unmarshal(msg, &frame) != nil || frame.Type != "start" {
		return msg, nil
	}
	auth := frame.Payload.Extensions.Authorization
	if status, typ, m := s.checkAuth(auth, path, []byte(frame.Payload.Data)); status != 0 {
		b, _ := json.Marshal(map[string]any{"type": "error", "id": frame.ID,
			"payload": map[string]any{"errors": []map[string]string{{"errorType": typ, "message": m}}}})
		return nil, b
	}
	var generic map[string]any
	if json.Unmarshal(msg, &generic) != nil {
		return msg, nil
	}
	generic["payload"].(map[string]any)["extensions"] = map[string]any{"authorization": auth}
	b, err := json.Marshal(generic)
	if err != nil {
		return msg, nil
	}
	return b, nil
}

// checkAuth verifies a realtime auth header map for a POST of body to
// path, as authorize does an HTTP request, bridging a token's issuer in the
// map. It returns a non-zero status, AppSync's error type and message when
// it refuses; a map without authorization is refused.
func (s *Stack) checkAuth(h map[string]string, path string, body []byte) (int, string, string) {
	req, err := http.NewRequest(http.MethodPost, "http://placeholder"+path, strings.NewReader(string(body)))
	if err != nil {
		return http.StatusBadRequest, "BadRequestException", err.Error()
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	req.Host = req.Header.Get("Host")
	if req.Header.Get("X-Api-Key") == "" && req.Header.Get("Authorization") == "" {
		return http.StatusUnauthorized, "UnauthorizedException", "Missing authorization"
	}
	if status, typ, msg := s.authorize(req, body); status != 0 {
		return status, typ, msg
	}
	for k := range h {
		if strings.EqualFold(k, "Authorization") {
			h[k] = req.Header.Get("Authorization")
		}
	}
	return 0, "", ""
}

func decodeHeaderParam(v string) (map[string]string, error) {
	if v == "" {
		return nil, errors.New("the header query parameter is missing")
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		if b, err = base64.URLEncoding.DecodeString(v); err != nil {
			return nil, fmt.Errorf("the header query parameter is not base64: %v", err)
		}
	}
	h := map[string]string{}
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("the header query parameter is not a JSON object: %v", err)
	}
	return h, nil
}
