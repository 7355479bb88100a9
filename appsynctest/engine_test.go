package appsynctest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/appsynctest"
)

// event is the part of the function event the engine handlers read.
type event struct {
	TypeName  string         `json:"typeName"`
	FieldName string         `json:"fieldName"`
	Arguments map[string]any `json:"arguments"`
}

func thing(id string) map[string]any {
	t := map[string]any{"id": id, "name": "thing " + id, "color": "RED", "tags": []string{"a", "b"},
		"count": 3, "meta": map[string]any{"k": []int{1, 2}}, "at": "2024-05-06T07:08:09.123Z",
		"nested": map[string]any{"id": id + "-child", "name": "child of " + id}}
	switch id {
	case "null-name":
		t["name"] = nil
	case "bad-count":
		t["count"] = "many"
	case "null-nested-name":
		t["nested"] = map[string]any{"id": "x", "name": nil}
	}
	return t
}

// engineServer serves the engine schema with handlers for every query.
func engineServer(t *testing.T, opts ...appsynctest.Option) *appsynctest.Server {
	h := func(f func(e event) (any, error)) appsynctest.Handler {
		return appsynctest.Typed(func(_ context.Context, e event) (any, error) { return f(e) })
	}
	opts = append([]appsynctest.Option{
		appsynctest.Handle("hello", h(func(e event) (any, error) { return "hello " + e.Arguments["name"].(string), nil })),
		appsynctest.Handle("echo", h(func(e event) (any, error) { return e.Arguments, nil })),
		appsynctest.Handle("thing", h(func(e event) (any, error) { return thing(e.Arguments["id"].(string)), nil })),
		appsynctest.Handle("things", h(func(e event) (any, error) {
			return []any{thing("1"), thing("null-name"), thing("3")}, nil
		})),
		appsynctest.Handle("requiredThing", h(func(e event) (any, error) { return nil, nil })),
		appsynctest.Handle("strictThings", h(func(e event) (any, error) { return []any{thing("1"), thing("null-name")}, nil })),
		appsynctest.Handle("search", h(func(e event) (any, error) {
			return []any{map[string]any{"__typename": "Thing", "id": "t", "name": "T"}, map[string]any{"__typename": "Other", "id": "o", "label": "O"}}, nil
		})),
		appsynctest.Handle("node", h(func(e event) (any, error) {
			return map[string]any{"__typename": "Other", "id": e.Arguments["id"], "label": "L"}, nil
		})),
		appsynctest.Handle("secret", h(func(e event) (any, error) { return "s3cret", nil })),
		appsynctest.Handle("adminSecret", h(func(e event) (any, error) { return "admins only", nil })),
		appsynctest.Handle("signed", h(func(e event) (any, error) { return "signed", nil })),
		appsynctest.Handle("mixed", h(func(e event) (any, error) { return map[string]any{"open": "o", "members": "m"}, nil })),
		appsynctest.Handle("fail", h(func(e event) (any, error) { return nil, errors.New(e.Arguments["message"].(string)) })),
		appsynctest.Handle("count", h(func(e event) (any, error) { return 3.5, nil })),
		appsynctest.Handle("setColor", h(func(e event) (any, error) { return e.Arguments["color"], nil })),
		appsynctest.Handle("add", h(func(e event) (any, error) {
			return e.Arguments["a"].(float64) + e.Arguments["b"].(float64), nil
		})),
	}, opts...)
	return appsynctest.NewServer(t, engineBackend(t), opts...)
}

