package subset

import (
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
)

// Verdict is the answer to "does the new policy grant anything the
// original does not?".
type Verdict struct {
	// Proven is true when every request the new policy allows, the
	// original allows too. False means "not proven", not "broader".
	Proven bool
	// Reason says in plain words why it is not proven: "the suggestion
	// allows s3:DeleteObject, which the original did not". Empty when
	// Proven.
	Reason string
	// Action and Resource are the first action (or action pattern) and
	// resource pattern that could not be covered; empty when Proven.
	Action, Resource string
}

// checker holds the prepared statements of one Check.
type checker struct {
	kb            *iamref.KB
	aAllow, aDeny []*stmt // the original's
	bAllow, bDeny []*stmt // the new policy's
	// bDenied is what the new policy denies to every principal on every
	// resource without condition: its Allows grant none of it.
	bDenied wset
	// bDeniedPatterns are the action patterns of those Denies (lower
	// case), which deny future actions too.
	bDeniedPatterns []string
	// cover caches resCovers(aAllow[i], b, u) for the Allow b under proof:
	// index i*units+u, 0 unknown, 1 yes, 2 no.
	cover []uint8
	units int
	// seed and aCores fingerprint the original's Allows, for finding
	// the new policy's Allows that are the same statement or that
	// statement narrowed (same.go).
	seed   maphash.Seed
	aCores []uint64
}

// Check reports whether policy b grants nothing policy a does not. It
// applies to identity, resource, trust and control policies alike. It is
// sound: Proven is never true when b grants more, though it can be false
// when b is in fact no broader.
func Check(kb *iamref.KB, a, b *policy.Document) Verdict {
	return CheckPolicies(kb, norm.New(kb, a), norm.New(kb, b))
}

// CheckPolicies is Check for documents already normalized with norm.New,
// which it does not change.
func CheckPolicies(kb *iamref.KB, a, b *norm.Policy) Verdict {
	return check(kb, a, b, true)
}

// check is CheckPolicies; without shortcut every Allow goes through the
// search, even one the original has as it is or narrowed (for tests).
func check(kb *iamref.KB, a, b *norm.Policy, shortcut bool) Verdict {
	c := &checker{kb: kb}
	c.aAllow, c.aDeny = prepare(kb, a)
	c.bAllow, c.bDeny = prepare(kb, b)
	var denied []wset
	for _, d := range c.bDeny {
		if d.unconditionalEverywhere() {
			denied = append(denied, d.actions)
			if !d.NotAction {
				c.bDeniedPatterns = append(c.bDeniedPatterns, d.Patterns...)
			}
		}
	}
	c.bDenied = union(denied)
	for _, s := range c.bAllow {
		if shortcut && c.kept(s) {
			continue
		}
		if v, ok := c.allowCovered(s); !ok {
			return v
		}
	}
	for _, d := range c.aDeny {
		if v, ok := c.denyKept(d); !ok {
			return v
		}
	}
	return Verdict{Proven: true}
}

func prepare(kb *iamref.KB, p *norm.Policy) (allow, deny []*stmt) {
	for _, ns := range p.Statements {
		s := newStmt(ns)
		switch {
		case s.Allow:
			s.idx = len(allow)
			allow = append(allow, s)
		case s.Deny:
			s.idx = len(deny)
			deny = append(deny, s)
		}
	}
	return allow, deny
}

// kept reports whether the original has the Allow b as it is, or an
// Allow that b narrows: then allowCovered would prove it (see same.go).
func (c *checker) kept(b *stmt) bool {
	if c.aCores == nil {
		c.seed = maphash.MakeSeed()
		c.aCores = make([]uint64, len(c.aAllow))
		for i, a := range c.aAllow {
			c.aCores[i] = corePrint(c.seed, a)
		}
	}
	core := corePrint(c.seed, b)
	for i, p := range c.aCores {
		if p == core && sameStmt(c.aAllow[i], b) {
			return true
		}
	}
	for i, p := range c.aCores {
		if p == core && narrowedFrom(c.kb, c.aAllow[i], b) {
			return true
		}
	}
	return false
}

