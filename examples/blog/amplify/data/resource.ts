// The blog's data resource. Amplify requires defineData to be called in
// this file (amplify/data/resource.ts); the schema itself is in ./schema.ts,
// which is also the blog backend of the module's fixture corpus
// (schema/testdata/amplify/backends/blog/resource.ts, which Amplify's
// transformer is run on without @aws-amplify/backend; a test keeps the two
// identical). In an app of your own both halves are usually this one file.
import type { ClientSchema } from "@aws-amplify/backend"
import { defineData } from "@aws-amplify/backend"
import { authorizationModes, schema as blog } from "./schema"
import { postStatsFn } from "./post-stats/resource"

// postStatsFn may call the API's queries (allow.resource): its role gets
// appsync:GraphQL on Query and its environment the API's endpoint. That adds
// no directive to the AppSync schema: Gen 2 enables IAM access on every
// field anyway.
const schema = blog.authorization((allow) => [allow.resource(postStatsFn).to(["query"])])

export type Schema = ClientSchema<typeof schema>

export const data = defineData({
  schema,
  authorizationModes,
  // The schema names the function: a.handler.function("postStatsFn").
  functions: {
    postStatsFn,
  },
})
