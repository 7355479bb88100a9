// Command add-user-to-group is the frontend of the seed backend "With admin
// actions" in Go: it calls the custom mutation addUserToGroup, which a user
// of the ADMINS group may call to add another user to a group, and prints
// the function's result.
//
// Usage:
//
//	go run .
//
// runs it end to end on this machine: with no flags the program starts the
// backend in-process (appsynctest, the module's local AppSync, with the
// seed's Go Lambda handler as the resolver), signs in a user of ADMINS, adds
// another user to ADMINS and prints the function's result. Against a
// deployed backend:
//
//	AMPLIFY_USERNAME=admin@example.com AMPLIFY_PASSWORD=... \
//	  go run . -outputs amplify_outputs.json -user-id 5468d468-4061-70ed-8870-45c766d26225 [-group ADMINS]
//
// Flags:
//
//	-outputs path            amplify_outputs.json of the backend (default amplify_outputs.json)
//	-user-id id              the user to add: their username or an alias; in a pool
//	                         that signs in with email, the username is the user's sub (required)
//	-group name              the group to add them to (default ADMINS)
//	-auth userPool|iam       how to authorize the call (default userPool)
//	-username, -password     the caller's credentials for -auth userPool
//	                         (default $AMPLIFY_USERNAME, $AMPLIFY_PASSWORD)
//	-cognito-endpoint url    Cognito endpoint override, e.g. a local Cognito
//
// With -auth userPool the caller signs in with USER_PASSWORD_AUTH (the app
// client of amplify_outputs.json must allow it) and the call carries the
// access token; AppSync lets it through only if the token's cognito:groups
// holds ADMINS. Group membership shows in tokens issued after it changes,
// so a user who was just added must sign in again.
//
// With -auth iam the call is signed with SigV4 using the default AWS
// credentials. Gen 2 turns on IAM access for every backend (@aws_iam on
// each field): the resolver lets IAM principals of the backend's account
// through (functions and services granted access), while the roles of the
// identity pool get Unauthorized, since allow.group("ADMINS") is a user-pool
// rule.
//
// The result is printed as indented JSON on stdout. Errors go to stderr as
// one line, without passwords or tokens, and the exit status is 1.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/cognito"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/schema"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		os.Exit(1)
	}
}

// run is the program; it prints errors to stderr itself and returns them so
// that main can set the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := addUserToGroup(ctx, args, stdout, stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		// One line, whatever the cause's formatting.
		fmt.Fprintln(stderr, "add-user-to-group: "+strings.Join(strings.Fields(err.Error()), " "))
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func addUserToGroup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return runLocal(ctx, stdout, stderr)
	}
	fs := flag.NewFlagSet("add-user-to-group", flag.ContinueOnError)
	fs.SetOutput(stderr)
	outputsPath := fs.String("outputs", "amplify_outputs.json", "`path` of amplify_outputs.json")
	userID := fs.String("user-id", "", "`id` of the user to add: username or alias (required)")
	group := fs.String("group", "ADMINS", "`name` of the group to add the user to")
	authMode := fs.String("auth", string(client.AuthUserPool), "authorization `mode`: userPool or iam")
	username := fs.String("username", os.Getenv("AMPLIFY_USERNAME"), "caller's `username` for -auth userPool (default $AMPLIFY_USERNAME)")
	password := fs.String("password", os.Getenv("AMPLIFY_PASSWORD"), "caller's `password` for -auth userPool (default $AMPLIFY_PASSWORD)")
	cognitoEndpoint := fs.String("cognito-endpoint", "", "Cognito endpoint `url` override, e.g. a local Cognito")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: all input is given with flags", fs.Args())
	}
	if *userID == "" {
		return errors.New("-user-id is required")
	}
	if *group == "" {
		return errors.New("-group must not be empty")
	}

	outputs, err := schema.LoadOutputs(*outputsPath)
	if err != nil {
		return err
	}

	var clientOpts, callOpts []client.Option
	switch client.AuthMode(*authMode) {
	case client.AuthUserPool:
		if *username == "" || *password == "" {
			return errors.New("-auth userPool needs -username and -password (or AMPLIFY_USERNAME and AMPLIFY_PASSWORD)")
		}
		ts, err := signIn(ctx, outputs, *cognitoEndpoint, *username, *password)
		if err != nil {
			return err
		}
		clientOpts = append(clientOpts, client.WithUserPool(ts))
	case client.AuthIAM:
		// No config.WithHTTPClient: with AWS_CA_BUNDLE set, LoadDefaultConfig
		// needs its own buildable HTTP client to add the bundle to.
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("loading AWS configuration for -auth iam: %w", err)
		}
		clientOpts = append(clientOpts, client.WithIAM(cfg))
		// Force the mode: the generated client would otherwise refuse to
		// send, as the schema allows only userPool for this mutation.
		callOpts = append(callOpts, client.WithAuthMode(client.AuthIAM))
	default:
		return fmt.Errorf("-auth %q: want userPool or iam", *authMode)
	}

	c, err := amplifydata.New(outputs, clientOpts...)
	if err != nil {
		return err
	}
	res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{UserID: *userID, GroupName: *group}, callOpts...)
	if err != nil {
		var gqlErrs client.GraphQLErrors
		if errors.As(err, &gqlErrs) && gqlErrs.HasType("Unauthorized") {
			if client.AuthMode(*authMode) == client.AuthIAM {
				return fmt.Errorf("%w (addUserToGroup admits user pool tokens of the ADMINS group and IAM principals of the backend's account, not identity-pool roles: use -auth userPool)", err)
			}
			return fmt.Errorf("%w (only members of the ADMINS group may call addUserToGroup; membership shows in tokens from the next sign-in)", err)
		}
		return err
	}

	return printJSON(stdout, res)
}

// printJSON writes the result indented, one document per line.
func printJSON(stdout io.Writer, res json.RawMessage) error {
	var out bytes.Buffer
	if len(res) == 0 {
		out.WriteString("null")
	} else if err := json.Indent(&out, res, "", "  "); err != nil {
		return fmt.Errorf("result is not JSON: %w", err)
	}
	out.WriteByte('\n')
	_, err := stdout.Write(out.Bytes())
	return err
}

// signIn signs the caller in to the user pool of outputs and returns the
// token source that supplies (and refreshes) their access token.
func signIn(ctx context.Context, outputs *schema.Outputs, endpoint, username, password string) (*cognito.TokenSource, error) {
	if outputs.Auth == nil || outputs.Auth.UserPoolClientID == "" {
		return nil, errors.New("amplify outputs have no auth section with a user_pool_client_id: -auth userPool needs defineAuth")
	}
	opts := cip.Options{
		Region: outputs.Auth.AWSRegion,
		// InitiateAuth is an unauthenticated Cognito API: no AWS credentials.
		Credentials: aws.AnonymousCredentials{},
	}
	if endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	ts := cognito.NewTokenSource(cip.New(opts), cognito.Options{ClientID: outputs.Auth.UserPoolClientID})
	if err := ts.SignIn(ctx, username, password); err != nil {
		var challenge *cognito.ChallengeError
		if errors.As(err, &challenge) {
			return nil, fmt.Errorf("signing in as %q: %w: finish it with the Amplify UI or the AWS CLI first", username, err)
		}
		return nil, fmt.Errorf("signing in as %q: %w", username, err)
	}
	return ts, nil
}
