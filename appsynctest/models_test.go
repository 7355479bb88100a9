package appsynctest_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/internal/fixture/tododata"
)

var isoMillis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestTodoWithTheGeneratedClient(t *testing.T) {
	c := &clock{now: time.Date(2025, 6, 1, 8, 0, 0, 123456789, time.UTC)}
	srv := appsynctest.NewServer(t, seedBackend(t), appsynctest.WithClock(c.Now))
	ctx := context.Background()
	alice, bob, admin := srv.SignIn("alice"), srv.SignIn("bob"), srv.SignIn("root", "ADMINS")
	as := func(s *appsynctest.Session) *tododata.Client {
		cl, err := tododata.New(srv.Outputs(), client.WithUserPool(s))
		require.NoError(t, err)
		return cl
	}
	ac, bc, rc := as(alice), as(bob), as(admin)

	var milk *tododata.Todo
	t.Run("create sets id, timestamps, typename and owner", func(t *testing.T) {
		var err error
		milk, err = ac.Models.Todo.Create(ctx, tododata.CreateTodoInput{Content: client.Ptr("milk"), Priority: client.Ptr(tododata.TodoPriorityHigh)})
		require.NoError(t, err)
		assert.Regexp(t, uuidRe, milk.ID)
		assert.Equal(t, "milk", *milk.Content)
		assert.Nil(t, milk.Done)
		assert.Equal(t, c.Now().Truncate(time.Millisecond), milk.CreatedAt)
		assert.Equal(t, milk.CreatedAt, milk.UpdatedAt)
		assert.Equal(t, "alice", aws.ToString(milk.Owner), "the owner field resolver returns the username part")

		items, err := srv.Items("Todo")
		require.NoError(t, err)
		require.Len(t, items, 1)
		assert.Equal(t, alice.Owner(), items[0]["owner"], "stored as <sub>::<username>")
		assert.Equal(t, "Todo", items[0]["__typename"])
		assert.Regexp(t, isoMillis, items[0]["createdAt"])
		assert.Equal(t, "2025-06-01T08:00:00.123Z", items[0]["createdAt"])
		assert.NotContains(t, items[0], "done", "fields left out of the input are not stored")
	})

	t.Run("owners read their items; others get Unauthorized", func(t *testing.T) {
		got, err := ac.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: milk.ID})
		require.NoError(t, err)
		assert.Equal(t, milk, got)

		_, err = bc.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: milk.ID})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "Unauthorized", gqlErrs[0].ErrorType)
		assert.Equal(t, "Not Authorized to access getTodo on type Query", gqlErrs[0].Message)

		got, err = rc.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: milk.ID})
		require.NoError(t, err)
		assert.Equal(t, milk.ID, got.ID, "the ADMINS group reads every item")

		missing, err := bc.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: "nope"})
		require.NoError(t, err)
		assert.Nil(t, missing, "no item is null, not an error")
	})

	t.Run("signed-in identity pool users read, guests do not", func(t *testing.T) {
		ic, err := tododata.New(srv.Outputs(), client.WithIdentityPool(srv.AuthenticatedCredentials()), client.WithAuthMode(client.AuthIdentityPool), client.WithClock(c.Now))
		require.NoError(t, err)
		got, err := ic.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: milk.ID})
		require.NoError(t, err)
		assert.Equal(t, milk.ID, got.ID)

		gc, err := tododata.New(srv.Outputs(), client.WithIdentityPool(srv.GuestCredentials()), client.WithAuthMode(client.AuthIdentityPool), client.WithClock(c.Now))
		require.NoError(t, err)
		_, err = gc.Models.Todo.Get(ctx, tododata.TodoIdentifier{ID: milk.ID})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "Unauthorized", gqlErrs[0].ErrorType)

		// Creating needs a user pool token (createTodo's directive).
		_, err = ic.Models.Todo.Create(ctx, tododata.CreateTodoInput{}, client.WithAuthMode(client.AuthIdentityPool))
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "Not Authorized to access createTodo on type Mutation", gqlErrs[0].Message)
	})

	t.Run("list filters out other owners' items", func(t *testing.T) {
		_, err := bc.Models.Todo.Create(ctx, tododata.CreateTodoInput{Content: client.Ptr("bread")})
		require.NoError(t, err)
		page, err := ac.Models.Todo.List(ctx, tododata.TodoListOptions{})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "milk", *page.Items[0].Content)
		page, err = rc.Models.Todo.List(ctx, tododata.TodoListOptions{})
		require.NoError(t, err)
		assert.Len(t, page.Items, 2)
	})

	t.Run("update keeps unset fields and removes null ones", func(t *testing.T) {
		c.Add(time.Minute)
		got, err := ac.Models.Todo.Update(ctx, tododata.UpdateTodoInput{ID: milk.ID, Done: client.Set(true), Content: client.Null[string]()})
		require.NoError(t, err)
		assert.Equal(t, true, *got.Done)
		assert.Nil(t, got.Content)
		assert.Equal(t, tododata.TodoPriorityHigh, *got.Priority)
		assert.Equal(t, milk.CreatedAt, got.CreatedAt)
		assert.Equal(t, milk.CreatedAt.Add(time.Minute), got.UpdatedAt)
		items, _ := srv.Items("Todo")
		for _, it := range items {
			if it["id"] == milk.ID {
				assert.NotContains(t, it, "content", "null removes the attribute")
			}
		}
	})

	t.Run("update and delete of others' items are Unauthorized", func(t *testing.T) {
		_, err := bc.Models.Todo.Update(ctx, tododata.UpdateTodoInput{ID: milk.ID, Done: client.Set(false)})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "Not Authorized to access updateTodo on type Mutation", gqlErrs[0].Message)
		_, err = bc.Models.Todo.Delete(ctx, tododata.TodoIdentifier{ID: milk.ID})
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "Not Authorized to access deleteTodo on type Mutation", gqlErrs[0].Message)
		_, err = ac.Models.Todo.Update(ctx, tododata.UpdateTodoInput{ID: "missing", Done: client.Set(true)})
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "Unauthorized", gqlErrs[0].ErrorType, "an owner cannot own an item that does not exist")
		_, err = rc.Models.Todo.Update(ctx, tododata.UpdateTodoInput{ID: "missing", Done: client.Set(true)})
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "DynamoDB:ConditionalCheckFailedException", gqlErrs[0].ErrorType, "the group may, but the item must exist")
		assert.Regexp(t, `^The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: [A-Z0-9]+\)$`, gqlErrs[0].Message)
	})

	t.Run("create with an existing id fails the condition", func(t *testing.T) {
		_, err := rc.Models.Todo.Create(ctx, tododata.CreateTodoInput{ID: &milk.ID})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "DynamoDB:ConditionalCheckFailedException", gqlErrs[0].ErrorType)
	})

	t.Run("delete returns the item; a second delete fails", func(t *testing.T) {
		got, err := ac.Models.Todo.Delete(ctx, tododata.TodoIdentifier{ID: milk.ID})
		require.NoError(t, err)
		assert.Equal(t, milk.ID, got.ID)
		_, err = rc.Models.Todo.Delete(ctx, tododata.TodoIdentifier{ID: milk.ID})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "DynamoDB:ConditionalCheckFailedException", gqlErrs[0].ErrorType)
	})
}

