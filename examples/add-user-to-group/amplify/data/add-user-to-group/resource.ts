// The seed's function resource, in Go: ../../../function is the handler
// (the seed's handler.ts sends AdminAddUserToGroupCommand and returns the
// SDK response; the Go handler does the same), and
// ../../../function/cmd/add-user-to-group-function its Lambda entry point,
// which defineGoFunction builds at synth time.
//
// The function lives in the auth stack (resourceGroupName "auth") because
// defineAuth grants it access (../../auth/resource.ts): that grant gives it
// AMPLIFY_AUTH_USERPOOL_ID, which the Go handler reads, and the policy that
// allows cognito-idp:AdminAddUserToGroup on the pool.
import { defineGoFunction } from "../../../../go-function/define-go-function"

export const addUserToGroup = defineGoFunction({
  name: "add-user-to-group",
  entry: "../../../function/cmd/add-user-to-group-function",
  architecture: "arm64",
  resourceGroupName: "auth",
})
