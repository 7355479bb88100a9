// The blog's backend, deployed by `npx ampx sandbox` from the example's
// folder (the app root: ../package.json). Its function is Go
// (../function): defineGoFunction builds it at synth time.
import { defineBackend } from "@aws-amplify/backend"
import { auth } from "./auth/resource"
import { data } from "./data/resource"
import { postStatsFn } from "./data/post-stats/resource"

defineBackend({
  auth,
  data,
  postStatsFn,
})
