package appsync_test

// Fuzz targets of the AppSync schema loaders, SDL and introspection JSON.
// Seeds are the fixtures of testdata (added below) and the files of
// testdata/fuzz/<FuzzName>; .ci/fuzz runs each for a while:
//
//	go test -run '^$' -fuzz '^FuzzParseSDL$' -fuzztime 10s ./schema/appsync/
//
// Every input must end, without a panic and within a bound, in a value or
// a *schema.Error with a message.

import (
	"testing"
	"time"

	"github.com/go-amplify/data/internal/fuzztest"
	"github.com/go-amplify/data/schema/appsync"
)

func FuzzParseSDL(f *testing.F) {
	fuzztest.AddFiles(f, "*.graphql", "bad/*.graphql", "../../../examples/*/amplify/*.graphql", "../../../appsynctest/testdata/*/*.graphql")
	f.Add([]byte(`type Query { a: String @aws_iam } type Todo @aws_cognito_user_pools(cognito_groups: ["A"]) { id: ID! t: AWSDateTime }`))
	f.Add([]byte(`directive @d on FIELD_DEFINITION type Query { a(x: [Int!] = [1]): [String] @d }`))
	f.Add([]byte(`"""doc""" type Query { a: String`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s *appsync.Schema
		var err error
		fuzztest.Within(t, 10*time.Second, func() { s, err = appsync.ParseSDL("schema.graphql", data) })
		if err != nil {
			fuzztest.CheckError(t, err)
			return
		}
		if s == nil {
			t.Fatal("no schema and no error")
		}
	})
}

func FuzzParseIntrospection(f *testing.F) {
	fuzztest.AddFiles(f, "*.introspection.json", "bad/introspection-*.json")
	f.Add([]byte(`{"data":{"__schema":{"queryType":{"name":"Query"},"types":[{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[],"type":{"kind":"SCALAR","name":"String"}}]}]}}}`))
	f.Add([]byte(`{"__schema":{"queryType":{"name":"Q"},"types":[]}}`))
	f.Add([]byte(`{"errors":[{"message":"no"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s *appsync.Schema
		var err error
		fuzztest.Within(t, 10*time.Second, func() { s, err = appsync.ParseIntrospection("schema.json", data) })
		if err != nil {
			fuzztest.CheckError(t, err)
			return
		}
		if s == nil {
			t.Fatal("no schema and no error")
		}
	})
}
