package gate

import (
	"strings"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/subset"
)

// narrowsDelegation says how cand takes away from a statement of orig
// that delegates to IAM in whole accounts (a KMS key policy's
// "Enable IAM User Permissions", however its account is written): a
// rewrite that narrows it could lock the account out of its key. Empty
// when cand keeps all of them.
func narrowsDelegation(kb *iamref.KB, orig *policy.Document, cand *norm.Policy) string {
	if orig.Type != policy.Resource && orig.Type != policy.Endpoint {
		return ""
	}
	deleg := &policy.Document{Name: orig.Name, Type: orig.Type, Source: orig.Source, Version: orig.Version, Refs: orig.Refs}
	var accounts []string
	for _, st := range orig.Statements {
		switch effect := strings.TrimSpace(st.Effect); {
		case strings.EqualFold(effect, "Deny"):
			deleg.Statements = append(deleg.Statements, st)
		case strings.EqualFold(effect, "Allow") && wholeResource(st):
			if acct, ok := analysis.AccountRoots(st.Principal); ok {
				deleg.Statements = append(deleg.Statements, st)
				accounts = append(accounts, acct)
			}
		}
	}
	if len(accounts) == 0 {
		return ""
	}
	for i := range deleg.Statements {
		deleg.Statements[i].Index = i
	}
	if v := subset.CheckPolicies(kb, cand, norm.New(kb, deleg)); !v.Proven {
		return "it would take away from what the policy delegates to " + strings.Join(accounts, "; ") +
			" (" + v.Reason + "); narrowing that could lock the account out of the resource"
	}
	return ""
}

// wholeResource reports a statement about the resource the policy is
// attached to: "Resource": "*" or no Resource.
func wholeResource(st policy.Statement) bool {
	if st.NotResource.Set {
		return false
	}
	if !st.Resource.Set {
		return true
	}
	for _, v := range st.Resource.Values {
		if iamref.IsAllWildcard(strings.TrimSpace(v.Text)) {
			return true
		}
	}
	return false
}
