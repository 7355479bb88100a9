// Every scalar of a Gen 2 schema, optional and required, as lists of
// nullable and of required elements, and required lists.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Sample: a
    .model({
      anId: a.id(),
      aString: a.string(),
      anInteger: a.integer(),
      aFloat: a.float(),
      aBoolean: a.boolean(),
      aDate: a.date(),
      aTime: a.time(),
      aDateTime: a.datetime(),
      aTimestamp: a.timestamp(),
      anEmail: a.email(),
      aJson: a.json(),
      aPhone: a.phone(),
      aUrl: a.url(),
      anIpAddress: a.ipAddress(),

      reqId: a.id().required(),
      reqString: a.string().required(),
      reqInteger: a.integer().required(),
      reqFloat: a.float().required(),
      reqBoolean: a.boolean().required(),
      reqDate: a.date().required(),
      reqTime: a.time().required(),
      reqDateTime: a.datetime().required(),
      reqTimestamp: a.timestamp().required(),
      reqEmail: a.email().required(),
      reqJson: a.json().required(),
      reqPhone: a.phone().required(),
      reqUrl: a.url().required(),
      reqIpAddress: a.ipAddress().required(),

      ids: a.id().array(),
      strings: a.string().array(),
      integers: a.integer().array(),
      floats: a.float().array(),
      booleans: a.boolean().array(),
      dates: a.date().array(),
      times: a.time().array(),
      dateTimes: a.datetime().array(),
      timestamps: a.timestamp().array(),
      emails: a.email().array(),
      jsons: a.json().array(),
      phones: a.phone().array(),
      urls: a.url().array(),
      ipAddresses: a.ipAddress().array(),

      // [String!], [String]!, [String!]!
      reqElems: a.string().required().array(),
      reqList: a.string().array().required(),
      reqBoth: a.integer().required().array().required(),
      reqJsonList: a.json().required().array().required(),
    })
    .authorization((allow) => [allow.guest(), allow.authenticated("identityPool")]),
})

export const authorizationModes = {
  defaultAuthorizationMode: "identityPool",
} as const

export const auth = {
  loginWith: { email: true },
}
