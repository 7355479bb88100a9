// The seed's function resource. Its TypeScript handler (handler.ts in the
// seed, not kept here) sends AdminAddUserToGroupCommand and returns the SDK
// response; ../../../function is the same handler in Go, with the Lambda
// entry point in ../../../function/cmd/add-user-to-group-function.
import { defineFunction } from "@aws-amplify/backend"

export const addUserToGroup = defineFunction({
  name: "add-user-to-group",
})
