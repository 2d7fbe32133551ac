package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// What of a model's answer can be checked, and how.
//
// A finding is shown only when it cites a statement of the document and,
// from that statement, actions or resources it holds (an action written
// there or granted by one of its patterns, a resource written there or
// within one of its patterns), with a category policycheck knows. Its
// words are shown as the model's opinion: the recommendation becomes part
// of the detail, labelled, never a fix.
//
// The model lowers the score only through such a finding: the shown score
// is the ceiling the finding's severity sets (critical 3, high 5, medium
// 7, low 9), or the model's own score when that is higher, and the summary
// names the finding.

// severityCeiling is the highest score a policy with a model's finding of
// a severity can get; the engine's score table, read from its severities.
var severityCeiling = map[report.Severity]int{
	report.Critical: 3, report.High: 5, report.Medium: 7, report.Low: 9, report.Info: 10,
}

// steered says why a model's answer must not be shown at all: the model
// reports that the policy addresses it, or its own words read as
// instructions or approvals taken from the policy. "" when neither.
func steered(mr *ModelReview) string {
	if mr.Instructions {
		return "the model reported text in the policy addressed to it or to a reviewer"
	}
	for _, f := range mr.Findings {
		if strings.Contains(strings.ToLower(f.Title), "instruction") {
			return "the model reported text in the policy addressed to it or to a reviewer"
		}
	}
	texts := []string{mr.Summary}
	for _, f := range mr.Findings {
		texts = append(texts, f.Title, f.Detail, f.Recommendation)
	}
	for _, t := range texts {
		if m := analysis.Instructions(t); m != "" {
			return fmt.Sprintf("its words read as steered by the policy (%q)", clipText(m, 60))
		}
	}
	return ""
}

// checkFindings turns the model's findings into report findings, keeping
// those that cite what their statement holds; ids continue from offset.
func (rv *Reviewer) checkFindings(doc *policy.Document, fs []ModelFinding, offset int) (kept []report.Finding, dropped int) {
	for _, f := range fs {
		if !rv.cites(doc, f) {
			dropped++
			continue
		}
		st := doc.Statements[f.Statement]
		detail := f.Detail
		if rec := strings.TrimSpace(f.Recommendation); rec != "" {
			if detail != "" {
				detail += "\n"
			}
			detail += "The model suggests (not checked): " + rec
		}
		kept = append(kept, report.Finding{
			ID:        fmt.Sprintf("model-%d", offset+len(kept)+1),
			Category:  f.Category,
			Severity:  f.Severity,
			Document:  doc.Name,
			Statement: f.Statement,
			Sid:       st.Sid,
			Line:      st.Pos.Line,
			Title:     f.Title,
			Detail:    detail,
			Actions:   append([]string{}, f.Actions...),
			Source:    "model",
		})
	}
	return kept, dropped
}

// cites reports whether a model's finding points at a statement of doc
// and cites only actions and resources that statement holds, at least one.
func (rv *Reviewer) cites(doc *policy.Document, f ModelFinding) bool {
	if f.Statement < 0 || f.Statement >= len(doc.Statements) || !slices.Contains(report.Categories, f.Category) {
		return false
	}
	if len(f.Actions)+len(f.Resources) == 0 {
		return false
	}
	st := &doc.Statements[f.Statement]
	for _, a := range f.Actions {
		if !holdsAction(rv.kb, st, a) {
			return false
		}
	}
	for _, r := range f.Resources {
		if !holdsResource(st, r) {
			return false
		}
	}
	return true
}

// holdsAction reports whether a statement writes action (in Action or
// NotAction, ignoring case) or grants it through a pattern of Action.
func holdsAction(kb *iamref.KB, st *policy.Statement, action string) bool {
	for _, l := range []policy.List{st.Action, st.NotAction} {
		for _, v := range l.Values {
			if strings.EqualFold(v.Text, action) {
				return true
			}
		}
	}
	a := kb.Action(action)
	if a == nil {
		return false
	}
	for _, v := range st.Action.Values {
		if strings.ContainsAny(v.Text, "*?") && kb.Expand(v.Text).Has(a.ID) {
			return true
		}
	}
	return false
}

// holdsResource reports whether a statement writes resource (in Resource
// or NotResource) or covers it with a pattern of Resource.
func holdsResource(st *policy.Statement, resource string) bool {
	for _, l := range []policy.List{st.Resource, st.NotResource} {
		for _, v := range l.Values {
			if v.Text == resource {
				return true
			}
		}
	}
	for _, v := range st.Resource.Values {
		if strings.ContainsAny(v.Text, "*?") && iamref.PatternCovers(v.Text, resource) {
			return true
		}
	}
	return false
}

// lowering is the model's finding that lowers the engine's score, with
// the score it gives, or nil when none does.
func lowering(kept []report.Finding, modelScore, engineScore int) (*report.Finding, int) {
	var by *report.Finding
	for i := range kept {
		if by == nil || severityCeiling[kept[i].Severity] < severityCeiling[by.Severity] {
			by = &kept[i]
		}
	}
	if by == nil {
		return nil, engineScore
	}
	score := max(modelScore, severityCeiling[by.Severity])
	if score >= engineScore {
		return nil, engineScore
	}
	return by, score
}

// modelChanges describes a model's rewrite: what it is, and every action
// the original names in an Allow statement that the rewrite no longer
// grants anywhere, so that nothing is dropped without a word.
func modelChanges(kb *iamref.KB, doc *policy.Document, rewrite string) []report.Change {
	changes := []report.Change{{Statement: -1, What: "rewritten by the model", Why: "proven no broader than the original by the built-in subset check"}}
	res, err := policy.Read([]byte(rewrite), policy.Options{Name: doc.Name, Type: doc.Type})
	if err != nil || len(res.Documents) != 1 {
		return changes // the gate says why
	}
	var granted iamref.ActionSet
	for _, st := range res.Documents[0].Statements {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		for _, v := range st.Action.Values {
			granted.Or(kb.Expand(v.Text))
		}
	}
	seen := map[string]bool{}
	for i, st := range doc.Statements {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		for _, v := range st.Action.Values {
			a := kb.Action(v.Text)
			if a == nil || seen[a.FullName()] || granted.Has(a.ID) {
				continue
			}
			seen[a.FullName()] = true
			changes = append(changes, report.Change{Statement: i, What: "removed " + a.FullName(),
				Why: "the model's rewrite no longer grants it: check that the workload does not need it"})
		}
	}
	return changes
}

// clipText cuts s to n bytes at most, on a rune boundary.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
