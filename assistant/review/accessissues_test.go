package review

import (
	"testing"

	"github.com/policycheck/policycheck/assistant/rules"
)

// TestAccessIssueRules: every rule an Access Analyzer issue is mapped to
// is a rule of the registry, so its finding carries the engine's id.
func TestAccessIssueRules(t *testing.T) {
	for code, issue := range accessIssues {
		if issue.rule == "" {
			continue
		}
		if _, ok := rules.Lookup(issue.rule); !ok {
			t.Errorf("%s maps to %q, which is not a registered rule", code, issue.rule)
		}
	}
}
