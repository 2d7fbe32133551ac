package suppress

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
	"github.com/policycheck/policycheck/internal/gitignore"
)

// Suppressor applies the suppressions of a configuration, and those
// written in each file, to reports.
type Suppressor struct {
	Config *Config // nil: none
	// Today decides which suppressions have expired; zero: now.
	Today time.Time
}

// candidate is a suppression that may apply to a report.
type candidate struct {
	report.Suppression
	matches func(*report.Finding) bool
}

// Apply marks the findings of r that a suppression accepts, lists in
// r.SuppressionProblems the suppressions meant for r that could not be
// applied (no reason, expired), and scores r again without the
// suppressed findings. data is the input r was read from.
func (s *Suppressor) Apply(r *report.Report, data []byte) {
	r.Renumber()
	today := s.Today
	if today.IsZero() {
		today = time.Now()
	}
	var cands []candidate
	if c := s.Config; c != nil {
		rel, ok := relPath(c.Dir, r.File)
		for _, ig := range c.Ignore {
			if ig.Path != "" && (!ok || !gitignore.Match(ig.Path, rel, false)) {
				continue
			}
			sup := report.Suppression{Rule: ig.Rule, Reason: ig.Reason, Expires: ig.Expires,
				Source: fmt.Sprintf("%s:%d", c.Path, ig.Line)}
			cands = append(cands, candidate{sup, ruleMatcher(ig.Rule)})
		}
	}
	for _, in := range inlineSuppressions(r.File, data) {
		in := in
		match := ruleMatcher(in.Rule)
		in.Problem = problem(in.Suppression, today)
		if in.Problem == "" && in.Rule == "" {
			in.Problem = "names no rule: write the rule id, rule name or category, then the reason"
		}
		if in.Problem == "" && !knownRule(in.Rule) {
			in.Problem = fmt.Sprintf("no rule or category is named %q", in.Rule)
		}
		if in.Problem != "" {
			// Declared in this file: reported whether or not it
			// would have matched.
			r.SuppressionProblems = append(r.SuppressionProblems, in.Suppression)
			continue
		}
		cands = append(cands, candidate{in.Suppression, func(f *report.Finding) bool { return in.covers(f) && match(f) }})
	}
	if len(cands) == 0 {
		return
	}
	reported := map[string]bool{}
	suppressed := map[string]*report.Suppression{}
	for i := range r.Findings {
		f := &r.Findings[i]
		for _, c := range cands {
			if !c.matches(f) {
				continue
			}
			if p := problem(c.Suppression, today); p != "" {
				if !reported[c.Source] {
					reported[c.Source] = true
					c.Problem = p
					r.SuppressionProblems = append(r.SuppressionProblems, c.Suppression)
				}
				continue
			}
			sup := c.Suppression
			f.Suppressed = &sup
			suppressed[f.ID] = &sup
			break
		}
	}
	if len(suppressed) == 0 {
		return
	}
	for i := range r.Documents {
		for j := range r.Documents[i].Findings {
			f := &r.Documents[i].Findings[j]
			f.Suppressed = suppressed[f.ID]
		}
	}
	before, summary := r.Score, r.Summary
	score, docs := Score(r, data, func(f *report.Finding) bool { return f.Suppressed == nil })
	for i := range r.Documents {
		r.Documents[i].Score = docs[i]
	}
	if r.Score = score; score != before {
		r.Summary = fmt.Sprintf("%d/10 with %s suppressed; without suppressions, %s",
			score, plural(len(suppressed), "finding"), summary)
	}
}

// problem says why a suppression cannot be applied, or "".
func problem(s report.Suppression, today time.Time) string {
	switch {
	case strings.TrimSpace(s.Reason) == "":
		return "no reason given: a suppression must say why the finding is accepted"
	case s.Expires != "" && !validDate(s.Expires):
		return fmt.Sprintf("expires must be a date written YYYY-MM-DD, not %q", s.Expires)
	case s.Expires != "" && today.Format(time.DateOnly) > s.Expires:
		return "expired on " + s.Expires
	}
	return ""
}

// relPath is file relative to dir, with slashes; ok is false when the
// file is not inside dir.
func relPath(dir, file string) (string, bool) {
	if file == "-" {
		return "", false
	}
	absDir, err1 := filepath.Abs(dir)
	absFile, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return "", false
	}
	rel, err := filepath.Rel(absDir, absFile)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// ruleMatcher matches the findings of a rule id or name, or of a
// category.
func ruleMatcher(want string) func(*report.Finding) bool {
	id := want
	if r, ok := rules.Lookup(want); ok {
		id = r.ID
	}
	return func(f *report.Finding) bool {
		return f.Rule != "" && strings.EqualFold(f.Rule, id) || string(f.Category) == want
	}
}

// knownRule reports whether a suppression's rule names a registered rule
// or a category. While no rule is registered, any rule id is taken.
func knownRule(s string) bool {
	if _, ok := rules.Lookup(s); ok {
		return true
	}
	for _, c := range report.Categories {
		if string(c) == s {
			return true
		}
	}
	return len(rules.All()) == 0 && idPattern.MatchString(strings.ToUpper(s))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
