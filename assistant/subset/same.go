package subset

import (
	"hash/maphash"
	"slices"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
)

// A suggestion mostly keeps the original's statements as they are and
// narrows a few. An Allow of the new policy that is the same statement as
// an Allow of the original, in everything the proof reads, is covered
// without the search: allowCovered would prove it anyway, because every
// test it makes is reflexive. The original statement is among the
// candidates (principalGap and condGap accept a statement against
// itself), it covers each of its own resource units (covers(p, v, p, v)
// holds for every pattern, with variables or without, since both sides
// give variables the same meaning), its action set takes away all that
// is needed, and each of its action patterns covers itself
// (actionPatternCovered finds the same pattern among its own). So the
// shortcut gives the very verdict of the search, not merely a sound one;
// TestSameAllowShortcut checks that on random policies.
//
// The shortcut answers only for the Allow: that the original's Denies
// still hold in the new policy is proven by denyKept for every Deny
// whatever the Allows, so a suggestion that keeps every Allow and drops
// or weakens a Deny is still refused.

// A narrowed Allow is covered without the search too: one that, against
// an Allow of the original with the same effect, principals, conditions
// and meaning of variables, lists Action on both, has only actions the
// original statement has, only resources it lists as they are (or it
// names every resource with "*"), and, among the patterns that need a
// proof as patterns (a wildcard, an unknown name), only the original
// statement's own. The search would prove it for the same reasons: the
// original statement is among the candidates, it covers each resource
// unit (the same pattern covers itself; "*" covers any), its action set
// holds all that is needed, and its own patterns cover themselves. When
// a pattern is not the original's, the search decides: "s3:Get*" is not
// covered by every s3:Get action named one by one, though the bits are
// the same (TestNarrowedShortcut). A NotAction list narrowed means more
// actions excluded; that too is left to the search.

// corePrint hashes what the proof reads of a statement but its actions
// and resources, for finding the statements that may cover it quickly;
// sameStmt and narrowedFrom have the last word.
func corePrint(seed maphash.Seed, s *stmt) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	flags := byte(0)
	for i, b := range []bool{s.Allow, s.Deny, s.Vars, s.Principal != nil, s.NotPrincipal != nil} {
		if b {
			flags |= 1 << i
		}
	}
	h.WriteByte(flags)
	writePrincipal(&h, s.Principal)
	writePrincipal(&h, s.NotPrincipal)
	for i := range s.Conditions {
		c := &s.Conditions[i]
		h.WriteString(c.Operator)
		h.WriteByte(0)
		h.WriteString(c.Key)
		h.WriteByte(0)
		writeValues(&h, c.Values)
	}
	return h.Sum64()
}

func writeValues(h *maphash.Hash, l policy.List) {
	for _, v := range l.Values {
		h.WriteString(v.Text)
		h.WriteByte(0)
	}
	h.WriteByte(1)
}

func writePrincipal(h *maphash.Hash, p *policy.Principal) {
	if p == nil {
		return
	}
	if p.Any {
		h.WriteByte(2)
	}
	for _, e := range p.Entries {
		h.WriteString(e.Kind)
		h.WriteByte(0)
		writeValues(h, e.Values)
	}
}

// sameStmt reports whether two prepared statements are equal in every
// field the proof reads (their positions and Sids aside).
func sameStmt(a, b *stmt) bool {
	return sameCore(a, b) && a.NotAction == b.NotAction &&
		a.Resources == b.Resources && a.AnyResource == b.AnyResource &&
		slices.Equal(a.ResourceList, b.ResourceList) &&
		a.actions.lo == b.actions.lo && slices.Equal(a.actions.w, b.actions.w) &&
		slices.Equal(a.Raw, b.Raw) && slices.Equal(a.Patterns, b.Patterns)
}

// sameCore reports whether two prepared statements have the same effect,
// meaning of variables, principals and conditions.
func sameCore(a, b *stmt) bool {
	return a.Allow == b.Allow && a.Deny == b.Deny && a.Vars == b.Vars &&
		samePrincipal(a.Principal, b.Principal) && samePrincipal(a.NotPrincipal, b.NotPrincipal) &&
		slices.EqualFunc(a.Conditions, b.Conditions, sameCondition)
}

// narrowedFrom reports whether the Allow b is a narrowed (see above).
func narrowedFrom(kb *iamref.KB, a, b *stmt) bool {
	if a.NotAction || b.NotAction || !sameCore(a, b) || !resourcesWithin(a, b) {
		return false
	}
	for i, w := range b.actions.w {
		if w&^a.actions.word(b.actions.lo+i) != 0 {
			return false
		}
	}
	for i := range b.Raw {
		if b.needsPatternProof(kb, i) && !slices.Contains(a.Patterns, b.Patterns[i]) {
			return false
		}
	}
	return true
}

// resourcesWithin reports whether a's Resource is "*" or lists each of
// b's Resource patterns as it is.
func resourcesWithin(a, b *stmt) bool {
	if a.Resources != norm.Listed {
		return false
	}
	if a.AnyResource {
		return true
	}
	if b.Resources != norm.Listed {
		return false
	}
	for _, r := range b.ResourceList {
		if !slices.Contains(a.ResourceList, r) {
			return false
		}
	}
	return true
}

func samePrincipal(a, b *policy.Principal) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Any == b.Any && slices.EqualFunc(a.Entries, b.Entries, func(x, y policy.PrincipalEntry) bool {
		return x.Kind == y.Kind && sameValues(x.Values, y.Values)
	})
}

func sameCondition(a, b policy.Condition) bool {
	return a.Operator == b.Operator && a.Key == b.Key && sameValues(a.Values, b.Values)
}

func sameValues(a, b policy.List) bool {
	return slices.EqualFunc(a.Values, b.Values, func(x, y policy.Value) bool { return x.Text == y.Text })
}
