package appsync

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/go-amplify/data/schema"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata/bad/*.err, testdata/seed.introspection.json)")

func TestLoadSchemaSeed(t *testing.T) {
	s, err := LoadSchema("testdata/seed.appsync.graphql")
	require.NoError(t, err)
	src, err := os.ReadFile("testdata/seed.appsync.graphql")
	require.NoError(t, err)
	assert.Equal(t, "testdata/seed.appsync.graphql", s.Name)
	assert.Equal(t, string(src), s.SDL)
	// The seed declares none of the AppSync definitions: all were added.
	assert.Equal(t, Prelude, s.Prelude)

	require.NotNil(t, s.Query)
	assert.Equal(t, "Query", s.Query.Name)
	require.NotNil(t, s.Mutation)
	require.NotNil(t, s.Subscription)
	todo := s.Types["Todo"]
	require.NotNil(t, todo)
	assert.Equal(t, ast.Object, todo.Kind)
	assert.Equal(t, "AWSDateTime!", todo.Fields.ForName("createdAt").Type.String())
	assert.Equal(t, ast.Scalar, s.Types["AWSDateTime"].Kind)
	assert.NotEmpty(t, s.Types["AWSDateTime"].Description)
	require.NotNil(t, s.Directives["aws_subscribe"])
	assert.Equal(t, []ast.DirectiveLocation{ast.LocationFieldDefinition}, s.Directives["aws_subscribe"].Locations)
}

func TestAuthDirectives(t *testing.T) {
	s, err := LoadSchema("testdata/seed.appsync.graphql")
	require.NoError(t, err)
	iam := AuthDirective{Name: "aws_iam"}
	pools := AuthDirective{Name: "aws_cognito_user_pools"}
	tests := []struct {
		typ, field string
		want       []AuthDirective
	}{
		{"Mutation", "addUserToGroup", []AuthDirective{pools}},
		{"Query", "getTodo", []AuthDirective{iam, pools}},
		{"Query", "echo", []AuthDirective{pools}},
		{"Subscription", "onCreateTodo", []AuthDirective{iam, pools}}, // @aws_subscribe is not an auth directive
		{"Todo", "content", []AuthDirective{pools, iam}},              // from the type
		{"ModelTodoConnection", "items", []AuthDirective{iam, pools}},
		{"CreateTodoInput", "content", nil},
		{"Query", "nope", nil},
		{"Nope", "a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"."+tt.field, func(t *testing.T) {
			assert.Equal(t, tt.want, s.AuthDirectives(tt.typ, tt.field))
		})
	}
	assert.Equal(t, schema.AuthIAM, iam.AuthorizationType())
	assert.Equal(t, schema.AuthUserPools, pools.AuthorizationType())
}

func TestAuthDirectivesGroupsAndModes(t *testing.T) {
	s, err := ParseSDL("auth.graphql", []byte(`
type Query @aws_api_key @aws_oidc {
  a: String
  b: String @aws_lambda @aws_cognito_user_pools(cognito_groups: ["ADMINS", "EDITORS"])
  c: String @aws_auth(cognito_groups: ["ADMINS"])
  d: String @deprecated
}
`))
	require.NoError(t, err)
	assert.Equal(t, []AuthDirective{{Name: "aws_api_key"}, {Name: "aws_oidc"}}, s.AuthDirectives("Query", "a"))
	assert.Equal(t, []AuthDirective{{Name: "aws_lambda"}, {Name: "aws_cognito_user_pools", CognitoGroups: []string{"ADMINS", "EDITORS"}}}, s.AuthDirectives("Query", "b"))
	assert.Equal(t, []AuthDirective{{Name: "aws_cognito_user_pools", CognitoGroups: []string{"ADMINS"}}}, s.AuthDirectives("Query", "c"))
	assert.Equal(t, []AuthDirective{{Name: "aws_api_key"}, {Name: "aws_oidc"}}, s.AuthDirectives("Query", "d"))
	assert.Equal(t, schema.AuthLambda, s.AuthDirectives("Query", "b")[0].AuthorizationType())
}

