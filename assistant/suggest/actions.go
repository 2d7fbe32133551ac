package suggest

import (
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// explicitMax is the most actions a narrowed wildcard is written out as
// names; beyond it, per-service patterns such as "ec2:Describe*" that
// match only List and Read actions keep the policy within AWS's size
// quotas.
const explicitMax = 100

// readPatterns is what "*" or an all-but-a-few NotAction becomes when even
// per-service patterns would not fit in a policy: read-only access to
// every service.
var readPatterns = []string{"*:Describe*", "*:Get*", "*:List*"}

// entry is one value of a suggested Action list.
type entry struct {
	text  string           // as the user wrote it, a canonical name, or a pattern
	act   *iamref.Action   // nil for a pattern or an unknown name
	set   iamref.ActionSet // what a pattern matches
	named bool             // written by the user
}

// isServiceWildcard reports "*", "*:*" or "s3:*": every action of one or
// all services.
func isServiceWildcard(p string) bool {
	if iamref.IsAllWildcard(p) {
		return true
	}
	_, act, ok := strings.Cut(p, ":")
	return ok && iamref.IsAllWildcard(act)
}

// readLevels is the set of List and Read actions.
func readLevels(kb *iamref.KB) iamref.ActionSet {
	s := kb.LevelSet(iamref.List).Clone()
	s.Or(kb.LevelSet(iamref.Read))
	return s
}

// entries returns the statement's Action values as entries, narrowing
// service wildcards and NotAction to List and Read actions when narrow is
// set. keepNot is true when the statement keeps its NotAction (entries is
// then nil). The entries are shared between attempts: do not change them.
func (b *builder) entries(i int, st *policy.Statement) ([]entry, bool) {
	// They depend on nothing else an attempt chooses: worked out once
	// per statement with narrow on and once with it off, the changes
	// they record replayed for the attempts after.
	k := 0
	if b.opts.narrow {
		k = 1
	}
	if b.entriesMemo[k] == nil {
		b.entriesMemo[k] = make([]*entriesResult, len(b.doc.Statements))
	}
	if r := b.entriesMemo[k][i]; r != nil {
		b.changes = append(b.changes, r.changes...)
		return r.ents, r.keepNot
	}
	mark := len(b.changes)
	ents, keepNot := b.writeEntries(i, st)
	ents = slices.Clip(ents)
	r := &entriesResult{ents: ents, keepNot: keepNot, changes: slices.Clone(b.changes[mark:])}
	b.entriesMemo[k][i] = r
	if !narrowable(st) {
		// Narrow changes nothing: the answer is the other's too.
		if b.entriesMemo[1-k] == nil {
			b.entriesMemo[1-k] = make([]*entriesResult, len(b.doc.Statements))
		}
		b.entriesMemo[1-k][i] = r
	}
	return ents, keepNot
}

// narrowable reports whether narrow can change the statement's entries:
// it has a NotAction or a service wildcard.
func narrowable(st *policy.Statement) bool {
	return st.NotAction.Set || slices.ContainsFunc(st.Action.Values, func(v policy.Value) bool {
		return isServiceWildcard(strings.TrimSpace(v.Text))
	})
}

// entriesResult is what entries gives for one statement, with the changes
// it records.
type entriesResult struct {
	ents    []entry
	keepNot bool
	changes []report.Change
}

// writeEntries works out entries.
func (b *builder) writeEntries(i int, st *policy.Statement) (out []entry, keepNot bool) {
	kb := b.kb
	// The actions the statement names or matches with patterns it keeps,
	// as a set only when narrowing needs it: a set of a few named actions
	// is as long as the highest action ID.
	var explicit explicitActions
	var wild []string
	var designated iamref.ActionSet
	pos := -1 // where the narrowed actions go in the list
	if st.NotAction.Set {
		if !b.opts.narrow {
			return nil, true
		}
		designated = kb.All().Clone()
		for _, v := range st.NotAction.Values {
			designated.AndNot(kb.Expand(strings.TrimSpace(v.Text)))
		}
		pos = 0
	}
	out = make([]entry, 0, len(st.Action.Values))
	for _, v := range st.Action.Values {
		t := strings.TrimSpace(v.Text)
		if !hasWildcard(t) {
			// A name: one look-up; it is never a service wildcard.
			a := kb.Action(t)
			if a != nil && explicit.has(a.ID) {
				continue
			}
			out = append(out, entry{text: t, act: a, named: true})
			if a != nil {
				explicit.add(a.ID)
			}
			continue
		}
		set := kb.Expand(t)
		if isServiceWildcard(t) && b.opts.narrow {
			wild = append(wild, t)
			designated.Or(set)
			if pos < 0 {
				pos = len(out)
			}
			continue
		}
		out = append(out, entry{text: t, set: set, named: true})
		explicit.sets = append(explicit.sets, set)
	}
	if pos < 0 {
		return out, false
	}
	fail := func() ([]entry, bool) {
		if st.NotAction.Set {
			return nil, true
		}
		return plainEntries(kb, st), false
	}
	// What the policy's Denies take out everywhere is not granted: the
	// narrowed list leaves it out.
	total := designated.Len()
	designated.AndNot(b.denied)
	// The actions the wildcards add, on resources they can apply to.
	w := designated.Clone()
	w.AndNot(explicit.set())
	if !hasAnyResource(st) && !st.NotResource.Set && st.Resource.Set {
		w = b.applicable(w, st.Resource.Strings())
	}
	kept := w.Clone()
	kept.And(b.read())
	dropped := w.Clone()
	dropped.AndNot(b.read())

	// When the Denies pin the actions down, the list is what they leave,
	// whatever its access level, if it can be written out: it grants
	// the same, and names what is granted.
	var narrowed []entry
	var how string
	pinned := false
	if designated.Len() < total {
		narrowed, how = b.represent(w)
		pinned = narrowed != nil
	}
	if !pinned {
		narrowed, how = b.represent(kept)
	}
	if narrowed == nil && b.allServices(designated) && hasAnyResource(st) {
		// Read-only access to every service, as patterns. They match a
		// few actions of other levels too.
		for _, p := range readPatterns {
			narrowed = append(narrowed, entry{text: p, set: kb.Expand(p)})
		}
		how = ", as the read-only patterns " + quoteAll(readPatterns)
		if st.NotAction.Set {
			// The patterns would match what NotAction excluded, and
			// only a new Deny could keep that out: a Deny also
			// overrides the other policies of the same principals.
			return fail()
		}
		var all iamref.ActionSet
		for _, e := range narrowed {
			all.Or(e.set)
		}
		other := all.Clone()
		other.AndNot(b.read())
		other.And(designated)
		if n := other.Len(); n > 0 {
			how += fmt.Sprintf(" (they also match %d actions of other access levels, such as %s)", n, strings.Join(b.examples(other, 2), ", "))
		}
		kept = all
		kept.And(b.read())
		kept.And(designated)
	}
	if narrowed == nil {
		return fail()
	}
	out = slices.Insert(out, min(pos, len(out)), narrowed...)

	what := "NotAction " + quoteAll(st.NotAction.Strings())
	if !st.NotAction.Set {
		what = quoteAll(wild)
	}
	grants := "grants"
	if len(wild) > 1 {
		grants = "grant"
	}
	its := "its"
	if len(wild) > 1 {
		its = "their"
	}
	why := fmt.Sprintf("%s %s %d actions", what, grants, total)
	if pinned {
		n := w.Len()
		b.change(i, fmt.Sprintf("Replaced %s with the %d %s the Deny statements leave%s", what, n, plural(n, "action", "actions"), how),
			why+fmt.Sprintf(", and the policy's Deny statements take out all but %s: listing them grants the same, and says what is granted.", plural(n, "this one", fmt.Sprintf("these %d", n))))
		return out, false
	}
	if n := designated.Len(); n < total {
		why += fmt.Sprintf(" (%d once the Deny statements are taken out)", n)
	}
	if !dropped.IsEmpty() {
		why += fmt.Sprintf(", including %s (for example %s)", levelCounts(kb, dropped), strings.Join(b.examples(dropped, 3), ", "))
	}
	why += "; add back the ones your application calls."
	b.change(i, fmt.Sprintf("Replaced %s with %s %d List and Read %s%s", what, its, kept.Len(), plural(kept.Len(), "action", "actions"), how), why)
	return out, false
}

// plainEntries are the statement's Action values as written, without
// narrowing: what entries gives when narrowing fails. They are worked out
// only then, as most statements narrow or have nothing to narrow.
func plainEntries(kb *iamref.KB, st *policy.Statement) []entry {
	out := make([]entry, len(st.Action.Values))
	for i, v := range st.Action.Values {
		t := strings.TrimSpace(v.Text)
		if hasWildcard(t) {
			out[i] = entry{text: t, set: kb.Expand(t), named: true}
		} else {
			out[i] = entry{text: t, act: kb.Action(t), named: true}
		}
	}
	return out
}

// explicitActions are the actions a statement names (ids) and those its
// patterns match (sets).
type explicitActions struct {
	ids   []iamref.ActionID
	named iamref.ActionSet // ids as a set, once they are many
	sets  []iamref.ActionSet
}

// manyNamed is how many named actions are looked up in a list rather
// than a set.
const manyNamed = 16

func (x *explicitActions) add(id iamref.ActionID) {
	x.ids = append(x.ids, id)
	switch {
	case x.named != nil:
		x.named.Add(id)
	case len(x.ids) > manyNamed:
		for _, id := range x.ids {
			x.named.Add(id)
		}
	}
}

func (x *explicitActions) has(id iamref.ActionID) bool {
	if x.named != nil && x.named.Has(id) || x.named == nil && slices.Contains(x.ids, id) {
		return true
	}
	for _, s := range x.sets {
		if s.Has(id) {
			return true
		}
	}
	return false
}

func (x *explicitActions) set() iamref.ActionSet {
	var s iamref.ActionSet
	for _, p := range x.sets {
		s.Or(p)
	}
	for _, id := range x.ids {
		s.Add(id)
	}
	return s
}

// applicable keeps the actions some of the resources can apply to.
func (b *builder) applicable(s iamref.ActionSet, resources []string) iamref.ActionSet {
	var out iamref.ActionSet
	s.Each(func(id iamref.ActionID) bool {
		a := b.kb.ActionByID(id)
		for _, r := range resources {
			if iamref.IsAllWildcard(r) {
				out.Add(id)
				return true
			}
			if !a.ResourceLevel() {
				continue
			}
			for _, ref := range a.Resources {
				if b.kb.MatchResource(r, ref.Type) {
					out.Add(id)
					return true
				}
			}
		}
		return true
	})
	return out
}

// represent writes a set of List and Read actions as names, or when they
// are many, as per-service patterns that match only actions of the set.
// It returns nil when even the patterns are too many.
func (b *builder) represent(s iamref.ActionSet) ([]entry, string) {
	n := s.Len()
	if n == 0 {
		return []entry{}, ""
	}
	if n <= explicitMax {
		out := make([]entry, 0, n)
		s.Each(func(id iamref.ActionID) bool {
			a := b.kb.ActionByID(id)
			out = append(out, entry{text: a.FullName(), act: a})
			return true
		})
		sort.Slice(out, func(i, j int) bool { return out[i].text < out[j].text })
		return out, ""
	}
	// Group by service and leading verb: "ec2:Describe*". (A service
	// prefix holds no ":", so the pair names the pattern.)
	type key struct{ prefix, verb string }
	type group struct {
		pattern string
		acts    []*iamref.Action
	}
	var groups []*group
	index := map[key]*group{}
	s.Each(func(id iamref.ActionID) bool {
		a := b.kb.ActionByID(id)
		k := key{a.Service.Prefix, verb(a.Name)}
		g := index[k]
		if g == nil {
			g = &group{pattern: k.prefix + ":" + k.verb + "*"}
			index[k] = g
			groups = append(groups, g)
		}
		g.acts = append(g.acts, a)
		// Each group gives at least one entry: past explicitMax of
		// them, the list is too long whatever the rest.
		return len(groups) <= explicitMax
	})
	if len(groups) > explicitMax {
		return nil, ""
	}
	var out []entry
	patterns := 0
	for _, g := range groups {
		set := b.kb.Expand(g.pattern)
		if len(g.acts) > 1 && set.SubsetOf(s) {
			out = append(out, entry{text: g.pattern, set: set})
			patterns++
			continue
		}
		for _, a := range g.acts {
			out = append(out, entry{text: a.FullName(), act: a})
		}
	}
	if len(out) > explicitMax {
		return nil, ""
	}
	sort.Slice(out, func(i, j int) bool { return out[i].text < out[j].text })
	return out, fmt.Sprintf(", written as %d names and patterns", len(out))
}

// verb is the leading word of an action name: "Describe" of
// "DescribeInstances".
func verb(name string) string {
	for i := 1; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' {
			return name[:i]
		}
	}
	return name
}

