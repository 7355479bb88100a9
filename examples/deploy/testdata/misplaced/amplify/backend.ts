// A backend whose Go function defineAuth grants access to, left in
// Amplify's function stack: defineGoFunction must refuse it at synth time
// and say which resourceGroupName to set.
import { defineBackend } from "@aws-amplify/backend"
import { auth } from "./auth/resource"
import { addUser } from "./add-user/resource"

defineBackend({ auth, addUser })