func TestQueriesRunForReal(t *testing.T) {
	srv := engineServer(t)
	key := apiKey(srv.APIKey())

	t.Run("aliases, fragments, typename, nested, defaults", func(t *testing.T) {
		status, body := gql(t, srv.URL(), key, `
			query Q($id: ID!, $withTags: Boolean = false) {
				hi: hello
				named: hello(name: "gopher")
				first: thing(id: $id) { ...Basic nested { __typename ... on Thing { name } } }
				second: thing(id: "2") { __typename id tags @include(if: $withTags) color @skip(if: true) }
			}
			fragment Basic on Thing { id name count at meta }`, map[string]any{"id": "1"})
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, compact(t, `{"data":{
			"hi":"hello world","named":"hello gopher",
			"first":{"id":"1","name":"thing 1","count":3,"at":"2024-05-06T07:08:09.123Z","meta":"{\"k\":[1,2]}",
			         "nested":{"__typename":"Thing","name":"child of 1"}},
			"second":{"__typename":"Thing","id":"2"}}}`), body, "members in selection order, AWSJSON as a string")
	})

	t.Run("unions and interfaces", func(t *testing.T) {
		data := ok(t, srv.URL(), key, `{
			search { __typename ... on Thing { name } ... on Other { label } }
			node(id: "n") { id ... on Other { label } }
		}`, nil)
		assert.Equal(t, []any{map[string]any{"__typename": "Thing", "name": "T"}, map[string]any{"__typename": "Other", "label": "O"}}, data["search"])
		assert.Equal(t, map[string]any{"id": "n", "label": "L"}, data["node"])
	})

	t.Run("mutation", func(t *testing.T) {
		data := ok(t, srv.URL(), key, `mutation M($c: Color!) { setColor(color: $c) sum: add(a: 2, b: 40) }`, map[string]any{"c": "GREEN"})
		assert.Equal(t, map[string]any{"setColor": "GREEN", "sum": float64(42)}, data)
	})

	t.Run("operation name picks the operation", func(t *testing.T) {
		status, body := post(t, srv.URL(), key, `{"query":"query A { hello } query B { named: hello(name: \"b\") }","operationName":"B"}`)
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `{"data":{"named":"hello b"}}`, body)

		_, body = post(t, srv.URL(), key, `{"query":"query A { hello } query B { hello }"}`)
		assert.JSONEq(t, `{"data":null,"errors":[{"path":null,"locations":null,"message":"Must provide operation name if query contains multiple operations."}]}`, body)
	})

	t.Run("GET", func(t *testing.T) {
		q := url.Values{"query": {`{ hello }`}}
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"?"+q.Encode(), nil)
		req.Header.Set("X-Api-Key", srv.APIKey())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		assert.Equal(t, map[string]any{"data": map[string]any{"hello": "hello world"}}, out)
	})

	t.Run("introspection", func(t *testing.T) {
		data := ok(t, srv.URL(), key, `{
			__schema { queryType { name } mutationType { name } }
			__type(name: "Thing") { kind name fields { name type { kind name ofType { name } } } interfaces { name } }
		}`, nil)
		assert.Equal(t, map[string]any{"queryType": map[string]any{"name": "Query"}, "mutationType": map[string]any{"name": "Mutation"}}, data["__schema"])
		typ := data["__type"].(map[string]any)
		assert.Equal(t, "OBJECT", typ["kind"])
		assert.Equal(t, []any{map[string]any{"name": "Node"}}, typ["interfaces"])
		assert.Contains(t, typ["fields"], map[string]any{"name": "id", "type": map[string]any{"kind": "NON_NULL", "name": nil, "ofType": map[string]any{"name": "ID"}}})
	})
}

