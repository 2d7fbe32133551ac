package norm

import (
	"encoding/binary"
	"hash/maphash"
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
	// NamesKnown is true when every pattern without a wildcard ("*",
	// "?") names a known action.
	NamesKnown bool
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
	// kb is the knowledge base the actions were expanded against.
	kb *iamref.KB
}

// New normalizes a document.
func New(kb *iamref.KB, doc *policy.Document) *Policy {
	return NewLike(kb, doc, nil)
}

// NewLike is New for a rewrite of a policy already normalized, prev (or
// nil): a statement whose Action (or NotAction) list is written as one
// of prev's, trimmed, takes that statement's results (Actions,
// Patterns, Raw, shared: they are never changed) instead of expanding
// its patterns again. They are functions of the list and the knowledge
// base alone, so the result is New's. A suggestion keeps most of the
// original's statements, and expanding patterns is most of the cost.
func NewLike(kb *iamref.KB, doc *policy.Document, prev *Policy) *Policy {
	p := &Policy{Doc: doc, Statements: make([]*Statement, len(doc.Statements)), kb: kb}
	vars := VarsInForce(doc)
	var known *actionLists
	if prev != nil && prev.kb == kb && len(prev.Statements) > 0 {
		known = newActionLists(prev)
	}
	for i := range doc.Statements {
		p.Statements[i] = newStatement(kb, &doc.Statements[i], vars, known)
	}
	return p
}

// actionLists finds the statements of a policy by their action list.
type actionLists struct {
	seed maphash.Seed
	by   map[uint64][]*Statement
}

func newActionLists(p *Policy) *actionLists {
	a := &actionLists{seed: maphash.MakeSeed(), by: make(map[uint64][]*Statement, len(p.Statements))}
	for _, st := range p.Statements {
		h := a.hash(st.NotAction, len(st.Raw), func(i int) string { return st.Raw[i] })
		a.by[h] = append(a.by[h], st)
	}
	return a
}

func (a *actionLists) hash(not bool, n int, text func(int) string) uint64 {
	var h maphash.Hash
	h.SetSeed(a.seed)
	if not {
		h.WriteByte(1)
	}
	for i := 0; i < n; i++ {
		h.WriteString(text(i))
		h.WriteByte(0)
	}
	return h.Sum64()
}

// find returns a statement whose action list, trimmed, is list's, or nil.
func (a *actionLists) find(list policy.List, not bool) *Statement {
	if a == nil {
		return nil
	}
	text := func(i int) string { return strings.TrimSpace(list.Values[i].Text) }
	for _, st := range a.by[a.hash(not, len(list.Values), text)] {
		if st.NotAction == not && len(st.Raw) == len(list.Values) && sameTexts(st.Raw, text) {
			return st
		}
	}
	return nil
}

func sameTexts(raw []string, text func(int) string) bool {
	for i, r := range raw {
		if r != text(i) {
			return false
		}
	}
	return true
}

// VarsInForce reports whether a document's policy variables are variables
// (Version 2012-10-17) rather than literal text.
func VarsInForce(doc *policy.Document) bool { return doc.Version == "2012-10-17" }

// NewStatement normalizes one statement.
func NewStatement(kb *iamref.KB, s *policy.Statement, vars bool) *Statement {
	return newStatement(kb, s, vars, nil)
}

// newStatement is NewStatement, taking the results for the action list
// from a known statement with the same list when there is one.
func newStatement(kb *iamref.KB, s *policy.Statement, vars bool, known *actionLists) *Statement {
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
	if k := known.find(list, st.NotAction); k != nil {
		st.Raw, st.Patterns = k.Raw, k.Patterns
		st.Actions, st.AllActions, st.NamesKnown = k.Actions, k.AllActions, k.NamesKnown
	} else {
		st.actions(kb, list)
	}
	st.resources(s)
	return st
}