// allServices reports a set that spans (nearly) every service: what "*"
// or a NotAction of a few services designates.
func (b *builder) allServices(s iamref.ActionSet) bool {
	return s.Len() > b.kb.NumActions()/2
}

// levelCounts says how many actions of each level other than List and
// Read a set holds: "57 Write, 27 Permissions management and 12 Tagging
// actions".
func levelCounts(kb *iamref.KB, s iamref.ActionSet) string {
	var parts []string
	for _, l := range []iamref.Level{iamref.Write, iamref.PermissionsManagement, iamref.Tagging, iamref.LevelUnknown} {
		var n int
		if l == iamref.LevelUnknown {
			n = countOutside(s, kb.LevelSet(iamref.Write), kb.LevelSet(iamref.PermissionsManagement), kb.LevelSet(iamref.Tagging))
		} else {
			n = countIn(s, kb.LevelSet(l))
		}
		if n > 0 {
			name := l.String()
			if l == iamref.LevelUnknown {
				name = "other"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		}
	}
	if len(parts) == 0 {
		return "no other actions"
	}
	out := parts[0]
	if len(parts) > 1 {
		out = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return out + " actions"
}

// countIn is the number of actions of s also in o, without a set of
// them.
func countIn(s, o iamref.ActionSet) int {
	n := 0
	for i := range min(len(s), len(o)) {
		n += bits.OnesCount64(s[i] & o[i])
	}
	return n
}

// countOutside is the number of actions of s in none of the others.
func countOutside(s iamref.ActionSet, others ...iamref.ActionSet) int {
	n := 0
	for i, w := range s {
		for _, o := range others {
			if i < len(o) {
				w &^= o[i]
			}
		}
		n += bits.OnesCount64(w)
	}
	return n
}

// eachIn calls fn for every action of s also in o, in ascending order,
// as Each of their intersection would.
func eachIn(s, o iamref.ActionSet, fn func(iamref.ActionID)) {
	for i := range min(len(s), len(o)) {
		for w := s[i] & o[i]; w != 0; w &= w - 1 {
			fn(iamref.ActionID(i<<6 | bits.TrailingZeros64(w)))
		}
	}
}

// examples names up to n actions of a set, the most sensitive levels
// first (permissions management, write, tagging), well-known services
// and short names first within a level.
func (b *builder) examples(s iamref.ActionSet, n int) []string {
	var out []string
	for _, l := range []iamref.Level{iamref.PermissionsManagement, iamref.Write, iamref.Tagging, iamref.Read, iamref.List} {
		if len(out) == n {
			break
		}
		// The first n-len(out) actions in example order, kept sorted:
		// a set can hold thousands of actions, and only a few are named.
		top := make([]*iamref.Action, 0, n-len(out))
		eachIn(s, b.kb.LevelSet(l), func(id iamref.ActionID) {
			a := b.kb.ActionByID(id)
			k := len(top)
			for k > 0 && exampleBefore(a, top[k-1]) {
				k--
			}
			if k < cap(top) {
				if len(top) < cap(top) {
					top = append(top, nil)
				}
				copy(top[k+1:], top[k:len(top)-1])
				top[k] = a
			}
		})
		for _, a := range top {
			out = append(out, a.FullName())
		}
	}
	return out
}

// exampleBefore orders examples: well-known services first, then short
// names, then by name.
func exampleBefore(a, b *iamref.Action) bool {
	if pa, pb := prominence(a.Service.Prefix), prominence(b.Service.Prefix); pa != pb {
		return pa < pb
	}
	// By full name, "service:Name", without writing it out.
	la, lb := len(a.Service.Prefix)+1+len(a.Name), len(b.Service.Prefix)+1+len(b.Name)
	if la != lb {
		return la < lb
	}
	for i := range la {
		if ca, cb := fullNameByte(a, i), fullNameByte(b, i); ca != cb {
			return ca < cb
		}
	}
	return false
}

// fullNameByte is byte i of a.FullName().
func fullNameByte(a *iamref.Action, i int) byte {
	p := a.Service.Prefix
	switch {
	case i < len(p):
		return p[i]
	case i == len(p):
		return ':'
	}
	return a.Name[i-len(p)-1]
}

// wellKnown services make the clearest examples.
var wellKnown = []string{"iam", "s3", "ec2", "lambda", "dynamodb", "kms", "secretsmanager", "sqs", "sns", "rds", "sts", "logs", "cloudformation"}

// prominence ranks a service by its prefix: well-known ones first.
func prominence(svc string) int {
	if i := slices.Index(wellKnown, svc); i >= 0 {
		return i
	}
	return len(wellKnown)
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// escalationRemovals chooses, for every critical privilege-escalation
// path the analysis found, one action to remove so that the path breaks:
// the action (other than iam:PassRole, which is limited instead) shared
// by the most paths. It returns the actions with the paths they break.
func escalationRemovals(kb *iamref.KB, findings []report.Finding) map[iamref.ActionID]string {
	var paths [][]*iamref.Action
	var titles []string
	count := map[iamref.ActionID]int{}
	for _, f := range findings {
		if f.Category != report.PrivilegeEscalation || f.Severity != report.Critical {
			continue
		}
		var acts []*iamref.Action
		for _, n := range f.Actions {
			if a := kb.Action(n); a != nil {
				acts = append(acts, a)
			}
		}
		if len(acts) == 0 {
			continue
		}
		paths = append(paths, acts)
		titles = append(titles, strings.Join(f.Actions, " + "))
		for _, a := range acts {
			count[a.ID]++
		}
	}
	remove := map[iamref.ActionID]string{}
	for i, p := range paths {
		broken := false
		for _, a := range p {
			if _, ok := remove[a.ID]; ok {
				broken = true
			}
		}
		if broken {
			continue
		}
		var pick *iamref.Action
		for _, a := range p {
			if len(p) > 1 && a.FullName() == "iam:PassRole" {
				continue
			}
			if pick == nil || count[a.ID] > count[pick.ID] {
				pick = a
			}
		}
		if pick != nil {
			remove[pick.ID] = titles[i]
		}
	}
	return remove
}

// removeEscalations takes the chosen escalation actions out of entries;
// a pattern that matches one is written out as names without it.
func (b *builder) removeEscalations(i int, in []entry) []entry {
	if len(b.remove) == 0 {
		return in
	}
	// Most statements have none of them: the entries are copied only
	// from the first.
	k := slices.IndexFunc(in, func(e entry) bool { return b.removes(e) })
	if k < 0 {
		return in
	}
	out := make([]entry, k, len(in))
	copy(out, in[:k])
	var removed []string
	why := map[string]bool{}
	for _, e := range in[k:] {
		if e.act != nil {
			if path, ok := b.remove[e.act.ID]; ok {
				removed = append(removed, e.act.FullName())
				why[path] = true
				continue
			}
			out = append(out, e)
			continue
		}
		hit := false
		for _, id := range b.removeIDs {
			if e.set.Has(id) {
				hit = true
				removed = append(removed, b.kb.ActionByID(id).FullName()+" (from "+e.text+")")
				why[b.remove[id]] = true
			}
		}
		if !hit {
			out = append(out, e)
			continue
		}
		e.set.Each(func(id iamref.ActionID) bool {
			if _, ok := b.remove[id]; !ok {
				a := b.kb.ActionByID(id)
				out = append(out, entry{text: a.FullName(), act: a})
			}
			return true
		})
	}
	if len(removed) > 0 {
		paths := make([]string, 0, len(why))
		for p := range why {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		b.change(i, "Removed "+strings.Join(removed, ", "),
			fmt.Sprintf("It completes a privilege-escalation path (%s): together these actions let the holder gain permissions beyond this policy. Add it back only scoped to named resources the workload owns.", strings.Join(paths, "; ")))
	}
	return out
}

// removes reports whether removeEscalations takes the entry out or
// writes it out without some of its actions.
func (b *builder) removes(e entry) bool {
	if e.act != nil {
		_, ok := b.remove[e.act.ID]
		return ok
	}
	return slices.ContainsFunc(b.removeIDs, e.set.Has)
}

// hasWildcard reports strings.ContainsAny(s, "*?"), byte by byte.
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

func hasAnyResource(st *policy.Statement) bool {
	if !st.Resource.Set {
		return false
	}
	for _, v := range st.Resource.Values {
		if iamref.IsAllWildcard(strings.TrimSpace(v.Text)) {
			return true
		}
	}
	return false
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
