// Command appsynctest runs a local AppSync API for an Amplify Gen 2 backend,
// from its amplify_outputs.json and AppSync schema, until interrupted.
//
// Usage:
//
//	appsynctest -outputs amplify_outputs.json [-schema schema.graphql] [flags]
//
// Flags:
//
//	-outputs path          amplify_outputs.json of the backend (default amplify_outputs.json)
//	-schema path           the AppSync schema: SDL (.graphql) or introspection JSON (.json);
//	                       without it, synthesized from the outputs' model_introspection
//	                       as amplifygen does (custom operations then allow the default mode)
//	-addr host:port        address to listen on (default 127.0.0.1:20002; :0 for a free port)
//	-user name[:g1,g2]     sign a user in and print their access token (repeatable)
//	-token-lifetime d      how long tokens are valid (default 1h)
//	-write-outputs path    write a copy of the outputs whose data URL is the server's
//	-function field=url    resolve a custom query or mutation by POSTing the
//	                       Lambda event to url (repeatable); see HTTPHandler
//	-v                     log every request
//
// It prints the endpoint, the API key, the IAM credentials the server
// accepts and the tokens of the -user flags. The data is in memory only:
// the tables start empty and are lost when it stops. SIGINT (Ctrl-C) or
// SIGTERM stops it cleanly: requests in flight get up to 5 seconds, and it
// exits with status 0. Requests are limited as AppSync limits them
// (appsynctest.DefaultLimits: 1 MiB bodies, 15,000 tokens, 10,000 resolvers,
// 30 seconds).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/go-amplify/data/appsynctest"
	"github.com/go-amplify/data/gen"
	"github.com/go-amplify/data/schema"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "appsynctest: "+strings.ReplaceAll(err.Error(), "\n", "\n  "))
			os.Exit(1)
		}
	}
}

// usage opens the help (-h), before the flags.
const usage = `Usage: appsynctest -outputs amplify_outputs.json [-schema schema.graphql] [flags]

Serves a local AWS AppSync API for an Amplify Gen 2 backend: GraphQL over
HTTP and subscriptions over AppSync's realtime WebSocket protocol, with the
backend's authorization modes, model resolvers and auth rules.

The data is in memory only: the tables start empty and are lost when the
server stops. SIGINT (Ctrl-C) or SIGTERM stops it cleanly (exit status 0).
Requests are limited as AppSync limits them: 1 MiB bodies, 15,000 tokens,
10,000 resolvers and 30 seconds a request (appsynctest.DefaultLimits).

Flags:
`

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// run starts the server and serves until ctx ends. started, when set, is
// called with the server once it serves (for tests).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, started func(*appsynctest.Server)) error {
	fs := flag.NewFlagSet("appsynctest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	outputs := fs.String("outputs", "amplify_outputs.json", "`path` of amplify_outputs.json")
	schemaPath := fs.String("schema", "", "`path` of the AppSync schema (SDL or introspection JSON; default: synthesized from the outputs' model_introspection)")
	addr := fs.String("addr", "127.0.0.1:20002", "`host:port` to listen on")
	ttl := fs.Duration("token-lifetime", time.Hour, "how long issued tokens are valid")
	writeOutputs := fs.String("write-outputs", "", "write the outputs pointing at the server to `path`")
	verbose := fs.Bool("v", false, "log every request to stderr")
	var users, functions listFlag
	fs.Var(&users, "user", "sign `name[:group,...]` in and print the access token (repeatable)")
	fs.Var(&functions, "function", "resolve `field=url` by POSTing the Lambda event to url (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: give the files with -outputs and -schema", fs.Args())
	}
	var b appsynctest.Backend
	schemaName := *schemaPath
	if *schemaPath == "" {
		// As amplifygen does: the schema the outputs' model_introspection
		// implies, by the transformer's rules.
		out, err := schema.LoadOutputs(*outputs)
		if err != nil {
			return err
		}
		sch, err := gen.SynthesizeSchemaFromOutputs(out)
		if err != nil {
			return fmt.Errorf("%s: %w (or pass the AppSync schema with -schema)", *outputs, err)
		}
		b = appsynctest.Backend{Outputs: out, Schema: sch}
		schemaName = "its model_introspection"
	} else {
		var err error
		if b, err = appsynctest.LoadBackend(*outputs, *schemaPath); err != nil {
			return err
		}
	}
	opts := []appsynctest.Option{appsynctest.WithAddr(*addr), appsynctest.WithTokenLifetime(*ttl)}
	if *verbose {
		opts = append(opts, appsynctest.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	for _, f := range functions {
		field, url, ok := strings.Cut(f, "=")
		if !ok || field == "" || url == "" {
			return fmt.Errorf("-function %q: want field=url, e.g. -function addUserToGroup=http://127.0.0.1:9000/", f)
		}
		opts = append(opts, appsynctest.Handle(field, appsynctest.HTTPHandler(url)))
	}
	srv, err := appsynctest.Start(b, opts...)
	if err != nil {
		return err
	}
	defer srv.Close()

	if *writeOutputs != "" {
		data, err := srv.Outputs().MarshalJSON()
		if err != nil {
			return err
		}
		if err := os.WriteFile(*writeOutputs, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("-write-outputs: %w", err)
		}
	}

	p := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	p("appsynctest: serving %s (%s) from %s and %s", srv.URL(), b.Outputs.Data.DefaultAuthorizationType, *outputs, schemaName)
	if *writeOutputs != "" {
		p("  outputs:   %s", *writeOutputs)
	}
	if k := srv.APIKey(); k != "" {
		p("  API key:   x-api-key: %s", k)
	}
	for _, c := range []struct {
		name string
		get  aws.CredentialsProvider
	}{
		{"IAM, identity pool authenticated role", srv.AuthenticatedCredentials()},
		{"IAM, identity pool unauthenticated role", srv.GuestCredentials()},
		{"IAM, role outside the identity pool", srv.IAMCredentials()},
	} {
		v, err := c.get.Retrieve(ctx)
		if err != nil {
			return err
		}
		id, secret, session := v.AccessKeyID, v.SecretAccessKey, v.SessionToken
		p("  %s:\n    AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s", c.name, id, secret, session)
	}
	for _, u := range users {
		name, groups, _ := strings.Cut(u, ":")
		var gs []string
		if groups != "" {
			gs = strings.Split(groups, ",")
		}
		s := srv.SignIn(name, gs...)
		tok, err := s.Token(ctx)
		if err != nil {
			return fmt.Errorf("-user %s: %w", u, err)
		}
		p("  user %s (sub %s, groups %v), valid %s:\n    Authorization: %s", name, s.Sub(), gs, *ttl, tok)
	}
	if len(users) == 0 {
		p("  user pool tokens: pass -user name[:group,...] to sign users in and print their tokens")
	}
	p("  JWKS:      %s", srv.JWKSURL())
	if started != nil {
		started(srv)
	}
	<-ctx.Done()
	p("appsynctest: stopping; the data held in memory is discarded")
	return nil
}
