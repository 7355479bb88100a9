// Command blog shows the model API of a generated client, the Go side of
// client.models in JavaScript, on the blog backend of
// amplify/data/resource.ts: create, get, update (a field removed with
// client.Null), conditional update, list with a filter through the
// iterator, a secondary index with a sort-key condition, a custom
// identifier, lazy loading of hasMany, belongsTo and hasOne, a selection set
// of our own (blogdata/graphql/custom), a custom query, and delete.
//
//	go run ./examples/blog
//
// runs it against the backend started in-process (appsynctest, the
// module's local AppSync), as a signed-in user, and prints what each step
// returns.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/blog/blogdata"
	"github.com/go-amplify/data/examples/blog/function"
	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

var (
	//go:embed amplify_outputs.json
	outputsJSON []byte
	//go:embed amplify/schema.graphql
	schemaSDL []byte
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "blog:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	outputs, err := schema.ParseOutputs("amplify_outputs.json", outputsJSON)
	if err != nil {
		return err
	}
	sch, err := appsync.ParseSDL("amplify/schema.graphql", schemaSDL)
	if err != nil {
		return err
	}
	// postStats is resolved by the blog's Go function (./function), which
	// calls the data API back with its own IAM role, as a Gen 2 function
	// granted access does; here the role is one the server knows.
	var srv *appsynctest.Server
	srv, err = appsynctest.Start(appsynctest.Backend{Outputs: outputs, Schema: sch},
		appsynctest.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		appsynctest.Handle("postStats", appsynctest.Typed(func(ctx context.Context, ev blogdata.PostStatsEvent) (*blogdata.PostStats, error) {
			data, err := blogdata.New(srv.Outputs(), client.WithCredentials(srv.IAMCredentials()), client.WithAuthMode(client.AuthIAM))
			if err != nil {
				return nil, err
			}
			return (&function.Handler{Data: data}).Handle(ctx, ev)
		}), appsynctest.AllowAuthenticated(), appsynctest.AllowPublicAPIKey()),
	)
	if err != nil {
		return err
	}
	defer srv.Close()

	c, err := blogdata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("alice@example.com")))
	if err != nil {
		return err
	}
	show := func(step string, v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(out, "%-34s %s\n", step+":", b)
	}

	// Create and get.
	blog, err := c.Models.Blog.Create(ctx, blogdata.CreateBlogInput{Name: "Go on Amplify"})
	if err != nil {
		return err
	}
	show("Blog.Create", blog.Name)
	day := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	var posts []*blogdata.Post
	for i, title := range []string{"Typed clients", "Local backends", "Subscriptions"} {
		status := blogdata.PostStatusPublished
		if i == 2 {
			status = blogdata.PostStatusDraft
		}
		at := day.Add(time.Duration(i) * 24 * time.Hour)
		// Created from the blog: the blog's id becomes its blogId.
		p, err := c.Models.Blog.CreatePosts(ctx, blog, blogdata.CreatePostInput{
			Title: title, Status: &status, PublishedAt: &at,
			Tags:     []string{"go", fmt.Sprintf("part-%d", i+1)},
			Metadata: json.RawMessage(fmt.Sprintf(`{"part":%d}`, i+1)),
			Location: &blogdata.LocationInput{Lat: 52.52, Lng: 13.405, Label: client.Ptr("Berlin")},
		})
		if err != nil {
			return err
		}
		posts = append(posts, p)
	}
	got, err := c.Models.Post.Get(ctx, blogdata.PostIdentifier{ID: posts[0].ID})
	if err != nil {
		return err
	}
	show("Post.Get", map[string]any{"title": got.Title, "status": got.Status, "metadata": got.Metadata, "location": got.Location.Label})

	// Update: remove the location with client.Null, leave the rest.
	upd, err := c.Models.Post.Update(ctx, blogdata.UpdatePostInput{ID: got.ID, Location: client.Null[blogdata.LocationInput]()})
	if err != nil {
		return err
	}
	show("Post.Update (location: null)", map[string]any{"title": upd.Title, "location": upd.Location})

	// A condition that does not hold.
	_, err = c.Models.Post.UpdateIf(ctx, blogdata.UpdatePostInput{ID: got.ID, Title: client.Set("Renamed")},
		&blogdata.ModelPostConditionInput{Status: &blogdata.ModelPostStatusInput{Eq: client.Ptr(blogdata.PostStatusDraft)}})
	var gqlErrs client.GraphQLErrors
	if !errors.As(err, &gqlErrs) {
		return fmt.Errorf("UpdateIf: want a GraphQL error, got %v", err)
	}
	show("Post.UpdateIf (status is DRAFT?)", gqlErrs[0].ErrorType)

	// Every published post, page by page, through the iterator.
	var titles []string
	for p, err := range c.Models.Post.ListAll(ctx, blogdata.PostListOptions{
		Filter: &blogdata.ModelPostFilterInput{Status: &blogdata.ModelPostStatusInput{Eq: client.Ptr(blogdata.PostStatusPublished)}},
		Limit:  client.Ptr(1),
	}) {
		if err != nil {
			return err
		}
		titles = append(titles, p.Title)
	}
	// A scan's order is the table's, which follows the hash of the ids.
	slices.Sort(titles)
	show("Post.ListAll (PUBLISHED)", titles)

	// The secondary index with its sort key, newest first.
	desc := blogdata.ModelSortDirectionDesc
	page, err := c.Models.Post.ListPostsByStatus(ctx, blogdata.ListPostsByStatusOptions{
		Status:        blogdata.PostStatusPublished,
		PublishedAt:   &blogdata.DateTimeKeyCondition{Ge: &day},
		SortDirection: &desc,
	})
	if err != nil {
		return err
	}
	titles = titles[:0]
	for _, p := range page.Items {
		titles = append(titles, p.Title)
	}
	show("Post.ListPostsByStatus (DESC)", titles)

	// A custom identifier: comments are keyed by (postId, createdOn).
	for i := range 2 {
		if _, err := c.Models.Comment.Create(ctx, blogdata.CreateCommentInput{
			PostID: got.ID, CreatedOn: day.Add(time.Duration(i) * time.Hour), Content: fmt.Sprintf("comment %d", i+1),
		}); err != nil {
			return err
		}
	}
	cm, err := c.Models.Comment.Get(ctx, blogdata.CommentIdentifier{PostID: got.ID, CreatedOn: day.Add(time.Hour)})
	if err != nil {
		return err
	}
	show("Comment.Get (postId, createdOn)", cm.Content)

	// Lazy loading: blog.posts(), post.blog(), author.profile().
	titles = titles[:0]
	for p, err := range c.Models.Blog.PostsAll(ctx, blog, blogdata.PostListOptions{}) {
		if err != nil {
			return err
		}
		titles = append(titles, p.Title)
	}
	slices.Sort(titles)
	show("Blog.Posts", titles)
	b, err := c.Models.Post.Blog(ctx, got)
	if err != nil {
		return err
	}
	show("Post.Blog", b.Name)
	author, err := c.Models.Author.Create(ctx, blogdata.CreateAuthorInput{Name: "Alice"})
	if err != nil {
		return err
	}
	// Created from its author: the author's id becomes its authorId.
	if _, err := c.Models.Author.CreateProfile(ctx, author, blogdata.CreateProfileInput{Bio: client.Ptr("writes Go")}); err != nil {
		return err
	}
	profile, err := c.Models.Author.Profile(ctx, author)
	if err != nil {
		return err
	}
	show("Author.Profile", profile.Bio)

	// A selection set of our own (blogdata/graphql/custom).
	pc, err := c.Operations.PostWithComments(ctx, blogdata.PostWithCommentsArgs{ID: got.ID, Comments: client.Ptr(10)})
	if err != nil {
		return err
	}
	var comments []string
	for _, it := range pc.GetPost.Comments.Items {
		comments = append(comments, it.Content)
	}
	show("Operations.PostWithComments", map[string]any{"title": pc.GetPost.Title, "blog": pc.GetPost.Blog.Name, "comments": comments})

	// A custom query resolved by a function.
	stats, err := c.Queries.PostStats(ctx, blogdata.PostStatsArgs{BlogID: blog.ID})
	if err != nil {
		return err
	}
	slices.Sort(stats.Tags)
	show("Queries.PostStats", stats)

	// Enums list their values, as client.enums does.
	show("PostStatusValues", blogdata.PostStatusValues())

	// Delete returns the item as it was.
	del, err := c.Models.Post.Delete(ctx, blogdata.PostIdentifier{ID: posts[2].ID})
	if err != nil {
		return err
	}
	show("Post.Delete", del.Title)
	return nil
}