// TestAuthorizationTypeDirective: each authorization type of
// amplify_outputs.json names the directive that allows it, and back.
func TestAuthorizationTypeDirective(t *testing.T) {
	for typ, dir := range map[schema.AuthorizationType]string{
		schema.AuthAPIKey: "aws_api_key", schema.AuthIAM: "aws_iam", schema.AuthUserPools: "aws_cognito_user_pools",
		schema.AuthOIDC: "aws_oidc", schema.AuthLambda: "aws_lambda", "NOPE": "",
	} {
		assert.Equal(t, dir, typ.Directive(), typ)
		if dir != "" {
			assert.Equal(t, typ, AuthDirective{Name: dir}.AuthorizationType())
		}
	}
}

func TestPreludeSkipsDeclared(t *testing.T) {
	src := `scalar AWSJSON
"my own"
directive @aws_iam on OBJECT | FIELD_DEFINITION | INPUT_OBJECT

type Query @aws_iam {
  a: AWSJSON
  b: AWSDateTime
}
`
	s, err := ParseSDL("own.graphql", []byte(src))
	require.NoError(t, err)
	assert.NotContains(t, s.Prelude, "scalar AWSJSON")
	assert.NotContains(t, s.Prelude, "@aws_iam")
	assert.Contains(t, s.Prelude, "scalar AWSDateTime")
	assert.Contains(t, s.Prelude, "directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION")
	assert.Equal(t, src, s.SDL)
	assert.Equal(t, "my own", s.Directives["aws_iam"].Description)
	assert.Equal(t, "own.graphql", s.Types["AWSJSON"].Position.Src.Name)
	assert.Equal(t, preludeFile, s.Types["AWSDateTime"].Position.Src.Name)
}

func TestPreludeParses(t *testing.T) {
	var names []string
	for _, d := range preludeDefs {
		names = append(names, d.name)
	}
	assert.Equal(t, []string{"AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp", "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress",
		"aws_iam", "aws_api_key", "aws_oidc", "aws_lambda", "aws_cognito_user_pools", "aws_subscribe", "aws_auth"}, names)
	s, err := ParseSDL("empty.graphql", []byte("type Query { a: AWSURL }"))
	require.NoError(t, err)
	for _, d := range preludeDefs {
		if d.name[0] == 'A' {
			assert.NotEmpty(t, s.Types[d.name].Description, d.name)
		} else {
			assert.NotEmpty(t, s.Directives[d.name].Description, d.name)
		}
	}
}

// TestBadSchemas loads every file under testdata/bad and compares the error
// with the golden file next to it (<name>.err). Run with -update to rewrite
// the golden files.
func TestBadSchemas(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*")
	require.NoError(t, err)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".err") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := LoadSchema(f)
			require.Error(t, err)
			var e *schema.Error
			require.ErrorAs(t, err, &e)
			got := err.Error() + "\n"
			golden := f + ".err"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file; run go test -update")
			assert.Equal(t, string(want), got)
		})
	}
	assert.GreaterOrEqual(t, n, 6)
}

func TestLoadSchemaMissing(t *testing.T) {
	_, err := LoadSchema("testdata/nope.graphql")
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "testdata/nope.graphql: cannot read schema")
}

func TestSDLErrorPositionsAreInUserFile(t *testing.T) {
	// The prelude comes first in the parse, but positions must still refer
	// to the user's file.
	_, err := ParseSDL("pos.graphql", []byte("\n\ntype Query {\n  a: Nope\n}\n"))
	require.Error(t, err)
	var e *schema.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "pos.graphql", e.File)
	assert.Equal(t, 4, e.Line)
	assert.Equal(t, 6, e.Column)
	assert.True(t, strings.HasPrefix(err.Error(), "pos.graphql:4:6: undefined type Nope"), err.Error())
}
