package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// Result is the engine's review of one policy document.
type Result struct {
	// Score is also the highest score the findings allow: another
	// reviewer (the model) may lower it but never raise it.
	Score    int
	Summary  string
	Findings []report.Finding
}

// finding is a report.Finding with what the score needs.
type finding struct {
	report.Finding
	ceiling int    // highest score a policy with this problem can get
	phrase  string // a few words for the one-sentence summary
	scored  bool   // counts toward the score (false for findings in Denies)
}

// review holds one document under analysis.
type review struct {
	kb    *iamref.KB
	cat   *catalog
	doc   *policy.Document
	stmts []*stmt
	out   []*finding
}

// Analyze reviews one document against the knowledge base.
func Analyze(kb *iamref.KB, doc *policy.Document) Result {
	r := &review{kb: kb, cat: catalogFor(kb), doc: doc}
	for i := range doc.Statements {
		r.stmts = append(r.stmts, newStmt(kb, &doc.Statements[i], doc.Type != policy.Trust && doc.Type != policy.Resource))
	}
	r.applyDenies()
	r.validate()
	if doc.Type.Control() {
		r.scp()
	} else {
		r.risks()
		r.escalation()
		if doc.Type == policy.Trust || doc.Type == policy.Resource {
			r.principals()
		}
	}
	r.redundancy()
	r.injection()
	return r.result()
}

// applyDenies computes each Allow's effective actions: what it designates
// minus every unconditional Deny that covers all of its resources.
// Conditional Denies are reported as limits.
func (r *review) applyDenies() {
	for _, a := range r.stmts {
		if a.allow {
			a.eff = a.actions
		}
	}
	for _, d := range r.stmts {
		if !d.deny || d.actions.IsEmpty() {
			continue
		}
		if !d.unconditional() {
			r.add(&finding{
				Finding: report.Finding{
					Category: report.ConditionCategory, Severity: report.Info,
					Title:  "Conditional Deny is a limit, not a removal",
					Detail: fmt.Sprintf("This Deny applies only when its conditions (%s) hold, so the review does not subtract it from what the Allow statements grant.", strings.Join(condKeys(d.src.Conditions), ", ")),
				},
				ceiling: 10,
			}, d)
			continue
		}
		if !everyone(d.src) {
			r.add(&finding{
				Finding: report.Finding{
					Category: report.ConditionCategory, Severity: report.Info,
					Title:  "Deny for some principals is a limit, not a removal",
					Detail: "This Deny applies only to the principals it names (or does not exclude), so the review does not subtract it from what the Allow statements grant to everyone else.",
				},
				ceiling: 10,
			}, d)
			continue
		}
		for _, a := range r.stmts {
			if a.allow && a.eff.Intersects(d.actions) && denyCovers(d, a) {
				eff := a.eff.Clone()
				eff.AndNot(d.actions)
				a.eff = eff
			}
		}
	}
}

// everyone reports whether a statement applies to every principal: it
// names none (an identity policy), or names "*" and excludes none.
func everyone(s *policy.Statement) bool {
	if s.NotPrincipal != nil {
		return false
	}
	p := s.Principal
	if p == nil || p.Any {
		return true
	}
	for _, e := range p.Entries {
		if strings.EqualFold(e.Kind, "AWS") {
			for _, v := range e.Values.Values {
				if isAllWildcard(strings.TrimSpace(v.Text)) {
					return true
				}
			}
		}
	}
	return false
}

