package schema

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadOutputs(t *testing.T) {
	o, err := LoadOutputs("testdata/amplify_outputs.json")
	require.NoError(t, err)

	assert.Equal(t, "1.4", o.Version)
	assert.Empty(t, o.Extra)

	require.NotNil(t, o.Auth)
	assert.Equal(t, "us-east-1", o.Auth.AWSRegion)
	assert.Equal(t, "us-east-1_SIMULATED", o.Auth.UserPoolID)
	assert.Equal(t, "simulatedclientid", o.Auth.UserPoolClientID)
	assert.Equal(t, "us-east-1:00000000-0000-0000-0000-000000000000", o.Auth.IdentityPoolID)
	assert.Equal(t, []map[string]GroupInfo{{"ADMINS": {Precedence: 0}}}, o.Auth.Groups)
	assert.Equal(t, []string{"ADMINS"}, o.Auth.GroupNames())
	assert.Equal(t, []string{"email"}, o.Auth.StandardRequiredAttributes)
	assert.Equal(t, []string{"email"}, o.Auth.UsernameAttributes)
	assert.Equal(t, []string{"email"}, o.Auth.UserVerificationTypes)
	assert.True(t, o.Auth.UnauthenticatedIdentitiesEnabled)
	assert.Nil(t, o.Auth.PasswordPolicy)
	assert.Nil(t, o.Auth.OAuth)

	d := o.Data
	require.NotNil(t, d)
	assert.Equal(t, "http://127.0.0.1:20002/graphql", d.URL)
	assert.Equal(t, "us-east-1", d.AWSRegion)
	assert.Equal(t, "da2-fakeApiId123456", d.APIKey)
	assert.Equal(t, AuthIAM, d.DefaultAuthorizationType)
	assert.Equal(t, []AuthorizationType{AuthUserPools, AuthAPIKey}, d.AuthorizationTypes)
	assert.Equal(t, []AuthorizationType{AuthIAM, AuthUserPools, AuthAPIKey}, d.Modes())
	assert.True(t, d.HasMode(AuthAPIKey))
	assert.False(t, d.HasMode(AuthOIDC))

	mi := d.ModelIntrospection
	require.NotNil(t, mi)
	assert.Equal(t, 1, mi.Version)
	require.Len(t, mi.Models, 1)
	todo := mi.Model("Todo")
	require.NotNil(t, todo)
	assert.Same(t, mi.Models[0], todo)
	assert.Nil(t, mi.Model("Nope"))
	assert.Equal(t, "Todos", todo.PluralName)
	assert.True(t, todo.Syncable)
	var names []string
	for _, f := range todo.Fields {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"id", "content", "done", "priority", "createdAt", "updatedAt"}, names)

	id := todo.Field("id")
	require.NotNil(t, id)
	assert.Equal(t, FieldType{Scalar: "ID"}, id.Type)
	assert.True(t, id.IsRequired)
	assert.False(t, id.IsArray)
	assert.False(t, id.IsReadOnly)
	assert.Equal(t, []Attribute{}, id.Attributes)

	prio := todo.Field("priority")
	require.NotNil(t, prio)
	assert.Equal(t, FieldType{Enum: "TodoPriority"}, prio.Type)
	assert.Equal(t, "TodoPriority", prio.Type.Name())
	assert.False(t, prio.IsRequired)

	created := todo.Field("createdAt")
	require.NotNil(t, created)
	assert.Equal(t, "AWSDateTime", created.Type.Scalar)
	assert.True(t, created.IsReadOnly)
	assert.True(t, todo.Field("updatedAt").IsReadOnly)
	assert.Nil(t, todo.Field("owner"))

	require.Len(t, todo.Attributes, 2)
	assert.Equal(t, "model", todo.Attributes[0].Type)
	assert.JSONEq(t, `{}`, string(todo.Attributes[0].Properties))
	assert.Equal(t, "auth", todo.Attributes[1].Type)
	assert.Contains(t, string(todo.Attributes[1].Properties), `"groups":["ADMINS"]`)
	assert.Empty(t, todo.Indexes())

	assert.Equal(t, PrimaryKeyInfo{PrimaryKeyFieldName: "id", SortKeyFieldNames: []string{}}, todo.PrimaryKeyInfo)

	require.Len(t, mi.Enums, 1)
	assert.Equal(t, &Enum{Name: "TodoPriority", Values: []string{"LOW", "HIGH"}}, mi.Enum("TodoPriority"))
	assert.Empty(t, mi.NonModels)
	assert.Nil(t, mi.NonModel("TodoPriority"))

	require.Len(t, mi.Queries, 1)
	echo := mi.Queries[0]
	assert.Equal(t, &CustomOperation{
		Name: "echo", Type: FieldType{Scalar: "String"},
		Arguments: []*Argument{{Name: "msg", Type: FieldType{Scalar: "String"}, IsRequired: true}},
	}, echo)

	require.Len(t, mi.Mutations, 1)
	add := mi.Mutations[0]
	assert.Equal(t, "addUserToGroup", add.Name)
	assert.Equal(t, FieldType{Scalar: "AWSJSON"}, add.Type)
	assert.False(t, add.IsRequired)
	require.Len(t, add.Arguments, 2)
	assert.Equal(t, "userId", add.Arguments[0].Name)
	assert.Equal(t, "groupName", add.Arguments[1].Name)
	for _, a := range add.Arguments {
		assert.Equal(t, FieldType{Scalar: "String"}, a.Type)
		assert.True(t, a.IsRequired)
	}
	assert.Nil(t, mi.Subscriptions)
	assert.Nil(t, mi.Conversations)
	assert.Nil(t, mi.Generations)
}

