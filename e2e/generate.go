// Package e2e is the end-to-end suite: the generated Go clients against
// Amplify's own resolvers. The backends of schema/testdata/amplify (Gen 2
// a.schema sources, turned into the AppSync schema, VTL resolvers and
// amplify_outputs.json by Amplify's transformer) run in the AppSync
// simulator with dynalite, behind a front that checks SigV4 signatures and
// Cognito tokens as AppSync does, with cognito-local as the user pool and
// the backends' Lambda functions as Go funcs (internal/testenv.Stack).
//
// The suite needs Node.js 20 and npm; `go test -short ./...` skips it.
package e2e

// The suite uses the clients of the examples: the seed-todo backend's is
// examples/add-user-to-group/amplifydata, the blog backend's
// examples/blog/blogdata (both generated from copies of the transformer's
// outputs in schema/testdata/amplify). The seed alone (a custom mutation and
// nothing else) has no Query type, which AppSync and the simulator refuse
// (TestSeedAloneIsRefused), so the seed runs within seed-todo.

// The keys backend's client is generated from amplify_outputs.json alone
// (no -schema): the suite runs the synthesized schema's operations against
// the transformer's resolvers.
//go:generate go run github.com/go-amplify/data/gen/cmd/amplifygen -outputs ../schema/testdata/amplify/backends/keys/generated/amplify_outputs.json -out keysdata
