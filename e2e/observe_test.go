package e2e_test

import (
	"context"
	"iter"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/examples/blog/blogdata"
)

// titles lists the titles of a snapshot's items, sorted.
func titles(snap realtime.Snapshot[blogdata.Post]) []string {
	var out []string
	for _, p := range snap.Items {
		out = append(out, p.Title)
	}
	slices.Sort(out)
	return out
}

// TestObserveQueryFilter: ObserveQuery keeps to its list filter for live
// events too, as observeQuery does in JavaScript (which passes the filter
// to onCreate, onUpdate and onDelete): the posts of one blog are observed,
// and the posts created in another blog never enter the snapshots. A part
// of the filter that subscriptions cannot express (a not, here) is
// evaluated on each event by the client. And, as in JavaScript, each page
// of the list is a snapshot, IsSynced only on the last.
func TestObserveQueryFilter(t *testing.T) {
	each(t, "blog", nil, []string{"ADMINS"}, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, err := blogdata.New(e.outputs, e.opts(client.WithUserPool(alice.tokens))...)
		require.NoError(t, err)
		defer c.Realtime.Close()

		mine, err := c.Models.Blog.Create(ctx, blogdata.CreateBlogInput{Name: "mine"})
		require.NoError(t, err)
		other, err := c.Models.Blog.Create(ctx, blogdata.CreateBlogInput{Name: "other"})
		require.NoError(t, err)
		for _, title := range []string{"a1", "a2", "a3"} {
			_, err := c.Models.Blog.CreatePosts(ctx, mine, blogdata.CreatePostInput{Title: title})
			require.NoError(t, err)
		}
		_, err = c.Models.Blog.CreatePosts(ctx, other, blogdata.CreatePostInput{Title: "b1"})
		require.NoError(t, err)

		t.Run("live events keep to the filter", func(t *testing.T) {
			octx, ocancel := context.WithCancel(ctx)
			defer ocancel()
			pull, stop := iter.Pull2(c.Models.Post.ObserveQuery(octx, blogdata.PostListOptions{
				Filter: &blogdata.ModelPostFilterInput{BlogID: &blogdata.ModelIDInput{Eq: &mine.ID}},
			}))
			defer stop()
			snap := next(t, pull)
			for !snap.IsSynced {
				snap = next(t, pull)
			}
			assert.Equal(t, []string{"a1", "a2", "a3"}, titles(snap))

			// A post of the other blog is not in the list's filter: it
			// never enters a snapshot. The next post of this blog does.
			_, err := c.Models.Blog.CreatePosts(ctx, other, blogdata.CreatePostInput{Title: "b2"})
			require.NoError(t, err)
			_, err = c.Models.Blog.CreatePosts(ctx, mine, blogdata.CreatePostInput{Title: "a4"})
			require.NoError(t, err)
			snap = next(t, pull)
			assert.True(t, snap.IsSynced)
			assert.Equal(t, []string{"a1", "a2", "a3", "a4"}, titles(snap))
		})

		t.Run("operators subscriptions lack are evaluated on each event", func(t *testing.T) {
			octx, ocancel := context.WithCancel(ctx)
			defer ocancel()
			// The posts of this blog but the drafts: AppSync filters the
			// events by blog, the client by the not, which subscription
			// filters do not have (nor attributeExists, attributeType or
			// size, which the simulator's list resolvers mishandle).
			pull, stop := iter.Pull2(c.Models.Post.ObserveQuery(octx, blogdata.PostListOptions{
				Filter: &blogdata.ModelPostFilterInput{
					BlogID: &blogdata.ModelIDInput{Eq: &mine.ID},
					Not:    &blogdata.ModelPostFilterInput{Title: &blogdata.ModelStringInput{BeginsWith: client.Ptr("draft")}},
				},
			}))
			defer stop()
			snap := next(t, pull)
			for !snap.IsSynced {
				snap = next(t, pull)
			}
			assert.Equal(t, []string{"a1", "a2", "a3", "a4"}, titles(snap))

			_, err := c.Models.Blog.CreatePosts(ctx, mine, blogdata.CreatePostInput{Title: "draft: soon"})
			require.NoError(t, err)
			_, err = c.Models.Blog.CreatePosts(ctx, mine, blogdata.CreatePostInput{Title: "a5"})
			require.NoError(t, err)
			snap = next(t, pull)
			assert.Equal(t, []string{"a1", "a2", "a3", "a4", "a5"}, titles(snap))
		})

		t.Run("a snapshot per page", func(t *testing.T) {
			octx, ocancel := context.WithCancel(ctx)
			defer ocancel()
			pull, stop := iter.Pull2(c.Models.Post.ObserveQuery(octx, blogdata.PostListOptions{
				Filter: &blogdata.ModelPostFilterInput{BlogID: &blogdata.ModelIDInput{Eq: &other.ID}},
				Limit:  client.Ptr(1),
			}))
			defer stop()
			var sizes []int
			snap := next(t, pull)
			for ; !snap.IsSynced; snap = next(t, pull) {
				sizes = append(sizes, len(snap.Items))
			}
			assert.Equal(t, []string{"b1", "b2"}, titles(snap))
			// The list reads two posts one page at a time (the scan may
			// add empty pages): the snapshots before the last grow to them.
			require.NotEmpty(t, sizes, "the pages before the last are snapshots too, not synced")
			assert.True(t, slices.IsSorted(sizes), "%v", sizes)
			assert.LessOrEqual(t, sizes[len(sizes)-1], 2)
		})
	})
}