func TestConditionsAndFilters(t *testing.T) {
	srv := appsynctest.NewServer(t, seedBackend(t))
	admin := session(srv.SignIn("root", "ADMINS"))
	create := func(input map[string]any) string {
		data := ok(t, srv.URL(), admin, `mutation($in: CreateTodoInput!) { createTodo(input: $in) { id } }`, map[string]any{"in": input})
		return data["createTodo"].(map[string]any)["id"].(string)
	}
	a := create(map[string]any{"content": "apple pie", "priority": "HIGH", "done": false})
	b := create(map[string]any{"content": "banana", "priority": "LOW", "done": true})
	cID := create(map[string]any{"content": nil})
	d := create(map[string]any{})

	t.Run("update condition", func(t *testing.T) {
		const m = `mutation($in: UpdateTodoInput!, $c: ModelTodoConditionInput) { updateTodo(input: $in, condition: $c) { id done } }`
		_, body := gql(t, srv.URL(), admin, m, map[string]any{"in": map[string]any{"id": a, "done": true}, "c": map[string]any{"done": map[string]any{"eq": true}}})
		r := decode(t, body)
		assert.Equal(t, map[string]any{"updateTodo": nil}, r.Data)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "DynamoDB:ConditionalCheckFailedException", r.Errors[0].ErrorType)
		assert.Equal(t, []any{"updateTodo"}, r.Errors[0].Path)
		assert.Regexp(t, `^\{"data":\{"updateTodo":null\},"errors":\[\{"path":\["updateTodo"\],"data":null,"errorType":"DynamoDB:ConditionalCheckFailedException","errorInfo":null,"locations":\[\{"line":1,"column":64,"sourceName":null\}\],"message":"The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: [A-Z0-9]{52}\)"\}\]\}$`, body)

		data := ok(t, srv.URL(), admin, m, map[string]any{"in": map[string]any{"id": a, "done": true}, "c": map[string]any{"done": map[string]any{"eq": false}, "content": map[string]any{"beginsWith": "apple"}}})
		assert.Equal(t, true, data["updateTodo"].(map[string]any)["done"])
	})

	t.Run("delete condition", func(t *testing.T) {
		const m = `mutation($id: ID!, $c: ModelTodoConditionInput) { deleteTodo(input: {id: $id}, condition: $c) { id } }`
		r := decode(t, func() string {
			_, b := gql(t, srv.URL(), admin, m, map[string]any{"id": d, "c": map[string]any{"content": map[string]any{"attributeExists": true}}})
			return b
		}())
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "DynamoDB:ConditionalCheckFailedException", r.Errors[0].ErrorType)
	})

	ids := func(filter map[string]any) []string {
		data := ok(t, srv.URL(), admin, `query($f: ModelTodoFilterInput) { listTodos(filter: $f) { items { id } nextToken } }`, map[string]any{"f": filter})
		var out []string
		for _, it := range data["listTodos"].(map[string]any)["items"].([]any) {
			out = append(out, it.(map[string]any)["id"].(string))
		}
		sort.Strings(out)
		return out
	}
	sorted := func(s ...string) []string { sort.Strings(s); return s }
	for _, tc := range []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"eq", map[string]any{"content": map[string]any{"eq": "banana"}}, sorted(b)},
		{"ne includes missing attributes", map[string]any{"content": map[string]any{"ne": "banana"}}, sorted(a, cID, d)},
		{"eq null matches a stored null only", map[string]any{"content": map[string]any{"eq": nil}}, sorted(cID)},
		{"attributeExists false", map[string]any{"content": map[string]any{"attributeExists": false}}, sorted(d)},
		{"attributeExists true counts stored nulls", map[string]any{"content": map[string]any{"attributeExists": true}}, sorted(a, b, cID)},
		{"attributeType", map[string]any{"content": map[string]any{"attributeType": "_null"}}, sorted(cID)},
		{"beginsWith", map[string]any{"content": map[string]any{"beginsWith": "app"}}, sorted(a)},
		{"contains", map[string]any{"content": map[string]any{"contains": "nan"}}, sorted(b)},
		{"notContains includes missing", map[string]any{"content": map[string]any{"notContains": "nan"}}, sorted(a, cID, d)},
		{"size", map[string]any{"content": map[string]any{"size": map[string]any{"gt": 6}}}, sorted(a)},
		{"between", map[string]any{"content": map[string]any{"between": []any{"b", "c"}}}, sorted(b)},
		{"lt and ge", map[string]any{"content": map[string]any{"lt": "b", "ge": "a"}}, sorted(a)},
		{"enum", map[string]any{"priority": map[string]any{"eq": "LOW"}}, sorted(b)},
		{"boolean", map[string]any{"done": map[string]any{"eq": true}}, sorted(a, b)},
		{"or", map[string]any{"or": []any{map[string]any{"priority": map[string]any{"eq": "LOW"}}, map[string]any{"content": map[string]any{"eq": nil}}}}, sorted(b, cID)},
		{"and", map[string]any{"and": []any{map[string]any{"done": map[string]any{"eq": true}}, map[string]any{"priority": map[string]any{"eq": "HIGH"}}}}, sorted(a)},
		{"not", map[string]any{"not": map[string]any{"done": map[string]any{"eq": true}}}, sorted(cID, d)},
		{"empty filter", map[string]any{}, sorted(a, b, cID, d)},
	} {
		t.Run("filter "+tc.name, func(t *testing.T) { assert.Equal(t, tc.want, ids(tc.filter)) })
	}
}

