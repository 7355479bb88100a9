// Command post-stats-function is the Lambda entry point of the blog's
// postStats function (postStatsFn). amplify/data/post-stats/resource.ts builds it at
// synth time, as defineGoFunction does:
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/go-amplify/data/examples/blog/function"
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
