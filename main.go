// Command policycheck reviews AWS IAM policies for least privilege: in
// Slack (policycheck serve) or in a terminal and CI (policycheck check),
// and writes them from a description (policycheck generate).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/policycheck/policycheck/bot/config"
)

const usage = `policycheck reviews AWS IAM policies for least privilege.

Usage:
  policycheck check [--format text|json] [--type identity|resource|trust|scp|rcp]
                    [--offline] [--fail-under N] FILE|DIR|- ...
  policycheck generate [--format text|json] [--save-spec FILE] DESCRIPTION...
  policycheck generate [--format text|json] --from SPEC.yaml
                        write a least-privilege policy from a description (needs
                        BEDROCK_MODEL_ID) or from policy_sentry's CRUD template
  policycheck serve     run the Slack bot (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN)
  policycheck version

With no command, policycheck serves when SLACK_BOT_TOKEN is set.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	} else if config.BotTokenSet() {
		cmd = "serve"
	}
	switch cmd {
	case "check":
		return check(ctx, args, stdin, stdout, stderr)
	case "generate":
		return generate(ctx, args, stdout, stderr)
	case "serve":
		return serve(ctx, args, stderr)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	case "":
		fmt.Fprint(stderr, usage)
		return 2
	}
	fmt.Fprintf(stderr, "policycheck: unknown command %q\n\n%s", cmd, usage)
	return 2
}
