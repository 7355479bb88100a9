// The blog's auth: users sign in with email, and an ADMINS group, as the
// auth of ../data/schema.ts describes it (what the transformer made the
// committed schema and outputs with).
import { defineAuth } from "@aws-amplify/backend"

export const auth = defineAuth({
  loginWith: {
    email: true,
  },
  groups: ["ADMINS"],
})
