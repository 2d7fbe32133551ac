package analysis

import (
	"fmt"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// principals judges who a resource-based or trust policy lets in.
func (r *review) principals() {
	trust := r.doc.Type == policy.Trust
	for _, st := range r.stmts {
		if !st.allow || st.eff.IsEmpty() {
			continue
		}
		if st.src.NotPrincipal != nil {
			r.add(&finding{Finding: report.Finding{
				Category: report.PublicAccess, Title: "Allow with NotPrincipal",
				Detail:         "NotPrincipal in an Allow grants access to everyone except the listed principals, including anonymous users and every other account.",
				Recommendation: "Replace NotPrincipal with a Principal naming who needs access.",
			}, ceiling: 2, phrase: "access for everyone but a few principals"}, st)
		}
		p := st.src.Principal
		if p == nil {
			continue
		}
		if p.Any || r.anyAWS(p) {
			r.public(st, trust)
		}
		for _, e := range p.Entries {
			switch strings.ToLower(e.Kind) {
			case "federated":
				r.federated(st, e)
			case "service":
				if !trust && len(sourcePins(st.src.Conditions)) == 0 {
					r.add(&finding{Finding: report.Finding{
						Category: report.ConditionCategory, Title: fmt.Sprintf("Service principal %s without a source condition", strings.Join(e.Values.Strings(), ", ")),
						Detail:         "Without aws:SourceAccount or aws:SourceArn, the service can be made to act on this resource for any customer's account (the confused deputy problem).",
						Recommendation: "Add {\"StringEquals\": {\"aws:SourceAccount\": \"<account-id>\"}} or an aws:SourceArn condition.",
					}, ceiling: 8, phrase: "a service principal without aws:SourceAccount"}, st)
				}
			}
		}
	}
}

// anyAWS reports {"AWS": "*"} or an ARN with a wildcard account.
func (r *review) anyAWS(p *policy.Principal) bool {
	for _, e := range p.Entries {
		if !strings.EqualFold(e.Kind, "AWS") {
			continue
		}
		for _, v := range e.Values.Values {
			t := strings.TrimSpace(v.Text)
			if isAllWildcard(t) {
				return true
			}
			if f := strings.SplitN(t, ":", 6); len(f) == 6 && strings.ContainsAny(f[4], "*?") {
				return true
			}
		}
	}
	return false
}

func (r *review) public(st *stmt, trust bool) {
	if pins := callerPins(st.src.Conditions); len(pins) > 0 {
		r.add(&finding{Finding: report.Finding{
			Category: report.PublicAccess, Title: "Open to any principal, narrowed by conditions",
			Detail:         fmt.Sprintf("The statement names every principal but is limited by %s. Make sure those conditions pin your accounts or organization.", strings.Join(pins, ", ")),
			Recommendation: "Prefer naming the accounts or roles in Principal; keep aws:PrincipalOrgID or aws:SourceAccount conditions.",
		}, ceiling: 8}, st)
		return
	}
	if trust {
		detail := "The trust policy allows every AWS principal, in any account, to assume the role."
		if len(st.src.Conditions) > 0 {
			detail += fmt.Sprintf(" Its conditions (%s) do not pin an account, an organization or a network: any caller can meet them.", strings.Join(condKeys(st.src.Conditions), ", "))
		}
		r.add(&finding{Finding: report.Finding{
			Category: report.PublicAccess, Title: "Anyone can assume this role",
			Detail:         detail,
			Recommendation: "Name the accounts, roles or services that may assume it in Principal, and add sts:ExternalId or aws:PrincipalOrgID conditions for other accounts.",
			Actions:        st.src.Action.Strings(),
		}, ceiling: 1, phrase: "anyone can assume this role"}, st)
		return
	}
	write := st.eff.Clone()
	write.And(r.cat.write)
	ceiling, what := 4, "read"
	if !write.IsEmpty() {
		ceiling, what = 2, "write"
	}
	detail := fmt.Sprintf("The policy grants %s access to everyone, including anonymous users and every AWS account.", what)
	if len(st.src.Conditions) > 0 {
		detail += fmt.Sprintf(" Its conditions (%s) do not pin an account, an organization or a network: any caller can meet them.", strings.Join(condKeys(st.src.Conditions), ", "))
	}
	r.add(&finding{Finding: report.Finding{
		Category: report.PublicAccess, Title: fmt.Sprintf("Public %s access", what),
		Detail:         detail,
		Recommendation: "Name the accounts or roles that need access in Principal, or add an aws:PrincipalOrgID / aws:SourceVpce condition.",
		Actions:        r.names(st.eff, 20),
	}, ceiling: ceiling, phrase: "public " + what + " access"}, st)
}

// webIdentityProviders are the public identity providers AWS federates
// with by name, and the condition key that names the application a token
// is for: without it, a token any application got from the provider will
// do.
var webIdentityProviders = map[string]string{
	"accounts.google.com": "accounts.google.com:aud",
	"graph.facebook.com":  "graph.facebook.com:app_id",
	"www.amazon.com":      "www.amazon.com:app_id",
}

func (r *review) federated(st *stmt, e policy.PrincipalEntry) {
	// Only sts:AssumeRoleWithWebIdentity lets a federated identity in;
	// other actions (sts:TagSession) ride along with it.
	if a := r.kb.Action("sts:AssumeRoleWithWebIdentity"); a == nil || !st.eff.Has(a.ID) {
		return
	}
	for _, v := range e.Values.Values {
		provider := strings.ToLower(strings.TrimSpace(v.Text))
		if key, ok := webIdentityProviders[provider]; ok {
			if !pinnedKey(st.src.Conditions, key) {
				r.add(&finding{Finding: report.Finding{
					Category: report.PublicAccess, Title: fmt.Sprintf("%s trust without a %s condition", provider, key),
					Detail:         fmt.Sprintf("A token %s issued to any application, for any user, can assume this role.", provider),
					Recommendation: fmt.Sprintf("Add {\"StringEquals\": {%q: \"<your-app-id>\"}}.", key),
				}, ceiling: 1, phrase: "anyone with a " + provider + " token can assume this role"}, st)
			}
			continue
		}
		switch {
		case strings.Contains(provider, "token.actions.githubusercontent.com"):
			if !st.cond.oidcSubject {
				r.add(&finding{Finding: report.Finding{
					Category: report.PublicAccess, Title: "GitHub OIDC trust without a sub condition",
					Detail:         "Any GitHub Actions workflow, in any repository of any owner, can assume this role.",
					Recommendation: "Add {\"StringLike\": {\"token.actions.githubusercontent.com:sub\": \"repo:<org>/<repo>:ref:refs/heads/main\"}} and {\"StringEquals\": {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"}}.",
				}, ceiling: 1, phrase: "any GitHub workflow can assume this role"}, st)
			}
		case strings.Contains(provider, "cognito-identity.amazonaws.com"):
			if !st.cond.oidcAudience {
				r.add(&finding{Finding: report.Finding{
					Category: report.PublicAccess, Title: "Cognito trust without an aud condition",
					Detail:         "Identities from any Cognito identity pool can assume this role.",
					Recommendation: "Add {\"StringEquals\": {\"cognito-identity.amazonaws.com:aud\": \"<identity-pool-id>\"}}.",
				}, ceiling: 3, phrase: "any Cognito identity pool can assume this role"}, st)
			}
		case strings.Contains(provider, "oidc-provider/"):
			if !st.cond.oidcSubject {
				r.add(&finding{Finding: report.Finding{
					Category: report.PublicAccess, Title: "OIDC trust without a sub condition",
					Detail:         "Every identity the OIDC provider issues tokens for can assume this role.",
					Recommendation: "Add a StringEquals condition on the provider's :sub key naming the workload (for EKS: system:serviceaccount:<namespace>:<name>).",
				}, ceiling: 3, phrase: "any identity of the OIDC provider can assume this role"}, st)
			}
		}
	}
}

