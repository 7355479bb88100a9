// A blog: a richer backend that exercises what users write in Gen 2 data
// schemas: enums and custom types, every scalar kind, lists, the three
// relationships (hasMany, belongsTo, hasOne), a custom identifier, a secondary
// index with a sort key and a named query field, owner, group, signed-in
// (user pool and identity pool) and public API key rules, and a custom query
// resolved by a Lambda function.
//
// In a Gen 2 project this file is amplify/data/resource.ts, and it ends with
//
//   export const data = defineData({
//     schema,
//     authorizationModes,
//     functions: { postStatsFn },
//   })
//
// where postStatsFn is a defineFunction resource.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  PostStatus: a.enum(["DRAFT", "PUBLISHED", "ARCHIVED"]),

  Location: a.customType({
    lat: a.float().required(),
    lng: a.float().required(),
    label: a.string(),
  }),

  PostStats: a.customType({
    count: a.integer().required(),
    tags: a.string().array(),
  }),

  Blog: a
    .model({
      name: a.string().required(),
      posts: a.hasMany("Post", "blogId"),
    })
    .authorization((allow) => [
      allow.owner(),
      allow.group("ADMINS"),
      allow.authenticated("identityPool").to(["read"]),
      allow.publicApiKey().to(["read"]),
    ]),

  Post: a
    .model({
      title: a.string().required(),
      content: a.string(),
      status: a.ref("PostStatus"),
      tags: a.string().array(),
      metadata: a.json(),
      publishedAt: a.datetime(),
      publishedOn: a.date(),
      rating: a.float(),
      views: a.integer(),
      location: a.ref("Location"),
      blogId: a.id(),
      blog: a.belongsTo("Blog", "blogId"),
      comments: a.hasMany("Comment", "postId"),
    })
    .secondaryIndexes((index) => [
      index("status").sortKeys(["publishedAt"]).queryField("listPostsByStatus"),
    ])
    .authorization((allow) => [
      allow.owner(),
      allow.group("ADMINS"),
      allow.authenticated().to(["read"]),
      allow.authenticated("identityPool").to(["read"]),
      allow.publicApiKey().to(["read"]),
    ]),

  Comment: a
    .model({
      postId: a.id().required(),
      createdOn: a.datetime().required(),
      content: a.string().required(),
      post: a.belongsTo("Post", "postId"),
    })
    .identifier(["postId", "createdOn"])
    .authorization((allow) => [
      allow.owner(),
      allow.authenticated().to(["read"]),
    ]),

  Author: a
    .model({
      name: a.string().required(),
      profile: a.hasOne("Profile", "authorId"),
    })
    .authorization((allow) => [
      allow.owner(),
      allow.publicApiKey().to(["read"]),
    ]),

  Profile: a
    .model({
      authorId: a.id(),
      bio: a.string(),
      author: a.belongsTo("Author", "authorId"),
    })
    .authorization((allow) => [
      allow.owner(),
      allow.publicApiKey().to(["read"]),
    ]),

  postStats: a
    .query()
    .arguments({
      blogId: a.id().required(),
    })
    .returns(a.ref("PostStats"))
    .authorization((allow) => [allow.authenticated(), allow.publicApiKey()])
    .handler(a.handler.function("postStatsFn")),
})

// What defineData receives as authorizationModes. Gen 2 always enables IAM
// as well (for the identity pool and for functions).
export const authorizationModes = {
  defaultAuthorizationMode: "userPool",
  apiKeyAuthorizationMode: { expiresInDays: 30 },
} as const

// What defineAuth receives in amplify/auth/resource.ts.
export const auth = {
  loginWith: { email: true },
  groups: ["ADMINS"],
}
