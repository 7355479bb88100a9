import { defineGoFunction } from "../../../../../go-function/define-go-function"

// No resourceGroupName: the function stays in the function stack.
export const addUser = defineGoFunction({
  name: "add-user",
  entry: "../../../../../add-user-to-group/function/cmd/add-user-to-group-function",
})
