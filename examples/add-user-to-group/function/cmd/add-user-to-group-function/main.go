// Command add-user-to-group-function is the Lambda entry point of the
// add-user-to-group function. Build it for Lambda's provided.al2023 runtime:
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/go-amplify/data/examples/add-user-to-group/function"
	"github.com/go-amplify/data/function/lambda"
)

func main() {
	h, err := function.NewFromEnv(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
