package data_test

// Every Go snippet of README.md compiles: each ```go block of the README
// appears, line for line (indentation aside), in a Go file of the module
// that the tests compile — this file, unless a `<!-- compiled: path -->`
// comment just before the block names another. The functions below hold the
// snippets in the context they need (the variables a snippet uses are
// their parameters); they are compiled, never run.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/cognito"
	"github.com/go-amplify/data/client/realtime"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	addusertogroup "github.com/go-amplify/data/examples/add-user-to-group/function"
	"github.com/go-amplify/data/examples/blog/blogdata"
	"github.com/go-amplify/data/function/lambda"
	"github.com/go-amplify/data/schema"
)

// readmeBlock is a ```go block of the README.
type readmeBlock struct {
	line     int    // of the opening fence
	file     string // where it must appear
	contents []string
}

func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	f, err := os.Open("README.md")
	require.NoError(t, err)
	defer f.Close()
	var (
		blocks []readmeBlock
		cur    *readmeBlock
		target string
		n      int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.contents = append(cur.contents, line)
		case strings.HasPrefix(line, "<!-- compiled: "):
			target = strings.TrimSuffix(strings.TrimPrefix(line, "<!-- compiled: "), " -->")
		case strings.TrimSpace(line) == "```go":
			file := target
			if file == "" {
				file = "readme_test.go"
			}
			cur = &readmeBlock{line: n, file: file}
			target = ""
		case strings.TrimSpace(line) != "":
			target = ""
		}
	}
	require.NoError(t, sc.Err())
	require.Nil(t, cur, "README.md ends inside a ```go block")
	return blocks
}

