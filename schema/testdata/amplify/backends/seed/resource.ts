// The seed: "With admin actions" of the Amplify Gen 2 documentation
// (/work/shared/seed/amplify-admin-actions.md), a custom mutation that adds a
// user to a Cognito group, allowed for group ADMINS only and resolved by a
// Lambda function.
//
// In a Gen 2 project this file is amplify/data/resource.ts, and it ends with
//
//   export const data = defineData({
//     schema,
//     authorizationModes,
//     functions: { addUserToGroup },
//   })
//
// The seed passes the function itself, a.handler.function(addUserToGroup),
// where addUserToGroup = defineFunction({ name: "add-user-to-group" }); that
// needs @aws-amplify/backend, which this tool does without. The string form
// below names the same function through defineData's `functions` map, and
// the AppSync schema, the resolvers and the Lambda's event are the same
// either way (only the @function name in the Amplify SDL differs).
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  addUserToGroup: a
    .mutation()
    .arguments({
      userId: a.string().required(),
      groupName: a.string().required(),
    })
    .authorization((allow) => [allow.group("ADMINS")])
    .handler(a.handler.function("addUserToGroup"))
    .returns(a.json()),
})

// What defineData receives as authorizationModes.
export const authorizationModes = {
  defaultAuthorizationMode: "iam",
} as const

// What defineAuth receives in amplify/auth/resource.ts.
export const auth = {
  loginWith: { email: true },
  groups: ["ADMINS"],
}
