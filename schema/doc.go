// Package schema reads what an AWS Amplify Gen 2 / AppSync backend is: the
// amplify_outputs.json file written by `ampx` and the model introspection
// schema it embeds, and it holds the one table of the auth vocabularies
// (AuthorizationType, AuthMode, the AppSync auth directives and the
// providers of Amplify's auth rules). It depends on the standard library
// only, so that the runtime (package client) can import it; the final
// AppSync GraphQL schema (SDL or introspection JSON) is read by package
// github.com/go-amplify/data/schema/appsync.
//
// Every loader returns errors of type *Error that name the file, the line and
// column (or the JSON field path) of the problem, and, where one is known, a
// hint on how to fix it.
package schema
