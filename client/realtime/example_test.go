package realtime_test

import (
	"context"
	"errors"
	"log"

	"github.com/Khan/genqlient/graphql"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/client/realtime/internal/todogen"
)

func Example() {
	ctx := context.Background()
	endpoint := client.Endpoint{URL: "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql", Region: "us-east-1"}
	var tokens client.TokenSource // e.g. cognito.NewTokenSource(...), signed in

	auth, err := realtime.AuthorizerFor(endpoint, client.AuthUserPool, client.WithUserPool(tokens))
	if err != nil {
		log.Fatal(err)
	}
	rt, err := realtime.New(endpoint.URL, auth)
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	sub, err := rt.Subscribe(ctx, &graphql.Request{
		OpName: "OnCreateTodo",
		Query:  "subscription OnCreateTodo { onCreateTodo { id content } }",
	})
	if err != nil {
		log.Fatal(err) // *realtime.SubscriptionError (e.g. Unauthorized) or *realtime.ConnectionError
	}
	type event struct {
		OnCreateTodo struct{ ID, Content string }
	}
	for ev, err := range realtime.Values[event](sub) {
		if errors.Is(err, realtime.ErrGap) {
			// Reconnected, or this consumer fell behind: list the todos
			// again, then keep going.
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("new todo %s: %s", ev.OnCreateTodo.ID, ev.OnCreateTodo.Content)
	}
}

func ExampleGenqlientClient() {
	ctx := context.Background()
	url := "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql"
	rt, err := realtime.New(url, &realtime.APIKey{URL: url, Key: "da2-..."})
	if err != nil {
		log.Fatal(err)
	}
	ws := realtime.NewGenqlientClient(rt)
	errs, err := ws.Start(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer ws.Close()

	owner := "alice"
	events, _, err := todogen.OnCreateTodo(ctx, ws, &owner) // genqlient's generated function
	if err != nil {
		log.Fatal(err)
	}
	for {
		select {
		case r, ok := <-events:
			if !ok {
				return // ended
			}
			if len(r.Errors) > 0 {
				log.Print(r.Errors) // a gap (extensions.errorType RealtimeGap) or the error that ends it
				continue
			}
			log.Print(r.Data.OnCreateTodo.Id)
		case err := <-errs:
			log.Fatal(err)
		}
	}
}
