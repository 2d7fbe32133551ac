package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
)

// TextOptions change how WriteText draws a report.
type TextOptions struct {
	Color bool // ANSI colours, for a terminal
	// MaxPerSeverity caps the findings listed per severity (0: all).
	MaxPerSeverity int
	// Diff shows the suggested policy's changes as a diff from the
	// original; Suggestion shows the whole suggested policy. Without
	// either, one line says that there is one and how to see it.
	Diff, Suggestion bool
	// Lang translates the report's own words; nil: English. The report's
	// texts are shown as they are (see lang.Tag.Report).
	Lang Translator
}

// Translator translates the words WriteText and Tally.WriteText add to a
// report's texts (lang.Tag is one): Sprintf formats the translation of
// the message whose English text is format; Plural does the same in the
// plural form n calls for.
type Translator interface {
	Sprintf(format string, args ...any) string
	Plural(n int, format string, args ...any) string
}

// english is the Translator of the English text.
type english struct{}

func (english) Sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// Plural is format with the singular of its last word for n = 1:
// "%d changes" is "1 change".
func (english) Plural(n int, format string, args ...any) string {
	if n == 1 {
		if f, ok := singular[format]; ok {
			format = f
		}
	}
	return fmt.Sprintf(format, args...)
}

// singular are the singular forms of the plural messages, in English.
var singular = map[string]string{
	"%d changes": "%d change",
	"%d files":   "%d file",
}

func translator(t Translator) Translator {
	if t == nil {
		return english{}
	}
	return t
}

var severityColor = map[Severity]string{
	Critical: "\x1b[1;31m", High: "\x1b[31m", Medium: "\x1b[33m", Low: "\x1b[36m", Info: "\x1b[2m",
}

