package gen

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"userId": "UserID", "id": "ID", "apiUrl": "APIURL", "HTTPServer": "HTTPServer", "IN_PROGRESS": "InProgress",
		"in_review": "InReview", "createdAt": "CreatedAt", "todo": "Todo", "ModelTodoFilterInput": "ModelTodoFilterInput",
		"ip": "IP", "idx": "Idx", "_version": "Version", "v2Name": "V2Name", "2fa": "X2Fa", "type": "Type",
	} {
		assert.Equal(t, want, goName(in), in)
	}
}

func TestSafeVariableAndNamer(t *testing.T) {
	assert.Equal(t, "type_", safeVariable("type"))
	assert.Equal(t, "string_", safeVariable("string"))
	assert.Equal(t, "userId", safeVariable("userId"))
	n := newNamer("Client")
	assert.Equal(t, "Client2", n.name("Client"))
	assert.Equal(t, "UserID", n.name("UserID"))
	assert.Equal(t, "UserID2", n.name("UserID"))
	assert.Equal(t, "UserID3", n.name("UserID"))
}
