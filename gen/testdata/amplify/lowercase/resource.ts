// A Gen 2 backend whose models, enum and custom type are named in lower case
// (type, func and context among them), which Amplify accepts: a.schema keys
// are GraphQL type names. generated/ is what Amplify's transformer makes of
// it (see ../README.md). Its rules for such names:
//
//   - the model transformer upper-cases the first letter in what it derives:
//     getNote, listNotes, createNote, onCreateNote, CreateNoteInput,
//     ModelNoteFilterInput, ModelNoteConditionInput, ModelNoteConnection;
//   - the index and relational transformers keep the name as declared:
//     ModelnoteConnection and ModelnoteFilterInput (the declared fields only)
//     for the index query and the hasMany field, and
//     ModelvisitPrimaryCompositeKeyConditionInput;
//   - the primary key fields stay in the condition input of a model with a
//     custom identifier (removed only for a model named with a capital);
//   - the types keep their names: type note, enum status (filtered with
//     ModelstatusInput), type location (LocationInput in the model inputs,
//     locationInput as the custom query's argument).
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  status: a.enum(["OPEN", "DONE"]),
  location: a.customType({
    lat: a.float(),
    lng: a.float(),
  }),
  note: a
    .model({
      content: a.string(),
      kind: a.enum(["LOW", "HIGH"]),
      state: a.ref("status"),
      place: a.ref("location"),
      topicId: a.id(),
      topic: a.belongsTo("topic", "topicId"),
    })
    .secondaryIndexes((index) => [index("state").sortKeys(["content"])])
    .authorization((allow) => [allow.publicApiKey()]),
  topic: a
    .model({
      name: a.string().required(),
      notes: a.hasMany("note", "topicId"),
      comments: a.hasMany("comment", "topicId"),
    })
    .authorization((allow) => [allow.publicApiKey()]),
  comment: a
    .model({
      body: a.string(),
      topicId: a.id(),
      topic: a.belongsTo("topic", "topicId"),
    })
    .authorization((allow) => [allow.owner(), allow.publicApiKey().to(["read"])]),
  type: a
    .model({
      code: a.string().required(),
      label: a.string(),
    })
    .identifier(["code"])
    .authorization((allow) => [allow.publicApiKey()]),
  visit: a
    .model({
      site: a.string().required(),
      day: a.string().required(),
      slot: a.integer().required(),
      who: a.string(),
    })
    .identifier(["site", "day", "slot"])
    .secondaryIndexes((index) => [index("who").sortKeys(["day", "slot"])])
    .authorization((allow) => [allow.publicApiKey()]),
  func: a
    .model({
      body: a.string(),
    })
    .authorization((allow) => [allow.publicApiKey()]),
  context: a
    .model({
      value: a.string(),
    })
    .authorization((allow) => [allow.publicApiKey()]),
  nearest: a
    .query()
    .arguments({ at: a.ref("location") })
    .returns(a.ref("location"))
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function("nearest")),
})

export const authorizationModes = {
  defaultAuthorizationMode: "apiKey",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

export const auth = {
  loginWith: { email: true },
}
