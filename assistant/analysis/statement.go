package analysis

import (
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
)

// reach is how far a statement lets an action go.
type reach uint8

const (
	reachNone    reach = iota // the statement does not grant it
	reachLimited              // named resources, or narrowed by conditions
	reachBroad                // every resource of the type, unconditionally
)

// stmt is one statement of the shared normalized model, with what the
// analysis works out on top of it.
type stmt struct {
	*norm.Statement

	// eff is what an Allow really grants once unconditional Denies are
	// taken out. It may share storage with the knowledge base or with
	// Actions: it is replaced, never changed in place.
	eff iamref.ActionSet

	cond conditions

	kb       *iamref.KB
	patterns []*patternReach // of ResourceList, once typeReach needs them
}

// newStmt reads one statement; attached is true for a policy attached to
// the principals it grants to (identity policies, boundaries, SCPs), as
// opposed to a resource or trust policy that names them.
func newStmt(kb *iamref.KB, s *norm.Statement, attached bool) *stmt {
	return &stmt{Statement: s, kb: kb, cond: summarize(kb, s.Conditions, attached)}
}

// notResource reports a statement written with NotResource.
func (st *stmt) notResource() bool { return st.Resources == norm.NotListed }

// noResource reports a statement with neither Resource nor NotResource:
// the resource the policy is attached to is meant.
func (st *stmt) noResource() bool { return st.Resources == norm.Unnamed }

// unconditional reports whether the statement has no condition at all.
func (st *stmt) unconditional() bool { return !st.cond.present }

// resourceReach is how far the statement's resources reach for an action,
// ignoring conditions. A request carries every resource type the action
// requires, and each must be allowed: the reach is that of the least
// reached required type (or of the best type, when none is required).
func (st *stmt) resourceReach(a *iamref.Action) reach {
	if r, done := st.trivialReach(a); done {
		return r
	}
	required, best, worst := false, reachNone, reachBroad
	for _, ref := range a.Resources {
		r := st.typeReach(ref.Type)
		if r > best {
			best = r
		}
		if ref.Required {
			required = true
			if r < worst {
				worst = r
			}
		}
	}
	if required {
		return worst
	}
	return best
}

// matchesAny reports whether some resource of the statement is of a type
// the action accepts: when not, the statement cannot grant the action.
func (st *stmt) matchesAny(a *iamref.Action) bool {
	if r, done := st.trivialReach(a); done {
		return r != reachNone
	}
	for _, ref := range a.Resources {
		if st.typeReach(ref.Type) != reachNone {
			return true
		}
	}
	return false
}

// trivialReach answers what needs no resource-type matching.
func (st *stmt) trivialReach(a *iamref.Action) (reach, bool) {
	switch {
	case st.noResource():
		// Trust and some resource policies have no Resource: the
		// policy's own resource is meant.
		return reachLimited, true
	case st.notResource():
		return reachBroad, true
	case st.AnyResource:
		return reachBroad, true
	case !a.ResourceLevel():
		return reachNone, true
	case a.Service.Prefix == "iam" && a.Level >= iamref.Write && allAWSManaged(st.ResourceList):
		// AWS managed policies (account "aws") cannot be changed by anyone.
		return reachNone, true
	}
	return 0, false
}

// typeReach is how far the statement's resources reach resources of
// the type: the farthest any of its patterns reaches.
func (st *stmt) typeReach(rt *iamref.ResourceType) reach {
	if st.patterns == nil {
		st.patterns = make([]*patternReach, len(st.ResourceList))
		for i, p := range st.ResourceList {
			st.patterns[i] = sharedPattern(p)
		}
	}
	r := reachNone
	for _, pr := range st.patterns {
		if r = max(r, pr.of(st.kb, rt)); r == reachBroad {
			break
		}
	}
	return r
}

// BroadFor reports whether an ARN pattern reaches every resource of the
// type rather than named ones: it must match two ARNs of the type that
// differ in their first name. Policy variables and template placeholders
// count as one specific name.
func BroadFor(pattern string, rt *iamref.ResourceType) bool {
	if iamref.IsAllWildcard(pattern) {
		return true
	}
	return broadMemo.get(broadKey{pattern, rt}, func(k broadKey) bool { return broadFor(k.pattern, k.rt) })
}

// broadMemo remembers BroadFor's answers: the same patterns come back for
// every action of a statement, in the suggestion's analysis and in the
// next policy.
var broadMemo memo[broadKey, bool]

type broadKey struct {
	pattern string
	rt      *iamref.ResourceType
}

func broadFor(pattern string, rt *iamref.ResourceType) bool {
	p := specificVars(pattern)
	if !hasWildcard(p) {
		return false // one ARN, at most
	}
	fields := strings.SplitN(p, ":", 6)
	for _, f := range rt.ARNFormats {
		a := instantiate(f, fields, "pcqa")
		b := instantiate(f, fields, "pcqb")
		if a == b {
			continue
		}
		if iamref.PatternsIntersect(p, a) && iamref.PatternsIntersect(p, b) {
			return true
		}
	}
	return false
}

// hasWildcard reports whether s holds "*" or "?": strings.ContainsAny(s,
// "*?") in two byte searches, without building a set each time.
func hasWildcard(s string) bool {
	return strings.IndexByte(s, '*') >= 0 || strings.IndexByte(s, '?') >= 0
}

// specificVars replaces policy variables and placeholders (${...}) by a
// fixed name, so that "user/${aws:username}" reads as one user.
func specificVars(p string) string {
	return replaceVars(p, func(string) string { return "pcqvar" })
}

// instantiate fills an ARN format: partition, region and account from the
// pattern when it names them, the first other variable with name and the
// rest with fixed text.
func instantiate(format string, fields []string, name string) string {
	field := func(i int, def string) string {
		if i < len(fields) && fields[i] != "" && !hasWildcard(fields[i]) {
			return fields[i]
		}
		return def
	}
	first := true
	return replaceVars(format, func(v string) string {
		switch v {
		case "Partition":
			return field(1, "aws")
		case "Region":
			return field(3, "us-east-1")
		case "Account":
			return field(4, "123456789012")
		}
		if first {
			first = false
			return name
		}
		return "pcqrest"
	})
}

// replaceVars replaces every ${name} of s by what with(name) says; an
// unclosed "${" is left as it is.
func replaceVars(s string, with func(name string) string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(with(s[i+2 : i+j]))
		s = s[i+j+1:]
	}
}
