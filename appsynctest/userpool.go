package appsynctest

import (
	"context"
	"net/http"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sdkMetadata is the result metadata of a successful call as the SDK's
// client records it: the raw HTTP response (status 200) and a request ID,
// so a handler that reports them (as the seed's does, like $metadata in
// JavaScript) sees what it would see against Cognito.
func sdkMetadata(ctx context.Context) middleware.Metadata {
	_, md, _ := awsmiddleware.AddRawResponse{}.HandleDeserialize(ctx, middleware.DeserializeInput{},
		middleware.DeserializeHandlerFunc(func(context.Context, middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
			raw := &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusOK, Header: http.Header{}}}
			return middleware.DeserializeOutput{RawResponse: raw}, middleware.Metadata{}, nil
		}))
	awsmiddleware.SetRequestIDMetadata(&md, newUUID())
	return md
}

// UserPool is the server's user pool seen as the part of Cognito's API
// that backend functions call: pass it where a handler wants a
// *cognitoidentityprovider.Client (its methods have the same signatures),
// and group changes show in the tokens of the users' next sign-in.
type UserPool struct{ s *Server }

// UserPool returns the server's user pool.
func (s *Server) UserPool() *UserPool { return &UserPool{s: s} }

// ID returns the user pool ID (the outputs' user_pool_id).
func (p *UserPool) ID() string { return p.s.tokens.poolID }

// lookup finds a user by username or sub (Cognito accepts either, and an
// alias, where it takes a Username).
func (p *UserPool) lookup(username string) *user {
	if u := p.s.users[username]; u != nil {
		return u
	}
	for _, u := range p.s.users {
		if u.sub == username {
			return u
		}
	}
	return nil
}

// check validates the pool ID and group of a request.
func (p *UserPool) check(poolID, group string) error {
	if poolID != p.ID() {
		return &types.ResourceNotFoundException{Message: aws.String("User pool " + poolID + " does not exist.")}
	}
	if a := p.s.outputs.Auth; a != nil && len(a.Groups) > 0 && !slices.Contains(a.GroupNames(), group) {
		return &types.ResourceNotFoundException{Message: aws.String("Group not found.")}
	}
	return nil
}

// editGroups changes the groups of a user (by username or sub) of the
// pool, after the checks Cognito makes: the pool, the group, the user.
func (p *UserPool) editGroups(ctx context.Context, poolID, username *string, group string, edit func([]string) []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.check(aws.ToString(poolID), group); err != nil {
		return err
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	u := p.lookup(aws.ToString(username))
	if u == nil {
		return &types.UserNotFoundException{Message: aws.String("User does not exist.")}
	}
	u.groups = edit(u.groups)
	return nil
}

// AdminAddUserToGroup adds a user (by username or sub) to a group of the
// pool (one of the outputs' auth groups, when it lists any).
func (p *UserPool) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, _ ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	group := aws.ToString(in.GroupName)
	err := p.editGroups(ctx, in.UserPoolId, in.Username, group, func(groups []string) []string {
		if slices.Contains(groups, group) {
			return groups
		}
		return append(groups, group)
	})
	if err != nil {
		return nil, err
	}
	return &cip.AdminAddUserToGroupOutput{ResultMetadata: sdkMetadata(ctx)}, nil
}

// AdminRemoveUserFromGroup removes a user (by username or sub) from a group.
func (p *UserPool) AdminRemoveUserFromGroup(ctx context.Context, in *cip.AdminRemoveUserFromGroupInput, _ ...func(*cip.Options)) (*cip.AdminRemoveUserFromGroupOutput, error) {
	group := aws.ToString(in.GroupName)
	err := p.editGroups(ctx, in.UserPoolId, in.Username, group, func(groups []string) []string {
		return slices.DeleteFunc(groups, func(g string) bool { return g == group })
	})
	if err != nil {
		return nil, err
	}
	return &cip.AdminRemoveUserFromGroupOutput{ResultMetadata: sdkMetadata(ctx)}, nil
}

// Groups returns the groups a user (by username or sub) is in now; nil for
// an unknown user.
func (p *UserPool) Groups(username string) []string {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if u := p.lookup(username); u != nil {
		return slices.Clone(u.groups)
	}
	return nil
}
