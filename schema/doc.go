// Package schema reads what an AWS Amplify Gen 2 / AppSync backend is: the
// amplify_outputs.json file written by `ampx`, the model introspection schema
// it embeds, and the final AppSync GraphQL schema (SDL or introspection JSON).
//
// Every loader returns errors of type *Error that name the file, the line and
// column (or the JSON field path) of the problem, and, where one is known, a
// hint on how to fix it.
package schema
