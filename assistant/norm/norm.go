package norm

import (
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
)

// Resources says how a statement names its resources.
type Resources uint8

const (
	Listed    Resources = iota // Resource
	NotListed                  // NotResource
	Unnamed                    // neither: the resource the policy is attached to
)

// Statement is one statement of a policy, normalized.
type Statement struct {
	Src *policy.Statement

	Allow, Deny bool // neither when the Effect is invalid

	// Actions is what Action designates, or what NotAction leaves, among
	// the known actions. It may share the knowledge base's sets: never
	// change it in place.
	Actions   iamref.ActionSet
	NotAction bool
	// AllActions is true when Action designates every known action ("*",
	// "*:*" in any spelling) or NotAction excludes none.
	AllActions bool
	// Patterns are the values of Action or NotAction, trimmed and in
	// lower case, with "*" written "*:*" (every action has a colon);
	// Raw has them trimmed, as written.
	Patterns, Raw []string

	Resources Resources
	// ResourceList is Resource or NotResource, trimmed.
	ResourceList []string
	// AnyResource is true when Resource holds a pattern matching every
	// resource.
	AnyResource bool

	Principal, NotPrincipal *policy.Principal
	Conditions              []policy.Condition

	// Vars is true when policy variables are in force (Version
	// 2012-10-17); otherwise "${...}" is literal text.
	Vars bool
}

// Policy is a policy document, normalized.
type Policy struct {
	Doc        *policy.Document
	Statements []*Statement
}

// New normalizes a document.
func New(kb *iamref.KB, doc *policy.Document) *Policy {
	p := &Policy{Doc: doc, Statements: make([]*Statement, len(doc.Statements))}
	vars := VarsInForce(doc)
	for i := range doc.Statements {
		p.Statements[i] = NewStatement(kb, &doc.Statements[i], vars)
	}
	return p
}

// VarsInForce reports whether a document's policy variables are variables
// (Version 2012-10-17) rather than literal text.
func VarsInForce(doc *policy.Document) bool { return doc.Version == "2012-10-17" }

// NewStatement normalizes one statement.
func NewStatement(kb *iamref.KB, s *policy.Statement, vars bool) *Statement {
	st := &Statement{
		Src:          s,
		Principal:    s.Principal,
		NotPrincipal: s.NotPrincipal,
		Conditions:   s.Conditions,
		Vars:         vars,
	}
	switch strings.ToLower(strings.TrimSpace(s.Effect)) {
	case "allow":
		st.Allow = true
	case "deny":
		st.Deny = true
	}

	list := s.Action
	if s.NotAction.Set {
		list, st.NotAction = s.NotAction, true
	}
	st.Raw = make([]string, len(list.Values))
	st.Patterns = make([]string, len(list.Values))
	for i, v := range list.Values {
		t := strings.TrimSpace(v.Text)
		st.Raw[i] = t
		p := strings.ToLower(t)
		if iamref.IsAllWildcard(p) {
			p = "*:*"
		}
		st.Patterns[i] = p
	}
	designated := Expand(kb, st.Raw)
	if st.NotAction {
		rest := kb.All().Clone()
		rest.AndNot(designated)
		st.Actions = rest
		st.AllActions = designated.IsEmpty()
	} else {
		st.Actions = designated
		st.AllActions = designated.Len() == kb.NumActions()
	}

	switch {
	case s.NotResource.Set:
		st.Resources = NotListed
		st.ResourceList = s.NotResource.Trimmed()
	case s.Resource.Set:
		st.Resources = Listed
		st.ResourceList = s.Resource.Trimmed()
		for _, r := range st.ResourceList {
			if iamref.IsAllWildcard(r) {
				st.AnyResource = true
			}
		}
	default:
		st.Resources = Unnamed
	}
	return st
}

// Expand is the union of what action patterns match among the known
// actions. The result may be a set the knowledge base shares: never
// change it in place.
func Expand(kb *iamref.KB, patterns []string) iamref.ActionSet {
	switch len(patterns) {
	case 0:
		return nil
	case 1:
		return kb.Expand(patterns[0])
	}
	// The union is sized once, for the largest set: the sets of named
	// actions are short, a wildcard's may span the knowledge base.
	var small [16]iamref.ActionSet
	sets := small[:0]
	n := 0
	for _, p := range patterns {
		s := kb.Expand(p)
		sets = append(sets, s)
		n = max(n, len(s))
	}
	if n == 0 {
		return nil
	}
	out := make(iamref.ActionSet, n)
	for _, s := range sets {
		for i, w := range s {
			out[i] |= w
		}
	}
	return out
}

// Unconditional reports a statement with no condition.
func (s *Statement) Unconditional() bool { return len(s.Conditions) == 0 }

// EveryPrincipal reports whether the statement applies to every principal:
// it names none (an identity policy), or names "*" (bare or as an AWS
// principal) and excludes none.
func (s *Statement) EveryPrincipal() bool {
	if s.NotPrincipal != nil {
		return false
	}
	p := s.Principal
	if p == nil || p.Any {
		return true
	}
	for _, e := range p.Entries {
		if strings.EqualFold(e.Kind, "AWS") {
			for _, v := range e.Values.Values {
				if iamref.IsAllWildcard(strings.TrimSpace(v.Text)) {
					return true
				}
			}
		}
	}
	return false
}

// IsAccountID reports a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
