package e2e_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
)

// TestTodo runs the model API of the seed-todo backend (the example's
// backend: the seed plus a Todo model with owner, ADMINS and identity-pool
// read rules, and an echo query) through the example's generated client.
func TestTodo(t *testing.T) {
	each(t, "seed-todo", seedFunctions, []string{"ADMINS"}, testTodo)
}

func testTodo(t *testing.T, e *env) {
	alice := e.newUser(t, "alice")
	bob := e.newUser(t, "bob")
	admin := e.newUser(t, "admin", "ADMINS")
	ctx := context.Background()

	newClient := func(t *testing.T, opts ...client.Option) *amplifydata.Client {
		t.Helper()
		c, err := amplifydata.New(e.outputs, e.opts(opts...)...)
		require.NoError(t, err)
		return c
	}
	asAlice := newClient(t, client.WithUserPool(alice.tokens))
	asBob := newClient(t, client.WithUserPool(bob.tokens))
	asAdmin := newClient(t, client.WithUserPool(admin.tokens))

	var todo *amplifydata.Todo
	t.Run("create and get", func(t *testing.T) {
		var err error
		todo, err = asAlice.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{
			Content:  client.Ptr("buy milk"),
			Done:     client.Ptr(false),
			Priority: client.Ptr(amplifydata.TodoPriorityHigh),
		})
		require.NoError(t, err)
		require.NotEmpty(t, todo.ID, "the resolver generates the id")
		assert.Equal(t, alice.owner(), *todo.Owner)
		assert.False(t, todo.CreatedAt.IsZero())
		assert.Equal(t, todo.CreatedAt, todo.UpdatedAt)

		got, err := asAlice.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		require.NoError(t, err)
		assert.Equal(t, todo, got)
	})

	t.Run("update clears a field with null and leaves an absent one unchanged", func(t *testing.T) {
		updated, err := asAlice.Models.Todo.Update(ctx, amplifydata.UpdateTodoInput{
			ID:       todo.ID,
			Content:  client.Null[string](),
			Priority: client.Set(amplifydata.TodoPriorityLow),
		})
		require.NoError(t, err)
		assert.Nil(t, updated.Content, "null removes the attribute")
		require.NotNil(t, updated.Done)
		assert.False(t, *updated.Done, "an absent field keeps its value")
		assert.Equal(t, amplifydata.TodoPriorityLow, *updated.Priority)
		assert.True(t, updated.UpdatedAt.After(todo.UpdatedAt) || updated.UpdatedAt.Equal(todo.UpdatedAt))

		got, err := asAlice.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		require.NoError(t, err)
		assert.Equal(t, updated, got)
		todo = got
	})

	t.Run("another user cannot read or update, ADMINS can", func(t *testing.T) {
		_, err := asBob.Models.Todo.Update(ctx, amplifydata.UpdateTodoInput{ID: todo.ID, Done: client.Set(true)})
		requireGraphQLError(t, err, "Unauthorized")

		_, err = asBob.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		requireGraphQLError(t, err, "Unauthorized")

		updated, err := asAdmin.Models.Todo.Update(ctx, amplifydata.UpdateTodoInput{ID: todo.ID, Done: client.Set(true)})
		require.NoError(t, err)
		assert.True(t, *updated.Done)
		assert.Equal(t, alice.owner(), *updated.Owner, "the group override keeps the owner")
		todo = updated
	})

	t.Run("list with filter, limit and nextToken across pages", func(t *testing.T) {
		var want []string
		for i, content := range []string{"a", "b", "c", "d", "e", "f", "g"} {
			created, err := asAlice.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{
				Content: client.Ptr(content), Done: client.Ptr(i%2 == 0),
			})
			require.NoError(t, err)
			if i%2 == 0 {
				want = append(want, created.ID)
			}
		}
		// Bob's own item must not appear in Alice's list.
		_, err := asBob.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{Content: client.Ptr("bob's"), Done: client.Ptr(true)})
		require.NoError(t, err)
		want = append(want, todo.ID) // done since the admin's update
		sort.Strings(want)

		var got []string
		var pages int
		opts := amplifydata.TodoListOptions{
			Filter: &amplifydata.ModelTodoFilterInput{Done: &amplifydata.ModelBooleanInput{Eq: client.Ptr(true)}},
			Limit:  client.Ptr(2),
		}
		for {
			page, err := asAlice.Models.Todo.List(ctx, opts)
			require.NoError(t, err)
			pages++
			assert.LessOrEqual(t, len(page.Items), 2)
			for _, it := range page.Items {
				assert.True(t, *it.Done)
				assert.Equal(t, alice.owner(), *it.Owner)
				got = append(got, it.ID)
			}
			if page.NextToken == nil {
				break
			}
			opts.NextToken = page.NextToken
			require.Less(t, pages, 50, "pagination does not end")
		}
		sort.Strings(got)
		assert.Equal(t, want, got)
		assert.Greater(t, pages, 2, "several pages")

		// The iterator walks the same pages, empty ones included.
		var all []string
		for it, err := range asAlice.Models.Todo.ListAll(ctx, amplifydata.TodoListOptions{
			Filter: &amplifydata.ModelTodoFilterInput{Done: &amplifydata.ModelBooleanInput{Eq: client.Ptr(true)}},
			Limit:  client.Ptr(2),
		}) {
			require.NoError(t, err)
			all = append(all, it.ID)
		}
		sort.Strings(all)
		assert.Equal(t, want, all)

		// A break stops it.
		n := 0
		for _, err := range asAlice.Models.Todo.ListAll(ctx, amplifydata.TodoListOptions{Limit: client.Ptr(1)}) {
			require.NoError(t, err)
			n++
			if n == 2 {
				break
			}
		}
		assert.Equal(t, 2, n)
	})

	t.Run("identity pool reads but cannot write", func(t *testing.T) {
		c := newClient(t, client.WithIdentityPool(e.authCreds))
		got, err := c.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		require.NoError(t, err)
		assert.Equal(t, todo.ID, got.ID)
		assert.Equal(t, "iam", e.lastAuth(t))

		_, err = c.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{Content: client.Ptr("guest")})
		requireGraphQLError(t, err, "Unauthorized")

		guest := newClient(t, client.WithIdentityPool(e.guestCreds))
		_, err = guest.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		requireGraphQLError(t, err, "Unauthorized")
	})

	t.Run("default mode and per-call mode", func(t *testing.T) {
		// The outputs' default is AWS_IAM, and Gen 2 puts @aws_iam on every
		// field: a client holding both identity-pool credentials and a
		// user's tokens signs with IAM unless the call asks otherwise.
		c := newClient(t, client.WithIdentityPool(e.authCreds), client.WithUserPool(alice.tokens))
		_, err := c.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		require.NoError(t, err)
		assert.Equal(t, "iam", e.lastAuth(t))

		_, err = c.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID}, client.WithAuthMode(client.AuthUserPool))
		require.NoError(t, err)
		assert.Equal(t, "userPool", e.lastAuth(t))

		// echo admits signed-in users (allow.authenticated()): the
		// identity pool's role passes the @aws_iam check and is refused by
		// the resolver; a user-pool call works.
		_, err = c.Queries.Echo(ctx, amplifydata.EchoArgs{Msg: "hi"})
		requireGraphQLError(t, err, "Unauthorized")
		assert.Equal(t, "iam", e.lastAuth(t))
		msg, err := c.Queries.Echo(ctx, amplifydata.EchoArgs{Msg: "hi"}, client.WithAuthMode(client.AuthUserPool))
		require.NoError(t, err)
		assert.Equal(t, "hi", *msg)

		// A mode the field does not admit at all (no @aws_api_key): the
		// client refuses before sending, unless the call forces it; then
		// AppSync refuses.
		withKey := newClient(t, client.WithAPIKey(e.apiKey))
		before := e.rec.count()
		_, err = withKey.Queries.Echo(ctx, amplifydata.EchoArgs{Msg: "hi"})
		var ame *client.AuthModeError
		require.ErrorAs(t, err, &ame)
		assert.Equal(t, before, e.rec.count(), "nothing was sent")
		_, err = withKey.Queries.Echo(ctx, amplifydata.EchoArgs{Msg: "hi"}, client.WithAuthMode(client.AuthAPIKey))
		ge := requireGraphQLError(t, err, "Unauthorized")
		assert.Equal(t, "Not Authorized to access echo on type Query", ge.Message)
		assert.Equal(t, "apiKey", e.lastAuth(t))
	})

	t.Run("a failed condition is ConditionalCheckFailedException", func(t *testing.T) {
		_, err := asAlice.Models.Todo.UpdateIf(ctx,
			amplifydata.UpdateTodoInput{ID: todo.ID, Content: client.Set("never")},
			&amplifydata.ModelTodoConditionInput{Content: &amplifydata.ModelStringInput{Eq: client.Ptr("not the content")}})
		ge := requireGraphQLError(t, err, "DynamoDB:ConditionalCheckFailedException")
		assert.Equal(t, []any{"updateTodo"}, ge.Path)

		// DeleteIf takes a condition too.
		_, err = asAlice.Models.Todo.DeleteIf(ctx, amplifydata.TodoIdentifier{ID: todo.ID},
			&amplifydata.ModelTodoConditionInput{Done: &amplifydata.ModelBooleanInput{Eq: client.Ptr(false)}})
		requireGraphQLError(t, err, "DynamoDB:ConditionalCheckFailedException")

		// A condition that holds lets the update through.
		updated, err := asAlice.Models.Todo.UpdateIf(ctx,
			amplifydata.UpdateTodoInput{ID: todo.ID, Priority: client.Set(amplifydata.TodoPriorityHigh)},
			&amplifydata.ModelTodoConditionInput{Done: &amplifydata.ModelBooleanInput{Eq: client.Ptr(true)}})
		require.NoError(t, err)
		assert.Equal(t, amplifydata.TodoPriorityHigh, *updated.Priority)
		todo = updated

		got, err := asAlice.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		require.NoError(t, err)
		assert.Nil(t, got.Content, "the update did not happen")

		// Creating an existing key fails the same way.
		_, err = asAlice.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{ID: client.Ptr(todo.ID), Content: client.Ptr("dup")})
		requireGraphQLError(t, err, "DynamoDB:ConditionalCheckFailedException")
	})

	t.Run("partial data with errors", func(t *testing.T) {
		// Two root fields: the list resolves, echo's function fails. The
		// GraphQL errors come back with the data that did resolve.
		var resp struct {
			ListTodos struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			} `json:"listTodos"`
			Echo *string `json:"echo"`
		}
		err := asAlice.GraphQL.MakeRequest(ctx, rawRequest(
			`query Partial { listTodos(limit: 100) { items { id } } echo(msg: "fail") }`), rawResponse(&resp))
		ge := requireGraphQLError(t, err, "Lambda:Unhandled")
		assert.Contains(t, ge.Message, "echo: asked to fail")
		assert.Equal(t, []any{"echo"}, ge.Path)
		assert.Nil(t, resp.Echo)
		assert.NotEmpty(t, resp.ListTodos.Items, "the data that resolved is kept")
	})

	t.Run("delete", func(t *testing.T) {
		_, err := asAlice.Models.Todo.DeleteIf(ctx, amplifydata.TodoIdentifier{ID: todo.ID},
			&amplifydata.ModelTodoConditionInput{Priority: &amplifydata.ModelTodoPriorityInput{Eq: client.Ptr(amplifydata.TodoPriorityLow)}})
		requireGraphQLError(t, err, "DynamoDB:ConditionalCheckFailedException")

		deleted, err := asAlice.Models.Todo.Delete(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		require.NoError(t, err)
		assert.Equal(t, todo.ID, deleted.ID)
		got, err := asAlice.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		require.NoError(t, err)
		assert.Nil(t, got)
	})

	t.Run("a cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := asAlice.Models.Todo.Get(cctx, amplifydata.TodoIdentifier{ID: todo.ID})
		require.ErrorIs(t, err, context.Canceled)
	})

	t.Run("a stopped server is a network error", func(t *testing.T) {
		e.stop()
		_, err := asAlice.Models.Todo.Get(ctx, amplifydata.TodoIdentifier{ID: todo.ID})
		// Connection refused, or EOF on a kept-alive connection the
		// server closed: either way a network error naming the endpoint.
		var ne *client.NetworkError
		require.ErrorAs(t, err, &ne)
		assert.Contains(t, err.Error(), strings.TrimSuffix(e.outputs.Data.URL, "/graphql"))
	})
}