func TestVariablesAreCoerced(t *testing.T) {
	srv := engineServer(t)
	key := apiKey(srv.APIKey())
	const q = `query E($s: String, $i: Int, $f: Float, $b: Boolean, $id: ID, $c: Color, $at: AWSDateTime, $on: AWSDate, $j: AWSJSON, $email: AWSEmail, $list: [Int!], $in: ThingInput) {
		echo(s: $s, i: $i, f: $f, b: $b, id: $id, color: $c, at: $at, on: $on, json: $j, email: $email, list: $list, input: $in)
	}`

	t.Run("valid values reach the handler", func(t *testing.T) {
		data := ok(t, srv.URL(), key, q, map[string]any{
			"s": "x", "i": 7, "f": 1, "b": true, "id": 12, "c": "RED", "at": "2024-01-02T03:04:05Z", "on": "2024-01-02",
			"j": `{"a":[1,"b"]}`, "email": "a@example.com", "list": 5, "in": map[string]any{"name": "n", "tags": []string{"t"}},
		})
		var args map[string]any
		require.NoError(t, json.Unmarshal([]byte(data["echo"].(string)), &args))
		assert.Equal(t, map[string]any{
			"s": "x", "i": float64(7), "f": float64(1), "b": true, "id": "12", "color": "RED", "at": "2024-01-02T03:04:05Z",
			"on": "2024-01-02", "json": map[string]any{"a": []any{float64(1), "b"}}, "email": "a@example.com",
			"list":  []any{float64(5)},
			"input": map[string]any{"name": "n", "color": "RED", "tags": []any{"t"}},
		}, args, "an Int ID becomes a string, a single value a list, AWSJSON is parsed, input defaults apply")
	})

	t.Run("variables not given are null arguments, as AppSync passes them", func(t *testing.T) {
		data := ok(t, srv.URL(), key, `query E($s: String) { echo(s: $s) }`, nil)
		assert.JSONEq(t, `{"s":null}`, data["echo"].(string))
	})

	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		{"missing required", `query R($id: ID!) { thing(id: $id) { id } }`, nil,
			`{"path":null,"locations":[{"line":1,"column":9,"sourceName":null}],"message":"Variable 'id' has coerced Null value for NonNull type 'ID!'"}`},
		{"null required", `query R($id: ID!) { thing(id: $id) { id } }`, map[string]any{"id": nil},
			`{"path":null,"locations":[{"line":1,"column":9,"sourceName":null}],"message":"Variable 'id' has coerced Null value for NonNull type 'ID!'"}`},
		{"wrong scalar", q, map[string]any{"i": "seven"},
			`{"path":null,"locations":[{"line":1,"column":21,"sourceName":null}],"message":"Variable 'i' has an invalid value: Expected type 'Int' but was 'String'."}`},
		{"not an int", q, map[string]any{"i": 1.5},
			`{"path":null,"locations":[{"line":1,"column":21,"sourceName":null}],"message":"Variable 'i' has an invalid value: Expected type 'Int' but was 'Double'."}`},
		{"unknown input field", q, map[string]any{"in": map[string]any{"name": "n", "nope": 1}},
			`{"path":null,"locations":null,"message":"The variables input contains a field that is not defined for input object type 'ThingInput' "}`},
		{"missing input field", q, map[string]any{"in": map[string]any{"count": 1}},
			`{"path":null,"locations":[{"line":1,"column":152,"sourceName":null}],"message":"Variable 'in' has coerced Null value for NonNull type 'String!'"}`},
		{"bad enum", q, map[string]any{"c": "BLUE"},
			`{"path":null,"locations":[{"line":1,"column":63,"sourceName":null}],"message":"Variable 'c' has an invalid value: Invalid input for Enum 'Color'. No value found for name 'BLUE'"}`},
		{"bad AWSDateTime", q, map[string]any{"at": "yesterday"},
			`{"path":null,"locations":[{"line":1,"column":74,"sourceName":null}],"message":"Variable 'at' has an invalid value: Unable to parse 'yesterday' as a valid AWSDateTime."}`},
		{"bad AWSJSON", q, map[string]any{"j": "{nope"},
			`{"path":null,"locations":[{"line":1,"column":106,"sourceName":null}],"message":"Variable 'j' has an invalid value: Unable to parse '{nope' as valid JSON."}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := gql(t, srv.URL(), key, tc.query, tc.vars)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, `{"data":null,"errors":[`+tc.want+`]}`, body)
		})
	}
}

func TestValidationErrorsAreAppSyncs(t *testing.T) {
	srv := engineServer(t)
	key := apiKey(srv.APIKey())
	for _, tc := range []struct{ name, query, want string }{
		// The first is AppSync's documented answer to {badfield}
		// (graphql/graphql-over-http#81).
		{"undefined field", `{badfield}`,
			`{"path":null,"locations":[{"line":1,"column":2,"sourceName":null}],"message":"Validation error of type FieldUndefined: Field 'badfield' in type 'Query' is undefined @ 'badfield'"}`},
		{"nested undefined field", "query {\n  thing(id: \"1\") { id nope }\n}",
			`{"path":null,"locations":[{"line":2,"column":23,"sourceName":null}],"message":"Validation error of type FieldUndefined: Field 'nope' in type 'Thing' is undefined @ 'thing/nope'"}`},
		{"missing argument", `{ thing { id } }`,
			`{"path":null,"locations":[{"line":1,"column":3,"sourceName":null}],"message":"Validation error of type MissingFieldArgument: Missing field argument id @ 'thing'"}`},
		{"unknown argument", `{ hello(nom: "x") }`,
			`{"path":null,"locations":[{"line":1,"column":9,"sourceName":null}],"message":"Validation error of type UnknownArgument: Unknown field argument nom @ 'hello'"}`},
		{"sub selection required", `{ thing(id: "1") }`,
			`{"path":null,"locations":[{"line":1,"column":3,"sourceName":null}],"message":"Validation error of type SubSelectionRequired: Sub selection required for type Thing of field thing @ 'thing'"}`},
		{"sub selection not allowed", `{ hello { x } }`,
			`{"path":null,"locations":[{"line":1,"column":3,"sourceName":null}],"message":"Validation error of type SubSelectionNotAllowed: Sub selection not allowed on leaf type String of field hello @ 'hello'"}`},
		{"wrong literal", `{ thing(id: 1.5) { id } }`,
			`{"path":null,"locations":[{"line":1,"column":9,"sourceName":null}],"message":"Validation error of type WrongType: argument 'id' with value 'FloatValue{value=1.5}' is not a valid 'ID' @ 'thing'"}`},
		{"bad AWS scalar literal", `{ echo(at: "soon") }`,
			`{"path":null,"locations":[{"line":1,"column":8,"sourceName":null}],"message":"Validation error of type WrongType: argument 'at' with value 'StringValue{value='soon'}' is not a valid 'AWSDateTime' @ 'echo'"}`},
		{"object for AWSJSON", `{ echo(json: {a: 1}) }`,
			`{"path":null,"locations":[{"line":1,"column":8,"sourceName":null}],"message":"Validation error of type WrongType: argument 'json' with value 'ObjectValue{objectFields=[ObjectField{name='a', value=IntValue{value=1}}]}' is not a valid 'AWSJSON' @ 'echo'"}`},
		{"missing input field", `{ echo(input: {count: 1}) }`,
			`{"path":null,"locations":[{"line":1,"column":8,"sourceName":null}],"message":"Validation error of type WrongType: argument 'input' with value 'ObjectValue{objectFields=[ObjectField{name='count', value=IntValue{value=1}}]}' is missing required fields '[name]' @ 'echo'"}`},
		{"unknown type", `query Q($x: Nope) { hello }`,
			`{"path":null,"locations":[{"line":1,"column":13,"sourceName":null}],"message":"Validation error of type UnknownType: Unknown type Nope"},` +
				`{"path":null,"locations":[{"line":1,"column":9,"sourceName":null}],"message":"Validation error of type UnusedVariable: Unused variable x"}`},
		{"undefined variable", `{ thing(id: $x) { id } }`,
			`{"path":null,"locations":[{"line":1,"column":13,"sourceName":null}],"message":"Validation error of type UndefinedVariable: Undefined variable x @ 'thing'"}`},
		{"syntax", `{ hello `,
			`{"path":null,"locations":[{"line":1,"column":9,"sourceName":null}],"message":"Invalid Syntax : offending token '<EOF>' at line 1 column 9"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := gql(t, srv.URL(), key, tc.query, nil)
			assert.Equal(t, http.StatusOK, status, "AppSync answers validation errors with 200")
			assert.Equal(t, `{"data":null,"errors":[`+tc.want+`]}`, body)
		})
	}
}

