// Package function is the Lambda function behind the blog's custom query
// postStats (postStatsFn in amplify/data/resource.ts): it counts a blog's
// posts and gathers their tags by calling the data API back, as a Gen 2
// function granted access to the data (allow.resource(postStatsFn) on the
// schema) does with generateClient<Schema>() in TypeScript.
//
// The binary in cmd/post-stats-function runs it on AWS Lambda; it finds the
// API through the variables Amplify sets on a function granted access
// (AMPLIFY_DATA_DEFAULT_NAME, AMPLIFY_DATA_GRAPHQL_ENDPOINT; see
// client.FunctionEndpoint) and signs its requests with the function's role.
package function

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/go-amplify/data/examples/blog/blogdata"
)

// Handler resolves postStats.
type Handler struct {
	// Data is the data API, called with the function's IAM role.
	Data *blogdata.Client
}

// NewFromEnv returns a Handler whose client is the one a Gen 2 function
// granted access to the data has: blogdata.NewForFunction with the default
// AWS configuration (in Lambda: the function's role and region).
func NewFromEnv(ctx context.Context) (*Handler, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("post-stats: loading AWS configuration: %w", err)
	}
	c, err := blogdata.NewForFunction(cfg)
	if err != nil {
		return nil, fmt.Errorf("post-stats: %w", err)
	}
	return &Handler{Data: c}, nil
}

// Handle is the function's handler, a blogdata.PostStatsHandler.
var _ blogdata.PostStatsHandler = (*Handler)(nil).Handle

// Handle counts the posts of the blog event.Arguments.BlogID and gathers
// their tags, in the order the API lists them.
func (h *Handler) Handle(ctx context.Context, event blogdata.PostStatsEvent) (*blogdata.PostStats, error) {
	stats := &blogdata.PostStats{}
	blog := &blogdata.Blog{ID: event.Arguments.BlogID}
	for p, err := range h.Data.Models.Blog.PostsAll(ctx, blog, blogdata.PostListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("post-stats: listing the posts of blog %q: %w", event.Arguments.BlogID, err)
		}
		stats.Count++
		stats.Tags = append(stats.Tags, p.Tags...)
	}
	return stats, nil
}
