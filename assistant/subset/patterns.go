package subset

import (
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
)

// covers reports whether every string the inner pattern can match is
// matched by the outer one. Policy variables ("${aws:username}") take one
// value per request: in the inner pattern that value can be anything, so
// the variable counts as "*"; in the outer pattern it is one unknown
// name, which covers only the same variable at the same place, so an
// outer pattern with variables covers only itself (and only when both
// policies give variables the same meaning).
func covers(outer string, outerVars bool, inner string, innerVars bool) bool {
	return !literalsDiffer(outer, inner) && coversPatterns(outer, outerVars, inner, innerVars)
}

// coversPatterns is covers without the quick test of literalsDiffer.
func coversPatterns(outer string, outerVars bool, inner string, innerVars bool) bool {
	if strings.Contains(outer, "${") {
		return outer == inner && outerVars == innerVars
	}
	if iamref.IsAllWildcard(outer) || outer == inner {
		return true
	}
	if oddQuestionMark(outer, inner) {
		return false
	}
	inner = varsAsStar(inner)
	if !strings.HasPrefix(literalPrefix(inner), literalPrefix(outer)) ||
		!strings.HasSuffix(literalSuffix(inner), literalSuffix(outer)) {
		// Every inner string starts with the inner's literal prefix; the
		// outer one demands its own. (Same at the end.)
		return false
	}
	if k := strings.IndexAny(outer, "*?"); k >= 0 && k == len(outer)-1 && outer[k] == '*' {
		// Outer is its literal prefix and a "*": it matches whatever
		// starts so, as every inner string does. (PatternCovers finds
		// the same, walking the prefix and letting the "*" take the
		// rest.) Most resource and action patterns end this way.
		return true
	}
	return iamref.PatternCovers(outer, inner)
}

// literalsDiffer reports two patterns that differ at a byte before
// either has a wildcard or a variable: then outer covers nothing inner
// matches, as covers would find (each side's literal prefix holds the
// byte; with a variable in outer, outer != inner). The proof compares
// many patterns of other services and resources; this tells most of
// them apart at their first bytes.
func literalsDiffer(outer, inner string) bool {
	for i := 0; i < len(outer) && i < len(inner); i++ {
		a, b := outer[i], inner[i]
		if a == '*' || a == '?' || a == '$' || b == '*' || b == '?' || b == '$' {
			return false
		}
		if a != b {
			return true
		}
	}
	return false
}

// intersects reports whether some string matches both patterns, counting
// variables as "*" (an over-approximation, which is the safe side when
// the answer excludes something).
func intersects(a, b string) bool {
	if oddQuestionMark(a, b) {
		return true
	}
	return iamref.PatternsIntersect(varsAsStar(a), varsAsStar(b))
}

// oddQuestionMark reports patterns the matcher cannot judge: "?" is one
// character to AWS and one byte to the matcher, so next to text other
// than ASCII the answer is left to the safe side.
func oddQuestionMark(a, b string) bool {
	if !strings.Contains(a, "?") && !strings.Contains(b, "?") {
		return false
	}
	for _, s := range []string{a, b} {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return true
			}
		}
	}
	return false
}

// varsAsStar replaces each "${...}" by "*".
func varsAsStar(s string) string {
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
		b.WriteByte('*')
		s = s[i+j+1:]
	}
}

func literalPrefix(s string) string {
	if i := strings.IndexAny(s, "*?"); i >= 0 {
		return s[:i]
	}
	return s
}

func literalSuffix(s string) string {
	if i := strings.LastIndexAny(s, "*?"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// matchesStar reports whether a resource pattern matches the text "*",
// the resource IAM checks actions without resource types against.
func matchesStar(p string) bool {
	p = varsAsStar(p)
	q := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
		case '?':
			q++
		default:
			return false
		}
	}
	return q <= 1 && p != ""
}