// WriteText writes a report for a person in a terminal: the score and
// its verdict, the findings worst first with where they come from, those
// suppressed, and the suggested policy (in full with Diff or Suggestion).
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	p := &printer{w: w, color: o.Color}
	tr := translator(o.Lang)
	p.line("%s", p.paint("\x1b[1m", fmt.Sprintf("%s: %d/10 %s", r.File, r.Score, scale(r.Score))))
	p.line("%s", r.Summary)
	if len(r.Principals) > 0 {
		// The worst principals first: an account has hundreds.
		ps := append([]Principal(nil), r.Principals...)
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Score < ps[j].Score })
		for _, pr := range ps {
			p.line("  %d/10  %s %s: %s", pr.Score, KindName(tr, pr.Kind), pr.Name, strings.TrimPrefix(pr.Summary, fmt.Sprintf("%d/10: ", pr.Score)))
		}
	}
	if len(r.Documents) > 1 || len(r.Principals) > 0 {
		for _, d := range r.Documents {
			if d.AttachedTo != nil {
				p.line("  %d/10  %s (%s; %s)", d.Score, d.Name, d.PolicyType, tr.Sprintf("attached to %s", strings.Join(d.AttachedTo, ", ")))
				continue
			}
			p.line("  %d/10  %s (%s)", d.Score, d.Name, d.PolicyType)
		}
	}
	for _, u := range r.UnusedPolicies {
		p.line("  %s", tr.Sprintf("unused: %s (attached to nothing)", u))
	}
	for _, n := range r.Notes {
		p.line("%s", tr.Sprintf("note: %s", n))
	}
	for _, s := range r.SuppressionProblems {
		p.line("%s", p.paint(severityColor[Medium], tr.Sprintf("suppression not applied: %s (%s): %s", s.Rule, s.Source, s.Problem)))
	}
	var suppressed []Finding
	withDoc := len(r.Documents) > 1 || len(r.Principals) > 0
	for _, sev := range []Severity{Critical, High, Medium, Low, Info} {
		var fs []Finding
		for _, f := range merged(r.Findings) {
			switch {
			case f.Severity != sev:
			case f.Suppressed != nil:
				suppressed = append(suppressed, f)
			default:
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			continue
		}
		p.line("")
		p.line("%s", p.paint(severityColor[sev], fmt.Sprintf("%s (%d)", SeverityHeading(tr, sev), len(fs))))
		for i, f := range fs {
			if o.MaxPerSeverity > 0 && i == o.MaxPerSeverity {
				p.line("  %s", tr.Sprintf("… and %d more %s findings", len(fs)-i, sev))
				break
			}
			p.line("  [%s] %s", label(f), f.Title)
			p.line("      %s", tr.Sprintf("at %s", where(tr, f, withDoc)))
			switch f.Source {
			case "model":
				p.line("      %s", tr.Sprintf("found by the model"))
			case "access-analyzer":
				p.line("      %s", tr.Sprintf("found by IAM Access Analyzer"))
			}
			if f.Baseline == BaselineUnchanged {
				p.line("      %s", tr.Sprintf("in the baseline"))
			}
			if f.Detail != "" {
				p.line("      %s", f.Detail)
			}
			if f.Note != "" {
				p.line("      %s", tr.Sprintf("note: %s", f.Note))
			}
			if f.Recommendation != "" {
				p.line("      %s", tr.Sprintf("fix: %s", f.Recommendation))
			}
		}
	}
	if len(suppressed) > 0 {
		p.line("")
		p.line("%s", p.paint("\x1b[2m", tr.Sprintf("SUPPRESSED (%d)", len(suppressed))))
		for _, f := range suppressed {
			p.line("  [%s] %s", label(f), f.Title)
			p.line("      %s", tr.Sprintf("at %s", where(tr, f, withDoc)))
			p.line("      %s", tr.Sprintf("suppressed: %s (%s)", f.Suppressed.Reason, f.Suppressed.Source))
		}
	}
	suggestions := []*Suggestion{}
	if r.SuggestedPolicy != nil {
		suggestions = append(suggestions, r.SuggestedPolicy)
	}
	for _, d := range r.OtherSuggestions() {
		suggestions = append(suggestions, d.SuggestedPolicy)
	}
	for _, s := range suggestions {
		p.line("")
		if !o.Diff && !o.Suggestion {
			p.line("%s", p.paint("\x1b[1m", tr.Sprintf("Suggested policy for %s: %d/10, proven no broader, %s: see what changed with --diff, the whole policy with --suggestion.",
				s.Document, s.Score, tr.Plural(len(s.Changes), "%d changes", len(s.Changes)))))
		} else {
			p.line("%s", p.paint("\x1b[1m", tr.Sprintf("Suggested policy for %s (%d/10, proven no broader: %s):", s.Document, s.Score, strings.Join(s.Verdicts, "; "))))
			for _, c := range s.Changes {
				if c.Statement >= 0 {
					p.line("  - %s", tr.Sprintf("statement %d: %s (%s)", c.Statement+1, c.What, c.Why))
				} else {
					p.line("  - %s (%s)", c.What, c.Why)
				}
			}
			if o.Diff && s.Diff != "" {
				p.line("%s", block(strings.TrimRight(s.Diff, "\n")))
			}
			if o.Suggestion || s.Diff == "" {
				p.line("%s", block(s.Policy))
			}
		}
	}
	if r.SuggestedPolicy == nil && r.NoSuggestionReason != "" {
		p.line("")
		p.line("%s", tr.Sprintf("No suggested policy (%s).", strings.TrimSuffix(r.NoSuggestionReason, ".")))
	}
	p.line("")
	p.line("%s", p.paint("\x1b[2m", tr.Sprintf("analyzers: %s; IAM data: %s", strings.Join(r.Analyzers, ", "), r.DataVersion)))
	return p.err
}

// severityCount is n findings of a severity: "3 critical".
func severityCount(tr Translator, s Severity, n int) string {
	switch s {
	case Critical:
		return tr.Plural(n, "%d critical", n)
	case High:
		return tr.Plural(n, "%d high", n)
	case Medium:
		return tr.Plural(n, "%d medium", n)
	case Low:
		return tr.Plural(n, "%d low", n)
	}
	return tr.Plural(n, "%d info", n)
}

