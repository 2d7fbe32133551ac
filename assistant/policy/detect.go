package policy

import "strings"

// detectType tells the policy type from the content alone: statements with
// a principal make a trust policy when all they allow is assuming the role
// (and tagging the session), else a resource policy; without principals a
// policy is an identity policy. An SCP cannot be told from its content.
func detectType(d *Document) Type {
	principals, trust := false, true
	for i := range d.Statements {
		s := &d.Statements[i]
		if s.Principal == nil && s.NotPrincipal == nil {
			continue
		}
		principals = true
		if s.NotAction.Set || len(s.Action.Values) == 0 {
			trust = false
		}
		for _, a := range s.Action.Values {
			if !trustAction(a.Text) {
				trust = false
			}
		}
	}
	switch {
	case principals && trust:
		return Trust
	case principals:
		return Resource
	}
	return Identity
}

// trustAction reports whether an action belongs in a role's trust policy.
func trustAction(a string) bool {
	a = strings.ToLower(a)
	if !strings.HasPrefix(a, "sts:") {
		return false
	}
	switch a = a[len("sts:"):]; {
	case strings.HasPrefix(a, "assumerole"):
		return !strings.ContainsAny(a, "*?") || a == "assumerole*"
	case a == "tagsession", a == "setsourceidentity", a == "setcontext":
		return true
	}
	return false
}
