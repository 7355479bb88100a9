package schema_test

// Fuzz targets of the loaders: amplify_outputs.json, the AppSync schema as
// SDL and as introspection JSON. Seeds are the fixtures of testdata (added
// below) and the files of testdata/fuzz/<FuzzName>; .ci/fuzz runs each for a
// while:
//
//	go test -run '^$' -fuzz '^FuzzParseOutputs$' -fuzztime 10s ./schema/
//
// Every input must end, without a panic and within a bound, in a value or
// a *schema.Error with a message.

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-amplify/data/schema"
)

// within fails t when f does not return within d.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("no answer within %v", d)
	}
}

// addFiles adds the files matching the patterns of testdata as seeds.
func addFiles(f *testing.F, patterns ...string) {
	f.Helper()
	for _, p := range patterns {
		files, err := filepath.Glob(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) <= 1<<20 {
				f.Add(data)
			}
		}
	}
}

// checkError fails t unless err is a *schema.Error with a message.
func checkError(t *testing.T, err error) {
	t.Helper()
	var e *schema.Error
	if !errors.As(err, &e) {
		t.Fatalf("not a *schema.Error: %#v", err)
	}
	if e.Error() == "" {
		t.Fatal("an error without a message")
	}
}

func FuzzParseOutputs(f *testing.F) {
	addFiles(f, "amplify_outputs.json", "../../examples/*/amplify_outputs.json", "../../appsynctest/testdata/*/amplify_outputs.json")
	f.Add([]byte(`{"version":"1.4","data":{"url":"https://x.appsync-api.us-east-1.amazonaws.com/graphql","aws_region":"us-east-1","default_authorization_type":"API_KEY","authorization_types":[],"api_key":"da2-x"}}`))
	f.Add([]byte(`{"version":"1","data":{"model_introspection":{"version":1,"models":{},"enums":{},"nonModels":{}}}}`))
	f.Add([]byte(`{"version":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var o *schema.Outputs
		var err error
		within(t, 10*time.Second, func() { o, err = schema.ParseOutputs("amplify_outputs.json", data) })
		if err != nil {
			checkError(t, err)
			return
		}
		// What was read writes back, and reads again.
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := schema.ParseOutputs("again.json", b); err != nil {
			t.Fatalf("%s does not parse again: %v", b, err)
		}
	})
}

func FuzzParseSDL(f *testing.F) {
	addFiles(f, "*.graphql", "bad/*.graphql", "../../examples/*/amplify/*.graphql", "../../appsynctest/testdata/*/*.graphql")
	f.Add([]byte(`type Query { a: String @aws_iam } type Todo @aws_cognito_user_pools(cognito_groups: ["A"]) { id: ID! t: AWSDateTime }`))
	f.Add([]byte(`directive @d on FIELD_DEFINITION type Query { a(x: [Int!] = [1]): [String] @d }`))
	f.Add([]byte(`"""doc""" type Query { a: String`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s *schema.Schema
		var err error
		within(t, 10*time.Second, func() { s, err = schema.ParseSDL("schema.graphql", data) })
		if err != nil {
			checkError(t, err)
			return
		}
		if s == nil {
			t.Fatal("no schema and no error")
		}
	})
}

func FuzzParseIntrospection(f *testing.F) {
	addFiles(f, "*.introspection.json", "bad/introspection-*.json")
	f.Add([]byte(`{"data":{"__schema":{"queryType":{"name":"Query"},"types":[{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[],"type":{"kind":"SCALAR","name":"String"}}]}]}}}`))
	f.Add([]byte(`{"__schema":{"queryType":{"name":"Q"},"types":[]}}`))
	f.Add([]byte(`{"errors":[{"message":"no"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s *schema.Schema
		var err error
		within(t, 10*time.Second, func() { s, err = schema.ParseIntrospection("schema.json", data) })
		if err != nil {
			checkError(t, err)
			return
		}
		if s == nil {
			t.Fatal("no schema and no error")
		}
	})
}