// allowCovered proves that the original grants everything the Allow b
// grants.
func (c *checker) allowCovered(b *stmt) (Verdict, bool) {
	c.units = b.units()
	if n := len(c.aAllow) * c.units; cap(c.cover) >= n {
		c.cover = c.cover[:n]
		clear(c.cover)
	} else {
		c.cover = make([]uint8, n)
	}
	// The original's Allows that may vouch for b: they let in b's
	// principals and b keeps their conditions.
	var cands []*stmt
	for _, a := range c.aAllow {
		if _, ok := principalGap(a, b); !ok {
			continue
		}
		if _, _, ok := condGap(a, b); !ok {
			continue
		}
		cands = append(cands, a)
	}

	// Known actions, resource unit by resource unit: subtract whole
	// action sets of the statements that cover the unit.
	lo := b.actions.lo
	base := slices.Clone(b.actions.w)
	andNotWin(base, lo, c.bDenied)
	if !emptyWin(base) {
		need := make([]uint64, len(base))
		for u := 0; u < c.units; u++ {
			copy(need, base)
			for _, a := range cands {
				if intersectsWin(need, lo, a.actions) && c.resCover(a, b, u) {
					andNotWin(need, lo, a.actions)
					if emptyWin(need) {
						break
					}
				}
			}
			var missing *iamref.Action
			eachWin(need, lo, func(id iamref.ActionID) bool {
				x := c.kb.ActionByID(id)
				if relevant(c.kb, x, b, u) {
					missing = x
					return false
				}
				return true
			})
			if missing != nil {
				id := missing.ID
				return c.explain(b, []int{u}, missing.FullName(), false,
					func(a *stmt) bool { return a.actions.has(id) }), false
			}
		}
	}

	// Patterns: actions AWS adds later, and names the knowledge base
	// does not know, must be covered by one statement's patterns.
	all := make([]int, c.units)
	for u := range all {
		all[u] = u
	}
	if b.NotAction {
		excl := b.Patterns
		if !c.coveredByOne(cands, b, func(a *stmt) bool { return notActionCovered(a, excl) }) {
			return c.explain(b, all, b.actionText(), true, func(a *stmt) bool { return notActionCovered(a, excl) }), false
		}
		return Verdict{}, true
	}
	for i, raw := range b.Raw {
		if !b.needsPatternProof(c.kb, i) {
			continue
		}
		p := b.Patterns[i]
		grants := func(a *stmt) bool { return actionPatternCovered(a, p, c.bDeniedPatterns) }
		if !c.coveredByOne(cands, b, grants) {
			return c.explain(b, all, raw, true, grants), false
		}
	}
	return Verdict{}, true
}

// coveredByOne reports whether one candidate designates the pattern and
// covers every resource unit of b.
func (c *checker) coveredByOne(cands []*stmt, b *stmt, grants func(*stmt) bool) bool {
	for _, a := range cands {
		if !grants(a) {
			continue
		}
		ok := true
		for u := 0; u < c.units && ok; u++ {
			ok = c.resCover(a, b, u)
		}
		if ok {
			return true
		}
	}
	return false
}

func (c *checker) resCover(a, b *stmt, u int) bool {
	k := a.idx*c.units + u
	switch c.cover[k] {
	case 1:
		return true
	case 2:
		return false
	}
	ok := resCovers(a, b, u)
	c.cover[k] = 2
	if ok {
		c.cover[k] = 1
	}
	return ok
}

