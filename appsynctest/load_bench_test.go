package appsynctest_test

// A load benchmark: 64 goroutines calling through one generated client
// (the seed's, internal/fixture/tododata, with a user-pool token) against
// the local backend of the seed, in process. It reports throughput and the
// latency percentiles of the calls, and fails on any error.
//
//	go test -run '^$' -bench BenchmarkLoad -benchtime 5000x ./appsynctest/
//
// The client and the server share the machine's cores, so the numbers are
// those of both: they show that the client holds under concurrency (no
// lock-step, no connection churn, no error), not AppSync's capacity.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
)

const loadGoroutines = 64

func BenchmarkLoad(b *testing.B) {
	backend, err := appsynctest.LoadBackend("../internal/fixture/testdata/amplify_outputs.json", "../internal/fixture/testdata/schema.graphql")
	if err != nil {
		b.Fatal(err)
	}
	srv := appsynctest.NewServer(b, backend, appsynctest.WithLogger(slog.New(slog.DiscardHandler)))
	// One transport for the 64 goroutines, keeping as many idle connections
	// (net/http's default keeps 2 per host, so most calls would open one).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = loadGoroutines
	c, err := tododata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("alice")), client.WithHTTPClient(&http.Client{Transport: transport}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var ids []string
	for i := range 20 {
		todo, err := c.Models.Todo.Create(ctx, tododata.CreateTodoInput{Content: client.Ptr(fmt.Sprintf("item %d", i))})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, todo.ID)
	}

	b.Run("getTodo", func(b *testing.B) {
		load(b, func(i int) error {
			id := ids[i%len(ids)]
			todo, err := c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: id})
			if err == nil && (todo == nil || todo.ID != id) {
				err = fmt.Errorf("getTodo(%s) returned %+v", id, todo)
			}
			return err
		})
	})
	b.Run("listTodos", func(b *testing.B) {
		load(b, func(int) error {
			page, err := c.Models.Todo.List(ctx, tododata.TodoListOptions{Limit: client.Ptr(100)})
			if err == nil && len(page.Items) != len(ids) {
				err = fmt.Errorf("listTodos returned %d items, want %d", len(page.Items), len(ids))
			}
			return err
		})
	})
}

// load runs b.N calls of call on loadGoroutines goroutines and reports the
// throughput and the 50th and 99th percentile latencies.
func load(b *testing.B, call func(i int) error) {
	var (
		next     atomic.Int64
		failures atomic.Int64
		firstErr error
		errOnce  sync.Once
		lat      = make([][]time.Duration, loadGoroutines)
		wg       sync.WaitGroup
	)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for g := range loadGoroutines {
		wg.Go(func() {
			mine := make([]time.Duration, 0, b.N/loadGoroutines+1)
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					break
				}
				t0 := time.Now()
				err := call(int(i))
				mine = append(mine, time.Since(t0))
				if err != nil {
					failures.Add(1)
					errOnce.Do(func() { firstErr = err })
				}
			}
			lat[g] = mine
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d calls failed; the first: %v", n, b.N, firstErr)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	percentile := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(percentile(0.50), "p50-ms")
	b.ReportMetric(percentile(0.99), "p99-ms")
	b.ReportMetric(0, "errors")
}
