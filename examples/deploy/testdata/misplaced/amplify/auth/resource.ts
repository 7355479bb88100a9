import { defineAuth } from "@aws-amplify/backend"
import { addUser } from "../add-user/resource"

export const auth = defineAuth({
  loginWith: { email: true },
  access: (allow) => [allow.resource(addUser).to(["addUserToGroup"])],
})