// actions fills in what the Action or NotAction list designates.
func (st *Statement) actions(kb *iamref.KB, list policy.List) {
	st.Raw = make([]string, len(list.Values))
	for i, v := range list.Values {
		st.Raw[i] = strings.TrimSpace(v.Text)
	}
	st.Patterns = lowerAll(st.Raw)
	for i, p := range st.Patterns {
		if iamref.IsAllWildcard(p) {
			st.Patterns[i] = "*:*"
		}
	}
	designated, known := expand(kb, st.Raw)
	st.NamesKnown = known
	if st.NotAction {
		rest := kb.All().Clone()
		rest.AndNot(designated)
		st.Actions = rest
		st.AllActions = designated.IsEmpty()
	} else {
		st.Actions = designated
		st.AllActions = designated.Len() == kb.NumActions()
	}
}

// resources fills in what the Resource or NotResource element names.
func (st *Statement) resources(s *policy.Statement) {
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
}

// lowerAll is strings.ToLower of each text. When all are ASCII, as
// nearly always, they share one allocation rather than one each.
func lowerAll(texts []string) []string {
	out := make([]string, len(texts))
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	buf := make([]byte, 0, n)
	for _, t := range texts {
		buf = append(buf, t...)
	}
	if !asciiBytes(buf) {
		for i, t := range texts {
			out[i] = strings.ToLower(t)
		}
		return out
	}
	lowerASCII(buf)
	all := string(buf)
	for i, t := range texts {
		out[i], all = all[:len(t)], all[len(t):]
	}
	return out
}

// asciiBytes reports text without a byte from 0x80, testing eight bytes
// at a time.
func asciiBytes(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return false
		}
	}
	return true
}

// lowerASCII turns the upper-case letters of ASCII text to lower case,
// eight bytes at a time: a byte from 'A' to 'Z' gains 0x20.
func lowerASCII(b []byte) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		// Bytes are below 0x80: adding 0x80-'A' sets the high bit of
		// those from 'A', adding 0x80-('Z'+1) of those after 'Z',
		// without a carry into the next byte.
		upper := (w + ones*(0x80-'A')) &^ (w + ones*(0x80-'Z'-1)) & highs
		binary.LittleEndian.PutUint64(b[i:], w|upper>>2)
	}
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// Expand is the union of what action patterns match among the known
// actions. The result may be a set the knowledge base shares: never
// change it in place.
func Expand(kb *iamref.KB, patterns []string) iamref.ActionSet {
	set, _ := expand(kb, patterns)
	return set
}

// expand is Expand; known reports whether every pattern without a
// wildcard names a known action.
func expand(kb *iamref.KB, patterns []string) (set iamref.ActionSet, known bool) {
	switch len(patterns) {
	case 0:
		return nil, true
	case 1:
		p := patterns[0]
		set = kb.Expand(p)
		return set, strings.ContainsAny(p, "*?") || !emptyFromEnd(set)
	}
	// The union is sized once, for the largest set: the sets of named
	// actions are short, a wildcard's may span the knowledge base. A
	// name without a wildcard designates the one action of that name
	// (kb.Expand gives the set of just kb.Action(name)): its bit is set
	// directly rather than OR-ing a set of as many words as its ID.
	var small [16]iamref.ActionSet
	sets := small[:0]
	var smallIDs [64]iamref.ActionID
	ids := smallIDs[:0]
	n := 0
	known = true
	for _, p := range patterns {
		if !strings.ContainsAny(p, "*?") {
			if a := kb.Action(p); a != nil {
				ids = append(ids, a.ID)
				n = max(n, int(a.ID)>>6+1)
			} else {
				known = false
			}
			continue
		}
		s := kb.Expand(p)
		sets = append(sets, s)
		n = max(n, len(s))
	}
	if n == 0 {
		return nil, known
	}
	set = make(iamref.ActionSet, n)
	for _, s := range sets {
		for i, w := range s {
			set[i] |= w
		}
	}
	for _, id := range ids {
		set[id>>6] |= 1 << (uint(id) & 63)
	}
	return set, known
}

// emptyFromEnd reports an empty set, looking from its last word: the
// set of one named action has its bit there.
func emptyFromEnd(s iamref.ActionSet) bool {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 0 {
			return false
		}
	}
	return true
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