// codeLines returns the lines of text with their indentation removed,
// blanks collapsed and blank lines dropped. A //go:generate line is kept out: in a Go file it
// would run.
func codeLines(text []string) []string {
	var out []string
	for _, l := range text {
		// gofmt aligns comments: runs of blanks count as one.
		l = strings.Join(strings.Fields(l), " ")
		if l == "" || strings.HasPrefix(l, "//go:generate ") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func containsRun(haystack, needle []string) bool {
	for i := 0; i+len(needle) <= len(haystack); i++ {
		match := true
		for j := range needle {
			if haystack[i+j] != needle[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func TestReadmeSnippetsCompile(t *testing.T) {
	blocks := readmeBlocks(t)
	require.NotEmpty(t, blocks)
	files := map[string][]string{}
	for _, b := range blocks {
		code := codeLines(b.contents)
		if len(code) == 0 {
			continue
		}
		lines, ok := files[b.file]
		if !ok {
			src, err := os.ReadFile(filepath.FromSlash(b.file))
			require.NoError(t, err, "README.md:%d: the block names %s", b.line, b.file)
			lines = codeLines(strings.Split(string(src), "\n"))
			files[b.file] = lines
		}
		assert.True(t, containsRun(lines, code),
			"README.md:%d: this ```go block is not in %s as it is: copy it there (into a function that gives it the variables it uses) so it is compiled, or fix the README", b.line, b.file)
	}
}

// The //go:generate lines of the README are real ones: each is in a
// generate.go of the examples, or the new-module test's.
func TestReadmeGenerateLines(t *testing.T) {
	var real string
	for _, f := range []string{"examples/add-user-to-group/generate.go", "examples/blog/generate.go", "newmodule_test.go"} {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		real += string(src)
	}
	found := 0
	for _, b := range readmeBlocks(t) {
		for _, l := range b.contents {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, "//go:generate ") {
				continue
			}
			found++
			assert.Contains(t, real, l, "README.md:%d: %q is no example's go:generate line", b.line, l)
		}
	}
	assert.NotZero(t, found)
}

// The snippets, in the context they need. They are compiled, not run.

func readmeQuickstart(ctx context.Context, cognitoClient *cip.Client, username, password string, args amplifydata.AddUserToGroupArgs) error {
	outputs, err := schema.LoadOutputs("amplify_outputs.json")
	awsCfg, err := config.LoadDefaultConfig(ctx) // aws-sdk-go-v2
	tokens := cognito.NewTokenSource(cognitoClient, cognito.Options{ClientID: outputs.Auth.UserPoolClientID})
	err = tokens.SignIn(ctx, username, password) // USER_PASSWORD_AUTH, refreshed before exp

	c, err := amplifydata.New(outputs, client.WithIAM(awsCfg), client.WithUserPool(tokens))
	res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{
		UserID: "5468d468-4061-70ed-8870-45c766d26225", GroupName: "ADMINS"}) // json.RawMessage
	todo, err := c.Models.Todo.Create(ctx, amplifydata.CreateTodoInput{Content: client.Ptr("milk")})
	todo, err = c.Models.Todo.Update(ctx, amplifydata.UpdateTodoInput{
		ID: todo.ID, Done: client.Set(true), Content: client.Null[string]()}) // priority untouched, content removed
	page, err := c.Models.Todo.List(ctx, amplifydata.TodoListOptions{Limit: client.Ptr(50)})
	res, err = c.Mutations.AddUserToGroup(ctx, args, client.WithAuthMode(client.AuthUserPool)) // per call

	_, _ = res, page
	return err
}

func readmeModelAPI(ctx context.Context, c *blogdata.Client, blog *blogdata.Blog, author *blogdata.Author,
	input blogdata.UpdatePostInput, id string, t time.Time, opts blogdata.PostListOptions, use func(*blogdata.Post)) error {
	post, err := c.Models.Post.Create(ctx, blogdata.CreatePostInput{Title: "Typed clients", BlogID: &blog.ID,
		Status: client.Ptr(blogdata.PostStatusPublished), Metadata: json.RawMessage(`{"part":1}`)})
	post, err = c.Models.Post.Get(ctx, blogdata.PostIdentifier{ID: post.ID}) // nil, nil when absent
	post, err = c.Models.Post.Update(ctx, blogdata.UpdatePostInput{ID: post.ID, Location: client.Null[blogdata.LocationInput]()})
	post, err = c.Models.Post.UpdateIf(ctx, input, &blogdata.ModelPostConditionInput{ // DynamoDB:ConditionalCheckFailedException
		Title: &blogdata.ModelStringInput{Eq: client.Ptr("Typed clients")}})
	for p, err := range c.Models.Post.ListAll(ctx, blogdata.PostListOptions{ // every page
		Filter: &blogdata.ModelPostFilterInput{BlogID: &blogdata.ModelIDInput{Eq: &blog.ID}}}) {
		if err != nil {
			return err
		}
		use(p)
	}
	desc := blogdata.ModelSortDirectionDesc
	page, err := c.Models.Post.ListPostsByStatus(ctx, blogdata.ListPostsByStatusOptions{ // a secondary index
		Status: blogdata.PostStatusPublished, PublishedAt: &blogdata.DateTimeKeyCondition{Ge: client.Ptr(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}, SortDirection: &desc})
	cm, err := c.Models.Comment.Get(ctx, blogdata.CommentIdentifier{PostID: id, CreatedOn: t}) // a custom identifier
	for p, err := range c.Models.Blog.PostsAll(ctx, blog, opts) {                              // blog.posts()
		if err != nil {
			return err
		}
		use(p)
	}
	b, err := c.Models.Post.Blog(ctx, post)                                                  // post.blog()
	profile, err := c.Models.Author.Profile(ctx, author)                                     // author.profile()
	post, err = c.Models.Blog.CreatePosts(ctx, blog, blogdata.CreatePostInput{Title: "..."}) // sets post.blogId
	stats, err := c.Queries.PostStats(ctx, blogdata.PostStatsArgs{BlogID: blog.ID})          // a custom query
	statuses := blogdata.PostStatusValues()                                                  // client.enums

	_, _, _, _, _, _ = page, cm, b, profile, stats, statuses
	return err
}

func readmeSubscriptions(ctx context.Context, c *amplifydata.Client, relist func(context.Context), use func(*amplifydata.Todo),
	render func([]*amplifydata.Todo, bool)) error {
	events, err := c.Models.Todo.OnCreate(ctx, amplifydata.OnCreateTodoOptions{
		Filter: &amplifydata.ModelSubscriptionTodoFilterInput{Done: &amplifydata.ModelSubscriptionBooleanInput{Eq: client.Ptr(false)}}})
	if err != nil {
		return err
	}
	for todo, err := range events { // returns once AppSync has accepted the subscription
		if errors.Is(err, realtime.ErrGap) { // the connection was re-established: events may be missing
			relist(ctx)
			continue
		}
		if err != nil {
			return err // a refused start (Unauthorized, bad filter), the context's error, ...
		}
		use(todo)
	}
	for snap, err := range c.Models.Todo.ObserveQuery(ctx, amplifydata.TodoListOptions{}) {
		if err != nil {
			return err
		}
		render(snap.Items, snap.IsSynced) // a snapshot per change; IsSynced once the whole list is read
	}
	return nil
}

// The function side: a handler of the generated type, started by
// aws-lambda-go.

func handle(ctx context.Context, event amplifydata.AddUserToGroupEvent) (json.RawMessage, error) {
	if !event.Identity.InGroup("ADMINS") { // arguments, identity (claims, groups or IAM), request headers
		return nil, errors.New("only ADMINS may add users to groups")
	}
	return json.Marshal(map[string]string{"added": event.Arguments.UserID, "to": event.Arguments.GroupName})
}

var _ amplifydata.AddUserToGroupHandler = handle

func main() { lambda.Start(handle) } // github.com/go-amplify/data/function/lambda

func readmeCognitoClient(ctx context.Context, outputs *schema.Outputs) (*cognito.TokenSource, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(outputs.Auth.AWSRegion))
	if err != nil {
		return nil, err
	}
	cognitoClient := cip.NewFromConfig(awsCfg) // Cognito of the outputs' region
	// A local user pool, such as cognito-local: the same client, another endpoint.
	localClient := cip.NewFromConfig(awsCfg, func(o *cip.Options) { o.BaseEndpoint = aws.String("http://127.0.0.1:9229") })
	tokens := cognito.NewTokenSource(cognitoClient, cognito.Options{ClientID: outputs.Auth.UserPoolClientID})

	_ = localClient
	return tokens, nil
}

func readmeLocalBackend(t *testing.T, handler *addusertogroup.Handler) {
	backend, err := appsynctest.LoadBackend("amplify_outputs.json", "amplify/schema.graphql")
	srv := appsynctest.NewServer(t, backend, // closed when the test ends
		appsynctest.Handle("addUserToGroup", appsynctest.Typed(handler.Handle), appsynctest.AllowGroups("ADMINS")))
	c, err := amplifydata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("alice@example.com", "ADMINS")))

	_, _ = c, err
}

func readmeRealtimeOptions(outputs *schema.Outputs, tokens *cognito.TokenSource) error {
	c, err := amplifydata.New(outputs, client.WithUserPool(tokens),
		realtime.WithOptions(realtime.WithBackoff(realtime.Backoff{Max: 10 * time.Second}),
			realtime.WithStateFunc(func(sc realtime.StateChange) { log.Print(sc.State) })))

	_ = c
	return err
}
