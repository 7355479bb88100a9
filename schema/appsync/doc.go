// Package appsync reads the final AppSync GraphQL schema of an Amplify Gen 2
// backend, as SDL (the schema.graphql the AppSync console shows) or as a
// GraphQL introspection result (`npx ampx generate graphql-client-code
// --format introspection`), validates it with the AppSync prelude (its
// scalars and directives) and reports the auth directives of its fields.
//
// It is the part of the backend's description that needs a GraphQL parser
// (github.com/vektah/gqlparser), so the generator and the local backend
// import it and the runtime does not: package schema, which reads
// amplify_outputs.json, stays free of it. Its loaders return *schema.Error.
package appsync
