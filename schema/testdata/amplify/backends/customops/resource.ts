// Custom queries and mutations: scalar, enum, list, custom-type and model
// arguments and results, required and list arguments, a custom type as an
// argument (its <Type>Input), nested custom types, and a custom
// subscription on a custom mutation.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Mood: a.enum(["HAPPY", "SAD"]),

  Point: a.customType({
    x: a.float().required(),
    y: a.float().required(),
  }),

  Box: a.customType({
    min: a.ref("Point").required(),
    max: a.ref("Point").required(),
    label: a.string(),
    mood: a.ref("Mood"),
  }),

  Stats: a.customType({
    total: a.integer().required(),
    moods: a.ref("Mood").array(),
    boxes: a.ref("Box").array(),
    at: a.datetime(),
  }),

  Photo: a
    .model({
      url: a.url().required(),
      mood: a.ref("Mood"),
      box: a.ref("Box"),
    })
    .authorization((allow) => [allow.publicApiKey(), allow.authenticated()]),

  // Scalars in, a scalar out.
  add: a
    .query()
    .arguments({ x: a.integer().required(), y: a.integer() })
    .returns(a.integer())
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function("addFn")),

  // Lists of scalars and an enum in, a list of enums out.
  moodsOf: a
    .query()
    .arguments({ words: a.string().array().required(), fallback: a.ref("Mood") })
    .returns(a.ref("Mood").array())
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function("moodsFn")),

  // A custom type (nested) in, a custom type out.
  area: a
    .query()
    .arguments({ box: a.ref("Box").required(), boxes: a.ref("Box").array() })
    .returns(a.ref("Stats"))
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.function("areaFn")),

  // A model out, and a list of models out.
  randomPhoto: a
    .query()
    .returns(a.ref("Photo"))
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function("photoFn")),

  photosByMood: a
    .query()
    .arguments({ mood: a.ref("Mood").required(), limit: a.integer() })
    .returns(a.ref("Photo").array())
    .authorization((allow) => [allow.publicApiKey(), allow.authenticated()])
    .handler(a.handler.function("photoFn")),

  // Required results: a required JSON, a required list of required strings.
  config: a
    .query()
    .returns(a.json().required())
    .authorization((allow) => [allow.guest()])
    .handler(a.handler.function("configFn")),

  names: a
    .query()
    .arguments({ at: a.datetime(), day: a.date(), time: a.time(), ts: a.timestamp() })
    .returns(a.string().required().array().required())
    .authorization((allow) => [allow.authenticated("identityPool")])
    .handler(a.handler.function("namesFn")),

  // A required list of custom types out.
  allBoxes: a
    .query()
    .returns(a.ref("Box").array().required())
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function("boxesFn")),

  // Mutations: a custom type out, a model out, a boolean out, an enum out.
  setMood: a
    .mutation()
    .arguments({ moods: a.ref("Mood").required().array().required() })
    .returns(a.ref("Mood").required())
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.function("moodFn")),

  moveBox: a
    .mutation()
    .arguments({ box: a.ref("Box").required(), dx: a.float().required(), dy: a.float().required() })
    .returns(a.ref("Box"))
    .authorization((allow) => [allow.authenticated(), allow.group("ADMINS")])
    .handler(a.handler.function("moveFn")),

  tagPhoto: a
    .mutation()
    .arguments({ id: a.id().required(), mood: a.ref("Mood").required(), meta: a.json() })
    .returns(a.ref("Photo"))
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function("tagFn")),

  ping: a
    .mutation()
    .arguments({ emails: a.email().required().array(), ip: a.ipAddress(), phone: a.phone() })
    .returns(a.boolean().required())
    .authorization((allow) => [allow.group("ADMINS")])
    .handler(a.handler.function("pingFn")),

  publish: a
    .mutation()
    .arguments({ channel: a.string().required(), text: a.string() })
    .returns(a.ref("Stats"))
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function("publishFn")),

  // A custom subscription on the custom mutation publish.
  published: a
    .subscription()
    .for(a.ref("publish"))
    .arguments({ channel: a.string() })
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function("publishedFn")),
})

export const authorizationModes = {
  defaultAuthorizationMode: "apiKey",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

export const auth = {
  loginWith: { email: true },
  groups: ["ADMINS"],
}
