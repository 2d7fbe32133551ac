package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/report/sarif"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/assistant/suppress"
	"github.com/policycheck/policycheck/bot/config"
	"github.com/policycheck/policycheck/internal/gitignore"
)

// Where the project and its rules are documented, for SARIF.
const (
	homePage = "https://github.com/policycheck/policycheck"
	rulesDoc = homePage + "/blob/main/docs/rules.md"
)

type checkFlags struct {
	format           string
	typ              policy.Type
	offline          bool
	failUnder        int
	failOn           report.Severity
	diff, suggestion bool
	config, baseline string
	exclude          []string
	maxSize          int64
	lang             lang.Tag
	set              map[string]bool // flags given on the command line
}

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// newCheckFlags declares check's flags.
func newCheckFlags(cf *checkFlags, typ, failOn, maxSize, language *string) *flag.FlagSet {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cf.format, "format", "text", "output: text (for a person), json (one object per file) or sarif (code scanning)")
	fs.StringVar(failOn, "fail-on", "", "exit 1 when a finding at or above this severity is not suppressed: critical, high, medium or low")
	fs.IntVar(&cf.failUnder, "fail-under", 0, "exit 1 when a score is below `N` (1-10)")
	fs.StringVar(&cf.config, "config", "", "read exclusions, suppressions and gates from `FILE` (default: "+suppress.ConfigName+" at the root of each directory, or in the working directory for files)")
	fs.StringVar(&cf.baseline, "baseline", "", "count for the gates only the findings not in `FILE`, the output of an earlier --format json run")
	fs.Var((*listFlag)(&cf.exclude), "exclude", "skip the paths of a directory that match a pattern in .gitignore's syntax (repeatable)")
	fs.StringVar(maxSize, "max-size", "", fmt.Sprintf("largest file read, e.g. 300000, 512KB or 1MB (default %s)", kb(defaultMaxSize)))
	fs.StringVar(typ, "type", "", "the policy type of documents whose source does not say it: identity, resource, trust, scp, rcp or endpoint (default: detected)")
	fs.BoolVar(&cf.offline, "offline", false, "use only the built-in engine, even when Bedrock is configured")
	fs.BoolVar(&cf.diff, "diff", false, "text: show the suggested policy as a diff from the original")
	fs.BoolVar(&cf.suggestion, "suggestion", false, "text: show the whole suggested policy")
	fs.StringVar(language, "lang", "", "language of the output: en, es or pt (default: POLICYCHECK_LANG, else the locale: LC_ALL, LC_MESSAGES, LANG)")
	return fs
}

// checkUsage writes check's usage: the synopsis and a line per flag.
func checkUsage(w io.Writer, fs *flag.FlagSet, lg lang.Tag) {
	fmt.Fprint(w, lg.Sprintf("Usage: %s\n\nReviews AWS IAM policies: files, directories (repositories) or standard input (-).\n\nFlags:\n", lg.Sprintf("policycheck check [flags] FILE|DIR|- ...")))
	flagLines(w, fs, lg)
	fmt.Fprint(w, lg.Sprintf("\nExit status: 0 reviewed and no gate failed; 1 a gate (--fail-on, --fail-under) failed;\n"+
		"2 an input could not be reviewed, or the usage is wrong.\n"))
}

// langFlag reads --lang: exactly en, es or pt (a locale such as es_ES
// belongs in POLICYCHECK_LANG or LANG).
func langFlag(s string) (lang.Tag, bool) {
	t, ok := lang.Lookup(s)
	return t, ok && !strings.ContainsAny(s, "-_.@")
}

// flagLines writes a line per flag of fs: its name, what it takes (the
// word in backquotes in its usage, or its type) and its usage in the
// language.
func flagLines(w io.Writer, fs *flag.FlagSet, lg lang.Tag) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + strings.ToUpper(name)
		}
		fmt.Fprintf(w, "  --%-20s %s\n", f.Name+name, lg.Text(usage))
	})
}

