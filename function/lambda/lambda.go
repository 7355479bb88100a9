// Package lambda runs a handler of the generated types (an
// amplifydata.AddUserToGroupHandler, say) as an AWS Lambda function, with
// aws-lambda-go. It is the one package of the function side that links the
// Lambda runtime: import it from the function's main package only.
//
//	func main() { lambda.Start(handle) }
//
// Build the main package for Lambda's provided.al2023 runtime:
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap .
package lambda

import (
	"context"

	awslambda "github.com/aws/aws-lambda-go/lambda"
)

// Start runs handler as the Lambda function's handler (aws-lambda-go's
// lambda.Start): the runtime decodes each event into E (a function.Event
// of the operation's arguments) and encodes the result R as the function's
// response. It does not return.
func Start[E, R any](handler func(context.Context, E) (R, error)) {
	awslambda.Start(handler)
}
