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
	"runtime/debug"
	"syscall"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/bot/config"
)

// usage is the command's usage in the language.
func usage(lg lang.Tag) string {
	return lg.Sprintf(`policycheck reviews AWS IAM policies for least privilege.

Usage:
  policycheck check [flags] FILE|DIR|- ...
                      review policy files, directories (repositories) or standard input;
                      policycheck check --help lists the flags
  policycheck generate [flags] DESCRIPTION... | --from FILE
                      write a least-privilege policy from a description (needs
                      BEDROCK_MODEL_ID) or from policy_sentry's CRUD template;
                      policycheck generate --help lists the flags
  policycheck serve   run the Slack bot (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN)
  policycheck version print the version (also: policycheck --version)

With no command, policycheck serves when SLACK_BOT_TOKEN is set.
The language is --lang, else POLICYCHECK_LANG, else LC_ALL, LC_MESSAGES or LANG: en, es or pt.
`)
}

// buildVersion is the version stamped at build time, where the module
// and VCS information is not at hand (the Dockerfile's build):
// go build -ldflags "-X main.buildVersion=v1.2.3".
var buildVersion string

// version is the binary's version: the stamped one, the module's (go
// install ...@v1.2.3), the VCS revision it was built from, or "devel".
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "devel"
	}
	v := "devel-" + rev[:min(len(rev), 12)]
	if modified == "true" {
		v += "-dirty"
	}
	return v
}

// versionString names the build.
func versionString() string {
	return "policycheck " + version()
}

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
	lg := lang.FromEnv(os.Getenv)
	switch cmd {
	case "check":
		return check(ctx, args, stdin, stdout, stderr)
	case "generate":
		return generate(ctx, args, stdout, stderr)
	case "serve":
		return serve(ctx, args, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage(lg))
		return 0
	case "":
		fmt.Fprint(stderr, usage(lg))
		return 2
	}
	fmt.Fprintf(stderr, "policycheck: %s\n\n%s", lg.Sprintf("unknown command %q", cmd), usage(lg))
	return 2
}
