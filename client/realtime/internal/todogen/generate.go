// Package todogen holds genqlient's generated subscription functions for
// the seed-todo backend, used by the tests of package realtime to run
// genqlient-generated code over realtime.GenqlientClient.
package todogen

//go:generate go run github.com/Khan/genqlient genqlient.yaml