// denyCovers reports whether an unconditional Deny applies to every
// resource the Allow names.
func denyCovers(d, a *stmt) bool {
	if d.notResource || d.noResource {
		return d.noResource && a.noResource
	}
	if d.anyResource {
		return true
	}
	if a.notResource || a.noResource {
		return false
	}
	for _, p := range a.resources {
		covered := false
		for _, q := range d.resources {
			if iamref.PatternCovers(q, p) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

func condKeys(cs []policy.Condition) []string {
	var keys []string
	for _, c := range cs {
		keys = append(keys, c.Operator+" "+c.Key)
	}
	return keys
}

// add records a finding for a statement (nil: the whole document).
func (r *review) add(f *finding, st *stmt) {
	f.Document = r.doc.Name
	f.Statement = -1
	f.Line = r.doc.Pos.Line
	f.Source = "engine"
	f.scored = true
	if st != nil {
		f.Statement = st.src.Index
		f.Sid = st.src.Sid
		f.Line = st.src.Pos.Line
		f.scored = !st.deny
	}
	if f.Actions == nil {
		f.Actions = []string{}
	}
	if f.Severity == "" {
		f.Severity = severityFor(f.ceiling)
	}
	r.out = append(r.out, f)
}

// severityFor maps a score ceiling to a severity.
func severityFor(ceiling int) report.Severity {
	switch {
	case ceiling <= 2:
		return report.Critical
	case ceiling <= 4:
		return report.High
	case ceiling <= 7:
		return report.Medium
	case ceiling <= 9:
		return report.Low
	}
	return report.Info
}

// names lists the canonical names of a set's actions, at most max of them
// (0: all), sorted.
func (r *review) names(s iamref.ActionSet, max int) []string {
	var out []string
	s.Each(func(id iamref.ActionID) bool {
		out = append(out, r.kb.ActionByID(id).FullName())
		return max == 0 || len(out) < max
	})
	sort.Strings(out)
	return out
}

// maxFindings is the most findings a result lists, the worst first: a
// hostile policy of a thousand statements would otherwise give tens of
// thousands, and megabytes of report.
const maxFindings = 200

func (r *review) result() Result {
	sort.SliceStable(r.out, func(i, j int) bool {
		a, b := r.out[i], r.out[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() < b.Severity.Rank()
		}
		if a.ceiling != b.ceiling {
			return a.ceiling < b.ceiling
		}
		if a.Statement != b.Statement {
			return a.Statement < b.Statement
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Title < b.Title
	})
	res := Result{Score: 10}
	var worst []*finding
	seq := map[report.Category]int{}
	for _, f := range r.out {
		seq[f.Category]++
		f.ID = fmt.Sprintf("%s-%d", f.Category, seq[f.Category])
		res.Findings = append(res.Findings, f.Finding)
		if !f.scored {
			continue
		}
		if f.ceiling < res.Score {
			res.Score = f.ceiling
			worst = worst[:0]
		}
		if f.ceiling == res.Score && f.ceiling < 10 {
			worst = append(worst, f)
		}
	}
	res.Summary = summary(res.Score, worst)
	if n := len(res.Findings); n > maxFindings {
		res.Findings = append(res.Findings[:maxFindings-1], report.Finding{
			ID: "syntax-omitted", Category: report.Syntax, Severity: report.Info, Statement: -1,
			Title:  fmt.Sprintf("%d more findings not listed", n-maxFindings+1),
			Detail: fmt.Sprintf("The policy has %d findings; the %d worst are listed. The score counts them all.", n, maxFindings-1),
		})
	}
	if res.Findings == nil {
		res.Findings = []report.Finding{}
	}
	return res
}

// summary is the one sentence that explains the score.
func summary(score int, worst []*finding) string {
	if len(worst) == 0 {
		return fmt.Sprintf("%d/10: every action is named and every resource scoped; nothing to tighten.", score)
	}
	var phrases []string
	seen := map[string]bool{}
	for _, f := range worst {
		p := f.phrase
		if p == "" {
			p = strings.ToLower(f.Title[:1]) + f.Title[1:]
		}
		if !seen[p] {
			seen[p] = true
			phrases = append(phrases, p)
		}
	}
	more := ""
	if len(phrases) > 2 {
		more = fmt.Sprintf(" (and %d more)", len(phrases)-2)
		phrases = phrases[:2]
	}
	return fmt.Sprintf("%d/10: %s%s.", score, strings.Join(phrases, "; "), more)
}
