package e2e_test

import (
	"context"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
)

// next reads the next value of a pulled iterator, failing after a bound.
func next[T any](t *testing.T, pull func() (T, error, bool)) T {
	t.Helper()
	type res struct {
		v   T
		err error
		ok  bool
	}
	ch := make(chan res, 1)
	go func() {
		v, err, ok := pull()
		ch <- res{v, err, ok}
	}()
	select {
	case r := <-ch:
		require.True(t, r.ok, "the iteration ended")
		require.NoError(t, r.err)
		return r.v
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20 s")
	}
	var zero T
	return zero
}

// TestSubscriptions: model subscriptions through the generated client, with
// owner scoping and filters, and ObserveQuery.
func TestSubscriptions(t *testing.T) {
	each(t, "seed-todo", seedFunctions, []string{"ADMINS"}, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		bob := e.newUser(t, "bob")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		asAlice, err := amplifydata.New(e.outputs, e.opts(client.WithUserPool(alice.tokens))...)
		require.NoError(t, err)
		defer asAlice.Realtime.Close()
		asBob, err := amplifydata.New(e.outputs, e.opts(client.WithUserPool(bob.tokens))...)
		require.NoError(t, err)

		created, err := asAlice.Models.Todo.OnCreate(ctx, amplifydata.OnCreateTodoOptions{})
		require.NoError(t, err)
		done, err := asAlice.Models.Todo.OnUpdate(ctx, amplifydata.OnUpdateTodoOptions{
			Filter: &amplifydata.ModelSubscriptionTodoFilterInput{Done: &amplifydata.ModelSubscriptionBooleanInput{Eq: client.Ptr(true)}},
		})
		require.NoError(t, err)
		pullCreated, stopCreated := iter.Pull2(created)
		defer stopCreated()
		pullDone, stopDone := iter.Pull2(done)
		defer stopDone()

		// The identity pool's role may read every Todo: it sees them all,
		// over IAM (SigV4 on the connection and on the start).
		asPool, err := amplifydata.New(e.outputs, e.opts(client.WithIdentityPool(e.authCreds))...)
		require.NoError(t, err)
		defer asPool.Realtime.Close()
		all, err := asPool.Models.Todo.OnCreate(ctx, amplifydata.OnCreateTodoOptions{})
		require.NoError(t, err)
		pullAll, stopAll := iter.Pull2(all)
		defer stopAll()

		// An API key is not allowed by any rule of Todo: the start is
		// refused with a typed error, not retried.
		asKey, err := amplifydata.New(e.outputs, e.opts(client.WithAPIKey(e.apiKey))...)
		require.NoError(t, err)
		defer asKey.Realtime.Close()
		_, err = asKey.Models.Todo.OnCreate(ctx, amplifydata.OnCreateTodoOptions{}, client.WithAuthMode(client.AuthAPIKey))
		var ge client.GraphQLErrors
		require.ErrorAs(t, err, &ge)
		assert.True(t, ge.HasType("Unauthorized"), "%v", err)

		// Bob's item is not Alice's to see; hers arrives.
		_, err = asBob.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{Content: client.Ptr("bob's")})
		require.NoError(t, err)
		mine, err := asAlice.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{Content: client.Ptr("alice's"), Done: client.Ptr(false)})
		require.NoError(t, err)
		got := next(t, pullCreated)
		assert.Equal(t, mine.ID, got.ID)
		assert.Equal(t, "alice's", *got.Content)
		assert.Equal(t, "bob's", *next(t, pullAll).Content)
		assert.Equal(t, "alice's", *next(t, pullAll).Content)

		// The filter lets only done items through.
		_, err = asAlice.Models.Todo.Update(ctx, amplifydata.UpdateTodoInput{ID: mine.ID, Content: client.Set("still open")})
		require.NoError(t, err)
		_, err = asAlice.Models.Todo.Update(ctx, amplifydata.UpdateTodoInput{ID: mine.ID, Done: client.Set(true)})
		require.NoError(t, err)
		upd := next(t, pullDone)
		assert.True(t, *upd.Done)
		assert.Equal(t, "still open", *upd.Content)

		t.Run("ObserveQuery", func(t *testing.T) {
			octx, ocancel := context.WithCancel(ctx)
			defer ocancel()
			pull, stop := iter.Pull2(asAlice.Models.Todo.ObserveQuery(octx, amplifydata.TodoListOptions{}))
			defer stop()
			snap := next(t, pull)
			assert.True(t, snap.IsSynced)
			require.Len(t, snap.Items, 1)
			assert.Equal(t, mine.ID, snap.Items[0].ID)

			second, err := asAlice.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{Content: client.Ptr("second")})
			require.NoError(t, err)
			snap = next(t, pull)
			require.Len(t, snap.Items, 2)
			assert.Equal(t, second.ID, snap.Items[1].ID)

			_, err = asAlice.Models.Todo.Delete(ctx, amplifydata.TodoIdentifier{ID: mine.ID})
			require.NoError(t, err)
			snap = next(t, pull)
			require.Len(t, snap.Items, 1)
			assert.Equal(t, second.ID, snap.Items[0].ID)
		})
	})
}
