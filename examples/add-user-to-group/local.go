package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/examples/add-user-to-group/amplifydata"
	"github.com/go-amplify/data/examples/add-user-to-group/function"
	"github.com/go-amplify/data/examples/add-user-to-group/function/echo"
	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

// The backend this example is the frontend of, built into the program so
// that `go run` works from any folder.
var (
	//go:embed amplify_outputs.json
	outputsJSON []byte
	//go:embed amplify/schema.graphql
	schemaSDL []byte
)

// runLocal runs the seed end to end on this machine, with no AWS account and
// no Node.js: it starts the backend in-process (appsynctest, the module's
// local AppSync), with the seed's Go Lambda handler as the resolver of
// addUserToGroup and the server's user pool as the Cognito it calls; signs
// in a user of the ADMINS group; adds another user to ADMINS through the
// generated client; and prints the function's result on stdout. What
// happens along the way goes to stderr.
func runLocal(ctx context.Context, stdout, stderr io.Writer) error {
	outputs, err := schema.ParseOutputs("amplify_outputs.json", outputsJSON)
	if err != nil {
		return err
	}
	sch, err := appsync.ParseSDL("amplify/schema.graphql", schemaSDL)
	if err != nil {
		return err
	}

	var handler function.Handler
	srv, err := appsynctest.Start(appsynctest.Backend{Outputs: outputs, Schema: sch},
		appsynctest.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		// The rules of the custom operations, as amplify/data/resource.ts
		// gives them (allow.group("ADMINS"), allow.authenticated()).
		appsynctest.Handle("addUserToGroup", appsynctest.Typed(func(ctx context.Context, ev function.Event) (json.RawMessage, error) {
			return handler.Handle(ctx, ev)
		}), appsynctest.AllowGroups("ADMINS")),
		appsynctest.Handle("echo", appsynctest.Typed(echo.Handle), appsynctest.AllowAuthenticated()),
	)
	if err != nil {
		return err
	}
	defer srv.Close()
	// The function's Cognito is the server's user pool; in AWS it is
	// Cognito itself, with the pool from AMPLIFY_AUTH_USERPOOL_ID.
	handler = function.Handler{Cognito: srv.UserPool(), UserPoolID: srv.UserPool().ID()}
	fmt.Fprintf(stderr, "local backend (appsynctest) on %s\n", srv.URL())

	admin := srv.SignIn("admin@example.com", "ADMINS")
	target := srv.SignIn("user@example.com")
	fmt.Fprintf(stderr, "signed in %s (groups %v); %s (sub %s) is in groups %v\n",
		admin.Username(), admin.Groups(), target.Username(), target.Sub(), target.Groups())

	c, err := amplifydata.New(srv.Outputs(), client.WithUserPool(admin))
	if err != nil {
		return err
	}
	// As the seed's frontend does: client.mutations.addUserToGroup({
	// groupName: "ADMINS", userId: "<the user's ID>" }).
	res, err := c.Mutations.AddUserToGroup(ctx, amplifydata.AddUserToGroupArgs{GroupName: "ADMINS", UserID: target.Sub()})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "addUserToGroup ran the Go handler; %s's next sign-in carries groups %v\n",
		target.Username(), srv.SignIn(target.Username()).Groups())
	return printJSON(stdout, res)
}
