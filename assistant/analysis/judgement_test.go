package analysis

import (
	"strconv"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// count counts the findings of a rule.
func count(r Result, rule string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

func find(r Result, rule string) *report.Finding {
	for i := range r.Findings {
		if r.Findings[i].Rule == rule {
			return &r.Findings[i]
		}
	}
	return nil
}

// TestImpliedFold: what full administrator access implies is folded into
// its finding, with a count, and kept apart for the suggestion.
func TestImpliedFold(t *testing.T) {
	r := analyze(t, "", pol(allow("*", "*")))
	if len(r.Findings) != 1 || r.Findings[0].Rule != ruleFullAdmin.ID {
		t.Fatalf("Action * gives %d findings, want one full-admin:\n%s", len(r.Findings), dump(r))
	}
	f := r.Findings[0]
	n := len(catalogFor(kb()).escalation)
	if want := "also implies " + itoa(n) + " escalation paths"; !strings.Contains(f.Detail, want) {
		t.Errorf("detail %q does not say %q", f.Detail, want)
	}
	if len(f.Implies) != 1 || f.Implies[0].Rule != ruleEscalation.ID || f.Implies[0].Count != n {
		t.Errorf("implies %+v, want %d of %s", f.Implies, n, ruleEscalation.ID)
	}
	if len(r.Implied) != n || r.Score != 1 {
		t.Errorf("%d implied findings kept, score %d", len(r.Implied), r.Score)
	}

	// A service wildcard in another statement of the same identity
	// policy is implied too; a syntax finding is not.
	r = analyze(t, "", pol(allow("*", "*"), allow("s3:*", "*"), allow("s3:GetObjcet", "arn:aws:s3:::b/*")))
	if count(r, ruleServiceWildcardEverywhere.ID) != 0 || count(r, ruleActionUnknown.ID) != 1 || count(r, ruleFullAdmin.ID) != 1 {
		t.Errorf("service wildcard under * not folded, or a typo folded:\n%s", dump(r))
	}

	// Conditional administrator access folds only its own statement's
	// findings: another statement's escalation path stays.
	r = analyze(t, "", pol(
		m{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": m{"StringEquals": m{"aws:SourceVpce": "vpce-0abc1234"}}},
		allow("iam:PutUserPolicy", "*")))
	if count(r, ruleFullAdminConditional.ID) != 1 {
		t.Fatalf("no conditional admin finding:\n%s", dump(r))
	}
	found := false
	for _, f := range r.Findings {
		found = found || f.Category == report.PrivilegeEscalation && f.Statement == 1
	}
	if !found {
		t.Errorf("escalation of the unconditional statement folded into the conditional admin:\n%s", dump(r))
	}

	// In a bucket policy, another statement names other principals:
	// nothing there is implied.
	r = analyze(t, policy.Resource, pol(
		m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111122223333:role/admin"}, "Action": "*", "Resource": "*"},
		m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::444455556666:role/reader"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}))
	if count(r, ruleServiceWildcardListed.ID) != 1 {
		t.Errorf("a resource policy's other principals folded:\n%s", dump(r))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