// check runs `policycheck check`.
func check(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cf checkFlags
	var typ, failOn, maxSize, language string
	fs := newCheckFlags(&cf, &typ, &failOn, &maxSize, &language)
	// The language of the environment until --lang is read.
	cf.lang = lang.FromEnv(os.Getenv)
	usageErr := func(msg string) int {
		fmt.Fprintf(stderr, "policycheck check: %s\n\n", msg)
		checkUsage(stderr, fs, cf.lang)
		return 2
	}

	// Flags may come before or after the files; after "--", all are
	// files.
	var paths, rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			if t, ok := lang.Lookup(language); ok {
				cf.lang = t // given before the mistake or --help
			}
			if errors.Is(err, flag.ErrHelp) {
				checkUsage(stdout, fs, cf.lang) // asked for: the usage is the answer
				return 0
			}
			return usageErr(err.Error())
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	paths = append(paths, rest...)
	cf.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { cf.set[f.Name] = true })
	lg := cf.lang
	if cf.set["lang"] {
		t, ok := langFlag(language)
		if !ok {
			return usageErr(lg.Sprintf("--lang must be en, es or pt, not %q", language))
		}
		cf.lang, lg = t, t
	}
	switch cf.format {
	case "text", "json", "sarif":
	default:
		return usageErr(lg.Sprintf("--format must be text, json or sarif, not %q", cf.format))
	}
	t, ok := policy.ParseType(typ)
	if !ok {
		return usageErr(lg.Sprintf("--type must be identity, resource, trust, scp, rcp or endpoint, not %q", typ))
	}
	cf.typ = t
	if cf.failUnder < 0 || cf.failUnder > 10 {
		return usageErr(lg.Sprintf("--fail-under must be between 0 and 10"))
	}
	if failOn != "" {
		if cf.failOn, ok = suppress.ParseSeverity(failOn); !ok {
			return usageErr(lg.Sprintf("--fail-on must be critical, high, medium or low, not %q", failOn))
		}
	}
	cf.maxSize = defaultMaxSize
	if maxSize != "" {
		n, err := parseSize(maxSize)
		if err != nil {
			return usageErr(lg.Text(err.Error()))
		}
		cf.maxSize = n
	}
	for _, p := range cf.exclude {
		if !gitignore.Valid(p) {
			return usageErr(lg.Sprintf("--exclude: %q is not a valid pattern", p))
		}
	}
	if len(paths) == 0 {
		return usageErr(lg.Sprintf("name a file, a directory, or - for standard input"))
	}
	ctx = lang.NewContext(ctx, lg)
	defer tuneCheckGC()()
	srcs, err := sources(paths, cf.config)
	if err != nil {
		fmt.Fprintf(stderr, "policycheck: %v\n", err)
		return 2
	}
	var base suppress.Baseline
	if cf.baseline != "" {
		if base, err = suppress.LoadBaseline(cf.baseline); err != nil {
			fmt.Fprintf(stderr, "policycheck: %v\n", err)
			return 2
		}
	}

	cfg, err := config.LoadReview()
	if err != nil {
		fmt.Fprintf(stderr, "policycheck: %v\n", err)
		return 2
	}
	kb, err := cfg.KB(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "policycheck: %v\n", err)
		return 2
	}
	rv, err := cfg.Reviewer(ctx, kb, slog.Default(), cf.offline)
	if err != nil {
		fmt.Fprintf(stderr, "policycheck: %v (or review with the built-in engine only: --offline)\n", err)
		return 2
	}
	w := &walker{maxSize: cf.maxSize, excludes: cf.exclude, stdin: stdin}
	inputs := w.collect(srcs)
	// Several arguments or a directory give one JSON object per line,
	// however many files were found, so that a script can rely on the
	// shape.
	several := len(paths) > 1
	for _, s := range srcs {
		several = several || s.dir
	}
	out := &output{cf: cf, stdout: stdout, stderr: stderr, several: several}
	out.start()
	results := reviewAll(ctx, rv, inputs, cf, base)
	i := 0
	for si, s := range srcs {
		reviewed, failed := 0, false
		for ; i < len(inputs) && inputs[i].src == si; i++ {
			res := <-results[i]
			in := res.in
			if err := res.err; err != nil {
				var pe *policy.Error
				if in.walked && errors.As(err, &pe) && pe.Kind == policy.ErrNoPolicy {
					out.skipped(in.Name, pe)
					continue
				}
				failed = true
				out.failed(in.Name, err)
				continue
			}
			reviewed++
			out.reviewed(res.rep, in.Data, gateFails(res.rep, in, cf))
		}
		// A directory with nothing reviewed is an error, or CI would
		// pass having checked nothing.
		if s.dir && reviewed == 0 && !failed {
			out.failed(s.path, &policy.Error{Kind: policy.ErrNoPolicy, Msg: noPolicyFiles})
		}
	}
	return out.finish()
}

