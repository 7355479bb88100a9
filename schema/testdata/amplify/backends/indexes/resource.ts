// Secondary indexes: without a sort key (the query field named by
// Amplify), with one sort key of several types, with two sort keys (a
// composite key condition), with a custom queryField and a custom index
// name, on an enum field, on a model with a custom identifier; sort keys of
// every kind the transformer conditions (String, ID, Int, Float, enum, date
// and date-time) and a composite sort key ending with an enum.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  TaskState: a.enum(["OPEN", "DONE"]),

  Task: a
    .model({
      projectId: a.id().required(),
      assignee: a.string(),
      state: a.ref("TaskState"),
      priority: a.integer(),
      dueOn: a.date(),
      dueAt: a.datetime(),
      title: a.string().required(),
    })
    .secondaryIndexes((index) => [
      // No sort key: queryField listTaskByProjectId.
      index("projectId"),
      // One sort key (Int): listTaskByAssigneeAndPriority.
      index("assignee").sortKeys(["priority"]),
      // Enum partition key, two sort keys, custom query field and name.
      index("state").sortKeys(["dueOn", "title"]).queryField("tasksByState").name("byStateDue"),
      // A date-time sort key and a custom query field.
      index("projectId").sortKeys(["dueAt"]).queryField("tasksByProjectDue"),
      // An ID sort key and an enum sort key.
      index("title").sortKeys(["projectId"]),
      index("assignee").sortKeys(["state"]).queryField("tasksByAssigneeState"),
    ])
    .authorization((allow) => [allow.publicApiKey()]),

  EventKind: a.enum(["TALK", "WORKSHOP"]),

  Event: a
    .model({
      calendar: a.string().required(),
      startsAt: a.datetime().required(),
      room: a.string(),
      capacity: a.integer(),
      rating: a.float(),
      kind: a.ref("EventKind"),
    })
    .identifier(["calendar", "startsAt"])
    .secondaryIndexes((index) => [
      index("room").sortKeys(["capacity"]).queryField("eventsByRoom"),
      index("capacity"),
      // A float sort key; a composite sort key ending with an enum.
      index("calendar").sortKeys(["rating"]).queryField("eventsByRating"),
      index("room").sortKeys(["rating", "kind"]).queryField("eventsByRoomRatingKind"),
    ])
    .authorization((allow) => [allow.publicApiKey()]),
})

export const authorizationModes = {
  defaultAuthorizationMode: "apiKey",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

export const auth = {
  loginWith: { email: true },
}
