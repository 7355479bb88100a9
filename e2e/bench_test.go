package e2e_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
)

// BenchmarkBackends measures both backends in the same run, through the
// generated client and a user-pool token: a get, and a list of 100 items.
// The simulator stack (amplify-appsync-simulator with dynalite, behind the
// front that checks tokens) is the baseline, appsynctest the subject; each
// reports req/s, and client/testdata/benchratio.awk gives the ratios:
//
//	go test -run '^$' -bench Backends -benchmem ./e2e/ | awk -v base=simulator -f client/testdata/benchratio.awk
func BenchmarkBackends(b *testing.B) {
	ctx := context.Background()
	type subject struct {
		kind  string
		c     *amplifydata.Client
		first string
	}
	var subjects []subject
	for _, kind := range []string{simulator, local} {
		e := start(b, kind, "seed-todo", nil, nil)
		alice := e.newUser(b, "alice")
		c, err := amplifydata.New(e.outputs, e.opts(client.WithUserPool(alice.tokens))...)
		require.NoError(b, err)
		s := subject{kind: kind, c: c}
		for i := range 100 {
			todo, err := c.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{Content: client.Ptr(fmt.Sprintf("item %d", i)), Done: client.Ptr(i%2 == 0)})
			require.NoError(b, err)
			if i == 0 {
				s.first = todo.ID
			}
		}
		subjects = append(subjects, s)
	}
	for _, s := range subjects {
		b.Run("get/"+s.kind, func(b *testing.B) {
			for b.Loop() {
				got, err := s.c.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: s.first})
				if err != nil || got == nil {
					b.Fatalf("get: %v %v", got, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
	for _, s := range subjects {
		b.Run("list100/"+s.kind, func(b *testing.B) {
			for b.Loop() {
				page, err := s.c.Models.Todo.List(ctx, amplifydata.TodoListOptions{Limit: client.Ptr(100)})
				if err != nil || len(page.Items) != 100 {
					b.Fatalf("list: %d items, %v", len(page.Items), err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