// sources reads the arguments: what each is and the configuration that
// applies to it. --config applies to every input; otherwise a directory
// has the configuration file at its root, and files and standard input
// the one in the working directory.
func sources(paths []string, config string) ([]source, error) {
	var forced, cwd *suppress.Config
	var err error
	if config != "" {
		if forced, err = suppress.Load(config); err != nil {
			return nil, err
		}
	} else if cwd, err = suppress.Find("."); err != nil {
		return nil, err
	}
	var out []source
	for _, p := range paths {
		s := source{path: p, cfg: cwd}
		info, err := os.Stat(p)
		if p != "-" && err != nil {
			s.err = unreadable(err)
		}
		if err == nil && info.IsDir() {
			s.dir = true
			if forced == nil {
				if s.cfg, err = suppress.Find(p); err != nil {
					return nil, err
				}
			}
		}
		if forced != nil {
			s.cfg = forced
		}
		out = append(out, s)
	}
	return out, nil
}

// gateFails says which gate a report fails, or "". Flags win over the
// configuration. Only findings that count (neither suppressed nor in the
// baseline) are weighed; with a baseline, the score is that of the new
// findings alone.
func gateFails(r *report.Report, in input, cf checkFlags) string {
	failOn, failUnder := cf.failOn, cf.failUnder
	if c := in.cfg; c != nil {
		if !cf.set["fail-on"] {
			failOn = c.FailOn
		}
		if !cf.set["fail-under"] {
			failUnder = c.FailUnder
		}
	}
	if failOn != "" {
		for _, f := range r.Findings {
			if f.Counts() && f.Severity.Rank() <= failOn.Rank() {
				return fmt.Sprintf("a %s finding (fail on %s)", f.Severity, failOn)
			}
		}
	}
	if failUnder > 0 {
		score := r.Score
		if cf.baseline != "" {
			score, _ = suppress.Score(r, in.Data, (*report.Finding).Counts)
		}
		if score < failUnder {
			return fmt.Sprintf("score %d under %d", score, failUnder)
		}
	}
	return ""
}

// tuneCheckGC trades memory for processor time while check runs and
// returns what restores the settings. A review allocates briskly (~400 MB
// over the 1,594 AWS managed policies) while the live heap stays small,
// so the collector runs rarely (GOGC 400): over that corpus it saves
// about a tenth of the processor time. A soft limit of 1 GiB bounds the
// heap of a hostile input, which the collector then works harder to keep
// under. GOGC and GOMEMLIMIT, when set, win.
func tuneCheckGC() (restore func()) {
	gc, limit := -1, int64(-1)
	if os.Getenv("GOGC") == "" {
		gc = debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		limit = debug.SetMemoryLimit(1 << 30)
	}
	return func() {
		if gc != -1 {
			debug.SetGCPercent(gc)
		}
		if limit != -1 {
			debug.SetMemoryLimit(limit)
		}
	}
}

type result struct {
	in  input // as read
	rep *report.Report
	err error
}

