// Custom identifiers: a single custom partition key of each kind (string,
// integer), a partition key with one sort key, and a partition key with
// several sort keys of different scalar types (the composite
// Model<Model>PrimaryCompositeKeyConditionInput).
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Region: a.enum(["EU", "US", "APAC"]),

  // One custom partition key, no sort key.
  Product: a
    .model({
      sku: a.string().required(),
      name: a.string().required(),
      price: a.float(),
    })
    .identifier(["sku"])
    .authorization((allow) => [allow.publicApiKey()]),

  // An integer partition key.
  Counter: a
    .model({
      number: a.integer().required(),
      label: a.string(),
    })
    .identifier(["number"])
    .authorization((allow) => [allow.publicApiKey()]),

  // A partition key and one integer sort key.
  Reading: a
    .model({
      deviceId: a.id().required(),
      seq: a.integer().required(),
      value: a.float().required(),
    })
    .identifier(["deviceId", "seq"])
    .authorization((allow) => [allow.publicApiKey()]),

  // A partition key and three sort keys: string, date-time and integer.
  Shipment: a
    .model({
      tenant: a.string().required(),
      warehouse: a.string().required(),
      shippedAt: a.datetime().required(),
      batch: a.integer().required(),
      region: a.ref("Region"),
      weight: a.float(),
    })
    .identifier(["tenant", "warehouse", "shippedAt", "batch"])
    .authorization((allow) => [allow.publicApiKey()]),

  // A composite sort key ending with a date-time (the transformer types
  // only the last field of the composite key input as String).
  Visit: a
    .model({
      site: a.string().required(),
      day: a.date().required(),
      at: a.datetime().required(),
      visitor: a.email(),
    })
    .identifier(["site", "day", "at"])
    .authorization((allow) => [allow.publicApiKey()]),

  // The default id with a float and a boolean field, for comparison.
  Plain: a
    .model({
      ratio: a.float(),
      active: a.boolean(),
    })
    .authorization((allow) => [allow.publicApiKey()]),
})

export const authorizationModes = {
  defaultAuthorizationMode: "apiKey",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

export const auth = {
  loginWith: { email: true },
}
