// Relationships: hasMany/belongsTo and hasOne/belongsTo with the default id,
// a hasMany/belongsTo over a composite key (two reference fields), a
// many-to-many through a join model, a required reference field, and a
// model related to itself.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Team: a
    .model({
      name: a.string().required(),
      members: a.hasMany("Member", "teamId"),
      captain: a.hasOne("Captain", "teamId"),
    })
    .authorization((allow) => [allow.authenticated()]),

  Member: a
    .model({
      name: a.string(),
      teamId: a.id().required(),
      team: a.belongsTo("Team", "teamId"),
      memberships: a.hasMany("Membership", "memberId"),
    })
    .authorization((allow) => [allow.authenticated()]),

  Captain: a
    .model({
      teamId: a.id(),
      team: a.belongsTo("Team", "teamId"),
    })
    .authorization((allow) => [allow.authenticated()]),

  // A composite primary key referenced by two fields of its children.
  Course: a
    .model({
      school: a.string().required(),
      code: a.string().required(),
      title: a.string(),
      lessons: a.hasMany("Lesson", ["courseSchool", "courseCode"]),
      syllabus: a.hasOne("Syllabus", ["courseSchool", "courseCode"]),
    })
    .identifier(["school", "code"])
    .authorization((allow) => [allow.authenticated()]),

  Lesson: a
    .model({
      courseSchool: a.string(),
      courseCode: a.string(),
      course: a.belongsTo("Course", ["courseSchool", "courseCode"]),
      number: a.integer().required(),
      topic: a.string(),
    })
    .authorization((allow) => [allow.authenticated()]),

  Syllabus: a
    .model({
      courseSchool: a.string(),
      courseCode: a.string(),
      course: a.belongsTo("Course", ["courseSchool", "courseCode"]),
      text: a.string(),
    })
    .authorization((allow) => [allow.authenticated()]),

  // Many to many through a join model.
  Club: a
    .model({
      name: a.string().required(),
      memberships: a.hasMany("Membership", "clubId"),
    })
    .authorization((allow) => [allow.authenticated()]),

  Membership: a
    .model({
      clubId: a.id().required(),
      memberId: a.id().required(),
      club: a.belongsTo("Club", "clubId"),
      member: a.belongsTo("Member", "memberId"),
      role: a.string(),
    })
    .authorization((allow) => [allow.authenticated()]),

  // A model related to itself.
  Category: a
    .model({
      name: a.string().required(),
      parentId: a.id(),
      parent: a.belongsTo("Category", "parentId"),
      children: a.hasMany("Category", "parentId"),
    })
    .authorization((allow) => [allow.authenticated()]),
})

export const authorizationModes = {
  defaultAuthorizationMode: "userPool",
} as const

export const auth = {
  loginWith: { email: true },
}
