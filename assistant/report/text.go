package report

import (
	"fmt"
	"io"
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
}

var severityColor = map[Severity]string{
	Critical: "\x1b[1;31m", High: "\x1b[31m", Medium: "\x1b[33m", Low: "\x1b[36m", Info: "\x1b[2m",
}

// WriteText writes a report for a person in a terminal: the score and
// its verdict, the findings worst first with where they come from, those
// suppressed, and the suggested policy (in full with Diff or Suggestion).
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	p := &printer{w: w, color: o.Color}
	p.line("%s", p.paint("\x1b[1m", fmt.Sprintf("%s: %d/10 %s", r.File, r.Score, scale(r.Score))))
	p.line("%s", r.Summary)
	if len(r.Documents) > 1 {
		for _, d := range r.Documents {
			p.line("  %d/10  %s (%s)", d.Score, d.Name, d.PolicyType)
		}
	}
	for _, n := range r.Notes {
		p.line("note: %s", n)
	}
	for _, s := range r.SuppressionProblems {
		p.line("%s", p.paint(severityColor[Medium], fmt.Sprintf("suppression not applied: %s (%s): %s", s.Rule, s.Source, s.Problem)))
	}
	var suppressed []Finding
	for _, sev := range []Severity{Critical, High, Medium, Low, Info} {
		var fs []Finding
		for _, f := range r.Findings {
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
		p.line("%s", p.paint(severityColor[sev], fmt.Sprintf("%s (%d)", strings.ToUpper(string(sev)), len(fs))))
		for i, f := range fs {
			if o.MaxPerSeverity > 0 && i == o.MaxPerSeverity {
				p.line("  … and %d more %s findings", len(fs)-i, sev)
				break
			}
			p.line("  [%s] %s", label(f), f.Title)
			p.line("      at %s", where(f, len(r.Documents) > 1))
			switch f.Source {
			case "model":
				p.line("      found by the model")
			case "access-analyzer":
				p.line("      found by IAM Access Analyzer")
			}
			if f.Baseline == BaselineUnchanged {
				p.line("      in the baseline")
			}
			if f.Detail != "" {
				p.line("      %s", f.Detail)
			}
			if f.Note != "" {
				p.line("      note: %s", f.Note)
			}
			if f.Recommendation != "" {
				p.line("      fix: %s", f.Recommendation)
			}
		}
	}
	if len(suppressed) > 0 {
		p.line("")
		p.line("%s", p.paint("\x1b[2m", fmt.Sprintf("SUPPRESSED (%d)", len(suppressed))))
		for _, f := range suppressed {
			p.line("  [%s] %s", label(f), f.Title)
			p.line("      at %s", where(f, len(r.Documents) > 1))
			p.line("      suppressed: %s (%s)", f.Suppressed.Reason, f.Suppressed.Source)
		}
	}
	if s := r.SuggestedPolicy; s != nil {
		p.line("")
		if !o.Diff && !o.Suggestion {
			p.line("%s", p.paint("\x1b[1m", fmt.Sprintf("Suggested policy for %s: %d/10, proven no broader, %s: see what changed with --diff, the whole policy with --suggestion.",
				s.Document, s.Score, plural(len(s.Changes), "change"))))
		} else {
			p.line("%s", p.paint("\x1b[1m", fmt.Sprintf("Suggested policy for %s (%d/10, proven no broader: %s):", s.Document, s.Score, strings.Join(s.Verdicts, "; "))))
			for _, c := range s.Changes {
				if c.Statement >= 0 {
					p.line("  - statement %d: %s (%s)", c.Statement, c.What, c.Why)
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
	} else if r.NoSuggestionReason != "" {
		p.line("")
		p.line("No suggested policy (%s).", strings.TrimSuffix(r.NoSuggestionReason, "."))
	}
	p.line("")
	p.line("%s", p.paint("\x1b[2m", fmt.Sprintf("analyzers: %s; IAM data: %s", strings.Join(r.Analyzers, ", "), r.DataVersion)))
	return p.err
}

// label names a finding's kind: its category, and its rule when it has
// one.
func label(f Finding) string {
	if f.Rule != "" {
		return f.Rule + " " + string(f.Category)
	}
	return string(f.Category)
}

// plural writes n and a noun, with an s when n is not 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// where says where a finding comes from: "statement 2 (Sid ReadLogs), line 14".
func where(f Finding, withDoc bool) string {
	var parts []string
	if withDoc && f.Document != "" {
		parts = append(parts, f.Document)
	}
	if f.Statement >= 0 {
		s := fmt.Sprintf("statement %d", f.Statement)
		if f.Sid != "" {
			s += fmt.Sprintf(" (Sid %s)", f.Sid)
		}
		parts = append(parts, s)
	} else {
		parts = append(parts, "the whole policy")
	}
	if f.Line > 0 {
		parts = append(parts, fmt.Sprintf("line %d", f.Line))
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