// explain words why what (an action or pattern) on b's resource units
// is not covered: nothing in the original grants it, or not on those
// resources, or not to those principals, or not without a condition the
// suggestion dropped.
func (c *checker) explain(b *stmt, units []int, what string, pattern bool, grants func(*stmt) bool) Verdict {
	v := Verdict{Action: what}
	if b.Resources == norm.Listed && len(units) > 0 {
		v.Resource = b.ResourceList[units[0]]
	}
	label := what
	if pattern && !b.NotAction {
		label = what + " (and any action AWS adds that matches it)"
	}
	var granting []*stmt
	for _, a := range c.aAllow {
		if grants(a) {
			granting = append(granting, a)
		}
	}
	if len(granting) == 0 {
		v.Reason = fmt.Sprintf("the suggestion allows %s, which the original did not", label)
		return v
	}
	// Resources first: a unit no granting statement covers.
	var onRes []*stmt
	for _, u := range units {
		any := false
		for _, a := range granting {
			if c.resCover(a, b, u) {
				any = true
			}
		}
		if !any {
			v.Resource = b.unitText(u)
			v.Reason = fmt.Sprintf("the suggestion allows %s on %s, outside the original's resources", label, b.unitText(u))
			return v
		}
	}
	for _, a := range granting {
		ok := true
		for _, u := range units {
			ok = ok && c.resCover(a, b, u)
		}
		if ok {
			onRes = append(onRes, a)
		}
	}
	for _, a := range onRes {
		if who, ok := principalGap(a, b); !ok {
			v.Reason = fmt.Sprintf("the suggestion grants %s to %s, which the original did not", label, who)
			return v
		}
	}
	for _, a := range onRes {
		if cond, loosened, ok := condGap(a, b); !ok {
			if loosened {
				v.Reason = fmt.Sprintf("the suggestion loosens the original's condition %s (%s) for %s", cond.Key, cond.Operator, label)
			} else {
				v.Reason = fmt.Sprintf("the suggestion drops the original's condition %s for %s", cond.Key, label)
			}
			return v
		}
	}
	where := "its resources"
	if len(units) > 0 {
		where = b.unitText(units[0])
	}
	v.Reason = fmt.Sprintf("the suggestion allows %s on %s in one statement, which no single statement of the original covers", label, where)
	return v
}

// denyKept proves that the Deny d of the original still holds in the new
// policy: Denies of the new policy deny at least its actions, on at least
// its resources, to at least its principals, under no more conditions.
func (c *checker) denyKept(d *stmt) (Verdict, bool) {
	var covering []*stmt
	for _, e := range c.bDeny {
		if _, ok := principalGap(e, d); !ok {
			continue
		}
		if _, _, ok := condGap(e, d); !ok {
			continue
		}
		ok := true
		for u := 0; u < d.units() && ok; u++ {
			ok = resCovers(e, d, u)
		}
		if ok {
			covering = append(covering, e)
		}
	}
	fail := func(action string) (Verdict, bool) {
		v := Verdict{
			Reason: fmt.Sprintf("the suggestion removes the original's Deny of %s", d.actionText()),
			Action: action,
		}
		if d.Resources == norm.Listed && len(d.ResourceList) > 0 {
			v.Resource = d.ResourceList[0]
		}
		return v, false
	}
	// Known actions, as a union of the covering Denies.
	if !d.actions.empty() {
		sets := make([]wset, len(covering))
		for i, e := range covering {
			sets[i] = e.actions
		}
		rest := slices.Clone(d.actions.w)
		andNotWin(rest, d.actions.lo, union(sets))
		if !emptyWin(rest) {
			if d.NotAction {
				return fail(d.actionText())
			}
			missing := wset{lo: d.actions.lo, w: rest}
			for _, raw := range d.Raw {
				if w := window(c.kb.Expand(raw)); intersectsWin(w.w, w.lo, missing) {
					return fail(raw)
				}
			}
			return fail(d.actionText())
		}
	}
	// Patterns, one covering Deny each.
	one := func(grants func(*stmt) bool) bool {
		for _, e := range covering {
			if grants(e) {
				return true
			}
		}
		return false
	}
	if d.NotAction {
		excl := d.Patterns
		if !one(func(e *stmt) bool { return notActionCovered(e, excl) }) {
			return fail(d.actionText())
		}
		return Verdict{}, true
	}
	for i, raw := range d.Raw {
		if !d.needsPatternProof(c.kb, i) {
			continue
		}
		p := d.Patterns[i]
		if !one(func(e *stmt) bool { return actionPatternCovered(e, p, nil) }) {
			return fail(raw)
		}
	}
	return Verdict{}, true
}
