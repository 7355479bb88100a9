package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/internal/fixture/tododata"
)

// The clock skew the HTTP client learns from AppSync's refusal is used by
// its subscriptions too: realtime signs the connect and every start with
// AppSync's time, as the HTTP calls after the refusal are.
func TestSubscriptionsUseTheLearntSkew(t *testing.T) {
	for _, skew := range []time.Duration{time.Hour, -2 * time.Hour} {
		t.Run(skew.String(), func(t *testing.T) {
			srv := skewedAppSync(t, skew)
			c, err := tododata.New(outputs(t, srv.URL), client.WithCredentials(staticCreds(testToken)), client.WithAuthMode(client.AuthIAM))
			require.NoError(t, err)
			ctx := context.Background()
			_, err = c.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: "t1"})
			require.NoError(t, err, "the HTTP call learns the skew")

			ep, mode, carry, err := c.GraphQL.SubscriptionAuth("OnCreateTodo")
			require.NoError(t, err)
			require.Equal(t, client.AuthIAM, mode)
			a, err := realtime.AuthorizerFor(ep, mode, carry)
			require.NoError(t, err)
			for _, connect := range []bool{true, false} {
				h, err := a.Headers(ctx, []byte(`{}`), connect)
				require.NoError(t, err)
				signed, err := time.Parse("20060102T150405Z", h["x-amz-date"])
				require.NoError(t, err)
				assert.WithinDuration(t, time.Now().Add(skew), signed, time.Minute, "connect=%v is signed with AppSync's time", connect)
			}
		})
	}
}
