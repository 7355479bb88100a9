// The backend of examples/add-user-to-group/amplify/data/resource.ts: the
// seed ("With admin actions": the addUserToGroup custom mutation, allowed
// for group ADMINS only) plus a Todo model and an echo query. Its generated/
// outputs reproduce the fixtures under /work/shared/fixtures/seed/ (the
// copies in schema/testdata/seed.*.graphql and model_introspection.json).
//
// In a Gen 2 project this file is amplify/data/resource.ts, and it ends with
//
//   export const data = defineData({
//     schema,
//     authorizationModes,
//     functions: { addUserToGroup, echoFn },
//   })
//
// where addUserToGroup and echoFn are defineFunction resources. The tool
// reads schema and authorizationModes below; it needs no
// @aws-amplify/backend, so `a` comes from @aws-amplify/data-schema, which
// @aws-amplify/backend re-exports.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
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
    .handler(a.handler.function("addUserToGroup"))
    .returns(a.json()),
})

// What defineData receives as authorizationModes.
export const authorizationModes = {
  defaultAuthorizationMode: "iam",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

// What defineAuth receives in amplify/auth/resource.ts.
export const auth = {
  loginWith: { email: true },
  groups: ["ADMINS"],
}
