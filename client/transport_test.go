package client_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
)

// A client built without WithHTTPClient keeps the connections of
// concurrent calls for the next ones. http.DefaultTransport keeps 2 per
// host: of 8 concurrent calls, 6 would dial again every time.
func TestDefaultTransportKeepsConcurrentConnections(t *testing.T) {
	const concurrent, rounds = 8, 3
	var dials atomic.Int32
	// Every reply waits until the round's calls are all in flight, so that
	// each has a connection of its own.
	var (
		arrived sync.WaitGroup
		mu      sync.Mutex
		release chan struct{} // closed when the round's calls are all in
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		round := release
		mu.Unlock()
		arrived.Done()
		select {
		case <-round:
		case <-time.After(5 * time.Second):
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"a":1}}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	c, err := client.New(client.Endpoint{URL: srv.URL + "/graphql", APIKey: "da2-transportkey", DefaultAuthMode: client.AuthAPIKey})
	require.NoError(t, err)
	for r := range rounds {
		arrived.Add(concurrent)
		mu.Lock()
		release = make(chan struct{})
		round := release
		mu.Unlock()
		var calls sync.WaitGroup
		errs := make([]error, concurrent)
		for i := range concurrent {
			calls.Go(func() {
				var data struct{ A int }
				errs[i] = c.MakeRequest(context.Background(), &graphql.Request{Query: "query Q { a }", OpName: "Q"}, &graphql.Response{Data: &data})
			})
		}
		arrived.Wait()
		close(round)
		calls.Wait()
		for i, err := range errs {
			require.NoError(t, err, "round %d, call %d", r, i)
		}
		// The transport puts a connection back in its pool once the
		// reply is read, after the call returned.
		time.Sleep(50 * time.Millisecond)
	}
	// One connection per concurrent call, and a little slack for a
	// connection not yet back in the pool when the next round began; with
	// 2 kept, every round after the first would dial 6.
	assert.LessOrEqual(t, int(dials.Load()), concurrent+2, "connections dialed for %d rounds of %d concurrent calls", rounds, concurrent)
}
