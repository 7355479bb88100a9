// The seed's auth resource (Amplify docs, "With admin actions"): users sign
// in with email, an ADMINS group authorizes the addUserToGroup mutation, and
// the add-user-to-group function may call Cognito's AdminAddUserToGroup.
// The grant also sets AMPLIFY_AUTH_USERPOOL_ID on the function, which the
// Go handler (../../function) reads.
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
