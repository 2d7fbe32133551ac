package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/policycheck/policycheck/assistant/compose"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/config"
)

// generate runs `policycheck generate`: a least-privilege policy from a
// description (the Bedrock model states the intent) or from a spec
// (policy_sentry's CRUD template, offline). It exits 0 with the policy,
// and 2 when none could be written (the message says why).
func generate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	from := fs.String("from", "", "compile this spec (policy_sentry's CRUD template, YAML or JSON) instead of a description; no model is called")
	saveSpec := fs.String("save-spec", "", "write the spec compiled (the model's intent, or --from's) to this file, to review and compile again with --from")
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "policycheck generate: "+format+"\n", a...)
		return 2
	}
	if *format != "text" && *format != "json" {
		return fail("--format must be text or json, not %q", *format)
	}
	description := strings.TrimSpace(strings.Join(words, " "))
	var req review.GenerateRequest
	switch {
	case *from != "" && description != "":
		return fail("give a description or --from SPEC, not both")
	case *from != "":
		data, err := readSpec(*from)
		if err != nil {
			return fail("%v", err)
		}
		spec, err := compose.ParseSpec(data)
		if err != nil {
			return fail("%s: %v", *from, err)
		}
		req.Spec = spec
	case description == "":
		fmt.Fprint(stderr, "policycheck generate: describe what the policy is for, or give a spec with --from SPEC.yaml\n\n", usage)
		return 2
	default:
		req.Description = description
	}

	cfg, err := config.LoadReview()
	if err != nil {
		return fail("%v", err)
	}
	if req.Spec == nil && cfg.ModelID == "" {
		return fail("%v", review.ErrNoModel)
	}
	kb, err := cfg.KB(ctx)
	if err != nil {
		return fail("%v", err)
	}
	rv, err := cfg.Reviewer(ctx, kb, slog.Default(), req.Spec != nil)
	if err != nil {
		return fail("%v", err)
	}
	g, err := rv.Generate(ctx, req)
	if err != nil {
		return fail("%v", err)
	}
	if *saveSpec != "" {
		if err := os.WriteFile(*saveSpec, g.Spec.YAML(), 0o644); err != nil {
			return fail("save the spec: %v", err)
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(g); err != nil {
			return fail("write: %v", err)
		}
		return 0
	}
	writeGenerated(stdout, g, *saveSpec)
	return 0
}

// readSpec reads a spec file, refusing one over compose's limit before
// reading it all.
func readSpec(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the spec: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, compose.MaxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the spec %s: %w", path, err)
	}
	return data, nil
}

// writeGenerated writes a generated policy for a person: where it comes
// from, its score, the policy, what was assumed and left out, the
// findings and the spec.
func writeGenerated(w io.Writer, g *review.Generated, saved string) {
	from := "the spec"
	if g.Source == review.FromModel {
		from = "the description, through " + strings.Join(g.Analyzers[1:], ", ")
	}
	fmt.Fprintf(w, "Generated policy (from %s): %d/10\n%s\n\n", from, g.Score, g.Summary)
	fmt.Fprintf(w, "%s\n", g.Policy)
	if len(g.Verdicts) > 0 {
		fmt.Fprintf(w, "\nProven within what the spec asks: %s\n", strings.Join(g.Verdicts, "; "))
	}
	if len(g.Assumptions) > 0 {
		fmt.Fprintln(w, "\nAssumed:")
		for _, a := range g.Assumptions {
			fmt.Fprintf(w, "  - %s\n", report.Printable(a, false))
		}
	}
	if len(g.Notes) > 0 {
		fmt.Fprintln(w, "\nLeft out:")
		for _, n := range g.Notes {
			fmt.Fprintf(w, "  - %s\n", report.Printable(n, false))
		}
	}
	if len(g.Findings) > 0 {
		fmt.Fprintln(w, "\nFindings:")
		for _, f := range g.Findings {
			fmt.Fprintf(w, "  %s [%s] %s (statement %d)\n", strings.ToUpper(string(f.Severity)), f.Category, report.Printable(f.Title, false), f.Statement)
		}
	}
	if saved != "" {
		fmt.Fprintf(w, "\nThe spec is saved in %s; compile it again with: policycheck generate --from %s\n", saved, saved)
	} else {
		fmt.Fprintf(w, "\nThe spec (policy_sentry's CRUD template; save it with --save-spec FILE):\n%s", g.Spec.YAML())
	}
}
