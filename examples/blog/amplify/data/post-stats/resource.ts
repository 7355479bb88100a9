// The function that resolves the postStats query, in Go:
// ../../../function is the handler, ../../../function/cmd/post-stats-function
// its Lambda entry point, which defineGoFunction builds at synth time.
//
// It calls the data API back (allow.resource in ../resource.ts), so it
// lives in the data stack (resourceGroupName "data"): that grant gives it
// AMPLIFY_DATA_DEFAULT_NAME and AMPLIFY_DATA_GRAPHQL_ENDPOINT, which
// blogdata.NewForFunction reads, and the policy that allows appsync:GraphQL
// on the API's queries.
import { defineGoFunction } from "../../../../go-function/define-go-function"

export const postStatsFn = defineGoFunction({
  name: "post-stats",
  entry: "../../../function/cmd/post-stats-function",
  architecture: "arm64",
  resourceGroupName: "data",
})
