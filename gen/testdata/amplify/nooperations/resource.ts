// Models with operations disabled (disableOperations): Audit has none, so
// the transformer keeps its type but gives it no root field and no input
// (the generated client has nothing to call for it); Note has no query, and
// Memo no list query and no subscription: neither has a filter input.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Todo: a
    .model({
      content: a.string(),
    })
    .authorization((allow) => [allow.publicApiKey()]),
  Audit: a
    .model({
      action: a.string(),
      level: a.enum(["INFO", "WARN"]),
    })
    .disableOperations(["queries", "mutations", "subscriptions"])
    .authorization((allow) => [allow.publicApiKey()]),
  Note: a
    .model({
      body: a.string(),
    })
    .disableOperations(["queries"])
    .authorization((allow) => [allow.publicApiKey()]),
  Memo: a
    .model({
      body: a.string(),
    })
    .disableOperations(["list", "subscriptions"])
    .authorization((allow) => [allow.publicApiKey()]),
})

export const authorizationModes = {
  defaultAuthorizationMode: "apiKey",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const