// relevant reports whether a resource unit of a statement can grant the
// action at all: a Resource pattern that matches none of the action's
// resource types (nor "*") grants it nothing. Actions without resource
// types are always relevant, in case the knowledge base lags behind AWS.
func relevant(kb *iamref.KB, a *iamref.Action, s *stmt, u int) bool {
	if s.Resources != norm.Listed || !a.ResourceLevel() {
		return true
	}
	p := s.ResourceList[u]
	if matchesStar(p) || spansSegments(p) || strings.Contains(p, "//") {
		// AWS lets a "*" that ends an ARN segment match beyond the colon,
		// and some ARNs have empty parts (a CodeArtifact package without
		// a namespace: "npm//name"); the knowledge base's matching, by
		// segment and with non-empty names, cannot rule those out.
		return true
	}
	for _, ref := range a.Resources {
		if kb.MatchResource(p, ref.Type) {
			return true
		}
	}
	return false
}

// spansSegments reports an ARN pattern with a "*" ending one of its
// partition, service, region or account segments, which can match text
// with colons.
func spansSegments(p string) bool {
	f := strings.SplitN(p, ":", 6)
	for i := 1; i < len(f)-1 && i <= 4; i++ {
		if strings.HasSuffix(f[i], "*") {
			return true
		}
	}
	return false
}

// actionPatternCovered reports whether statement s designates every
// action the pattern p (lower case) can name, known or future, except
// those that match one of the patterns denied (lower case): patterns the
// policy that holds p denies everywhere, or nil.
func actionPatternCovered(s *stmt, p string, denied []string) bool {
	if s.NotAction {
		for _, q := range s.Patterns {
			if intersects(q, p) && !coveredByAny(denied, q) {
				return false
			}
		}
		return true
	}
	for _, q := range s.Patterns {
		if covers(q, true, p, true) {
			return true
		}
	}
	return false
}

// notActionCovered reports whether statement s designates every action
// except at most those of the NotAction list excl (lower case).
func notActionCovered(s *stmt, excl []string) bool {
	if !s.NotAction {
		for _, q := range s.Patterns {
			if q == "*:*" {
				return true
			}
		}
		return false
	}
	// s excludes its own list: each of its patterns must lie within excl.
	for _, q := range s.Patterns {
		ok := false
		for _, p := range excl {
			if covers(p, true, q, true) {
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

// needsPatternProof reports an action pattern whose future matches the
// bit sets cannot vouch for: a wildcard, or a name the knowledge base
// does not know.
func needsPatternProof(kb *iamref.KB, raw string) bool {
	return hasWildcard(raw) || emptyFromEnd(kb.Expand(raw))
}

// needsPatternProof is needsPatternProof for the statement's pattern i:
// when norm found every name without a wildcard known, only wildcards
// (a name with "${" is not known) need the proof, and no name is looked
// up again.
func (s *stmt) needsPatternProof(kb *iamref.KB, i int) bool {
	raw := s.Raw[i]
	if hasWildcard(raw) {
		return true
	}
	if s.NamesKnown {
		return false
	}
	return needsPatternProof(kb, raw)
}

// emptyFromEnd is ActionSet.IsEmpty looking from the last word: the set
// of one named action has its bit there, after a run of zero words.
func emptyFromEnd(s iamref.ActionSet) bool {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 0 {
			return false
		}
	}
	return true
}

// resCovers reports whether the outer statement's resources include
// resource unit u of the inner statement.
func resCovers(outer, inner *stmt, u int) bool {
	switch inner.Resources {
	case norm.Listed:
		p := inner.ResourceList[u]
		switch outer.Resources {
		case norm.Listed:
			if outer.AnyResource {
				return true
			}
			for _, q := range outer.ResourceList {
				if covers(q, outer.Vars, p, inner.Vars) {
					return true
				}
			}
		case norm.NotListed:
			for _, q := range outer.ResourceList {
				if intersects(q, p) {
					return false
				}
			}
			return true
		}
		return false
	case norm.NotListed:
		switch outer.Resources {
		case norm.Listed:
			return outer.AnyResource
		case norm.NotListed:
			// Everything but N_inner lies within everything but N_outer
			// when N_outer lies within N_inner.
			for _, q := range outer.ResourceList {
				ok := false
				for _, p := range inner.ResourceList {
					if covers(p, inner.Vars, q, outer.Vars) {
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
		return false
	}
	return outer.Resources == norm.Unnamed || (outer.Resources == norm.Listed && outer.AnyResource)
}

func coveredByAny(outer []string, p string) bool {
	for _, q := range outer {
		if covers(q, true, p, true) {
			return true
		}
	}
	return false
}
