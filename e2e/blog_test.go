package e2e_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/blog/blogdata"
)

// TestBlog runs the blog backend: several models with hasMany, belongsTo
// and hasOne, a custom identifier, enums, custom types, a.json(), arrays,
// dates, owner, group, authenticated, public API-key and identity-pool
// rules, and a custom query whose Go function calls the data API back with
// IAM, as a Gen 2 function granted access does.
func TestBlog(t *testing.T) {
	each(t, "blog", []lambda{{
		field: "postStats", name: "postStatsFn",
		rules: []appsynctest.Rule{appsynctest.AllowAuthenticated(), appsynctest.AllowPublicAPIKey()},
		run: func(ctx context.Context, e *env, event json.RawMessage) (any, error) {
			var ev struct {
				Arguments blogdata.PostStatsArgs `json:"arguments"`
			}
			if err := json.Unmarshal(event, &ev); err != nil {
				return nil, err
			}
			// As a Gen 2 function granted access to the data: the endpoint
			// from its environment (set below as Amplify sets it), signed
			// with its own role, an IAM principal of the account.
			c, err := blogdata.NewForFunction(aws.Config{Region: "us-east-1", Credentials: e.adminCreds})
			if err != nil {
				return nil, err
			}
			stats := blogdata.PostStats{}
			for p, err := range c.Models.Post.ListAll(ctx, blogdata.PostListOptions{
				Filter: &blogdata.ModelPostFilterInput{BlogID: &blogdata.ModelIDInput{Eq: client.Ptr(ev.Arguments.BlogID)}},
			}) {
				if err != nil {
					return nil, err
				}
				stats.Count++
				stats.Tags = append(stats.Tags, p.Tags...)
			}
			return stats, nil
		},
	}}, []string{"ADMINS"}, testBlog)
}

