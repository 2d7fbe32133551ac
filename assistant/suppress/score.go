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
	total := 10
	for i, d := range r.Documents {
		docs[i] = d.Score
		byDoc := findingsOf(r, d.Name)
		aside := false
		for _, f := range byDoc {
			aside = aside || !counts(f)
		}
		if aside {
			if effects == nil {
				effects = readEffects(r.File, data)
			}
			docs[i] = rescore(d.Score, byDoc, effects[d.Name], counts)
		}
		total = min(total, docs[i])
	}
	if len(r.Documents) == 0 {
		total = r.Score
	}
	return total, docs
}

// findingsOf returns the findings of the report about one document.
func findingsOf(r *report.Report, doc string) []*report.Finding {
	var out []*report.Finding
	for i := range r.Findings {
		if f := &r.Findings[i]; f.Document == doc || len(r.Documents) == 1 && f.Document == "" {
			out = append(out, f)
		}
	}
	return out
}

func rescore(was int, fs []*report.Finding, effects []string, counts func(*report.Finding) bool) int {
	score := 10
	for _, f := range fs {
		if f.ID == "syntax-omitted" || f.Rule == "PC901" {
			return was // the findings listed are not all the score counted
		}
		if !counts(f) {
			continue
		}
		if f.Statement >= 0 && f.Statement < len(effects) && strings.EqualFold(effects[f.Statement], "Deny") {
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
