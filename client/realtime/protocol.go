package realtime

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/go-amplify/data/client"
)

// The message types of AppSync's realtime protocol (subprotocol graphql-ws).
const (
	typeConnectionInit  = "connection_init"
	typeConnectionAck   = "connection_ack"
	typeConnectionError = "connection_error"
	typeKeepAlive       = "ka"
	typeStart           = "start"
	typeStartAck        = "start_ack"
	typeData            = "data"
	typeError           = "error"
	typeStop            = "stop"
	typeComplete        = "complete"
)

// Subprotocol is the WebSocket subprotocol of AppSync's realtime endpoint.
const Subprotocol = "graphql-ws"

// connectPayload is the body an IAM connect header signs and the payload
// query parameter carries: {} ("e30=" in base64).
const connectPayload = "{}"

// message is one frame of the protocol, either way.
type message struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// startPayload is the payload of a start message.
type startPayload struct {
	// Data is the JSON string of {"query", "variables"}; an IAM start
	// signs exactly these bytes.
	Data       string          `json:"data"`
	Extensions startExtensions `json:"extensions"`
}

type startExtensions struct {
	Authorization map[string]string `json:"authorization"`
}

// ackPayload is connection_ack's payload. AppSync says connectionTimeoutMs;
// amplify-appsync-simulator 2.4 says connectionTimeout (also in ms).
type ackPayload struct {
	ConnectionTimeoutMs *int64 `json:"connectionTimeoutMs"`
	ConnectionTimeout   *int64 `json:"connectionTimeout"`
}

// wireError is one entry of an errors list, with AppSync's errorCode (sent
// in connection_error).
type wireError struct {
	client.GraphQLError
	ErrorCode int `json:"errorCode,omitempty"`
}

// errorPayload is the payload of error and connection_error messages:
// {"errors": [...]}, or a bare {"message": ...} from some servers.
type errorPayload struct {
	Errors  []wireError `json:"errors"`
	Message string      `json:"message"`
}

// parseErrors reads an error payload into GraphQL errors and error codes.
func parseErrors(payload json.RawMessage) (client.GraphQLErrors, []int) {
	var p errorPayload
	if len(payload) == 0 || json.Unmarshal(payload, &p) != nil {
		msg := strings.TrimSpace(string(payload))
		if msg == "" {
			msg = "(no payload)"
		}
		if len(msg) > 512 {
			msg = msg[:512] + "…"
		}
		return client.GraphQLErrors{{Message: "unreadable error payload: " + msg}}, nil
	}
	var out client.GraphQLErrors
	var codes []int
	for i := range p.Errors {
		e := p.Errors[i].GraphQLError
		out = append(out, &e)
		if p.Errors[i].ErrorCode != 0 {
			codes = append(codes, p.Errors[i].ErrorCode)
		}
	}
	if len(out) == 0 {
		msg := p.Message
		if msg == "" {
			msg = "error without message"
		}
		out = client.GraphQLErrors{{Message: msg}}
	}
	return out, codes
}

// dataPayload is the payload of a data message.
type dataPayload struct {
	Data   json.RawMessage      `json:"data"`
	Errors client.GraphQLErrors `json:"errors"`
}

// newID returns a random UUID (version 4), the form AppSync clients use for
// subscription ids.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("realtime: crypto/rand: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
