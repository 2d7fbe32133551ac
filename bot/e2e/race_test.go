//go:build race

package e2e

// Under `go test -race` the bot binary is built with the race detector too.
func init() { buildFlags = append(buildFlags, "-race") }
