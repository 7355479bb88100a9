package realtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMessages(t *testing.T) {
	assert.Equal(t, `{"id":"1","type":"start_ack"}`, string(Message("1", "start_ack", nil)))
	assert.Equal(t, `{"type":"ka"}`, string(Message("", "ka", nil)))
	assert.Equal(t, string(KeepAliveMessage), string(Message("", "ka", nil)))
	assert.Equal(t, `{"id":"1","type":"error","payload":{"errors":[{"errorType":"BadRequestException","message":"bad <1>"},{"message":"x"}]}}`,
		string(ErrorMessage("1", BadRequest("bad <%d>", 1), map[string]any{"message": "x"})))
	assert.Equal(t, `{"payload":{"errors":[{"errorType":"UnauthorizedException","message":"no","errorCode":401}]},"type":"connection_error"}`,
		string(ConnectionError(&Error{ErrorType: "UnauthorizedException", Message: "no", Code: 401})))
	assert.Equal(t, `{"payload":{"errors":[{"message":"NoProtocolError","errorCode":400}]},"type":"connection_error"}`,
		string(ConnectionError(&Error{Message: "NoProtocolError", Code: 400})))
}
