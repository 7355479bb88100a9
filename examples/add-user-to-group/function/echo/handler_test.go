package echo

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
)

// TestHandle decodes the event Amplify's function resolver sends for
// echo(msg: "hello") and checks the reply.
func TestHandle(t *testing.T) {
	var event amplifydata.EchoEvent
	require.NoError(t, json.Unmarshal([]byte(`{"typeName":"Query","fieldName":"echo","arguments":{"msg":"hello"},"identity":{"sub":"u1","username":"u1"},"source":null,"request":{"headers":{}},"prev":null}`), &event))
	got, err := Handle(context.Background(), event)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "hello", *got)
}
