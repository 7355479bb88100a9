// Keys and dynamic auth: a composite identifier (partition key and two sort
// key fields, which Amplify stores as one "day#seq" attribute), a secondary
// index with the same composite sort key, and owner, owners-list and
// group-field rules. appsynctest's tests run its generated backend
// (../../keys); regenerate it with
//
//   node schema/testdata/amplify/tool/generate.mjs appsynctest/testdata/transformer appsynctest/testdata
//
// from the module root (Node.js 20; the tool's npm packages installed).
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Event: a
    .model({
      tenant: a.string().required(),
      day: a.date().required(),
      seq: a.integer().required(),
      kind: a.string(),
      title: a.string(),
    })
    .identifier(["tenant", "day", "seq"])
    .secondaryIndexes((index) => [index("kind").sortKeys(["day", "seq"]).queryField("eventsByKind")])
    .authorization((allow) => [allow.publicApiKey()]),

  Note: a
    .model({
      author: a.string(),
      editors: a.string().array(),
      team: a.string(),
      body: a.string(),
    })
    .authorization((allow) => [
      allow.ownerDefinedIn("author"),
      allow.ownersDefinedIn("editors").to(["read", "update"]),
      allow.groupDefinedIn("team"),
      allow.guest().to(["read"]),
    ]),
})

export const authorizationModes = {
  defaultAuthorizationMode: "apiKey",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

export const auth = {
  loginWith: { email: true },
  groups: ["ADMINS"],
}
