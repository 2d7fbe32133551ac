package subset

import (
	"math/bits"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
)

// stmt is one statement prepared for the proof.
type stmt struct {
	*norm.Statement
	idx int // position among the Allows (or Denies) of its policy
	// actions is Statement.Actions as a window: it shares the set.
	actions wset
}

func newStmt(s *norm.Statement) *stmt {
	return &stmt{Statement: s, actions: trim(window(s.Actions))}
}

// units is how many resource units the statement has: one per Resource
// pattern, or one for a NotResource list or a missing Resource.
func (s *stmt) units() int {
	if s.Resources == norm.Listed {
		return len(s.ResourceList)
	}
	return 1
}

// unitText names a resource unit for the user.
func (s *stmt) unitText(u int) string {
	switch s.Resources {
	case norm.Listed:
		return s.ResourceList[u]
	case norm.NotListed:
		return "every resource except " + strings.Join(s.ResourceList, ", ")
	}
	return "the resource the policy is attached to"
}

// actionText names what the statement designates.
func (s *stmt) actionText() string {
	if s.NotAction {
		return "every action except " + strings.Join(s.Raw, ", ")
	}
	return strings.Join(s.Raw, ", ")
}

// unconditionalEverywhere reports a Deny that applies to every request
// it names the action of: no condition, every principal, every resource.
func (s *stmt) unconditionalEverywhere() bool {
	return s.Deny && len(s.Conditions) == 0 && s.NotPrincipal == nil &&
		(s.Principal == nil || s.Principal.Any) && s.Resources == norm.Listed && s.AnyResource
}

// hasWildcard reports a glob character or a policy variable.
func hasWildcard(p string) bool { return strings.ContainsAny(p, "*?") || strings.Contains(p, "${") }

// wset is a window of an action set: word i is word lo+i of the set;
// words outside are zero. A statement about a few actions of one service
// is a few words, so comparing two costs a few word operations rather
// than a pass over the whole knowledge base.
type wset struct {
	lo int
	w  []uint64
}

func (s wset) word(i int) uint64 {
	if k := i - s.lo; k >= 0 && k < len(s.w) {
		return s.w[k]
	}
	return 0
}

func (s wset) has(id iamref.ActionID) bool { return s.word(int(id)>>6)&(1<<(uint(id)&63)) != 0 }

func (s wset) empty() bool { return emptyWin(s.w) }

// window returns the words of s that hold bits, sharing s.
func window(s iamref.ActionSet) wset {
	// From each end to the first word with bits: a set that spans the
	// knowledge base is not read through.
	lo := 0
	for lo < len(s) && s[lo] == 0 {
		lo++
	}
	if lo == len(s) {
		return wset{}
	}
	hi := len(s)
	for s[hi-1] == 0 {
		hi--
	}
	return wset{lo: lo, w: s[lo:hi]}
}

// trim drops zero words at both ends.
func trim(s wset) wset {
	for len(s.w) > 0 && s.w[0] == 0 {
		s.w, s.lo = s.w[1:], s.lo+1
	}
	for len(s.w) > 0 && s.w[len(s.w)-1] == 0 {
		s.w = s.w[:len(s.w)-1]
	}
	return s
}

// union joins sets; a single set is returned as it is.
func union(sets []wset) wset {
	switch len(sets) {
	case 0:
		return wset{}
	case 1:
		return sets[0]
	}
	lo, hi := sets[0].lo, 0
	for _, s := range sets {
		lo = min(lo, s.lo)
		hi = max(hi, s.lo+len(s.w))
	}
	out := wset{lo: lo, w: make([]uint64, hi-lo)}
	for _, s := range sets {
		for i, x := range s.w {
			out.w[s.lo+i-lo] |= x
		}
	}
	return out
}

// set returns s as a knowledge-base action set.
func (s wset) set() iamref.ActionSet {
	out := make(iamref.ActionSet, s.lo+len(s.w))
	copy(out[s.lo:], s.w)
	return out
}

// overlap returns the words of win (starting at word lo) that s may
// have bits in: win[i:j] against s.w[k:].
func overlap(win []uint64, lo int, s wset) (i, j, k int) {
	a, b := max(lo, s.lo), min(lo+len(win), s.lo+len(s.w))
	if a >= b {
		return 0, 0, 0
	}
	return a - lo, b - lo, a - s.lo
}

func andNotWin(win []uint64, lo int, s wset) {
	i, j, k := overlap(win, lo, s)
	for ; i < j; i, k = i+1, k+1 {
		win[i] &^= s.w[k]
	}
}

func intersectsWin(win []uint64, lo int, s wset) bool {
	i, j, k := overlap(win, lo, s)
	for ; i < j; i, k = i+1, k+1 {
		if win[i]&s.w[k] != 0 {
			return true
		}
	}
	return false
}

func emptyWin(win []uint64) bool {
	for _, x := range win {
		if x != 0 {
			return false
		}
	}
	return true
}

// eachWin calls fn for every action of the window in ascending order
// until fn returns false.
func eachWin(win []uint64, lo int, fn func(iamref.ActionID) bool) {
	for i, x := range win {
		for x != 0 {
			b := bits.TrailingZeros64(x)
			if !fn(iamref.ActionID((lo+i)<<6 | b)) {
				return
			}
			x &= x - 1
		}
	}
}
