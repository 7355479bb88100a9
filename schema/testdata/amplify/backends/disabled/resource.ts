// disableOperations: no delete and no subscriptions; no mutations at all;
// no update and no onUpdate; no subscriptions with a custom identifier.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Log: a
    .model({
      line: a.string().required(),
    })
    .disableOperations(["delete", "subscriptions"])
    .authorization((allow) => [allow.publicApiKey()]),

  Archive: a
    .model({
      title: a.string(),
    })
    .disableOperations(["mutations"])
    .authorization((allow) => [allow.publicApiKey()]),

  Counter: a
    .model({
      name: a.string().required(),
      count: a.integer(),
    })
    .identifier(["name"])
    .disableOperations(["update", "onUpdate", "onDelete"])
    .authorization((allow) => [allow.publicApiKey()]),

  Feed: a
    .model({
      topic: a.string().required(),
      at: a.datetime().required(),
      body: a.string(),
    })
    .identifier(["topic", "at"])
    .disableOperations(["subscriptions", "create"])
    .authorization((allow) => [allow.publicApiKey()]),
})

export const authorizationModes = {
  defaultAuthorizationMode: "apiKey",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

export const auth = {
  loginWith: { email: true },
}