func TestParseModelIntrospectionFile(t *testing.T) {
	data, err := os.ReadFile("testdata/model_introspection.json")
	require.NoError(t, err)
	mi, err := ParseModelIntrospection("model_introspection.json", data)
	require.NoError(t, err)
	o, err := LoadOutputs("testdata/amplify_outputs.json")
	require.NoError(t, err)
	assert.Equal(t, o.Data.ModelIntrospection, mi)
}

func TestOutputsRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/amplify_outputs.json")
	require.NoError(t, err)
	// Add sections this SDK does not model, at every level.
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	m["$schema"] = "https://example.com/schema.json"
	m["storage"] = map[string]any{"bucket_name": "b", "aws_region": "us-east-1"}
	m["custom"] = map[string]any{"k": []any{1.0, "x"}}
	m["auth"].(map[string]any)["future_auth_field"] = true
	m["auth"].(map[string]any)["password_policy"] = map[string]any{"min_length": 8.0, "require_numbers": true}
	m["auth"].(map[string]any)["oauth"] = map[string]any{
		"identity_providers": []any{"GOOGLE"}, "domain": "d.auth", "scopes": []any{"openid"},
		"redirect_sign_in_uri": []any{"myapp://"}, "redirect_sign_out_uri": []any{"myapp://out"}, "response_type": "code",
	}
	m["data"].(map[string]any)["future_data_field"] = map[string]any{"a": 1.0}
	mi := m["data"].(map[string]any)["model_introspection"].(map[string]any)
	mi["conversations"] = map[string]any{"chat": map[string]any{"name": "chat"}}
	mi["inputs"] = map[string]any{}
	data, err = json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)

	o1, err := ParseOutputs("in.json", data)
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/schema.json", o1.Schema)
	assert.JSONEq(t, `{"bucket_name":"b","aws_region":"us-east-1"}`, string(o1.Extra["storage"]))
	assert.JSONEq(t, `{"k":[1,"x"]}`, string(o1.Extra["custom"]))
	assert.JSONEq(t, `true`, string(o1.Auth.Extra["future_auth_field"]))
	assert.Equal(t, &PasswordPolicy{MinLength: 8, RequireNumbers: true}, o1.Auth.PasswordPolicy)
	assert.Equal(t, "code", o1.Auth.OAuth.ResponseType)
	assert.JSONEq(t, `{"a":1}`, string(o1.Data.Extra["future_data_field"]))
	require.Len(t, o1.Data.ModelIntrospection.Conversations, 1)
	assert.Equal(t, "chat", o1.Data.ModelIntrospection.Conversations[0].Name)
	assert.Equal(t, []*Input{}, o1.Data.ModelIntrospection.Inputs, "present, though empty")

	out, err := json.Marshal(o1)
	require.NoError(t, err)
	o2, err := ParseOutputs("out.json", out)
	require.NoError(t, err)
	assert.Equal(t, o1, o2)
	// Also equal as JSON to what was read, including order inside model
	// introspection.
	assert.JSONEq(t, string(data), string(out))
	assert.Less(t, strings.Index(string(out), `"content"`), strings.Index(string(out), `"updatedAt"`))

	// json.Unmarshal uses the same decoder.
	var o3 Outputs
	require.NoError(t, json.Unmarshal(out, &o3))
	assert.Equal(t, o1, &o3)
}