// reviewAll reads (see input.load) and reviews the inputs on as many
// goroutines as there are CPUs, applies the suppressions (which number
// the finding ids anew: report.Renumber) and the baseline, and hands
// each result back, with its input as read, on its own channel, so that
// they are printed in the order of the inputs.
func reviewAll(ctx context.Context, rv *review.Reviewer, inputs []input, cf checkFlags, base suppress.Baseline) []chan result {
	results := make([]chan result, len(inputs))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	types := loadedTypes(inputs)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range inputs {
			next <- i
		}
	}()
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(inputs)); w++ {
		go func() {
			for i := range next {
				in := inputs[i]
				if in.load != nil {
					in.Input, in.load = in.load(), nil
				}
				ri := in.Input
				ri.Type, ri.Offline = cf.typ, cf.offline
				if t, ok := types[filepath.Clean(in.Name)]; ok {
					ri.Type = t // loaded as such by a Terraform file of the run
				}
				rep, err := rv.Review(ctx, ri)
				if err == nil {
					(&suppress.Suppressor{Config: in.cfg}).Apply(rep, in.Data)
					if base != nil {
						base.Mark(rep)
					}
				}
				results[i] <- result{in, rep, err}
			}
		}()
	}
	return results
}

// output writes a run in its format.
type output struct {
	cf             checkFlags
	stdout, stderr io.Writer
	several        bool
	enc            *json.Encoder
	buf            []byte // a report in JSON
	log            *sarif.Log
	tally          report.Tally
	code           int
	printed        bool     // a report was written in text
	skips          []string // the files skipped, in text
	broken         bool     // writing failed
}

func (o *output) start() {
	o.enc = json.NewEncoder(o.stdout)
	o.enc.SetEscapeHTML(false)
	if !o.several {
		o.enc.SetIndent("", "  ")
	}
	if o.cf.format == "sarif" {
		o.log = sarif.New(sarif.Tool{Name: "policycheck", Version: version(), InformationURI: homePage, RulesURI: rulesDoc})
	}
}

func (o *output) write(err error) {
	if err != nil && !o.broken {
		o.broken = true
		fmt.Fprintf(o.stderr, "policycheck: write: %v\n", err)
	}
}

// reviewed writes a report; gate is the gate it fails, or "".
func (o *output) reviewed(r *report.Report, data []byte, gate string) {
	o.tally.Add(r)
	if gate != "" && o.code == 0 {
		o.code = 1
	}
	switch o.cf.format {
	case "json":
		tr := *o.cf.lang.Report(r)
		tr.Lang = o.cf.lang.String()
		// As o.enc would write it, without reflection: a run over a
		// repository writes megabytes of findings.
		o.buf = report.AppendJSON(o.buf[:0], &tr)
		if !o.several {
			var b bytes.Buffer
			_ = json.Indent(&b, o.buf, "", "  ") // AppendJSON writes valid JSON
			o.buf = append(o.buf[:0], b.Bytes()...)
		}
		o.buf = append(o.buf, '\n')
		_, err := o.stdout.Write(o.buf)
		o.write(err)
	case "sarif":
		o.log.Add(r, data)
	default:
		if o.printed {
			fmt.Fprintln(o.stdout)
		}
		o.printed = true
		o.write(report.WriteText(o.stdout, o.cf.lang.Report(r), report.TextOptions{Color: isTerminal(o.stdout), Diff: o.cf.diff, Suggestion: o.cf.suggestion, Lang: o.cf.lang}))
		if gate != "" {
			fmt.Fprintf(o.stdout, "%s\n", o.cf.lang.Sprintf("gate failed: %s", o.cf.lang.Text(gate)))
		}
	}
}

// skipped tells that a file found in a directory is not a policy.
func (o *output) skipped(name string, e *policy.Error) {
	o.tally.Skipped++
	switch o.cf.format {
	case "json":
		o.write(o.enc.Encode(struct {
			File    string `json:"file"`
			Skipped string `json:"skipped"`
		}{name, e.Error()}))
	case "text":
		// Listed together at the end: a repository has many.
		o.skips = append(o.skips, fmt.Sprintf("  %s: %s", report.Printable(name, false), report.Printable(e.Error(), false)))
	}
}