func testBlog(t *testing.T, e *env) {
	t.Setenv("AMPLIFY_DATA_DEFAULT_NAME", "amplifyData")
	t.Setenv("AMPLIFY_DATA_GRAPHQL_ENDPOINT", e.outputs.Data.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	alice := e.newUser(t, "alice")
	bob := e.newUser(t, "bob")
	ctx := context.Background()

	newClient := func(t *testing.T, opts ...client.Option) *blogdata.Client {
		t.Helper()
		c, err := blogdata.New(e.outputs, e.opts(opts...)...)
		require.NoError(t, err)
		return c
	}
	asAlice := newClient(t, client.WithUserPool(alice.tokens))
	asBob := newClient(t, client.WithUserPool(bob.tokens))
	public := newClient(t, client.WithAPIKey(e.apiKey))

	blog, err := asAlice.Models.Blog.Create(ctx, blogdata.CreateBlogInput{Name: "Go on Amplify"})
	require.NoError(t, err)
	assert.Equal(t, alice.owner(), *blog.Owner)

	publishedAt := time.Date(2026, 11, 25, 9, 30, 15, 123_000_000, time.UTC)
	meta := json.RawMessage(`{"source":"e2e","scores":[1,2.5,null],"nested":{"ok":true}}`)
	var post *blogdata.Post
	t.Run("every field type round-trips", func(t *testing.T) {
		post, err = asAlice.Models.Post.Create(ctx, blogdata.CreatePostInput{
			Title:       "Hello",
			Content:     client.Ptr("first post"),
			Status:      client.Ptr(blogdata.PostStatusPublished),
			Tags:        []string{"go", "amplify"},
			Metadata:    meta,
			PublishedAt: &publishedAt,
			PublishedOn: &client.Date{Year: 2026, Month: time.November, Day: 25},
			Rating:      client.Ptr(4.5),
			Views:       client.Ptr(10),
			Location:    &blogdata.LocationInput{Lat: 52.52, Lng: 13.405, Label: client.Ptr("Berlin")},
			BlogID:      &blog.ID,
		})
		require.NoError(t, err)
		got, err := public.Models.Post.Get(ctx, blogdata.PostIdentifier{ID: post.ID})
		require.NoError(t, err)
		assert.Equal(t, "Hello", got.Title)
		assert.Equal(t, blogdata.PostStatusPublished, *got.Status)
		assert.Equal(t, []string{"go", "amplify"}, got.Tags)
		assert.JSONEq(t, string(meta), string(got.Metadata))
		require.NotNil(t, got.PublishedAt)
		assert.True(t, publishedAt.Equal(*got.PublishedAt), "publishedAt %s", got.PublishedAt)
		assert.Equal(t, "2026-11-25", got.PublishedOn.String())
		assert.Equal(t, 4.5, *got.Rating)
		assert.Equal(t, 10, *got.Views)
		assert.Equal(t, &blogdata.Location{Lat: 52.52, Lng: 13.405, Label: client.Ptr("Berlin")}, got.Location)
		assert.Equal(t, blog.ID, *got.BlogID)
		assert.Equal(t, post, got)
	})

	t.Run("public API key reads posts and blogs but cannot write", func(t *testing.T) {
		page, err := public.Models.Post.List(ctx, blogdata.PostListOptions{})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "apiKey", e.lastAuth(t))

		_, err = public.Models.Blog.Get(ctx, blogdata.BlogIdentifier{ID: blog.ID})
		require.NoError(t, err)

		// createPost admits no API key: the client says so before sending,
		// and AppSync refuses it when the call forces the mode.
		_, err = public.Models.Post.Create(ctx, blogdata.CreatePostInput{Title: "spam"})
		var ame *client.AuthModeError
		require.ErrorAs(t, err, &ame)
		_, err = public.Models.Post.Create(ctx, blogdata.CreatePostInput{Title: "spam"}, client.WithAuthMode(client.AuthAPIKey))
		ge := requireGraphQLError(t, err, "Unauthorized")
		assert.Equal(t, "Not Authorized to access createPost on type Mutation", ge.Message)

		// Comments have no public rule.
		_, err = public.Models.Comment.List(ctx, blogdata.CommentListOptions{}, client.WithAuthMode(client.AuthAPIKey))
		requireGraphQLError(t, err, "Unauthorized")
	})

	t.Run("authenticated users read, only the owner writes", func(t *testing.T) {
		got, err := asBob.Models.Post.Get(ctx, blogdata.PostIdentifier{ID: post.ID})
		require.NoError(t, err)
		assert.Equal(t, post.ID, got.ID)

		_, err = asBob.Models.Post.Update(ctx, blogdata.UpdatePostInput{ID: post.ID, Title: client.Set("bob was here")})
		requireGraphQLError(t, err, "Unauthorized")
		_, err = asBob.Models.Post.Delete(ctx, blogdata.PostIdentifier{ID: post.ID})
		requireGraphQLError(t, err, "Unauthorized")

		updated, err := asAlice.Models.Post.Update(ctx, blogdata.UpdatePostInput{
			ID: post.ID, Tags: client.Set([]string{"go"}), Location: client.Null[blogdata.LocationInput](),
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"go"}, updated.Tags)
		assert.Nil(t, updated.Location)
		assert.Equal(t, "Hello", updated.Title)
		post = updated
	})

	t.Run("identity pool reads", func(t *testing.T) {
		c := newClient(t, client.WithIdentityPool(e.authCreds))
		got, err := c.Models.Blog.Get(ctx, blogdata.BlogIdentifier{ID: blog.ID})
		require.NoError(t, err)
		assert.Equal(t, "Go on Amplify", got.Name)
		_, err = c.Models.Blog.Update(ctx, blogdata.UpdateBlogInput{ID: blog.ID, Name: client.Set("mine")})
		requireGraphQLError(t, err, "Unauthorized")
	})

	t.Run("custom identifier with sort-key conditions", func(t *testing.T) {
		base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		for i := range 4 {
			_, err := asBob.Models.Comment.Create(ctx, blogdata.CreateCommentInput{
				PostID: post.ID, CreatedOn: base.Add(time.Duration(i) * time.Minute), Content: "comment " + string(rune('a'+i)),
			})
			require.NoError(t, err)
		}
		got, err := asAlice.Models.Comment.Get(ctx, blogdata.CommentIdentifier{PostID: post.ID, CreatedOn: base.Add(2 * time.Minute)})
		require.NoError(t, err)
		assert.Equal(t, "comment c", got.Content)
		assert.Equal(t, bob.owner(), *got.Owner)

		desc := blogdata.ModelSortDirectionDesc
		page, err := asAlice.Models.Comment.List(ctx, blogdata.CommentListOptions{
			PostID:        &post.ID,
			CreatedOn:     &blogdata.DateTimeKeyCondition{Ge: client.Ptr(base.Add(time.Minute))},
			SortDirection: &desc,
		})
		require.NoError(t, err)
		var contents []string
		for _, c := range page.Items {
			contents = append(contents, c.Content)
		}
		assert.Equal(t, []string{"comment d", "comment c", "comment b"}, contents)

		// The same key again is refused.
		_, err = asBob.Models.Comment.Create(ctx, blogdata.CreateCommentInput{PostID: post.ID, CreatedOn: base, Content: "again"})
		requireGraphQLError(t, err, "DynamoDB:ConditionalCheckFailedException")
	})

	t.Run("secondary index with a sort-key condition", func(t *testing.T) {
		day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		for i, status := range []blogdata.PostStatus{blogdata.PostStatusDraft, blogdata.PostStatusArchived, blogdata.PostStatusArchived, blogdata.PostStatusArchived} {
			at := day.Add(time.Duration(i) * 24 * time.Hour)
			_, err := asAlice.Models.Post.Create(ctx, blogdata.CreatePostInput{Title: "p" + string(rune('0'+i)), Status: &status, PublishedAt: &at})
			require.NoError(t, err)
		}
		desc := blogdata.ModelSortDirectionDesc
		page, err := public.Models.Post.ListPostsByStatus(ctx, blogdata.ListPostsByStatusOptions{
			Status:        blogdata.PostStatusArchived,
			PublishedAt:   &blogdata.DateTimeKeyCondition{Ge: client.Ptr(day.Add(48 * time.Hour))},
			SortDirection: &desc,
		})
		require.NoError(t, err)
		var titles []string
		for _, p := range page.Items {
			titles = append(titles, p.Title)
		}
		assert.Equal(t, []string{"p3", "p2"}, titles)

		var all []string
		for p, err := range public.Models.Post.ListPostsByStatusAll(ctx, blogdata.ListPostsByStatusOptions{Status: blogdata.PostStatusArchived, Limit: client.Ptr(1)}) {
			require.NoError(t, err)
			all = append(all, p.Title)
		}
		assert.Equal(t, []string{"p1", "p2", "p3"}, all, "ascending by publishedAt")
	})

	t.Run("relationships load lazily: hasMany, belongsTo, hasOne", func(t *testing.T) {
		author, err := asAlice.Models.Author.Create(ctx, blogdata.CreateAuthorInput{Name: "Alice"})
		require.NoError(t, err)
		none, err := public.Models.Author.Profile(ctx, author)
		require.NoError(t, err)
		assert.Nil(t, none, "no profile yet")
		// Creating from the parent sets the foreign key.
		profile, err := asAlice.Models.Author.CreateProfile(ctx, author, blogdata.CreateProfileInput{Bio: client.Ptr("writes Go")})
		require.NoError(t, err)
		assert.Equal(t, author.ID, *profile.AuthorID)
		got, err := public.Models.Author.Profile(ctx, author)
		require.NoError(t, err)
		require.NotNil(t, got)
		assert.Equal(t, profile.ID, got.ID)
		back, err := public.Models.Profile.Author(ctx, got)
		require.NoError(t, err)
		assert.Equal(t, author.ID, back.ID)

		// blog.posts(), with the caller's filter on top of the key.
		var titles []string
		for p, err := range public.Models.Blog.PostsAll(ctx, blog, blogdata.PostListOptions{Limit: client.Ptr(1)}) {
			require.NoError(t, err)
			titles = append(titles, p.Title)
		}
		assert.Equal(t, []string{"Hello"}, titles)
		page, err := public.Models.Blog.Posts(ctx, blog, blogdata.PostListOptions{
			Filter: &blogdata.ModelPostFilterInput{Title: &blogdata.ModelStringInput{Eq: client.Ptr("nope")}},
		})
		require.NoError(t, err)
		assert.Empty(t, page.Items)

		extra, err := asAlice.Models.Blog.CreatePosts(ctx, blog, blogdata.CreatePostInput{Title: "via blog"})
		require.NoError(t, err)
		assert.Equal(t, blog.ID, *extra.BlogID)
		_, err = asAlice.Models.Post.Delete(ctx, blogdata.PostIdentifier{ID: extra.ID})
		require.NoError(t, err)

		// post.blog() and comment.post(); a post without a blog has none.
		b, err := public.Models.Post.Blog(ctx, post)
		require.NoError(t, err)
		assert.Equal(t, blog.ID, b.ID)
		orphan, err := asAlice.Models.Post.Create(ctx, blogdata.CreatePostInput{Title: "orphan"})
		require.NoError(t, err)
		b, err = public.Models.Post.Blog(ctx, orphan)
		require.NoError(t, err)
		assert.Nil(t, b)
		_, err = asAlice.Models.Post.Delete(ctx, blogdata.PostIdentifier{ID: orphan.ID})
		require.NoError(t, err)

		// A selection set of our own: the post, its blog and comments in
		// one request (examples/blog/blogdata/graphql/custom).
		pc, err := asAlice.Operations.PostWithComments(ctx, blogdata.PostWithCommentsArgs{ID: post.ID, Comments: client.Ptr(2)})
		require.NoError(t, err)
		assert.Equal(t, post.Title, pc.GetPost.Title)
		assert.Equal(t, "Go on Amplify", pc.GetPost.Blog.Name)
		require.Len(t, pc.GetPost.Comments.Items, 2)
		// Post.comments reads the index on postId, which has no sort key:
		// its order is unspecified (the simulator's dynalite and
		// appsynctest differ), so only membership is checked.
		for _, c := range pc.GetPost.Comments.Items {
			assert.Contains(t, []string{"comment a", "comment b", "comment c", "comment d"}, c.Content)
		}
		assert.NotNil(t, pc.GetPost.Comments.NextToken, "more comments than the limit")

		// Bob may read posts but not blogs (Blog has no rule for signed-in
		// users): the nested field fails, the rest of the data comes back.
		pc, err = asBob.Operations.PostWithComments(ctx, blogdata.PostWithCommentsArgs{ID: post.ID, Comments: client.Ptr(2)})
		ge := requireGraphQLError(t, err, "Unauthorized")
		assert.Equal(t, "Not Authorized to access blog on type Post", ge.Message)
		assert.Equal(t, []any{"getPost", "blog"}, ge.Path)
		require.NotNil(t, pc.GetPost, "partial data")
		assert.Equal(t, post.Title, pc.GetPost.Title)
		assert.Nil(t, pc.GetPost.Blog)

		comments, err := asAlice.Models.Post.Comments(ctx, post, blogdata.CommentListOptions{})
		require.NoError(t, err)
		require.NotEmpty(t, comments.Items)
		p, err := asAlice.Models.Comment.Post(ctx, comments.Items[0])
		require.NoError(t, err)
		assert.Equal(t, post.ID, p.ID)
	})

	t.Run("custom query with a custom type, resolved by a function that calls the API with IAM", func(t *testing.T) {
		_, err := asAlice.Models.Post.Create(ctx, blogdata.CreatePostInput{Title: "Second", Tags: []string{"amplify"}, BlogID: &blog.ID})
		require.NoError(t, err)
		for _, c := range []*blogdata.Client{asBob, public} {
			stats, err := c.Queries.PostStats(ctx, blogdata.PostStatsArgs{BlogID: blog.ID})
			require.NoError(t, err)
			assert.Equal(t, 2, stats.Count)
			tags := slices.Clone(stats.Tags)
			slices.Sort(tags)
			assert.Equal(t, []string{"amplify", "go"}, tags)
		}
	})
}
