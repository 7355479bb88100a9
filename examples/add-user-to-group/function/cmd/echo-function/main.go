// Command echo-function is the Lambda entry point of the echo query's
// function (echoFn). amplify/data/resource.ts builds it at synth time, as
// defineGoFunction does:
//
//	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"github.com/go-amplify/data/examples/add-user-to-group/function/echo"
	"github.com/go-amplify/data/function/lambda"
)

func main() {
	lambda.Start(echo.Handle)
}
