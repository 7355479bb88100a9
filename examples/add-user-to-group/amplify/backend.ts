// The seed's backend ("With admin actions"), deployed by `npx ampx sandbox`
// from the example's folder (the app root: ../package.json). Its functions
// are Go (../function): defineGoFunction builds them at synth time.
import { defineBackend } from "@aws-amplify/backend"
import { auth } from "./auth/resource"
import { data, echoFn } from "./data/resource"
import { addUserToGroup } from "./data/add-user-to-group/resource"

defineBackend({
  auth,
  data,
  addUserToGroup,
  echoFn,
})
