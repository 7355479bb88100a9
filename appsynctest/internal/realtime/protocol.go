// Package realtime holds the wire format of AppSync's realtime endpoint
// (GraphQL subscriptions over a WebSocket, "Building a real-time WebSocket
// client" in AppSync's documentation): the handshake's parameters
// (handshake.go), the server's messages and errors (messages.go), the
// subprotocol, and AppSync's defaults and limits (protocol.go).
// The connections themselves are served by package appsynctest
// (realtime*.go), which authorizes and executes what they ask for.
package realtime

import "time"

const (
	// Subprotocol is the WebSocket subprotocol of AppSync's realtime
	// endpoint.
	Subprotocol = "graphql-ws"
	// DefaultKeepAlive is how often AppSync sends "ka" (about once a
	// minute: amplify-js warns after 65 s without one).
	DefaultKeepAlive = time.Minute
	// DefaultConnectionTimeout is the connectionTimeoutMs of AppSync's
	// connection_ack (5 minutes, amplify-js's DEFAULT_KEEP_ALIVE_TIMEOUT).
	DefaultConnectionTimeout = 5 * time.Minute
	// DefaultMaxSubscriptions is AppSync's limit of subscriptions per
	// connection.
	DefaultMaxSubscriptions = 100
	// DefaultMaxMessageBytes bounds a message a client sends (AppSync's
	// subscription payload quota, 240 KB).
	DefaultMaxMessageBytes = 240 << 10
)

// KeepAliveMessage is the keep-alive the server sends.
var KeepAliveMessage = []byte(`{"type":"ka"}`)
