// Enums and custom types: a.enum and inline enums (named after model and
// field), custom types nested in custom types, inline custom types, lists of
// enums and of custom types, required custom-type fields, and enums used
// only inside custom types.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Color: a.enum(["RED", "GREEN", "BLUE"]),
  Unit: a.enum(["KG", "LB"]),

  Address: a.customType({
    street: a.string().required(),
    city: a.string(),
    geo: a.ref("Geo"),
    tags: a.string().array(),
  }),

  Geo: a.customType({
    lat: a.float().required(),
    lng: a.float().required(),
    accuracy: a.ref("Accuracy"),
  }),

  Accuracy: a.customType({
    meters: a.integer(),
    unit: a.enum(["METER", "FOOT"]),
  }),

  Measure: a.customType({
    amount: a.float().required(),
    unit: a.ref("Unit").required(),
  }),

  Item: a
    .model({
      name: a.string().required(),
      color: a.ref("Color"),
      colors: a.ref("Color").array(),
      requiredColors: a.ref("Color").required().array().required(),
      size: a.enum(["S", "M", "L"]),
      address: a.ref("Address"),
      shippingAddress: a.ref("Address").required(),
      addresses: a.ref("Address").array(),
      measures: a.ref("Measure").required().array(),
      // An inline custom type: named ItemDimensions.
      dimensions: a.customType({
        width: a.float(),
        height: a.float(),
        depth: a.customType({ value: a.float(), unit: a.ref("Unit") }),
      }),
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