func TestFieldTypeJSON(t *testing.T) {
	tests := []struct {
		in   string
		want FieldType
		err  string
	}{
		{in: `"String"`, want: FieldType{Scalar: "String"}},
		{in: `{"enum":"E"}`, want: FieldType{Enum: "E"}},
		{in: `{"model":"M"}`, want: FieldType{Model: "M"}},
		{in: `{"nonModel":"N"}`, want: FieldType{NonModel: "N"}},
		{in: `{"input":"I"}`, want: FieldType{Input: "I"}},
		{in: `{"enum":"E","model":"M"}`, err: "exactly one of"},
		{in: `{}`, err: "exactly one of"},
		{in: `{"union":"U"}`, err: `unknown type kind "union"`},
		{in: `""`, err: "empty type name"},
		{in: `{"enum":""}`, err: "non-empty string"},
		{in: `5`, err: "expected a JSON object, got number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got FieldType
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.NotEmpty(t, got.Name())
			out, err := json.Marshal(got)
			require.NoError(t, err)
			assert.JSONEq(t, tt.in, string(out))
		})
	}
}

func TestModelIndexes(t *testing.T) {
	src := `{"version":1,"models":{"Post":{"name":"Post","pluralName":"Posts","fields":{
		"id":{"name":"id","isArray":false,"type":"ID","isRequired":true,"attributes":[]},
		"owner":{"name":"owner","isArray":false,"type":"String","isRequired":false,"attributes":[]},
		"createdAt":{"name":"createdAt","isArray":false,"type":"AWSDateTime","isRequired":false,"attributes":[]},
		"comments":{"name":"comments","isArray":true,"type":{"model":"Comment"},"isRequired":false,"attributes":[],"isArrayNullable":true,
			"association":{"connectionType":"HAS_MANY","associatedWith":["postId"]}}},
		"attributes":[{"type":"model","properties":{}},
			{"type":"key","properties":{"fields":["id"]}},
			{"type":"key","properties":{"name":"byOwner","queryField":"listPostByOwnerAndCreatedAt","fields":["owner","createdAt"]}}],
		"primaryKeyInfo":{"isCustomPrimaryKey":false,"primaryKeyFieldName":"id","sortKeyFieldNames":[]}},
	"Comment":{"name":"Comment","pluralName":"Comments","fields":{
		"postId":{"name":"postId","isArray":false,"type":"ID","isRequired":false,"attributes":[]},
		"post":{"name":"post","isArray":false,"type":{"model":"Post"},"isRequired":false,"attributes":[],
			"association":{"connectionType":"BELONGS_TO","targetNames":["postId"]}},
		"meta":{"name":"meta","isArray":false,"type":{"nonModel":"Meta"},"isRequired":false,"attributes":[]}},
		"attributes":[],"primaryKeyInfo":{"isCustomPrimaryKey":true,"primaryKeyFieldName":"postId","sortKeyFieldNames":["x","y"]}}},
	"enums":{},"nonModels":{"Meta":{"name":"Meta","fields":{"tags":{"name":"tags","isArray":true,"type":"String","isRequired":true,"attributes":[]}}}}}`
	mi, err := ParseModelIntrospection("mi.json", []byte(src))
	require.NoError(t, err)
	post := mi.Model("Post")
	assert.Equal(t, []Index{{Name: "byOwner", QueryField: "listPostByOwnerAndCreatedAt", Fields: []string{"owner", "createdAt"}}}, post.Indexes())
	assert.Equal(t, &Association{ConnectionType: "HAS_MANY", AssociatedWith: []string{"postId"}}, post.Field("comments").Association)
	assert.True(t, post.Field("comments").IsArrayNullable)
	assert.Equal(t, []string{"postId"}, mi.Model("Comment").Field("post").Association.TargetNames)
	assert.Equal(t, []string{"x", "y"}, mi.Model("Comment").PrimaryKeyInfo.SortKeyFieldNames)
	assert.Equal(t, "tags", mi.NonModel("Meta").Field("tags").Name)
	assert.Equal(t, "Comment", mi.Models[1].Name)
}

