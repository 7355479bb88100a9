package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/coder/websocket"

	"github.com/go-amplify/data/client/realtime"
)

const (
	soakSubs   = 100
	soakEvents = 10_000
)

// soakServer speaks just enough of AppSync's realtime protocol for the soak:
// it acks the connection and each start, and once soakSubs starts are in, it
// pushes soakEvents data frames, round robin over the subscriptions.
func soakServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-ws"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		var ids []string
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m struct {
				Type string `json:"type"`
				ID   string `json:"id"`
			}
			_ = json.Unmarshal(msg, &m)
			switch m.Type {
			case "connection_init":
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}`))
			case "start":
				ids = append(ids, m.ID)
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"start_ack","id":"`+m.ID+`"}`))
				if len(ids) == soakSubs {
					go func(ids []string) {
						for i := range soakEvents {
							frame := fmt.Sprintf(`{"type":"data","id":%q,"payload":{"data":{"onCreateTodo":{"id":"todo-%d","content":"event %d","done":false,"owner":"alice"}}}}`, ids[i%len(ids)], i, i)
							if c.Write(ctx, websocket.MessageText, []byte(frame)) != nil {
								return
							}
						}
					}(append([]string(nil), ids...))
				}
			case "stop":
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"complete","id":"`+m.ID+`"}`))
			}
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

type todoEvent struct {
	OnCreateTodo struct {
		ID      string `json:"id"`
		Content string `json:"content"`
		Done    bool   `json:"done"`
		Owner   string `json:"owner"`
	} `json:"onCreateTodo"`
}

// BenchmarkSoak: 100 subscriptions on one socket, 10,000 events per run,
// through the realtime client (events decoded into a Go value), against the
// raw WebSocket read loop over the same frames in the same run (the
// baseline). It reports events/s and allocations per event.
//
//	go test -run '^$' -bench Soak -benchmem ./client/realtime/
func BenchmarkSoak(b *testing.B) {
	srv := soakServer(b)
	url := srv.URL + "/graphql"
	measure := func(b *testing.B, run func()) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cpu0 := cpuTime()
		for b.Loop() {
			run()
		}
		cpu := cpuTime() - cpu0
		runtime.ReadMemStats(&after)
		events := float64(b.N) * soakEvents
		b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/events, "allocs/event")
		// The CPU time of the process (the server's included) per event:
		// on a machine shared with other work, events/s follows the share
		// of the cores this process gets, CPU time per event much less.
		b.ReportMetric(float64(cpu.Microseconds())/events, "cpu-µs/event")
	}

	b.Run("raw", func(b *testing.B) {
		measure(b, func() {
			ctx := context.Background()
			ws := "ws" + strings.TrimPrefix(url, "http") + "?header=e30%3D&payload=e30%3D"
			c, _, err := websocket.Dial(ctx, ws, &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseNow()
			c.SetReadLimit(-1)
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`))
			for i := range soakSubs {
				_ = c.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf(`{"type":"start","id":"s%d","payload":{"data":"{}","extensions":{"authorization":{}}}}`, i)))
			}
			for got := 0; got < soakEvents; {
				_, msg, err := c.Read(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if strings.Contains(string(msg[:20]), `"data"`) {
					got++
				}
			}
		})
	})

	b.Run("client", func(b *testing.B) {
		measure(b, func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rt, err := realtime.New(url, &realtime.APIKey{URL: url, Key: "da2-soak"}, realtime.WithBufferSize(soakEvents))
			if err != nil {
				b.Fatal(err)
			}
			defer rt.Close()
			subs := make([]*realtime.Subscription, soakSubs)
			for i := range subs {
				subs[i], err = rt.Subscribe(ctx, &graphql.Request{OpName: "OnCreateTodo", Query: "subscription OnCreateTodo { onCreateTodo { id content done owner } }"})
				if err != nil {
					b.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for _, s := range subs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n := 0
					for ev, err := range realtime.Values[todoEvent](s) {
						if err != nil {
							b.Error(err)
							return
						}
						_ = ev
						if n++; n == soakEvents/soakSubs {
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	})
}
