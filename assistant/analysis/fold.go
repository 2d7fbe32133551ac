package analysis

import (
	"sort"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// impliedByAdmin are the categories of what a statement grants that full
// administrator access already grants: every action on every resource has
// each of these problems, and listing them beside it says nothing more.
var impliedByAdmin = map[report.Category]bool{
	report.PrivilegeEscalation: true, report.ServiceWildcard: true, report.WildcardResource: true,
	report.DataExfiltration: true, report.CredentialsExposure: true, report.PermissionsMgmt: true,
	report.PassRole: true, report.NotAction: true, report.NotResource: true,
}

// fold folds the findings that a full-administrator finding implies into
// it: Action "*" on "*" gives one finding that says how many escalation
// paths it also implies, not one per path. A finding is implied when it
// is on the same statement, or, when the administrator access is
// unconditional in a policy attached to its holders, on any Allow of the
// policy (the same holders get both). Findings about the policy's text
// (syntax, conditions, unknown actions) and about who a resource or
// trust policy lets in are never folded. It returns the folded findings.
func (r *review) fold() []*finding {
	var strong []*finding
	for _, f := range r.out {
		if f.Category == report.FullAdmin && f.scored {
			strong = append(strong, f)
		}
	}
	if len(strong) == 0 {
		return nil
	}
	attached := r.doc.Type != policy.Resource && r.doc.Type != policy.Trust
	into := func(f *finding) *finding {
		if !f.scored || !impliedByAdmin[f.Category] {
			return nil
		}
		for _, s := range strong {
			if s == f {
				continue
			}
			if s.rule == ruleNearlyFullAdmin {
				// Nearly everything is not everything: what the finding
				// needs must be among what the statement grants (wherever
				// the finding was reported), or be about the statement's
				// own NotAction or NotResource.
				if s.Statement == f.Statement && (f.Category == report.NotAction || f.Category == report.NotResource) ||
					r.grants(s.Statement, f.Actions) {
					return s
				}
				continue
			}
			if s.Statement == f.Statement {
				return s
			}
		}
		for _, s := range strong {
			if s.rule == ruleFullAdmin && attached {
				return s
			}
		}
		return nil
	}
	kept := r.out[:0]
	var folded []*finding
	counts := map[*finding]map[string]*report.Implied{}
	for _, f := range r.out {
		s := into(f)
		if s == nil {
			kept = append(kept, f)
			continue
		}
		folded = append(folded, f)
		if counts[s] == nil {
			counts[s] = map[string]*report.Implied{}
		}
		im := counts[s][f.Rule]
		if im == nil {
			im = &report.Implied{Rule: f.Rule, Category: f.Category}
			counts[s][f.Rule] = im
		}
		im.Count++
	}
	r.out = kept
	for s, byRule := range counts {
		for _, im := range byRule {
			s.Implies = append(s.Implies, *im)
		}
		sort.Slice(s.Implies, func(i, j int) bool { return s.Implies[i].Rule < s.Implies[j].Rule })
		s.Detail += " " + lang.English.Implied(s.Implies)
	}
	return folded
}

// grants reports whether the statement of index i grants every action
// named (none: false).
func (r *review) grants(i int, actions []string) bool {
	if len(actions) == 0 {
		return false
	}
	for _, st := range r.stmts {
		if st.Src.Index != i || st.Deny {
			continue
		}
		for _, a := range actions {
			set := r.kb.Expand(a)
			if set.IsEmpty() || !set.SubsetOf(st.eff) {
				return false
			}
		}
		return true
	}
	return false
}
