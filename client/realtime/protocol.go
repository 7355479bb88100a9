package realtime

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

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
	ConnectionTimeoutMs json.RawMessage `json:"connectionTimeoutMs"`
	ConnectionTimeout   json.RawMessage `json:"connectionTimeout"`
}

// The range of the keep-alive timeout a server may set (connection_ack's
// connectionTimeoutMs). AppSync sends 300000 (5 minutes) and a ka about
// every minute; the simulator 300000 and a ka every 4 minutes. Raising a
// smaller value only delays noticing a dead connection, while taking it as
// it is would declare every healthy connection dead before its first ka (1
// ms: a reconnect at every ack); 10 s is below any keep-alive interval a
// server uses. Above 15 minutes (3 times AppSync's), a connection that
// died without a close (a NAT's timeout, a sleeping laptop) would go
// unnoticed, its events missed without a gap, for longer than a service
// can afford; and a value in ms near the int64 maximum overflows a
// time.Duration.
const (
	minServerKeepAlive = 10 * time.Second
	maxServerKeepAlive = 15 * time.Minute
)

// keepAliveOf returns the keep-alive timeout a connection_ack sets, within
// [lo, hi], and false when it sets none (no positive number of ms).
func keepAliveOf(p ackPayload, lo, hi time.Duration) (time.Duration, bool) {
	for _, raw := range []json.RawMessage{p.ConnectionTimeoutMs, p.ConnectionTimeout} {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
			continue // absent, null, or not a number
		}
		// ParseFloat reads every JSON number; one out of range is ±Inf.
		ms, err := strconv.ParseFloat(string(raw), 64)
		if (err != nil && !math.IsInf(ms, 0)) || !(ms > 0) {
			continue
		}
		if ms >= float64(hi/time.Millisecond) {
			return hi, true
		}
		return max(lo, time.Duration(ms*float64(time.Millisecond))), true
	}
	return 0, false
}

// errorPayload is the payload of error and connection_error messages:
// {"errors": [...]}, or a bare {"message": ...} from some servers.
type errorPayload struct {
	Errors  json.RawMessage `json:"errors"`
	Message json.RawMessage `json:"message"`
}

// parseErrors reads the payload of an error or connection_error message
// into GraphQL errors and their errorCodes. It never returns an empty
// list: such a message says that something failed even when it does not
// say what.
func parseErrors(payload json.RawMessage) (client.GraphQLErrors, []int) {
	var p errorPayload
	if json.Unmarshal(payload, &p) != nil {
		// Not an object: a string is the message, anything else unreadable.
		if msg := stringOf(payload); msg != "" {
			return client.GraphQLErrors{{Message: msg}}, nil
		}
		return client.GraphQLErrors{{Message: "unreadable error payload (" + kindOf(payload) + ")"}}, nil
	}
	out, codes := decodeErrors(p.Errors)
	if len(out) == 0 {
		msg := stringOf(p.Message)
		if msg == "" {
			msg = "error without message"
		}
		out = client.GraphQLErrors{{Message: msg}}
	}
	return out, codes
}

// decodeErrors reads an errors member, whatever its shape: a list (null
// entries dropped), a single error object, a string (its message), null
// or absent (no error). An entry's fields of the wrong type are left
// empty and the others kept, and an entry that is not an object is kept
// as an error saying so, so that an error is never lost nor made nil.
// The text of an unreadable entry is never quoted: it may hold anything.
func decodeErrors(raw json.RawMessage) (client.GraphQLErrors, []int) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var entries []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &entries) != nil {
		entries = []json.RawMessage{raw}
	}
	var out client.GraphQLErrors
	var codes []int
	for _, entry := range entries {
		e, code, ok := decodeError(entry)
		if !ok {
			continue
		}
		out = append(out, e)
		if code != 0 {
			codes = append(codes, code)
		}
	}
	return out, codes
}

// decodeError reads one entry of an errors list; ok is false for null.
func decodeError(raw json.RawMessage) (e *client.GraphQLError, code int, ok bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, 0, false
	case raw[0] == '"':
		return &client.GraphQLError{Message: stringOf(raw)}, 0, true
	case raw[0] != '{':
		return &client.GraphQLError{Message: "unreadable error (" + kindOf(raw) + ")"}, 0, true
	}
	e = &client.GraphQLError{}
	// A field of the wrong type is skipped and the rest decoded.
	_ = json.Unmarshal(raw, e)
	var c struct {
		ErrorCode json.RawMessage `json:"errorCode"`
	}
	_ = json.Unmarshal(raw, &c)
	if e.Message == "" && e.ErrorType == "" {
		e.Message = "error without message"
	}
	return e, errorCode(c.ErrorCode), true
}

// errorCode reads AppSync's errorCode: a number, or a string of one.
func errorCode(raw json.RawMessage) int {
	s := strings.Trim(string(raw), `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > 999 {
		return 0
	}
	return int(f)
}

// stringOf returns the value of a JSON string, or "".
func stringOf(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// kindOf names the kind of a JSON value, for an error about one that
// cannot be read.
func kindOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "no payload"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// dataPayload is the payload of a data message.
type dataPayload struct {
	Data   json.RawMessage `json:"data"`
	Errors json.RawMessage `json:"errors"`
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
