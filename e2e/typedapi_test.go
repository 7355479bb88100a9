package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/examples/blog/blogdata"
)

// TestListAllNamesTheOperation: a nextToken cycle ends ListAll with a
// *client.PaginationError naming the list operation.
func TestListAllNamesTheOperation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"listTodos":{"items":[],"nextToken":"same"}}}`))
	}))
	defer srv.Close()
	c, err := amplifydata.NewFromEndpoint(client.Endpoint{URL: srv.URL, Region: "us-east-1", DefaultAuthMode: client.AuthUserPool},
		client.WithUserPool(client.StaticToken("token")))
	require.NoError(t, err)
	var last error
	for _, err := range c.Models.Todo.ListAll(context.Background(), amplifydata.TodoListOptions{}) {
		last = err
	}
	var pe *client.PaginationError
	require.ErrorAs(t, last, &pe)
	assert.Equal(t, "ListTodos", pe.Operation)
	assert.True(t, errors.Is(last, client.ErrNextTokenCycle))
}

// TestTypedListAPI: what a newcomer writes compiles and is right. A page's
// NextToken is what the options take; a sort key on an AWSDateTime field
// takes time.Time bounds, written as AppSync stores times (so a bound on a
// whole second still finds an item stored with milliseconds, which a bound
// formatted with time.RFC3339 would not); and a list of scalars read from
// an item is the type an input takes.
func TestTypedListAPI(t *testing.T) {
	each(t, "blog", nil, []string{"ADMINS"}, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		ctx := context.Background()
		c, err := blogdata.New(e.outputs, e.opts(client.WithUserPool(alice.tokens))...)
		require.NoError(t, err)

		post, err := c.Models.Post.Create(ctx, blogdata.CreatePostInput{Title: "tagged", Tags: []string{"go", "sdk"}})
		require.NoError(t, err)
		copied, err := c.Models.Post.Create(ctx, blogdata.CreatePostInput{Title: "copy", Tags: post.Tags})
		require.NoError(t, err)
		assert.Equal(t, []string{"go", "sdk"}, copied.Tags)

		// Comments 250 ms after a whole second, and one just before it.
		second := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		for i, at := range []time.Time{second.Add(-100 * time.Millisecond), second.Add(250 * time.Millisecond), second.Add(time.Minute + 250*time.Millisecond)} {
			_, err := c.Models.Comment.Create(ctx, blogdata.CreateCommentInput{PostID: post.ID, CreatedOn: at, Content: string(rune('a' + i))})
			require.NoError(t, err)
		}
		contents := func(o blogdata.CommentListOptions) []string {
			t.Helper()
			o.PostID = &post.ID
			var out []string
			for {
				page, err := c.Models.Comment.List(ctx, o)
				require.NoError(t, err)
				for _, cm := range page.Items {
					out = append(out, cm.Content)
				}
				if page.NextToken == nil {
					return out
				}
				o.NextToken = page.NextToken
			}
		}
		assert.Equal(t, []string{"b", "c"}, contents(blogdata.CommentListOptions{CreatedOn: &blogdata.DateTimeKeyCondition{Ge: &second}}))
		assert.Equal(t, []string{"a"}, contents(blogdata.CommentListOptions{CreatedOn: &blogdata.DateTimeKeyCondition{Lt: &second}}))
		assert.Equal(t, []string{"b"}, contents(blogdata.CommentListOptions{CreatedOn: &blogdata.DateTimeKeyCondition{
			Between: &[2]time.Time{second, second.Add(time.Second)}}, Limit: client.Ptr(1)}))
	})
}
