package function

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/blog/blogdata"
	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// startBlog starts the blog backend in-process with handler as the resolver
// of postStats (allowed as amplify/data/resource.ts allows it), and returns
// it with a client signed in as a user.
func startBlog(t *testing.T, handler func(context.Context, blogdata.PostStatsEvent) (*blogdata.PostStats, error)) (*appsynctest.Server, *blogdata.Client) {
	t.Helper()
	outputsJSON, err := os.ReadFile(filepath.Join("..", "amplify_outputs.json"))
	require.NoError(t, err)
	outputs, err := schema.ParseOutputs("amplify_outputs.json", outputsJSON)
	require.NoError(t, err)
	schemaSDL, err := os.ReadFile(filepath.Join("..", "amplify", "schema.graphql"))
	require.NoError(t, err)
	sch, err := appsync.ParseSDL("amplify/schema.graphql", schemaSDL)
	require.NoError(t, err)
	srv, err := appsynctest.Start(appsynctest.Backend{Outputs: outputs, Schema: sch},
		appsynctest.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		appsynctest.Handle("postStats", appsynctest.Typed(handler), appsynctest.AllowAuthenticated(), appsynctest.AllowPublicAPIKey()))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	c, err := blogdata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("alice@example.com")))
	require.NoError(t, err)
	return srv, c
}

// createPosts creates a blog with two tagged posts and one untagged, and a
// second blog with one post, and returns the first blog.
func createPosts(t *testing.T, c *blogdata.Client) *blogdata.Blog {
	t.Helper()
	ctx := context.Background()
	blog, err := c.Models.Blog.Create(ctx, blogdata.CreateBlogInput{Name: "Go on Amplify"})
	require.NoError(t, err)
	for _, tags := range [][]string{{"go", "lambda"}, {"amplify"}, nil} {
		_, err := c.Models.Blog.CreatePosts(ctx, blog, blogdata.CreatePostInput{Title: "post", Tags: tags})
		require.NoError(t, err)
	}
	other, err := c.Models.Blog.Create(ctx, blogdata.CreateBlogInput{Name: "another"})
	require.NoError(t, err)
	_, err = c.Models.Blog.CreatePosts(ctx, other, blogdata.CreatePostInput{Title: "elsewhere", Tags: []string{"other"}})
	require.NoError(t, err)
	return blog
}

func sortedTags(stats *blogdata.PostStats) []string {
	tags := slices.Clone(stats.Tags)
	slices.Sort(tags)
	return tags
}

// TestHandle resolves postStats through the local AppSync: a signed-in user
// calls the query, and the handler lists the blog's posts with the
// function role's IAM credentials.
func TestHandle(t *testing.T) {
	var h Handler
	srv, c := startBlog(t, func(ctx context.Context, ev blogdata.PostStatsEvent) (*blogdata.PostStats, error) {
		return h.Handle(ctx, ev)
	})
	data, err := blogdata.New(srv.Outputs(), client.WithCredentials(srv.IAMCredentials()), client.WithAuthMode(client.AuthIAM))
	require.NoError(t, err)
	h.Data = data

	blog := createPosts(t, c)
	stats, err := c.Queries.PostStats(context.Background(), blogdata.PostStatsArgs{BlogID: blog.ID})
	require.NoError(t, err)
	assert.Equal(t, 3, stats.Count)
	assert.Equal(t, []string{"amplify", "go", "lambda"}, sortedTags(stats))

	empty, err := c.Queries.PostStats(context.Background(), blogdata.PostStatsArgs{BlogID: "no-such-blog"})
	require.NoError(t, err)
	assert.Equal(t, 0, empty.Count)
}

// TestNewFromEnv builds the handler as the Lambda binary does, from the
// environment Amplify gives a function granted access to the data (the
// variables the deployment test finds on the synthesized function) and the
// role's credentials, and resolves postStats with it.
func TestNewFromEnv(t *testing.T) {
	var h *Handler
	srv, c := startBlog(t, func(ctx context.Context, ev blogdata.PostStatsEvent) (*blogdata.PostStats, error) {
		return h.Handle(ctx, ev)
	})
	creds, err := srv.IAMCredentials().Retrieve(context.Background())
	require.NoError(t, err)
	t.Setenv("AMPLIFY_DATA_DEFAULT_NAME", "amplifyData")
	t.Setenv("AMPLIFY_DATA_GRAPHQL_ENDPOINT", srv.URL())
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", creds.SessionToken)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_PROFILE", "")
	h, err = NewFromEnv(context.Background())
	require.NoError(t, err)

	blog := createPosts(t, c)
	stats, err := c.Queries.PostStats(context.Background(), blogdata.PostStatsArgs{BlogID: blog.ID})
	require.NoError(t, err)
	assert.Equal(t, 3, stats.Count)
}

// TestNewFromEnvUnset names the missing variable and the remedy.
func TestNewFromEnvUnset(t *testing.T) {
	t.Setenv("AMPLIFY_DATA_DEFAULT_NAME", "")
	_, err := NewFromEnv(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AMPLIFY_DATA_DEFAULT_NAME")
	assert.Contains(t, err.Error(), "allow.resource")
}
