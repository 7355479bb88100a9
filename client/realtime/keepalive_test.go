package realtime_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/realtime"
)

// connection_ack's connectionTimeoutMs sets the keep-alive watchdog within
// [10 s, 15 min]: AppSync's 300000 as it is; a value so small that every
// healthy connection would be declared dead at once (a reconnect storm),
// or so large that it overflows a time.Duration or leaves a dead connection
// unnoticed for hours, is clamped; a value that is not a positive number
// is ignored (WithKeepAliveTimeout decides). Whatever the value, Subscribe
// works and the connection stays.
func TestConnectionTimeoutClamped(t *testing.T) {
	for _, tc := range []struct {
		ack       any
		simulator bool
		want      time.Duration
	}{
		{ack: int64(300000), want: 5 * time.Minute},
		{ack: 60000.0, want: time.Minute},
		{ack: 1, want: 10 * time.Second},
		{ack: 9999, want: 10 * time.Second},
		{ack: int64(1<<63 - 1), want: 15 * time.Minute},
		{ack: json.RawMessage(`1e300`), want: 15 * time.Minute},
		{ack: json.RawMessage(`1e400`), want: 15 * time.Minute},
		{ack: 3600000, want: 15 * time.Minute},
		{ack: 1, simulator: true, want: 10 * time.Second},
		{ack: int64(1<<63 - 1), simulator: true, want: 15 * time.Minute},
		{ack: 0, want: 7 * time.Minute},
		{ack: -300000, want: 7 * time.Minute},
		{ack: int64(-1 << 63), want: 7 * time.Minute},
		{ack: "300000", want: 7 * time.Minute},
		{ack: nil, want: 7 * time.Minute},
		{ack: true, want: 7 * time.Minute},
		{ack: map[string]any{"ms": 1}, want: 7 * time.Minute},
	} {
		sent, err := json.Marshal(tc.ack)
		require.NoError(t, err)
		t.Run(fmt.Sprintf("%s simulator=%v", sent, tc.simulator), func(t *testing.T) {
			f, auth := newAPIKeyFake(t)
			f.ackTimeout, f.simulatorAck = tc.ack, tc.simulator
			logs := &logBuffer{}
			c := newClient(t, f.graphqlURL, auth, realtime.WithLogger(logs.logger()), realtime.WithKeepAliveTimeout(7*time.Minute))
			s := subscribe(t, t.Context(), c, nil)
			m := regexp.MustCompile(`msg="realtime: connected".* keepAliveTimeout=(\S+)`).FindStringSubmatch(logs.String())
			require.NotNil(t, m, logs.String())
			got, err := time.ParseDuration(m[1])
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			require.Equal(t, 1, f.publish(nil, "onCreateTodo", map[string]any{"id": "1"}))
			assert.JSONEq(t, `{"onCreateTodo":{"id":"1"}}`, nextData(t, s), "no gap: the connection stayed")
			assert.Equal(t, 1, f.count(kind("connect")))
		})
	}
}
