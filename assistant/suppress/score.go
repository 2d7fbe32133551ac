package suppress

import (
	"regexp"
	"strings"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

var idPattern = regexp.MustCompile(`^PC[0-9]{3}$`)

// ceilingOf is the score ceiling of a rule; tests replace it.
var ceilingOf = func(id string) (int, bool) {
	r, ok := rules.Lookup(id)
	if !ok {
		return 0, false
	}
	return r.Ceiling, true
}

// Score scores a report again counting only the findings counts
// accepts: the lowest ceiling of their rules among those of Allow
// statements (findings in Deny statements never lower a score), or 10. It
// returns the report's score and each document's. A score never rises
// past what cannot be known: a finding of no known rule (a model's), or a
// list of findings cut short, keeps the document's score as it was.
// data is the input the report was read from; it is read again only to
// tell the statements' effects, when a finding is set aside.
func Score(r *report.Report, data []byte, counts func(*report.Finding) bool) (int, []int) {
	docs := make([]int, len(r.Documents))
	var effects map[string][]string // document name -> each statement's Effect
	deny := func(f *report.Finding) bool {
		if effects == nil {
			effects = readEffects(r.File, data)
		}
		e := effects[f.Document]
		if len(r.Documents) == 1 && f.Document == "" {
			e = effects[r.Documents[0].Name]
		}
		return f.Statement >= 0 && f.Statement < len(e) && strings.EqualFold(e[f.Statement], "Deny")
	}
	total := 10
	for i, d := range r.Documents {
		docs[i] = d.Score
		if fs := findingsOf(r, func(f *report.Finding) bool {
			return f.Principal == "" && (f.Document == d.Name || len(r.Documents) == 1 && f.Document == "")
		}); aside(fs, counts) {
			docs[i] = rescore(d.Score, fs, deny, counts)
		}
		if d.AttachedTo == nil {
			// A document attached to principals is judged through them.
			total = min(total, docs[i])
		}
	}
	for _, p := range r.Principals {
		score := p.Score
		if fs := findingsOf(r, func(f *report.Finding) bool { return f.Principal == p.Name }); aside(fs, counts) {
			score = rescore(p.Score, fs, deny, counts)
		}
		total = min(total, score)
	}
	if len(r.Documents) == 0 && len(r.Principals) == 0 {
		total = r.Score
	}
	return total, docs
}

// findingsOf returns the findings of the report that keep accepts.
func findingsOf(r *report.Report, keep func(*report.Finding) bool) []*report.Finding {
	var out []*report.Finding
	for i := range r.Findings {
		if f := &r.Findings[i]; keep(f) {
			out = append(out, f)
		}
	}
	return out
}

// aside reports whether counts sets any of fs aside.
func aside(fs []*report.Finding, counts func(*report.Finding) bool) bool {
	for _, f := range fs {
		if !counts(f) {
			return true
		}
	}
	return false
}

func rescore(was int, fs []*report.Finding, deny func(*report.Finding) bool, counts func(*report.Finding) bool) int {
	score := 10
	for _, f := range fs {
		if f.ID == "syntax-omitted" || f.Rule == "PC901" {
			return was // the findings listed are not all the score counted
		}
		if !counts(f) || deny(f) {
			continue
		}
		c, ok := ceilingOf(f.Rule)
		if !ok {
			c = was
		}
		score = min(score, c)
	}
	return max(score, was)
}

// readEffects reads the input again for the Effect of each statement of
// each document.
func readEffects(name string, data []byte) map[string][]string {
	res, err := policy.Read(data, policy.Options{Name: name, MaxBytes: max(len(data), 1)})
	if err != nil {
		return nil
	}
	out := make(map[string][]string, len(res.Documents))
	for _, d := range res.Documents {
		effects := make([]string, len(d.Statements))
		for i, s := range d.Statements {
			effects[i] = s.Effect
		}
		out[d.Name] = effects
	}
	return out
}