func TestPagination(t *testing.T) {
	srv := appsynctest.NewServer(t, seedBackend(t))
	ctx := context.Background()
	alice, bob := srv.SignIn("alice"), srv.SignIn("bob")
	for _, s := range []*appsynctest.Session{alice, bob, alice, bob, alice, bob, alice} {
		cl, err := tododata.New(srv.Outputs(), client.WithUserPool(s))
		require.NoError(t, err)
		_, err = cl.Models.Todo.Create(ctx, tododata.CreateTodoInput{Content: client.Ptr(s.Username())})
		require.NoError(t, err)
	}
	bc, err := tododata.New(srv.Outputs(), client.WithUserPool(bob))
	require.NoError(t, err)

	// Limit counts the items read before the auth filter: pages can be
	// short, even empty, and still carry a token; the last full page
	// carries a token to an empty page.
	var sizes []int
	seen := map[string]bool{}
	opts := tododata.TodoListOptions{Limit: client.Ptr(2)}
	for range 10 {
		page, err := bc.Models.Todo.List(ctx, opts)
		require.NoError(t, err)
		sizes = append(sizes, len(page.Items))
		for _, it := range page.Items {
			assert.Equal(t, "bob", *it.Content)
			assert.False(t, seen[it.ID], "no item twice")
			seen[it.ID] = true
		}
		if page.NextToken == nil {
			break
		}
		opts.NextToken = page.NextToken
	}
	assert.Len(t, seen, 3)
	assert.Len(t, sizes, 4, "7 items read 2 at a time: 4 pages, the last of 1")
	total := 0
	for _, n := range sizes {
		total += n
	}
	assert.Equal(t, 3, total)

	t.Run("a full last page has a token to an empty page", func(t *testing.T) {
		rc, err := tododata.New(srv.Outputs(), client.WithUserPool(srv.SignIn("root", "ADMINS")))
		require.NoError(t, err)
		page, err := rc.Models.Todo.List(ctx, tododata.TodoListOptions{Limit: client.Ptr(7)})
		require.NoError(t, err)
		assert.Len(t, page.Items, 7)
		require.NotEmpty(t, page.NextToken)
		next, err := rc.Models.Todo.List(ctx, tododata.TodoListOptions{Limit: client.Ptr(7), NextToken: page.NextToken})
		require.NoError(t, err)
		assert.Empty(t, next.Items)
		assert.Nil(t, next.NextToken)
	})

	t.Run("a token the server did not issue", func(t *testing.T) {
		_, err := bc.Models.Todo.List(ctx, tododata.TodoListOptions{NextToken: client.Ptr("eyJ2ZXJzaW9uIjozLCJ0b2tlbiI6Im5vcGUifQ==")})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "DynamoDB:UserIllegalArgumentException", gqlErrs[0].ErrorType)
		assert.Equal(t, "com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given.", gqlErrs[0].Message)
	})

	t.Run("limit must be positive", func(t *testing.T) {
		_, err := bc.Models.Todo.List(ctx, tododata.TodoListOptions{Limit: client.Ptr(0)})
		var gqlErrs client.GraphQLErrors
		require.ErrorAs(t, err, &gqlErrs)
		assert.Equal(t, "DynamoDB:DynamoDbException", gqlErrs[0].ErrorType)
		assert.Contains(t, gqlErrs[0].Message, "Member must have value greater than or equal to 1")
	})
}

