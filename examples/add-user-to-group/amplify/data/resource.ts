// This file is the source of amplify/schema.graphql and amplify_outputs.json
// (its data section): they were produced from this schema by Amplify's
// transformer (@aws-amplify/data-schema, @aws-amplify/graphql-transformer)
// and are committed; the Go client in ../../amplifydata is generated from them
// (see ../../generate.go). They are copies of the outputs of the seed-todo
// backend of the module's fixture corpus (schema/testdata/amplify, which
// regenerates them with Amplify's tools; a test checks the copies). Change
// them together.
//
// The API key mode is on, as in the outputs Amplify made for this backend;
// no rule here admits it, so AppSync refuses every field to an API key.
// Gen 2 always turns on IAM access as well (@aws_iam on every field): IAM
// principals of the backend's account pass every rule, identity-pool roles
// only the identityPool rules.
//
// It is the seed backend ("With admin actions": the addUserToGroup custom
// mutation, allowed for group ADMINS only) plus a Todo model and an echo
// query, so that the example exercises models, enums and queries as well.
import type { ClientSchema } from "@aws-amplify/backend"
import { a, defineData } from "@aws-amplify/backend"
import { defineGoFunction } from "../../../go-function/define-go-function"
// The seed imports this from "./resource", which is this file; the function
// is defined in ./add-user-to-group/resource.ts.
import { addUserToGroup } from "./add-user-to-group/resource"

// echoFn resolves the echo query: it returns msg. It is the Go package
// ../../function/echo, built from ../../function/cmd/echo-function; it is
// granted nothing, so it stays in Amplify's function stack. It is built for
// x86_64, the seed's function for arm64: either works.
export const echoFn = defineGoFunction({
  name: "echoFn",
  entry: "../../function/cmd/echo-function",
  architecture: "x86_64",
})

const schema = a.schema({
  Todo: a
    .model({
      content: a.string(),
      done: a.boolean(),
      // An inline enum is named after its model and field: TodoPriority.
      priority: a.enum(["LOW", "HIGH"]),
    })
    .authorization((allow) => [
      allow.owner(),
      allow.group("ADMINS"),
      allow.authenticated("identityPool").to(["read"]),
    ]),

  echo: a
    .query()
    .arguments({
      msg: a.string().required(),
    })
    .returns(a.string())
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.function("echoFn")),

  addUserToGroup: a
    .mutation()
    .arguments({
      userId: a.string().required(),
      groupName: a.string().required(),
    })
    .authorization((allow) => [allow.group("ADMINS")])
    // The seed passes the function itself, a.handler.function(addUserToGroup),
    // for which the Amplify SDL names the resolver's function
    // FnAddUserToGroup. The Amplify SDL this example was transformed from
    // (schema/testdata/seed.amplify.graphql at the module root) says
    // @function(name: "addUserToGroup"): the string form, a name that
    // defineData's functions below maps to the same function. The AppSync
    // schema and the Lambda's event are the same either way.
    .handler(a.handler.function("addUserToGroup"))
    .returns(a.json()),
})

export type Schema = ClientSchema<typeof schema>

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: "iam",
    apiKeyAuthorizationMode: { expiresInDays: 30 },
  },
  functions: {
    addUserToGroup,
    echoFn,
  },
})
