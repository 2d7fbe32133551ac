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
	"github.com/policycheck/policycheck/assistant/lang"
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
	fs.SetOutput(io.Discard) // the usage and the errors are written below, in the language
	format := fs.String("format", "text", "output: text (for a person) or json")
	from := fs.String("from", "", "compile the spec in `FILE` (policy_sentry's CRUD template, YAML or JSON) instead of a description; no model is called")
	saveSpec := fs.String("save-spec", "", "write the spec compiled (the model's intent, or --from's) to `FILE`, to review and compile again with --from")
	language := fs.String("lang", "", "language of the output: en, es or pt (default: POLICYCHECK_LANG, else the locale: LC_ALL, LC_MESSAGES, LANG)")
	lg := lang.FromEnv(os.Getenv)
	// fail reports why no policy was written, in the language.
	fail := func(msg string) int {
		fmt.Fprintf(stderr, "policycheck generate: %s\n", msg)
		return 2
	}
	// failErr reports an error of the layers below, translated where the
	// catalog knows it.
	failErr := func(err error) int { return fail(lg.Text(err.Error())) }
	var words []string
	for {
		err := fs.Parse(args)
		if t, ok := lang.Lookup(*language); ok {
			lg = t // given before the mistake or --help
		}
		if errors.Is(err, flag.ErrHelp) {
			generateUsage(stdout, fs, lg)
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "policycheck generate: %s\n\n", err)
			generateUsage(stderr, fs, lg)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if _, ok := langFlag(*language); *language != "" && !ok {
		return fail(lg.Sprintf("--lang must be en, es or pt, not %q", *language))
	}
	ctx = lang.NewContext(ctx, lg)
	if *format != "text" && *format != "json" {
		return fail(lg.Sprintf("--format must be text or json, not %q", *format))
	}
	description := strings.TrimSpace(strings.Join(words, " "))
	var req review.GenerateRequest
	switch {
	case *from != "" && description != "":
		return fail(lg.Sprintf("give a description or --from SPEC, not both"))
	case *from != "":
		data, err := readSpec(*from)
		if err != nil {
			return failErr(err)
		}
		spec, err := compose.ParseSpec(data)
		if err != nil {
			return fail(*from + ": " + lg.Text(err.Error()))
		}
		req.Spec = spec
	case description == "":
		fmt.Fprintf(stderr, "policycheck generate: %s\n\n", lg.Sprintf("describe what the policy is for, or give a spec with --from SPEC.yaml"))
		generateUsage(stderr, fs, lg)
		return 2
	default:
		req.Description = description
	}

	cfg, err := config.LoadReview()
	if err != nil {
		return failErr(err)
	}
	if req.Spec == nil && cfg.ModelID == "" {
		return failErr(review.ErrNoModel)
	}
	kb, err := cfg.KB(ctx)
	if err != nil {
		return failErr(err)
	}
	rv, err := cfg.Reviewer(ctx, kb, slog.Default(), req.Spec != nil)
	if err != nil {
		return failErr(err)
	}
	g, err := rv.Generate(ctx, req)
	if err != nil {
		return failErr(err)
	}
	if *saveSpec != "" {
		if err := os.WriteFile(*saveSpec, g.Spec.YAML(), 0o644); err != nil {
			return fail(lg.Sprintf("save the spec: %s", err))
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(generatedIn(lg, g)); err != nil {
			return failErr(err)
		}
		return 0
	}
	writeGenerated(stdout, generatedIn(lg, g), *saveSpec, lg)
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

// generateUsage writes generate's usage: the synopsis and a line per flag.
func generateUsage(w io.Writer, fs *flag.FlagSet, lg lang.Tag) {
	fmt.Fprint(w, lg.Sprintf("Usage: %s\n\nWrites a least-privilege policy from a description (the Bedrock model states the intent; needs BEDROCK_MODEL_ID)\nor from a spec (policy_sentry's CRUD template, offline), and proves it grants nothing the intent does not ask.\n\nFlags:\n",
		lg.Sprintf("policycheck generate [flags] DESCRIPTION... | --from FILE")))
	flagLines(w, fs, lg)
}

// generatedIn is g with its texts in the language: the summary, the
// findings, what was assumed and left out, and the proofs (what a model
// wrote stays as it is).
func generatedIn(lg lang.Tag, g *review.Generated) *review.Generated {
	out := *g
	out.Lang = lg.String()
	if lg == lang.English {
		return &out
	}
	r := lg.Report(&report.Report{Summary: g.Summary, Findings: g.Findings})
	out.Summary, out.Findings = r.Summary, r.Findings
	out.Assumptions, out.Notes, out.Verdicts = lg.Texts(g.Assumptions), lg.Texts(g.Notes), lg.Texts(g.Verdicts)
	return &out
}

// writeGenerated writes a generated policy for a person: where it comes
// from, its score, the policy, what was assumed and left out, the
// findings and the spec.
func writeGenerated(w io.Writer, g *review.Generated, saved string, lg lang.Tag) {
	if g.Source == review.FromModel {
		fmt.Fprintln(w, lg.Sprintf("Generated policy (from the description, through %s): %d/10", strings.Join(g.Analyzers[1:], ", "), g.Score))
	} else {
		fmt.Fprintln(w, lg.Sprintf("Generated policy (from the spec): %d/10", g.Score))
	}
	fmt.Fprintf(w, "%s\n\n%s\n", g.Summary, g.Policy)
	if len(g.Verdicts) > 0 {
		fmt.Fprintf(w, "\n%s\n", lg.Sprintf("Proven within what the spec asks: %s", strings.Join(g.Verdicts, "; ")))
	}
	list := func(heading string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", heading)
		for _, it := range items {
			fmt.Fprintf(w, "  - %s\n", report.Printable(it, false))
		}
	}
	list(lg.Sprintf("Assumed:"), g.Assumptions)
	list(lg.Sprintf("Left out:"), g.Notes)
	if len(g.Findings) > 0 {
		fmt.Fprintf(w, "\n%s\n", lg.Sprintf("Findings:"))
		for _, f := range g.Findings {
			fmt.Fprintf(w, "  %s [%s %s] %s (%s)\n", report.SeverityHeading(lg, f.Severity), f.Rule, f.Category,
				report.Printable(f.Title, false), lg.Sprintf("statement %d", f.Statement+1))
		}
	}
	if saved != "" {
		fmt.Fprintf(w, "\n%s\n", lg.Sprintf("The spec is saved in %s; compile it again with: %s", saved, "policycheck generate --from "+saved))
	} else {
		fmt.Fprintf(w, "\n%s\n%s", lg.Sprintf("The spec (policy_sentry's CRUD template; save it with --save-spec FILE):"), g.Spec.YAML())
	}
}
