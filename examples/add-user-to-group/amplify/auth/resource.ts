// The seed's auth resource (Amplify docs, "With admin actions"): users sign
// in with email, an ADMINS group authorizes the addUserToGroup mutation, and
// the add-user-to-group function may call Cognito's AdminAddUserToGroup.
// The grant also gives the function AMPLIFY_AUTH_USERPOOL_ID, which the Go
// handler (../../function) reads: Amplify passes it to a TypeScript function
// through SSM, and defineGoFunction sets it on the Go function itself.
import { defineAuth } from "@aws-amplify/backend"
import { addUserToGroup } from "../data/add-user-to-group/resource"

export const auth = defineAuth({
  loginWith: {
    email: true,
  },
  groups: ["ADMINS"],
  access: (allow) => [
    allow.resource(addUserToGroup).to(["addUserToGroup"])
  ],
})
