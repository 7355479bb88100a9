// Package function is the backend side of a Gen 2 data API in Go: the
// event AppSync sends the Lambda function behind a custom query or mutation
// (a.handler.function in the schema), typed by the generated client, and
// its identity and request. It is standard library only, so that the
// generated package, which a frontend imports too, links no Lambda
// runtime; package function/lambda runs a handler on AWS Lambda.
//
// The generated package declares, per custom operation, the event and the
// handler with the operation's argument and result types, as
// Schema["addUserToGroup"]["functionHandler"] does in TypeScript:
//
//	type AddUserToGroupEvent = function.Event[AddUserToGroupArgs]
//	type AddUserToGroupHandler = func(ctx context.Context, event AddUserToGroupEvent) (json.RawMessage, error)
//
// and a function's main is
//
//	func main() { lambda.Start(handle) }   // github.com/go-amplify/data/function/lambda; handle is an amplifydata.AddUserToGroupHandler
//
// An error a handler returns reaches the GraphQL caller as AppSync reports
// every Lambda error: errorType "Lambda:Unhandled" and the error's message
// (AppSync does not pass the function's own error type on). Keep secrets
// out of error messages: the caller sees them.
package function

import (
	"encoding/json"
)

// Event is what AppSync sends the function: Amplify's function resolver
// sends {typeName, fieldName, arguments, identity, source, request, prev};
// a direct Lambda resolver sends {arguments, identity, source, request,
// info, prev, stash}. Event holds both shapes; A is the operation's
// arguments.
type Event[A any] struct {
	// TypeName and FieldName name the field resolved (Amplify's resolver).
	TypeName  string `json:"typeName,omitempty"`
	FieldName string `json:"fieldName,omitempty"`
	// Arguments are the operation's arguments.
	Arguments A `json:"arguments"`
	// Identity is the caller; nil for API-key calls.
	Identity *Identity `json:"identity"`
	// Source is the parent object; null for a root field.
	Source json.RawMessage `json:"source,omitempty"`
	// Request holds the HTTP headers of the GraphQL request.
	Request Request `json:"request"`
	// Info describes the field (direct Lambda resolvers).
	Info *Info `json:"info,omitempty"`
	// Prev is the result of the previous pipeline step, if any.
	Prev json.RawMessage `json:"prev,omitempty"`
	// Stash is the resolver's stash (direct Lambda resolvers).
	Stash json.RawMessage `json:"stash,omitempty"`
}

// Identity is $ctx.identity: its members depend on the auth mode.
type Identity struct {
	// User pools and OIDC: the token's subject, issuer, username and
	// claims; user pools add the groups.
	Sub                 string         `json:"sub,omitempty"`
	Issuer              string         `json:"issuer,omitempty"`
	Username            string         `json:"username,omitempty"`
	Claims              map[string]any `json:"claims,omitempty"`
	Groups              []string       `json:"groups,omitempty"`
	DefaultAuthStrategy string         `json:"defaultAuthStrategy,omitempty"`
	// SourceIP is the caller's address (every mode but API key).
	SourceIP []string `json:"sourceIp,omitempty"`
	// IAM: the account and role, and for identity-pool credentials the
	// pool, identity and whether it is authenticated.
	AccountID                   string `json:"accountId,omitempty"`
	UserArn                     string `json:"userArn,omitempty"`
	CognitoIdentityPoolID       string `json:"cognitoIdentityPoolId,omitempty"`
	CognitoIdentityID           string `json:"cognitoIdentityId,omitempty"`
	CognitoIdentityAuthType     string `json:"cognitoIdentityAuthType,omitempty"`
	CognitoIdentityAuthProvider string `json:"cognitoIdentityAuthProvider,omitempty"`
	// ResolverContext is what a Lambda authorizer returned.
	ResolverContext map[string]any `json:"resolverContext,omitempty"`
}

// InGroup reports whether the caller's user-pool token carries group.
func (id *Identity) InGroup(group string) bool {
	if id == nil {
		return false
	}
	for _, g := range id.Groups {
		if g == group {
			return true
		}
	}
	if list, ok := id.Claims["cognito:groups"].([]any); ok {
		for _, g := range list {
			if g == group {
				return true
			}
		}
	}
	return false
}

// Request is the GraphQL request as the function sees it.
type Request struct {
	Headers    map[string]string `json:"headers,omitempty"`
	DomainName *string           `json:"domainName,omitempty"`
}

// Info describes the resolved field (direct Lambda resolvers).
type Info struct {
	FieldName           string          `json:"fieldName"`
	ParentTypeName      string          `json:"parentTypeName"`
	SelectionSetList    []string        `json:"selectionSetList,omitempty"`
	SelectionSetGraphQL string          `json:"selectionSetGraphQL,omitempty"`
	Variables           json.RawMessage `json:"variables,omitempty"`
}
