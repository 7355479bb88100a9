// Package function is the Go version of the seed's add-user-to-group
// Lambda function (the guide's handler.ts; amplify/data/add-user-to-group/
// resource.ts declares it with defineGoFunction): the resolver
// of the custom mutation addUserToGroup, which adds a user to a Cognito
// user pool group with AdminAddUserToGroup.
//
// The binary in cmd/add-user-to-group-function runs it on AWS Lambda
// (runtime provided.al2023, executable named bootstrap). It reads the pool
// ID from AMPLIFY_AUTH_USERPOOL_ID, the variable Amplify sets on a function
// that defineAuth grants access to, and needs the IAM permission
// cognito-idp:AdminAddUserToGroup on that pool (the seed's
// allow.resource(addUserToGroup).to(["addUserToGroup"]) grants it).
package function

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
)

// UserPoolIDEnv is the environment variable that holds the user pool ID.
const UserPoolIDEnv = "AMPLIFY_AUTH_USERPOOL_ID"

// Event is the payload AppSync sends to the function, typed by the
// generated client: the mutation's arguments (AddUserToGroupArgs), the
// caller's identity, the request's headers. Amplify's function resolver
// sends {typeName, fieldName, arguments, identity, source, request, prev};
// a direct Lambda resolver adds info and stash: it decodes both.
type Event = amplifydata.AddUserToGroupEvent

// AdminAddUserToGroupAPI is the part of *cognitoidentityprovider.Client the
// handler uses.
type AdminAddUserToGroupAPI interface {
	AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
}

var _ AdminAddUserToGroupAPI = (*cip.Client)(nil)

// Handler resolves addUserToGroup.
type Handler struct {
	// Cognito adds the user to the group.
	Cognito AdminAddUserToGroupAPI
	// UserPoolID is the pool that holds the users and groups.
	UserPoolID string
}

// NewFromEnv returns a Handler for the pool named by AMPLIFY_AUTH_USERPOOL_ID,
// with a Cognito client built from the default AWS configuration (in
// Lambda: the function's role and region).
func NewFromEnv(ctx context.Context) (*Handler, error) {
	pool := os.Getenv(UserPoolIDEnv)
	if pool == "" {
		return nil, fmt.Errorf("add-user-to-group: environment variable %s is not set: grant the function access in defineAuth (allow.resource(addUserToGroup).to([\"addUserToGroup\"]))", UserPoolIDEnv)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("add-user-to-group: loading AWS configuration: %w", err)
	}
	return &Handler{Cognito: cip.NewFromConfig(cfg), UserPoolID: pool}, nil
}

// Metadata mirrors the $metadata member of an AWS SDK for JavaScript v3
// response, which is all the seed's handler returns for this command.
type Metadata struct {
	HTTPStatusCode int    `json:"httpStatusCode,omitempty"`
	RequestID      string `json:"requestId,omitempty"`
	Attempts       int    `json:"attempts,omitempty"`
}

// Result is what Handle returns: AdminAddUserToGroup has no output members,
// so, as in JavaScript, only the response metadata.
type Result struct {
	Metadata Metadata `json:"$metadata"`
}

// Handle is the function's handler, an amplifydata.AddUserToGroupHandler.
var _ amplifydata.AddUserToGroupHandler = (*Handler)(nil).Handle

// Handle adds event.Arguments.UserID to event.Arguments.GroupName and
// returns the response as JSON, {"$metadata":{"httpStatusCode":200,...}}.
// Username is passed as given: Cognito accepts the username or an alias
// (see handler_test.go for what was measured). Cognito errors are wrapped,
// so errors.As reaches the typed error (e.g. *types.UserNotFoundException).
func (h *Handler) Handle(ctx context.Context, event Event) (json.RawMessage, error) {
	args := event.Arguments
	switch {
	case args.UserID == "":
		return nil, errors.New("add-user-to-group: argument userId is required")
	case args.GroupName == "":
		return nil, errors.New("add-user-to-group: argument groupName is required")
	case h.Cognito == nil || h.UserPoolID == "":
		return nil, errors.New("add-user-to-group: handler has no Cognito client or user pool ID")
	}
	out, err := h.Cognito.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		Username:   aws.String(args.UserID),
		GroupName:  aws.String(args.GroupName),
		UserPoolId: aws.String(h.UserPoolID),
	})
	if err != nil {
		return nil, fmt.Errorf("add-user-to-group: adding user %q to group %q: %w", args.UserID, args.GroupName, err)
	}
	var res Result
	if out != nil {
		if raw, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response); ok && raw != nil {
			res.Metadata.HTTPStatusCode = raw.StatusCode
		}
		res.Metadata.RequestID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		if attempts, ok := retry.GetAttemptResults(out.ResultMetadata); ok {
			res.Metadata.Attempts = len(attempts.Results)
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("add-user-to-group: encoding result: %w", err)
	}
	return b, nil
}
