// Command amplifygen generates a typed Go client for an Amplify Gen 2 / AWS
// AppSync backend. Use it from a go:generate line:
//
//	//go:generate go tool amplifygen -outputs amplify_outputs.json -out amplifydata
//
// (after `go get -tool github.com/go-amplify/data/gen/cmd/amplifygen@latest`).
//
// Usage:
//
//	amplifygen -outputs amplify_outputs.json [-schema schema.graphql] [-out dir] [-package name] [-genqlient-config genqlient.yaml]
//
// -out defaults to the working directory.
//
// -schema is optional: without it the AppSync schema is synthesized from
// the data.model_introspection of amplify_outputs.json, by the transformer's
// rules, so amplify_outputs.json alone is enough, as it is for the
// JavaScript client. (Custom operations then carry no auth directives: the
// client calls them with its default auth mode, unless a call passes
// client.WithAuthMode, and amplifygen says so in a warning.) Given a
// schema, amplifygen uses it and prints a warning for every place where it
// disagrees with model_introspection.
//
// amplifygen writes client.go, types.go, genqlient.go and the documents under
// graphql/ (listed in graphql/.amplifygen-manifest), and only when the whole
// generation succeeds. It never overwrites or removes a file it did not
// write: a hand-written client.go, or a document of yours in
// graphql/operations, stops it with an error naming the file and exit
// status 1. Hand-written operations go in graphql/custom/, which it reads
// and never writes.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/go-amplify/data/gen"
)

// synopsis is the usage line: every flag, as the package documentation and
// the README give it.
const synopsis = "amplifygen -outputs amplify_outputs.json [-schema schema.graphql] [-out dir] [-package name] [-genqlient-config genqlient.yaml]"

func main() {
	var cfg gen.Config
	flag.StringVar(&cfg.Outputs, "outputs", "", "path of amplify_outputs.json (required)")
	flag.StringVar(&cfg.Schema, "schema", "", "path of the AppSync schema: .graphql SDL or introspection .json (optional: synthesized from the outputs' model_introspection when absent)")
	flag.StringVar(&cfg.Dir, "out", ".", "output directory, inside the Go module of the working directory")
	flag.StringVar(&cfg.Package, "package", "", "package name (default: the output directory's name)")
	flag.StringVar(&cfg.GenqlientConfig, "genqlient-config", "", "also write the annotated genqlient.yaml of the generation to this path")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s\n\n", synopsis)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	cfg.Warn = func(msg string) { fmt.Fprintln(os.Stderr, "amplifygen: warning:", msg) }
	if err := gen.Generate(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "amplifygen:", err)
		os.Exit(1)
	}
}