// blogServer serves the blog backend with a handler for postStats.
func blogServer(t *testing.T, opts ...appsynctest.Option) *appsynctest.Server {
	return appsynctest.NewServer(t, blogBackend(t), append([]appsynctest.Option{
		appsynctest.Handle("postStats", appsynctest.Typed(func(_ context.Context, e struct {
			Arguments struct{ BlogID string } `json:"arguments"`
		}) (map[string]any, error) {
			return map[string]any{"count": 2, "tags": []string{"go"}}, nil
		}), appsynctest.AllowAuthenticated(), appsynctest.AllowPublicAPIKey()),
	}, opts...)...)
}

func TestRelationshipsAndKeys(t *testing.T) {
	srv := blogServer(t)
	alice := session(srv.SignIn("alice"))
	bob := session(srv.SignIn("bob"))
	key := apiKey(srv.APIKey())
	one := func(a auth, q string, vars map[string]any) map[string]any {
		t.Helper()
		data := ok(t, srv.URL(), a, q, vars)
		for _, v := range data {
			m, _ := v.(map[string]any)
			return m
		}
		return nil
	}

	blog := one(alice, `mutation { createBlog(input: {name: "Go"}) { id name posts { items { id } } } }`, nil)
	assert.Equal(t, map[string]any{"items": []any{}}, blog["posts"], "relationships are redacted in mutation responses")
	blogID := blog["id"].(string)

	var postIDs []string
	for i, p := range []struct {
		title, status, at string
	}{{"first", "PUBLISHED", "2024-01-01T00:00:00.000Z"}, {"second", "PUBLISHED", "2024-02-01T00:00:00.000Z"}, {"draft", "DRAFT", "2024-03-01T00:00:00.000Z"}, {"third", "PUBLISHED", "2024-03-01T00:00:00.000Z"}} {
		post := one(alice, `mutation($in: CreatePostInput!) { createPost(input: $in) { id blog { id } } }`, map[string]any{"in": map[string]any{
			"title": p.title, "status": p.status, "publishedAt": p.at, "blogId": blogID, "views": i, "tags": []string{"t" + fmt.Sprint(i)},
			"location": map[string]any{"lat": 1.5, "lng": 2}, "metadata": `{"n":` + fmt.Sprint(i) + `}`,
		}})
		assert.Nil(t, post["blog"], "belongsTo is redacted in mutation responses")
		postIDs = append(postIDs, post["id"].(string))
	}
	noStatus := one(alice, `mutation { createPost(input: {title: "untitled", status: null}) { id } }`, nil)["id"].(string)

	t.Run("hasMany and belongsTo", func(t *testing.T) {
		got := one(key, `query($id: ID!) { getBlog(id: $id) { name posts(sortDirection: ASC) { items { title blog { name } } nextToken } } }`, map[string]any{"id": blogID})
		items := got["posts"].(map[string]any)["items"].([]any)
		assert.Len(t, items, 4)
		for _, it := range items {
			assert.Equal(t, map[string]any{"name": "Go"}, it.(map[string]any)["blog"])
		}
		filtered := one(key, `query($id: ID!) { getBlog(id: $id) { posts(filter: {status: {eq: DRAFT}}) { items { title } } } }`, map[string]any{"id": blogID})
		assert.Equal(t, []any{map[string]any{"title": "draft"}}, filtered["posts"].(map[string]any)["items"])
		page := one(key, `query($id: ID!) { getBlog(id: $id) { posts(limit: 3) { items { title } nextToken } } }`, map[string]any{"id": blogID})
		assert.Len(t, page["posts"].(map[string]any)["items"], 3)
		assert.NotNil(t, page["posts"].(map[string]any)["nextToken"])
	})

	t.Run("custom types, lists, JSON and scalars round trip", func(t *testing.T) {
		got := one(key, `query($id: ID!) { getPost(id: $id) { title tags location { lat lng label } metadata views rating publishedAt } }`, map[string]any{"id": postIDs[1]})
		assert.Equal(t, map[string]any{"title": "second", "tags": []any{"t1"}, "location": map[string]any{"lat": 1.5, "lng": float64(2), "label": nil},
			"metadata": `{"n":1}`, "views": float64(1), "rating": nil, "publishedAt": "2024-02-01T00:00:00.000Z"}, got)
	})

	t.Run("secondary index query with a sort key condition", func(t *testing.T) {
		const q = `query($c: ModelStringKeyConditionInput, $d: ModelSortDirection) {
			listPostsByStatus(status: PUBLISHED, publishedAt: $c, sortDirection: $d) { items { title } } }`
		titles := func(vars map[string]any) []string {
			var out []string
			for _, it := range one(key, q, vars)["items"].([]any) {
				out = append(out, it.(map[string]any)["title"].(string))
			}
			return out
		}
		assert.Equal(t, []string{"first", "second", "third"}, titles(nil))
		assert.Equal(t, []string{"third", "second", "first"}, titles(map[string]any{"d": "DESC"}))
		assert.Equal(t, []string{"second", "third"}, titles(map[string]any{"c": map[string]any{"gt": "2024-01-15"}}))
		assert.Equal(t, []string{"second"}, titles(map[string]any{"c": map[string]any{"between": []any{"2024-01-15", "2024-02-15"}}}))
		assert.Equal(t, []string{"third", "second"}, titles(map[string]any{"c": map[string]any{"beginsWith": "2024-0"}, "d": "DESC"})[:2])

		_, body := gql(t, srv.URL(), key, q, map[string]any{"c": map[string]any{"gt": "a", "lt": "b"}})
		r := decode(t, body)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "InvalidArgumentsError", r.Errors[0].ErrorType)
		assert.Contains(t, r.Errors[0].Message, "KeyConditionExpressions must only contain one condition per key")

		items, err := srv.Items("Post")
		require.NoError(t, err)
		for _, it := range items {
			if it["id"] == noStatus {
				assert.NotContains(t, it, "status", "a null index key is left out, so the item is not in the index")
			}
		}
	})

	t.Run("composite identifier", func(t *testing.T) {
		for _, on := range []string{"2024-05-01T10:00:00.000Z", "2024-05-02T10:00:00.000Z", "2024-06-01T10:00:00.000Z"} {
			one(alice, `mutation($p: ID!, $on: AWSDateTime!) { createComment(input: {postId: $p, createdOn: $on, content: "c"}) { postId } }`, map[string]any{"p": postIDs[0], "on": on})
		}
		one(bob, `mutation($p: ID!) { createComment(input: {postId: $p, createdOn: "2024-05-03T00:00:00.000Z", content: "bob's"}) { postId } }`, map[string]any{"p": postIDs[0]})

		got := one(alice, `query($p: ID!) { getComment(postId: $p, createdOn: "2024-05-02T10:00:00.000Z") { createdOn post { title } } }`, map[string]any{"p": postIDs[0]})
		assert.Equal(t, map[string]any{"createdOn": "2024-05-02T10:00:00.000Z", "post": map[string]any{"title": "first"}}, got)

		list := one(alice, `query($p: ID!) { listComments(postId: $p, createdOn: {beginsWith: "2024-05"}, sortDirection: DESC) { items { createdOn content } } }`, map[string]any{"p": postIDs[0]})
		assert.Equal(t, []any{
			map[string]any{"createdOn": "2024-05-03T00:00:00.000Z", "content": "bob's"},
			map[string]any{"createdOn": "2024-05-02T10:00:00.000Z", "content": "c"},
			map[string]any{"createdOn": "2024-05-01T10:00:00.000Z", "content": "c"},
		}, list["items"], "signed-in users read every comment (allow.authenticated().to(['read']))")

		_, body := gql(t, srv.URL(), alice, `mutation($p: ID!) { createComment(input: {postId: $p, createdOn: "2024-05-01T10:00:00.000Z", content: "again"}) { postId } }`, map[string]any{"p": postIDs[0]})
		assert.Contains(t, body, `"errorType":"DynamoDB:ConditionalCheckFailedException"`)

		_, body = gql(t, srv.URL(), alice, `{ listComments(sortDirection: DESC) { items { content } } }`, nil)
		assert.Contains(t, body, `"errorType":"InvalidArgumentsError","errorInfo":null`)
		assert.Contains(t, body, `When providing argument 'sortDirection' you must also provide argument 'postId'.`)

		post := one(alice, `query($id: ID!) { getPost(id: $id) { comments { items { content } } } }`, map[string]any{"id": postIDs[0]})
		assert.Len(t, post["comments"].(map[string]any)["items"], 4)

		_, body = gql(t, srv.URL(), bob, `mutation($p: ID!) { deleteComment(input: {postId: $p, createdOn: "2024-05-01T10:00:00.000Z"}) { postId } }`, map[string]any{"p": postIDs[0]})
		assert.Contains(t, body, `"errorType":"Unauthorized"`)
	})

	t.Run("hasOne", func(t *testing.T) {
		author := one(alice, `mutation { createAuthor(input: {name: "Ann"}) { id } }`, nil)["id"].(string)
		profile := one(alice, `mutation($a: ID!) { createProfile(input: {authorId: $a, bio: "hi"}) { id } }`, map[string]any{"a": author})["id"].(string)
		got := one(key, `query($id: ID!) { getAuthor(id: $id) { name profile { bio author { name } } } }`, map[string]any{"id": author})
		assert.Equal(t, map[string]any{"name": "Ann", "profile": map[string]any{"bio": "hi", "author": map[string]any{"name": "Ann"}}}, got)
		got = one(key, `query($id: ID!) { getProfile(id: $id) { author { name } } }`, map[string]any{"id": profile})
		assert.Equal(t, map[string]any{"author": map[string]any{"name": "Ann"}}, got)

		// bob's profile points at alice's author, which the owner rule
		// hides from bob: the related item exists but is filtered out.
		bobs := one(bob, `mutation($a: ID!) { createProfile(input: {authorId: $a, bio: "bob"}) { id } }`, map[string]any{"a": author})["id"].(string)
		_, body := gql(t, srv.URL(), bob, "query($id: ID!) {\n  getProfile(id: $id) {\n    bio\n    author { name }\n  }\n}", map[string]any{"id": bobs})
		assert.Equal(t, compact(t, `{"data":{"getProfile":{"bio":"bob","author":null}},"errors":[{"path":["getProfile","author"],"data":null,
			"errorType":"Unauthorized","errorInfo":null,"locations":[{"line":4,"column":5,"sourceName":null}],
			"message":"Not Authorized to access author on type Profile"}]}`), body)
	})

	t.Run("public API key reads but does not write", func(t *testing.T) {
		_, body := gql(t, srv.URL(), key, `mutation { createBlog(input: {name: "x"}) { id } }`, nil)
		r := decode(t, body)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "Not Authorized to access createBlog on type Mutation", r.Errors[0].Message)
		assert.Len(t, one(key, `{ listBlogs { items { id } } }`, nil)["items"], 1)
	})

	t.Run("owner rules filter relationship items", func(t *testing.T) {
		// Comments allow owners and signed-in readers; a Comment's post
		// belongs to alice, and bob reads it through allow.authenticated.
		got := one(bob, `query($id: ID!) { getPost(id: $id) { title owner } }`, map[string]any{"id": postIDs[0]})
		assert.Equal(t, map[string]any{"title": "first", "owner": "alice"}, got)
	})

	t.Run("custom query", func(t *testing.T) {
		got := one(key, `query($b: ID!) { postStats(blogId: $b) { count tags } }`, map[string]any{"b": blogID})
		assert.Equal(t, map[string]any{"count": float64(2), "tags": []any{"go"}}, got)
		_, body := gql(t, srv.URL(), sigv4(srv.GuestCredentials(), time.Time{}), `query($b: ID!) { postStats(blogId: $b) { count } }`, map[string]any{"b": blogID})
		assert.Contains(t, body, "Not Authorized to access postStats on type Query", "the identity pool's roles need a rule")
		ok(t, srv.URL(), sigv4(srv.IAMCredentials(), time.Time{}), `query($b: ID!) { postStats(blogId: $b) { count } }`, map[string]any{"b": blogID})
	})

	t.Run("IAM roles outside the identity pool are admitted", func(t *testing.T) {
		fn := sigv4(srv.IAMCredentials(), time.Time{})
		got := one(fn, `mutation { createBlog(input: {name: "from a function"}) { name owner } }`, nil)
		assert.Equal(t, map[string]any{"name": "from a function", "owner": nil}, got)
	})
}

