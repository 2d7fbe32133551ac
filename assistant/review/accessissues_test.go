package review

import (
	"os"
	"strings"
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

// TestAccessChecks: each ERROR and SECURITY_WARNING check of IAM Access
// Analyzer (testdata/access-analyzer-checks.tsv, from AWS's documentation)
// is either mapped to the engine's rule that makes it or listed, with why,
// as not made.
func TestAccessChecks(t *testing.T) {
	data, err := os.ReadFile("testdata/access-analyzer-checks.tsv")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		f := strings.Split(line, "\t")
		if len(f) < 2 || f[0] != "ERROR" && f[0] != "SECURITY_WARNING" {
			continue
		}
		name := accessIssues[f[1]].rule
		mapped := name != ""
		why, unchecked := accessUnchecked[f[1]]
		switch {
		case mapped && unchecked:
			t.Errorf("%s is both mapped and listed as not checked", f[1])
		case mapped:
			if _, ok := rules.Lookup(name); !ok {
				t.Errorf("%s maps to %q, which is not a registered rule", f[1], name)
			}
			checked++
		case !unchecked || why == "":
			t.Errorf("%s %s is neither mapped to a rule nor listed as not checked", f[0], f[1])
		}
	}
	t.Logf("%d of the ERROR and SECURITY_WARNING checks made by a rule, %d not", checked, len(accessUnchecked))
}
