package appsynctest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-amplify/data/appsynctest"
)

// A program starts a server with Start and stops it with Close; tests use
// NewServer, which does both.
func ExampleStart() {
	b, err := appsynctest.LoadBackend("testdata/engine/amplify_outputs.json", "testdata/engine/schema.graphql")
	if err != nil {
		fmt.Println(err)
		return
	}
	type helloEvent struct {
		Arguments struct{ Name string } `json:"arguments"`
	}
	srv, err := appsynctest.Start(b, appsynctest.Handle("hello", appsynctest.Typed(func(_ context.Context, e helloEvent) (string, error) {
		return "hello " + e.Arguments.Name, nil
	})))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(`{"query":"{ hello(name: \"gopher\") secret }"}`))
	req.Header.Set("x-api-key", srv.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 {"data":{"hello":"hello gopher","secret":null},"errors":[{"path":["secret"],"data":null,"errorType":"Unauthorized","errorInfo":null,"locations":[{"line":1,"column":25,"sourceName":null}],"message":"Not Authorized to access secret on type Query"}]}
}