func TestNullsPropagateAndErrorsKeepPartialData(t *testing.T) {
	srv := engineServer(t)
	key := apiKey(srv.APIKey())

	t.Run("non-null field makes its parent null", func(t *testing.T) {
		_, body := gql(t, srv.URL(), key, `{ a: thing(id: "null-name") { id name } b: thing(id: "ok") { id } }`, nil)
		assert.Equal(t, compact(t, `{"data":{"a":null,"b":{"id":"ok"}},"errors":[
			{"path":["a","name"],"locations":null,"message":"Cannot return null for non-nullable type: 'String' within parent 'Thing' (/a/name)"}]}`), body)
	})

	t.Run("nullable list elements become null", func(t *testing.T) {
		_, body := gql(t, srv.URL(), key, `{ things { name } }`, nil)
		assert.Equal(t, compact(t, `{"data":{"things":[{"name":"thing 1"},null,{"name":"thing 3"}]},"errors":[
			{"path":["things",1,"name"],"locations":null,"message":"Cannot return null for non-nullable type: 'String' within parent 'Thing' (/things[1]/name)"}]}`), body)
	})

	t.Run("a non-null root field nulls data", func(t *testing.T) {
		_, body := gql(t, srv.URL(), key, `{ hello strictThings { name } }`, nil)
		assert.Equal(t, compact(t, `{"data":null,"errors":[
			{"path":["strictThings",1,"name"],"locations":null,"message":"Cannot return null for non-nullable type: 'String' within parent 'Thing' (/strictThings[1]/name)"}]}`), body)
		_, body = gql(t, srv.URL(), key, `{ requiredThing { id } }`, nil)
		assert.Equal(t, compact(t, `{"data":null,"errors":[
			{"path":["requiredThing"],"locations":null,"message":"Cannot return null for non-nullable type: 'Thing' within parent 'Query' (/requiredThing)"}]}`), body)
	})

	t.Run("values that do not serialize", func(t *testing.T) {
		r := decode(t, func() string {
			_, b := gql(t, srv.URL(), key, `{ count thing(id: "bad-count") { id count } }`, nil)
			return b
		}())
		assert.Nil(t, r.Data["count"])
		assert.Equal(t, map[string]any{"id": "bad-count", "count": nil}, r.Data["thing"])
		require.Len(t, r.Errors, 2)
		assert.Equal(t, "Can't serialize value (/count) : Expected type 'Int' but was 'Double'.", r.Errors[0].Message)
		assert.Equal(t, []any{"thing", "count"}, r.Errors[1].Path)
	})

	t.Run("handler errors are Lambda:Unhandled with the field's path", func(t *testing.T) {
		_, body := gql(t, srv.URL(), key, "query {\n  hello\n  fail(message: \"boom <&>\")\n}", nil)
		assert.Equal(t, compact(t, `{"data":{"hello":"hello world","fail":null},"errors":[
			{"path":["fail"],"data":null,"errorType":"Lambda:Unhandled","errorInfo":null,
			 "locations":[{"line":3,"column":3,"sourceName":null}],"message":"boom <&>"}]}`), body)
	})
}

