package analysis

import (
	"testing"

	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// severityFor is the README's rubric: the severity of a finding by the
// highest score a policy with it can get.
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

// TestRules checks what every rule of the engine says about itself: a
// severity that fits its ceiling, and the texts the documentation needs.
func TestRules(t *testing.T) {
	all := rules.All()
	if len(all) < 80 {
		t.Fatalf("%d rules registered", len(all))
	}
	for _, r := range all {
		switch {
		case r.Ceiling == 10 && r.Severity != report.Info && r.Severity != report.Medium:
			// Findings that do not lower the score are info, or medium
			// when a person should look (instructions to the reviewer).
			t.Errorf("%s: severity %s with ceiling 10", r.ID, r.Severity)
		case r.Ceiling < 10 && r.Severity != severityFor(r.Ceiling):
			t.Errorf("%s: severity %s with ceiling %d, want %s", r.ID, r.Severity, r.Ceiling, severityFor(r.Ceiling))
		}
		if r.Retired != "" {
			continue
		}
		if r.Title == "" || r.Detail == "" || r.Why == "" || r.Example == "" {
			t.Errorf("%s: title, detail, why and example are all needed", r.ID)
		}
		found := false
		for _, c := range report.Categories {
			found = found || c == r.Category
		}
		if !found {
			t.Errorf("%s: category %q is not one of report.Categories", r.ID, r.Category)
		}
	}
}