// validOutputs is a valid outputs document that the error cases below
// break one thing at a time.
const validOutputs = `{
  "version": "1.4",
  "data": {
    "url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
    "aws_region": "us-east-1",
    "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
    "authorization_types": ["AWS_IAM"]
  }
}`

func TestParseOutputsErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{
			name: "syntax",
			in:   "{\n  \"version\": \"1\",\n  \"data\": {\"url\": \"x\",}\n}",
			want: []string{"bad.json:3:23: invalid JSON: invalid character '}' looking for beginning of object key string", "hint: fix the JSON syntax"},
		},
		{
			name: "truncated",
			in:   "{\n  \"version\": \"1\"",
			want: []string{"bad.json:2:", "invalid JSON: unexpected end of JSON input"},
		},
		{
			name: "wrong type",
			in:   strings.Replace(validOutputs, `"https://example.appsync-api.us-east-1.amazonaws.com/graphql"`, `5`, 1),
			want: []string{"bad.json:4:12: data.url: cannot use JSON number as a string"},
		},
		{
			name: "wrong type in model introspection",
			in: strings.Replace(validOutputs, `"authorization_types": ["AWS_IAM"]`, `"authorization_types": ["AWS_IAM"],
    "model_introspection": {"version": 1, "models": {"Todo": {"name": "Todo", "fields": {
      "done": {"name": "done", "type": "Boolean", "isRequired": "yes"}}}}}`, 1),
			want: []string{"bad.json:9:65: data.model_introspection.models.Todo.fields.done.isRequired: cannot use JSON string as a boolean"},
		},
		{
			name: "bad field type object",
			in: strings.Replace(validOutputs, `"authorization_types": ["AWS_IAM"]`, `"authorization_types": ["AWS_IAM"],
    "model_introspection": {"version": 1, "models": {"Todo": {"name": "Todo", "fields": {
      "done": {"name": "done", "type": {"enum": "A", "model": "B"}}}}}}`, 1),
			want: []string{"bad.json:9:40: data.model_introspection.models.Todo.fields.done.type: type object must have exactly one of enum, model, nonModel or input"},
		},
		{
			name: "not an object",
			in:   `[]`,
			want: []string{"bad.json:1:1: cannot use JSON array as an object"},
		},
		{
			name: "missing data",
			in:   `{"version": "1.4", "auth": {"aws_region": "us-east-1"}}`,
			want: []string{"bad.json: no data section", "add defineData", "npx ampx generate outputs"},
		},
		{
			name: "bad version",
			in:   strings.Replace(validOutputs, `"1.4"`, `"2.0"`, 1),
			want: []string{`bad.json:2:14: version: unsupported outputs version "2.0": this SDK reads amplify_outputs schema v1`},
		},
		{
			name: "version prefix only",
			in:   strings.Replace(validOutputs, `"1.4"`, `"10"`, 1),
			want: []string{`unsupported outputs version "10"`},
		},
		{
			name: "missing version",
			in:   strings.Replace(validOutputs, `"version": "1.4",`, ``, 1),
			want: []string{`bad.json: version: missing version`},
		},
		{
			name: "bad url",
			in:   strings.Replace(validOutputs, `https://example.appsync-api.us-east-1.amazonaws.com/graphql`, `example.com/graphql`, 1),
			want: []string{`bad.json:4:12: data.url: invalid url "example.com/graphql": must be an absolute http or https URL`},
		},
		{
			name: "ftp url",
			in:   strings.Replace(validOutputs, `https://`, `ftp://`, 1),
			want: []string{`data.url: invalid url "ftp://`},
		},
		{
			name: "missing url",
			in:   strings.Replace(validOutputs, `"url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",`, ``, 1),
			want: []string{`bad.json: data.url: missing url`},
		},
		{
			name: "missing region",
			in:   strings.Replace(validOutputs, `"aws_region": "us-east-1",`, ``, 1),
			want: []string{`bad.json: data.aws_region: missing aws_region`},
		},
		{
			name: "unknown default auth type",
			in:   strings.Replace(validOutputs, `"AMAZON_COGNITO_USER_POOLS"`, `"COGNITO"`, 1),
			want: []string{`bad.json:6:35: data.default_authorization_type: unknown authorization type "COGNITO"; expected one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA`},
		},
		{
			name: "unknown auth type in list",
			in:   strings.Replace(validOutputs, `["AWS_IAM"]`, `["AWS_IAM", "OPENID_CONNECT", "MAGIC"]`, 1),
			want: []string{`bad.json:7:58: data.authorization_types[2]: unknown authorization type "MAGIC"`},
		},
		{
			name: "api key mode without key",
			in:   strings.Replace(validOutputs, `["AWS_IAM"]`, `["AWS_IAM", "API_KEY"]`, 1),
			want: []string{`bad.json: data.api_key: API_KEY authorization is enabled but api_key is missing or empty`},
		},
		{
			name: "undeclared enum",
			in: strings.Replace(validOutputs, `"authorization_types": ["AWS_IAM"]`, `"authorization_types": ["AWS_IAM"],
    "model_introspection": {"version": 1, "models": {"Todo": {"name": "Todo", "fields": {
      "priority": {"name": "priority", "type": {"enum": "TodoPriority"}, "isRequired": false}}}}, "enums": {}}`, 1),
			want: []string{`bad.json:9:19: data.model_introspection.models.Todo.fields.priority: type refers to enum "TodoPriority", which is not declared in enums`, "npx ampx generate outputs"},
		},
		{
			name: "undeclared nonModel argument",
			in: strings.Replace(validOutputs, `"authorization_types": ["AWS_IAM"]`, `"authorization_types": ["AWS_IAM"],
    "model_introspection": {"version": 1, "queries": {"q": {"name": "q", "type": "String",
      "arguments": {"a": {"name": "a", "type": {"nonModel": "Gone"}}}}}}`, 1),
			want: []string{`data.model_introspection.queries.q.arguments.a: type refers to nonModel "Gone"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOutputs("bad.json", []byte(tt.in))
			require.Error(t, err)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "bad.json", e.File)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoadOutputsMissingFile(t *testing.T) {
	_, err := LoadOutputs("testdata/nope/amplify_outputs.json")
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "testdata/nope/amplify_outputs.json: file not found")
	assert.Contains(t, err.Error(), "npx ampx generate outputs")
}

func TestErrorsNeverContainAPIKey(t *testing.T) {
	const key = "da2-secretsecretsecret0123"
	broken := []string{
		// API_KEY mode with an empty key, while a key-like value sits elsewhere.
		strings.Replace(validOutputs, `["AWS_IAM"]`, `["API_KEY"], "api_key": "", "other": "`+key+`"`, 1),
		// api_key of the wrong type.
		strings.Replace(validOutputs, `["AWS_IAM"]`, `["API_KEY"], "api_key": ["`+key+`"]`, 1),
		// Other errors with a key present.
		strings.Replace(strings.Replace(validOutputs, `["AWS_IAM"]`, `["API_KEY", "NOPE"], "api_key": "`+key+`"`, 1), "https://", "", 1),
		strings.Replace(validOutputs, `["AWS_IAM"]`, `["API_KEY", "NOPE"], "api_key": "`+key+`"`, 1),
		strings.Replace(validOutputs, `["AWS_IAM"]`, `["API_KEY"], "api_key": "`+key+`" "x": 1`, 1),
	}
	for i, in := range broken {
		_, err := ParseOutputs("bad.json", []byte(in))
		require.Error(t, err, "case %d", i)
		assert.NotContains(t, err.Error(), key, "case %d", i)
		assert.NotContains(t, err.Error(), "secret", "case %d", i)
	}
	_, err := ParseOutputs("bad.json", []byte(broken[0]))
	assert.Contains(t, err.Error(), "data.api_key: API_KEY authorization is enabled but api_key is missing or empty")
}
