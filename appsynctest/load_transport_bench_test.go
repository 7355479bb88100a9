package appsynctest_test

// The load of BenchmarkLoad (load_bench_test.go: 64 goroutines calling
// getTodo through one generated client, against the seed's local backend)
// through the transport a client gets without client.WithHTTPClient, and
// through net/http's http.DefaultTransport, in the same run:
//
//	go test -run '^$' -bench BenchmarkLoadTransport -benchtime 20000x ./appsynctest/
//
// http.DefaultTransport keeps 2 idle connections per host: of 64 concurrent
// callers most close their connection after each call and the next one
// dials again. The client's default keeps enough for such a load. The
// variants alternate in rounds (each going first in turn) so that a change
// of load on a shared machine moves both; it reports each one's req/s and
// their ratio. An op is one call of each.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
)

func BenchmarkLoadTransport(b *testing.B) {
	backend, err := appsynctest.LoadBackend("../internal/fixture/testdata/amplify_outputs.json", "../internal/fixture/testdata/schema.graphql")
	if err != nil {
		b.Fatal(err)
	}
	srv := appsynctest.NewServer(b, backend, appsynctest.WithLogger(slog.New(slog.DiscardHandler)))
	token := srv.SignIn("alice")
	newClient := func(opts ...client.Option) *tododata.Client {
		c, err := tododata.New(srv.Outputs(), append([]client.Option{client.WithUserPool(token)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	variants := []struct {
		name string
		c    *tododata.Client
	}{
		{"default", newClient()},
		{"DefaultTransport", newClient(client.WithHTTPClient(&http.Client{Transport: http.DefaultTransport}))},
	}
	ctx := context.Background()
	todo, err := variants[0].c.Models.Todo.Create(ctx, tododata.CreateTodoInput{Content: client.Ptr("milk")})
	if err != nil {
		b.Fatal(err)
	}
	get := func(c *tododata.Client) error {
		got, err := c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: todo.ID})
		if err == nil && (got == nil || got.ID != todo.ID) {
			err = fmt.Errorf("getTodo(%s) returned %+v", todo.ID, got)
		}
		return err
	}

	const rounds = 4
	elapsed := make([]time.Duration, len(variants))
	calls := make([]int, len(variants))
	b.ReportAllocs()
	b.ResetTimer()
	for r := range rounds {
		n := b.N / rounds
		if r == rounds-1 {
			n = b.N - (rounds-1)*(b.N/rounds)
		}
		for k := range variants {
			i := (k + r) % len(variants) // each goes first in turn
			v := variants[i]
			d, err := concurrently(n, loadGoroutines, func() error { return get(v.c) })
			if err != nil {
				b.Fatalf("%s: %v", v.name, err)
			}
			elapsed[i] += d
			calls[i] += n
		}
	}
	b.StopTimer()
	rate := make([]float64, len(variants))
	for i, v := range variants {
		rate[i] = float64(calls[i]) / elapsed[i].Seconds()
		b.ReportMetric(rate[i], v.name+"-req/s")
	}
	b.ReportMetric(rate[0]/rate[1], "default/DefaultTransport")
}

// concurrently makes n calls of call on the given number of goroutines and
// returns the time they took, or the first error of any that failed.
func concurrently(n, goroutines int, call func() error) (time.Duration, error) {
	var (
		next     atomic.Int64
		failures atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range goroutines {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := call(); err != nil {
					failures.Add(1)
					errOnce.Do(func() { firstErr = err })
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	if k := failures.Load(); k > 0 {
		return d, fmt.Errorf("%d of %d calls failed; the first: %w", k, n, firstErr)
	}
	return d, nil
}