func TestDataHelpers(t *testing.T) {
	srv := appsynctest.NewServer(t, seedBackend(t))
	require.NoError(t, srv.PutItem("Todo", map[string]any{"id": "seeded", "content": "x", "owner": "s::alice", "__typename": "Todo",
		"createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z"}))
	data := ok(t, srv.URL(), session(srv.SignIn("root", "ADMINS")), `{ getTodo(id: "seeded") { content owner } }`, nil)
	assert.Equal(t, map[string]any{"getTodo": map[string]any{"content": "x", "owner": "alice"}}, data)

	err := srv.PutItem("Todo", map[string]any{"content": "no id"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "set the key fields id")
	_, err = srv.Items("Nope")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no model "Nope": the backend's models are Todo`)

	events, stop := srv.Subscribe("Todo")
	defer stop()
	ok(t, srv.URL(), session(srv.SignIn("alice")), `mutation { createTodo(input: {content: "evented"}) { id } }`, nil)
	select {
	case e := <-events:
		assert.Equal(t, "create", e.Operation)
		assert.Equal(t, "createTodo", e.Field)
		assert.Equal(t, "evented", e.Item["content"])
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}

	srv.Reset()
	items, err := srv.Items("Todo")
	require.NoError(t, err)
	assert.Empty(t, items)
}