// SeverityHeading is the heading of a severity's findings in the
// language of tr: "CRITICAL".
func SeverityHeading(tr Translator, s Severity) string {
	switch s {
	case Critical:
		return tr.Sprintf("CRITICAL")
	case High:
		return tr.Sprintf("HIGH")
	case Medium:
		return tr.Sprintf("MEDIUM")
	case Low:
		return tr.Sprintf("LOW")
	case Info:
		return tr.Sprintf("INFO")
	}
	return strings.ToUpper(string(s))
}

// label names a finding's kind: its category, and its rule when it has
// one.
func label(f Finding) string {
	if f.Rule != "" {
		return f.Rule + " " + string(f.Category)
	}
	return string(f.Category)
}

// merged is the findings with those the same statement gives several
// principals (a policy attached to a group and its users) written once,
// naming them all.
func merged(fs []Finding) []Finding {
	type key struct {
		rule, doc, title, detail string
		stmt                     int
	}
	at := map[key]int{}
	var out []Finding
	for _, f := range fs {
		k := key{f.Rule, f.Document, f.Title, f.Detail, f.Statement}
		if i, ok := at[k]; ok && f.Principal != "" && out[i].Principal != "" && f.Suppressed == nil && out[i].Suppressed == nil {
			out[i].Principal += ", " + f.Principal
			continue
		}
		at[k] = len(out)
		out = append(out, f)
	}
	return out
}

// where says where a finding comes from: "statement 2 (Sid ReadLogs), line 14".
func where(tr Translator, f Finding, withDoc bool) string {
	var parts []string
	if withDoc && f.Document != "" && f.Document != f.Principal {
		parts = append(parts, f.Document)
	}
	if f.Statement >= 0 {
		s := tr.Sprintf("statement %d", f.Statement+1)
		if f.Sid != "" {
			s += fmt.Sprintf(" (Sid %s)", f.Sid)
		}
		parts = append(parts, s)
	} else if f.Document != f.Principal {
		parts = append(parts, tr.Sprintf("the whole policy"))
	}
	if f.Line > 0 {
		parts = append(parts, tr.Sprintf("line %d", f.Line))
	}
	if f.Principal != "" {
		parts = append(parts, tr.Sprintf("for %s", f.Principal))
	}
	return strings.Join(parts, ", ")
}

func scale(score int) string {
	if score < 1 {
		score = 1
	}
	if score > 10 {
		score = 10
	}
	return "[" + strings.Repeat("#", score) + strings.Repeat(".", 10-score) + "]"
}

type printer struct {
	w     io.Writer
	color bool
	err   error
}

// painted is text the printer has coloured: line prints it as it is.
type painted string

// block is text of several lines (a diff, a policy): line keeps its line
// breaks.
type block string

func (p *printer) paint(code, s string) painted {
	if !p.color || code == "" {
		return painted(Printable(s, false))
	}
	return painted(code + Printable(s, false) + "\x1b[0m")
}

// line prints one line. Text from the policy (a Sid, a name, an action)
// can hold control characters: they are shown escaped, so that a policy
// cannot move the cursor, hide what follows or forge a line of the report.
func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = Printable(v, false)
		case block:
			args[i] = Printable(string(v), true)
		case painted:
			args[i] = string(v)
		}
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

// Printable escapes control characters and the invisible marks that
// reorder text (U+202A-U+202E, U+2066-U+2069), keeping tabs, and line
// breaks when multiline is set: text from a policy printed with it cannot
// drive a terminal.
func Printable(s string, multiline bool) string {
	if strings.IndexFunc(s, func(r rune) bool { return hidden(r, multiline) }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !hidden(r, multiline):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

func hidden(r rune, multiline bool) bool {
	switch {
	case r == '\t', r == '\n' && multiline:
		return false
	case unicode.IsControl(r), r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// KindName is the kind of a principal ("role") in the language of tr.
func KindName(tr Translator, kind string) string {
	switch kind {
	case "user":
		return tr.Sprintf("user")
	case "role":
		return tr.Sprintf("role")
	case "group":
		return tr.Sprintf("group")
	}
	return kind
}
