// Package echo is the Lambda function behind the example's echo query
// (echoFn in amplify/data/resource.ts): it returns its msg argument.
//
// The binary in ../cmd/echo-function runs it on AWS Lambda.
package echo

import (
	"context"

	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
)

// Handle is the function's handler, an amplifydata.EchoHandler.
var _ amplifydata.EchoHandler = Handle

// Handle returns event.Arguments.Msg.
func Handle(_ context.Context, event amplifydata.EchoEvent) (*string, error) {
	msg := event.Arguments.Msg
	return &msg, nil
}
