// Authorization rules: owner, custom owner field, multiple owners (a list
// field), static groups, dynamic groups (one and many), signed-in users of
// the user pool and of the identity pool, guests, the API key, rules limited
// to some operations, and field-level rules.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  // Owner, with IAM as the default mode.
  Note: a
    .model({
      text: a.string(),
    })
    .authorization((allow) => [allow.owner()]),

  // A custom owner field and several owners.
  Doc: a
    .model({
      title: a.string().required(),
      author: a.string(),
      editors: a.string().array(),
    })
    .authorization((allow) => [
      allow.ownerDefinedIn("author"),
      allow.ownersDefinedIn("editors").to(["read", "update"]),
      allow.authenticated().to(["read"]),
    ]),

  // Static groups, a dynamic group and dynamic groups.
  Report: a
    .model({
      body: a.string(),
      group: a.string(),
      groups: a.string().array(),
    })
    .authorization((allow) => [
      allow.groups(["ADMINS", "EDITORS"]),
      allow.groupDefinedIn("group"),
      allow.groupsDefinedIn("groups").to(["read"]),
    ]),

  // Guests and the identity pool.
  Banner: a
    .model({
      message: a.string(),
    })
    .authorization((allow) => [
      allow.guest().to(["read"]),
      allow.authenticated("identityPool"),
      allow.group("ADMINS").to(["create", "update", "delete"]),
    ]),

  // The API key and signed-in users; a field readable by owners only.
  Message: a
    .model({
      text: a.string(),
      secret: a.string().authorization((allow) => [allow.owner()]),
    })
    .authorization((allow) => [
      allow.publicApiKey().to(["read"]),
      allow.authenticated(),
      allow.owner(),
    ]),

  // No rule of its own: the schema-level rule.
  Setting: a.model({
    key: a.string().required(),
    value: a.string(),
  }),
}).authorization((allow) => [allow.authenticated().to(["read"]), allow.group("ADMINS")])

export const authorizationModes = {
  defaultAuthorizationMode: "iam",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

export const auth = {
  loginWith: { email: true },
  groups: ["ADMINS", "EDITORS"],
}