// failed tells why an input could not be reviewed: on stderr, and also
// on stdout in JSON (an object) and in SARIF (a notification), so that
// scripts see every input.
func (o *output) failed(name string, err error) {
	o.tally.Failed++
	o.code = 2
	reportError(o.stderr, o.enc, o.cf.format, name, err, o.cf.lang)
	if o.log != nil {
		o.log.AddError(name, err)
	}
}

// finish writes what closes the run (the summary, the SARIF log) and
// returns the exit status.
func (o *output) finish() int {
	switch o.cf.format {
	case "sarif":
		o.write(o.log.Write(o.stdout))
		fmt.Fprintln(o.stdout)
		// A CI log shows standard error: the summary goes there.
		o.write(o.tally.WriteText(o.stderr, false, o.cf.lang))
	case "text":
		if len(o.skips) > 0 {
			if o.printed {
				fmt.Fprintln(o.stdout)
			}
			fmt.Fprintf(o.stdout, "%s\n%s\n", o.cf.lang.Sprintf("Skipped, not policies:"), strings.Join(o.skips, "\n"))
			o.printed = true
		}
		if o.several {
			if o.printed {
				fmt.Fprintln(o.stdout)
			}
			o.write(o.tally.WriteText(o.stdout, isTerminal(o.stdout), o.cf.lang))
		}
	}
	if o.broken {
		return 2
	}
	return o.code
}

// reportError tells why an input could not be reviewed: on stderr, and in
// JSON mode also as an object on stdout so that scripts see every input.
func reportError(stderr io.Writer, enc *json.Encoder, format, name string, err error, lg lang.Tag) {
	var pe *policy.Error
	msg := lg.Text(err.Error())
	if errors.As(err, &pe) && pe.Line != "" {
		// The line in error, cut around the column (a minified policy is
		// one line of up to 100 KB), and a caret under the column.
		// Control characters in it are shown escaped, the caret counted
		// on the escaped text.
		text, col := pe.Excerpt()
		text = strings.TrimRight(text, "\r\n")
		msg = report.Printable(msg, false) + "\n    " + report.Printable(text, false)
		if col > 0 && !strings.Contains(text, "\t") {
			before := []rune(text)[:min(col-1, utf8.RuneCountInString(text))]
			msg += "\n    " + strings.Repeat(" ", utf8.RuneCountInString(report.Printable(string(before), false))) + "^"
		}
	} else {
		msg = report.Printable(msg, false)
	}
	fmt.Fprintf(stderr, "policycheck: %s: %s\n", report.Printable(name, false), msg)
	if format != "json" {
		return
	}
	type inputError struct {
		Kind    policy.ErrorKind `json:"kind,omitempty"`
		Message string           `json:"message"`
		Line    int              `json:"line,omitempty"`
		Column  int              `json:"column,omitempty"`
	}
	out := struct {
		File  string     `json:"file"`
		Error inputError `json:"error"`
	}{File: name, Error: inputError{Message: lg.Text(err.Error())}}
	if pe != nil {
		out.Error = inputError{Kind: pe.Kind, Message: lg.Text(pe.Msg)}
		if pe.Pos.Line > 0 {
			out.Error.Line, out.Error.Column = pe.Pos.Line, pe.Pos.Col
		}
	}
	_ = enc.Encode(out)
}

func isTerminal(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// loadedTypes are the policy types of the files that the Terraform files
// of a run load as policies (content = file("scp.json") of an
// aws_organizations_policy), by path.
func loadedTypes(inputs []input) map[string]policy.Type {
	var out map[string]policy.Type
	for _, in := range inputs {
		if k, _ := policy.KindOf(in.Name); k != policy.KindTerraform || in.Err != nil {
			continue
		}
		for rel, t := range policy.FileTypes(in.Data) {
			if out == nil {
				out = map[string]policy.Type{}
			}
			out[filepath.Join(filepath.Dir(in.Name), filepath.FromSlash(rel))] = t
		}
	}
	return out
}
