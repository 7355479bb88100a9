package schema_test

// Fuzz targets of the amplify_outputs.json loader. Seeds are the fixtures of
// testdata (added below) and the files of testdata/fuzz/<FuzzName>;
// .ci/fuzz runs each for a while:
//
//	go test -run '^$' -fuzz '^FuzzParseOutputs$' -fuzztime 10s ./schema/
//
// Every input must end, without a panic and within a bound, in a value or
// a *schema.Error with a message.

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-amplify/data/internal/fuzztest"
	"github.com/go-amplify/data/schema"
)

func FuzzParseOutputs(f *testing.F) {
	fuzztest.AddFiles(f, "amplify_outputs.json", "../../examples/*/amplify_outputs.json", "../../appsynctest/testdata/*/amplify_outputs.json")
	f.Add([]byte(`{"version":"1.4","data":{"url":"https://x.appsync-api.us-east-1.amazonaws.com/graphql","aws_region":"us-east-1","default_authorization_type":"API_KEY","authorization_types":[],"api_key":"da2-x"}}`))
	f.Add([]byte(`{"version":"1","data":{"model_introspection":{"version":1,"models":{},"enums":{},"nonModels":{}}}}`))
	f.Add([]byte(`{"version":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var o *schema.Outputs
		var err error
		fuzztest.Within(t, 10*time.Second, func() { o, err = schema.ParseOutputs("amplify_outputs.json", data) })
		if err != nil {
			fuzztest.CheckError(t, err)
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