// pinnedKey reports whether the conditions pin key to values without
// wildcards, with an operator that admits only them.
func pinnedKey(cs []policy.Condition, key string) bool {
	for _, c := range cs {
		if strings.EqualFold(c.Key, key) && positive(c.Operator) && allValues(c.Values.Strings(), literal) {
			return true
		}
	}
	return false
}

// scp reviews a service control policy: it grants nothing, so only its
// validity and its guard rails matter.
func (r *review) scp() {
	for _, st := range r.stmts {
		if st.deny && st.notAction && st.anyResource && !st.cond.present {
			r.add(&finding{Finding: report.Finding{
				Category: report.NotAction, Severity: report.Info,
				Title:  "Deny with NotAction",
				Detail: "Denies every action except those listed, in every account the SCP applies to. Check that the list contains everything those accounts need.",
			}, ceiling: 10}, st)
		}
	}
}

// maxCompared is the most statements redundancy compares by pairs. AWS's
// size quotas hold a few dozen statements; a hostile input of thousands
// would take seconds.
const maxCompared = 256

// redundancy reports Allows that another Allow already covers, and Allows
// that Denies cancel entirely.
func (r *review) redundancy() {
	// A statement's first action, and its size, reject most pairs before
	// the bit sets are compared.
	first := make([]iamref.ActionID, len(r.stmts))
	size := make([]int, len(r.stmts))
	for i, st := range r.stmts {
		first[i] = -1
		st.actions.Each(func(id iamref.ActionID) bool { first[i] = id; return false })
		size[i] = st.actions.Len()
	}
	for i, a := range r.stmts {
		if !a.allow {
			continue
		}
		if a.eff.IsEmpty() && size[i] > 0 {
			r.add(&finding{Finding: report.Finding{
				Category: report.Syntax, Severity: report.Info,
				Title:  "Statement grants nothing",
				Detail: "Unconditional Deny statements remove everything this statement allows.",
			}, ceiling: 10}, a)
			continue
		}
		if a.src.Principal != nil || a.src.NotPrincipal != nil || size[i] == 0 || len(r.stmts) > maxCompared {
			// Principals differ in ways sets do not capture; and the
			// comparison is by pairs.
			continue
		}
		for j, b := range r.stmts {
			// Compare what the statements designate, not what survives the
			// Denies, so that adding a Deny never creates a finding.
			if i == j || !b.allow || b.cond.present || size[j] < size[i] || !b.actions.Has(first[i]) ||
				b.src.Principal != nil || b.src.NotPrincipal != nil {
				continue
			}
			if !a.actions.SubsetOf(b.actions) || !resourcesCover(b, a) {
				continue
			}
			if size[i] == size[j] && resourcesCover(a, b) && !a.cond.present && j > i {
				continue // identical: report the later one only
			}
			r.add(&finding{Finding: report.Finding{
				Category: report.Syntax, Title: fmt.Sprintf("Redundant: statement %d already grants all of this", b.src.Index),
				Detail:         "Everything this statement allows is allowed by another unconditional statement on the same or broader resources.",
				Recommendation: "Remove this statement, or narrow the other one.",
			}, ceiling: 9, phrase: "redundant statements"}, a)
			break
		}
	}
}

func resourcesCover(b, a *stmt) bool {
	if b.anyResource {
		return true
	}
	if b.notResource || b.noResource || a.notResource || a.noResource || a.anyResource {
		return b.noResource && a.noResource
	}
	for _, p := range a.resources {
		ok := false
		for _, q := range b.resources {
			if q == p || iamref.PatternCovers(q, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