func TestMalformedRequests(t *testing.T) {
	srv := engineServer(t)
	key := apiKey(srv.APIKey())
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"empty body", "", 400, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"Request body is empty."}]}`},
		{"not JSON", "meow", 400, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"Unable to parse GraphQL query."}]}`},
		{"no query", "{}", 400, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"Unable to parse GraphQL query."}]}`},
		{"array", "[]", 400, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"Unable to parse GraphQL query."}]}`},
		{"trailing garbage", `{"query":"{hello}"}}`, 400, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"Unable to parse GraphQL query."}]}`},
		{"variables not an object", `{"query":"{hello}","variables":[1]}`, 400, `{"errors":[{"errorType":"MalformedHttpRequestException","message":"Unable to parse GraphQL query."}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, srv.URL(), key, tc.body)
			assert.Equal(t, tc.status, status)
			assert.JSONEq(t, tc.want, body)
		})
	}
	t.Run("wrong method and path", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL(), strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

		resp, err = http.Post(strings.TrimSuffix(srv.URL(), "/graphql")+"/nope", "application/json", strings.NewReader("{}"))
		require.NoError(t, err)
		var e map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		assert.Contains(t, fmt.Sprint(e), "/graphql", "names the endpoint")
	})
}

func TestConcurrentRequests(t *testing.T) {
	srv := engineServer(t)
	key := apiKey(srv.APIKey())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("n", i)
			data := ok(t, srv.URL(), key, `query($n: String) { hello(name: $n) }`, map[string]any{"n": name})
			assert.Equal(t, "hello "+name, data["hello"])
		}()
	}
	wg.Wait()
	assert.Len(t, srv.Invocations(), 20)
}
