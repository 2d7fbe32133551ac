package suggest

import (
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// options choose the edits a suggestion makes, so that a conservative
// one can be tried when the full one cannot be proven.
type options struct {
	narrow     bool // service wildcards and NotAction to List and Read actions
	scope      bool // "Resource": "*" and NotResource to ARNs by resource type
	passRole   bool // iam:PassRole limited to services (and roles, with scope)
	escalation bool // privilege-escalation actions removed
	principals bool // trust and resource policies: conditions, named accounts
}

// shared is what every attempt at a suggestion for one policy shares.
type shared struct {
	kb      *iamref.KB
	doc     *policy.Document
	res     analysis.Result
	arn     arnFacts
	readSet iamref.ActionSet           // List and Read actions, once read needs them
	remove  map[iamref.ActionID]string // escalation actions to remove
	// removeIDs are the keys of remove in order, so that the changes
	// name them in the same order every time.
	removeIDs []iamref.ActionID
	// services are the inferred iam:PassedToService (passRoleServices),
	// once known: see passedToServices.
	services      []string
	servicesKnown bool
	passRole      *iamref.Action
	// denied is what the policy's unconditional Denies on every resource
	// take out of any Allow.
	denied iamref.ActionSet
	// entriesMemo holds entries' answers by statement, with narrow off
	// [0] and on [1].
	entriesMemo [2][]*entriesResult
	// scopes are the knowledge base's scopeOf answers.
	scopes *scopeTable
	// placeholders are the placeholder ARNs of resource types.
	placeholders map[*iamref.ResourceType]string
	// withins are placeholderWithin's answers.
	withins map[patternType]within
	// broad and flaggedStmts mark the statements scopable and flagged
	// report.
	broad, flaggedStmts statementMarks
	// stmts are what attempts learnt about the statements.
	stmts []stmtMemo
	// scratch holds an attempt's statements as they are written; it
	// serves the next attempt, and from buf, the next policy. written
	// is the most it held.
	scratch []policy.Statement
	written int
	buf     *[]policy.Statement
}

// deniedBy is what a policy's Deny statements take out of every Allow:
// those without a condition, on every resource, for every principal.
func deniedBy(kb *iamref.KB, doc *policy.Document) iamref.ActionSet {
	var out iamref.ActionSet
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if !strings.EqualFold(strings.TrimSpace(st.Effect), "Deny") || len(st.Conditions) > 0 || !hasAnyResource(st) ||
			st.NotResource.Set || st.NotPrincipal != nil || (st.Principal != nil && !st.Principal.Any) {
			continue
		}
		var s iamref.ActionSet
		switch {
		case st.Action.Set && !st.NotAction.Set:
			for _, v := range st.Action.Values {
				s.Or(kb.Expand(strings.TrimSpace(v.Text)))
			}
		case st.NotAction.Set && !st.Action.Set:
			s = kb.All().Clone()
			for _, v := range st.NotAction.Values {
				s.AndNot(kb.Expand(strings.TrimSpace(v.Text)))
			}
		}
		out.Or(s)
	}
	return out
}

// read is the set of List and Read actions.
func (f *shared) read() iamref.ActionSet {
	if f.readSet == nil {
		f.readSet = readLevels(f.kb)
	}
	return f.readSet
}

// builder writes one suggestion.
type builder struct {
	*shared
	opts options
	sids map[string]bool
	// sidsTaken counts the calls of uniqueSid.
	sidsTaken int
	out       []policy.Statement
	changes   []report.Change
}

func (b *builder) change(i int, what, why string) {
	b.changes = append(b.changes, report.Change{Statement: i, What: what, Why: why})
}

// build writes the suggestion the options ask for; nil, without
// changes, when it would change nothing.
func build(f *shared, opts options) (*policy.Document, []report.Change) {
	b := &builder{shared: f, opts: opts, out: f.scratch[:0]}
	if f.stmts == nil {
		f.stmts = make([]stmtMemo, len(f.doc.Statements))
	}
	for i := range f.doc.Statements {
		st := &f.doc.Statements[i]
		mark := len(b.changes)
		n := len(b.out)
		if strings.EqualFold(strings.TrimSpace(st.Effect), "Allow") {
			b.allowOnce(i, st)
		}
		f.written = max(f.written, len(b.out))
		switch {
		case len(b.changes) == 0:
			// Kept, as all before it: most attempts change nothing,
			// and the statements are written out only once one does.
			b.out = b.out[:0]
		case mark == 0:
			// The first change: the statements before are kept as
			// written.
			b.out = slices.Insert(b.out, 0, f.doc.Statements[:i]...)
		case len(b.changes) == mark:
			// Nothing changed: keep the statement exactly as written.
			b.out = append(b.out[:n], *st)
		}
		f.written = max(f.written, len(b.out))
	}
	f.scratch = b.out[:0]
	if len(b.changes) == 0 {
		return nil, nil
	}
	// The suggestion's statements are copied out of the buffer at their
	// number: splits make it hard to foresee, and a slice grown as they
	// are written would be allocated several times over.
	d := &policy.Document{
		Name: f.doc.Name, Type: f.doc.Type, Source: "json",
		Version: f.doc.Version, ID: f.doc.ID,
		Statements: append(make([]policy.Statement, 0, len(b.out)), b.out...),
	}
	if len(b.changes) > 0 && d.Version == "" && !strings.Contains(f.doc.Text, "${") {
		d.Version = "2012-10-17"
		b.change(-1, "Added \"Version\": \"2012-10-17\"", "Without it IAM reads the policy in the 2008 language, which lacks policy variables.")
	}
	for i := range d.Statements {
		d.Statements[i].Index = i
	}
	return d, b.changes
}

// Bits of options, for those that can matter to a statement.
const (
	optNarrow uint8 = 1 << iota
	optScope
	optPassRole
	optEscalation
	optPrincipals
)

func (o options) bits() uint8 {
	var m uint8
	if o.narrow {
		m |= optNarrow
	}
	if o.scope {
		m |= optScope
	}
	if o.passRole {
		m |= optPassRole
	}
	if o.escalation {
		m |= optEscalation
	}
	if o.principals {
		m |= optPrincipals
	}
	return m
}

// stmtMemo is what the attempts at a suggestion for one policy learn
// about one of its statements.
type stmtMemo struct {
	kept     uint32 // bit k set: with options k (bits), it is kept as written
	known    bool   // relevant is worked out
	relevant uint8  // the options that can change how it is written
}

// allowOnce is allow, but for a statement an earlier attempt kept as
// written under the same options, as far as they matter to it: most
// statements are kept, and the attempts differ in a few options.
func (b *builder) allowOnce(i int, st *policy.Statement) {
	m := &b.stmts[i]
	cur := b.opts.bits()
	if m.kept != 0 {
		// Which options matter is worked out only now: most policies
		// take one attempt.
		if !m.known {
			m.relevant, m.known = b.relevantOptions(i, st), true
		}
		for w := m.kept; w != 0; w &= w - 1 {
			if (uint8(bits.TrailingZeros32(w))^cur)&m.relevant == 0 {
				return
			}
		}
	}
	mark, sids := len(b.changes), b.sidsTaken
	b.allow(i, st)
	// A statement that took a Sid changed the builder for the next
	// ones: it is not remembered as kept (it never is: a statement is
	// split only with a change).
	if len(b.changes) == mark && b.sidsTaken == sids {
		m.kept |= 1 << cur
	}
}

// relevantOptions are the options that can change how allow writes the
// statement; the others leave it as it is whether on or off.
//   - narrow, only for NotAction or a service wildcard (entries);
//   - scope, only when the analysis found the resources too broad
//     (scopable, as allow and scoping ask it);
//   - passRole, only when an entry can be iam:PassRole: its actions are
//     those its values match, a NotAction's or, with a service wildcard,
//     those of the read-only patterns;
//   - escalation, only with actions to remove;
//   - principals, as principalFixes says.
func (b *builder) relevantOptions(i int, st *policy.Statement) uint8 {
	var m uint8
	narrowable := st.NotAction.Set
	passes := st.NotAction.Set
	for _, v := range st.Action.Values {
		t := strings.TrimSpace(v.Text)
		if isServiceWildcard(t) {
			narrowable, passes = true, true
		}
		if !passes && b.passRole != nil && mayBePassRole(b.kb, t, b.passRole) {
			passes = true
		}
	}
	if narrowable {
		m |= optNarrow
	}
	if b.scopable(i) || b.scopable(st.Index) {
		m |= optScope
	}
	if passes && b.passRole != nil {
		m |= optPassRole
	}
	if len(b.remove) > 0 {
		m |= optEscalation
	}
	if st.Principal != nil && (b.doc.Type == policy.Trust || b.doc.Type == policy.Resource) && b.flagged(i) {
		m |= optPrincipals
	}
	return m
}

// mayBePassRole reports whether the Action value can match iam:PassRole:
// a name that is it in any case (which the knowledge base would find),
// or a pattern whose actions include it.
func mayBePassRole(kb *iamref.KB, v string, passRole *iamref.Action) bool {
	if !hasWildcard(v) {
		return strings.EqualFold(v, passRole.FullName())
	}
	return kb.Expand(v).Has(passRole.ID)
}

// group is one statement a suggestion splits an Allow into.
type group struct {
	suffix   string // of the Sid
	types    []*iamref.ResourceType
	ents     []entry
	n        int      // entries, while they are being sorted into groups
	arns     []string // the resources of a scoped group
	keep     bool     // keeps the statement's own Resource or NotResource
	passRole bool
}

func (b *builder) allow(i int, st *policy.Statement) {
	if st.Action.Set == st.NotAction.Set {
		// No Action, or both: AWS rejects the statement; the review says
		// so, and there is nothing sound to tighten.
		return
	}
	if _, ok := analysis.AccountRoots(st.Principal); ok && b.doc.Type == policy.Resource && hasAnyResource(st) {
		// Delegation to IAM in an account (a KMS key policy's first
		// statement): narrowing it could lock the account out of the
		// resource.
		return
	}
	mark := len(b.changes)
	fix := b.principalFixes(i, st)
	var conds []policy.Condition
	for j, c := range st.Conditions {
		if !slices.Contains(fix.replace, j) {
			conds = append(conds, c)
		}
	}
	conds = append(conds, fix.conds...)
	base := policy.Statement{Sid: st.Sid, Effect: st.Effect, Principal: st.Principal, NotPrincipal: st.NotPrincipal, Conditions: conds}
	if fix.principal != nil {
		base.Principal = fix.principal
	}

	ents, keepNot := b.entries(i, st)
	if keepNot {
		s := base
		s.NotAction = st.NotAction
		s.Resource, s.NotResource = st.Resource, st.NotResource
		if b.opts.escalation {
			s.NotAction = b.excludeEscalations(i, st)
		}
		b.out = append(b.out, s)
		return
	}
	if b.opts.escalation {
		ents = b.removeEscalations(i, ents)
	}
	if len(ents) == 0 {
		b.change(i, "Removed the statement", "None of its actions is left.")
		return
	}

	groups := b.groups(i, st, ents, conds)
	for k, g := range groups {
		s := base
		switch {
		case g.keep || (g.passRole && !b.scoping(st)):
			s.Resource, s.NotResource = st.Resource, st.NotResource
			if b.opts.scope && b.scopable(i) && st.Resource.Set && !hasAnyResource(st) {
				s.Resource = b.narrowResources(i, st.Resource, g.ents)
			}
		default:
			s.Resource = policy.NewList(g.arns...)
		}
		if len(groups) == 1 && len(b.changes) == mark {
			// Nothing changed (a split always records why): build keeps
			// the statement as written, so it is not written out.
			return
		}
		s.Conditions = slices.Clone(conds)
		if k > 0 && st.Sid != "" {
			s.Sid = b.uniqueSid(st.Sid + g.suffix)
		}
		s.Action = actionList(g.ents)
		if !st.Action.Single && len(g.ents) == 1 && len(groups) == 1 {
			s.Action.Single = false
		}
		if g.passRole && !hasKey(conds, "iam:PassedToService") {
			svcs := b.passedToServices()
			if len(svcs) == 0 {
				svcs = []string{"<service>.amazonaws.com"}
			}
			s.Conditions = append(s.Conditions, policy.Condition{Operator: "StringEquals", Key: "iam:PassedToService", Values: policy.NewList(svcs...)})
		}
		b.out = append(b.out, s)
	}
}

// actionList is policy.NewList of the entries' texts, without a list of
// the texts in between.
func actionList(ents []entry) policy.List {
	l := policy.List{Set: true, Single: len(ents) == 1, Values: make([]policy.Value, len(ents))}
	for i, e := range ents {
		l.Values[i].Text = e.text
	}
	return l
}

// scopedTypes is the scope of the action when the statement is scoped
// and the entry names one; nil, as for an action that keeps "*",
// otherwise.
func (f *shared) scopedTypes(a *iamref.Action, scope bool) *actionScope {
	if !scope || a == nil {
		return nil
	}
	if sc := f.scopes.of(a); sc.types != nil {
		return sc
	}
	return nil
}

// scoping reports whether the statement's resources are to be scoped by
// resource type.
func (b *builder) scoping(st *policy.Statement) bool {
	// In a resource policy "*" names the resource it is attached to.
	return b.opts.scope && b.doc.Type != policy.Resource && (hasAnyResource(st) || st.NotResource.Set) && b.scopable(st.Index)
}

// scopable reports whether the analysis found the statement's resources
// too broad; a statement its conditions narrow, for one, is left alone.
func (b *builder) scopable(i int) bool {
	if b.broad == nil {
		b.broad = markStatements(b.res.Findings, len(b.doc.Statements), broadResources)
	}
	return b.broad.has(i, b.res.Findings, broadResources)
}

// broadResources reports a finding that says a statement's resources are
// too broad.
func broadResources(f report.Finding) bool {
	if f.Severity == report.Info {
		return false
	}
	switch f.Category {
	case report.WildcardResource, report.DataExfiltration, report.CredentialsExposure, report.PermissionsMgmt,
		report.PassRole, report.NotResource, report.FullAdmin, report.ServiceWildcard, report.NotAction, report.PrivilegeEscalation:
		return true
	}
	return false
}

// statementMarks says by statement whether the analysis has a finding of
// some kind on it: every attempt asks statement by statement, and a
// policy can have hundreds of findings.
type statementMarks []bool

func markStatements(fs []report.Finding, n int, kind func(report.Finding) bool) statementMarks {
	m := make(statementMarks, n)
	for _, f := range fs {
		if f.Statement >= 0 && f.Statement < n && kind(f) {
			m[f.Statement] = true
		}
	}
	return m
}

// has reports a finding of the kind on statement i.
func (m statementMarks) has(i int, fs []report.Finding, kind func(report.Finding) bool) bool {
	if i >= 0 && i < len(m) {
		return m[i]
	}
	return slices.ContainsFunc(fs, func(f report.Finding) bool { return f.Statement == i && kind(f) })
}

// narrowResources replaces the patterns of a Resource list that reach
// every resource of their types by placeholder ARNs, recording the
// changes.
func (b *builder) narrowResources(i int, l policy.List, ents []entry) policy.List {
	var types []*iamref.ResourceType
	seen := map[*iamref.ResourceType]bool{}
	addTypes := func(a *iamref.Action) {
		for _, r := range a.Resources {
			if !seen[r.Type] {
				seen[r.Type] = true
				types = append(types, r.Type)
			}
		}
	}
	for _, e := range ents {
		if e.act != nil {
			addTypes(e.act)
			continue
		}
		e.set.Each(func(id iamref.ActionID) bool {
			addTypes(b.kb.ActionByID(id))
			return true
		})
	}
	var out []string
	changed := false
	for _, v := range l.Values {
		p := strings.TrimSpace(v.Text)
		arns := b.narrowPattern(p, types)
		if len(arns) == 0 {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
			continue
		}
		changed = true
		for _, a := range arns {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
		what := fmt.Sprintf("Scoped %s to %s", p, strings.Join(arns, ", "))
		if !slices.ContainsFunc(b.changes, func(c report.Change) bool { return c.Statement == i && c.What == what }) {
			b.change(i, what, "The pattern reaches every resource of its type in every account and region it names: replace the <placeholders> with the resources the workload uses.")
		}
	}
	if !changed {
		return l
	}
	nl := policy.NewList(out...)
	nl.Single = l.Single && len(out) == 1
	return nl
}

// groups splits the statement's actions by the resource types they are
// scoped to, iam:PassRole apart, and records the changes.
func (b *builder) groups(i int, st *policy.Statement, ents []entry, conds []policy.Condition) []*group {
	scope := b.scoping(st)
	var order []*group
	keep := func() *group { return &group{keep: true, suffix: "AllResources"} }
	open := func(g *group) *group {
		order = append(order, g)
		return g
	}
	// The groups for the statement's own resources, for iam:PassRole, and
	// by the key of their resource types.
	var all, passRole *group
	var index map[string]*group
	// Each entry's group is chosen first, then the groups' entries are
	// copied at once: a group can take hundreds.
	of := make([]*group, len(ents))
	for k := range ents {
		e := &ents[k]
		var g *group
		if e.act != nil && e.act == b.passRole && b.opts.passRole && (scope || !hasKey(conds, "iam:PassedToService")) {
			if passRole == nil {
				passRole = open(&group{passRole: true, suffix: "PassRole"})
				for _, r := range e.act.Resources {
					passRole.types = append(passRole.types, r.Type)
				}
			}
			g = passRole
		} else if sc := b.scopedTypes(e.act, scope); sc != nil {
			if g = index[sc.key]; g == nil {
				if index == nil {
					index = map[string]*group{}
				}
				g = open(&group{types: sc.types, suffix: sc.suffix})
				index[sc.key] = g
			}
		} else {
			if all == nil {
				all = open(keep())
			}
			g = all
		}
		of[k] = g
		g.n++
	}
	if len(order) == 1 {
		// All in one group, in order: it shares ents, which nothing
		// changes (capGroups sorts only with several groups; a shared
		// entry list is clipped, so that appending copies it).
		order[0].ents = slices.Clip(ents)
	} else {
		for _, g := range order {
			g.ents = make([]entry, 0, g.n)
		}
		for k, g := range of {
			g.ents = append(g.ents, ents[k])
		}
	}
	// A wildcard's many actions could scatter over a dozen resource
	// types: scope the few largest groups, and any group with an action
	// the user named; the rest keep the statement's resources.
	order = b.capGroups(order, keep)
	// Scoped groups get their ARNs; under NotResource, none the
	// statement excludes. A group left without any keeps the
	// statement's resources.
	var homeless []entry
	order = slices.DeleteFunc(order, func(g *group) bool {
		if g.keep || (g.passRole && !scope) {
			return false
		}
		g.arns = b.arns(st, g.types)
		if st.NotResource.Set {
			g.arns = slices.DeleteFunc(g.arns, func(a string) bool {
				return slices.ContainsFunc(st.NotResource.Values, func(v policy.Value) bool {
					return iamref.PatternsIntersect(strings.TrimSpace(v.Text), a)
				})
			})
		}
		if len(g.arns) == 0 {
			homeless = append(homeless, g.ents...)
			return true
		}
		return false
	})
	if len(homeless) > 0 {
		k := slices.IndexFunc(order, func(g *group) bool { return g.keep })
		if k < 0 {
			order = append(order, keep())
			k = len(order) - 1
		}
		order[k].ents = append(order[k].ents, homeless...)
	}
	// The statement's own resources go last when the rest is scoped,
	// first otherwise.
	if k := slices.IndexFunc(order, func(g *group) bool { return g.keep }); k >= 0 {
		g := order[k]
		order = slices.Delete(order, k, k+1)
		if scope {
			order = append(order, g)
		} else {
			order = slices.Insert(order, 0, g)
		}
	}

	scoped := 0
	for _, g := range order {
		switch {
		case g.passRole:
			what := "Limited iam:PassRole"
			var parts []string
			if scope {
				parts = append(parts, "to the roles "+strings.Join(g.arns, ", "))
			}
			if !hasKey(conds, "iam:PassedToService") {
				svc := "<service>.amazonaws.com"
				if svcs := b.passedToServices(); len(svcs) > 0 {
					svc = strings.Join(svcs, ", ")
				}
				parts = append(parts, "with the condition iam:PassedToService = "+svc)
			}
			if len(parts) == 0 {
				continue
			}
			why := "The holder could hand any role to any service that accepts one and act with that role's permissions."
			switch {
			case hasKey(conds, "iam:PassedToService"):
			case len(b.passedToServices()) == 0:
				why += " Name the service the role is for."
			default:
				why += " The service is inferred from the policy's other actions."
			}
			if len(order) > 1 {
				what = "Moved iam:PassRole to its own statement, limited"
			}
			b.change(i, what+" "+strings.Join(parts, ", "), why)
		case !g.keep:
			scoped++
			from := "\"Resource\": \"*\""
			why := "These actions support resource-level permissions: replace the <placeholders> with the resources the workload uses."
			if st.NotResource.Set {
				from = "NotResource"
				why += fmt.Sprintf(" Not with those NotResource excluded (%s): that would grant what the original does not.", strings.Join(st.NotResource.Strings(), ", "))
			}
			b.change(i, "Scoped "+from+" to "+strings.Join(g.arns, ", ")+" for "+previewEntries(g.ents, 4), why)
		}
	}
	if scoped > 0 {
		if k := slices.IndexFunc(order, func(g *group) bool { return g.keep }); k >= 0 {
			why := "They support no resource-level permissions, or no resource type can be chosen for them safely; scope them by hand if the workload's resources allow."
			if st.NotResource.Set {
				why += " They keep the statement's NotResource."
			}
			b.change(i, "Kept the statement's resources for "+previewEntries(order[k].ents, 4)+" in their own statement", why)
		}
	}
	return order
}

// maxScoped is how many resource-type groups of actions the user did not
// name a statement is split into.
const maxScoped = 3

func (b *builder) capGroups(order []*group, keep func() *group) []*group {
	var typed []*group
	for _, g := range order {
		if !g.keep && !g.passRole && !slices.ContainsFunc(g.ents, func(e entry) bool { return e.named }) {
			typed = append(typed, g)
		}
	}
	if len(typed) <= maxScoped {
		return order
	}
	// Largest first; sort is stable, so earlier groups win ties.
	slices.SortStableFunc(typed, func(x, y *group) int { return len(y.ents) - len(x.ents) })
	merge := typed[maxScoped:]
	var out []*group
	var rest *group
	for _, g := range order {
		if g.keep {
			rest = g
		}
	}
	if rest == nil {
		rest = keep()
	}
	for _, g := range order {
		if slices.Contains(merge, g) {
			rest.ents = append(rest.ents, g.ents...)
			continue
		}
		out = append(out, g)
	}
	if !slices.Contains(out, rest) {
		out = append(out, rest)
	}
	slices.SortStableFunc(rest.ents, func(x, y entry) int { return strings.Compare(x.text, y.text) })
	return out
}

// arns are the resources of a scoped group: the statement's own ARNs that
// fit the types, and a placeholder ARN for each type none fits.
func (b *builder) arns(st *policy.Statement, types []*iamref.ResourceType) []string {
	var out []string
	for _, t := range types {
		found := false
		for _, v := range st.Resource.Values {
			r := strings.TrimSpace(v.Text)
			if !iamref.IsAllWildcard(r) && b.kb.MatchResource(r, t) {
				if !slices.Contains(out, r) {
					out = append(out, r)
				}
				found = true
			}
		}
		if !found && len(t.ARNFormats) > 0 {
			if p := b.placeholder(t); !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// excludeEscalations adds the escalation actions a kept NotAction grants
// to its exclusions.
func (b *builder) excludeEscalations(i int, st *policy.Statement) policy.List {
	designated := b.kb.All().Clone()
	for _, v := range st.NotAction.Values {
		designated.AndNot(b.kb.Expand(strings.TrimSpace(v.Text)))
	}
	var names []string
	paths := map[string]bool{}
	for id, path := range b.remove {
		if designated.Has(id) {
			names = append(names, b.kb.ActionByID(id).FullName())
			paths[path] = true
		}
	}
	if len(names) == 0 {
		return st.NotAction
	}
	slices.Sort(names)
	var ps []string
	for p := range paths {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	b.change(i, "Added "+strings.Join(names, ", ")+" to NotAction",
		fmt.Sprintf("It completes a privilege-escalation path (%s).", strings.Join(ps, "; ")))
	return policy.NewList(append(st.NotAction.Strings(), names...)...)
}

func (b *builder) uniqueSid(sid string) string {
	if b.sids == nil {
		// The policy's own Sids, gathered only when a statement is split.
		b.sids = map[string]bool{}
		for _, s := range b.doc.Statements {
			if s.Sid != "" {
				b.sids[s.Sid] = true
			}
		}
	}
	b.sidsTaken++
	s := sid
	for n := 2; b.sids[s]; n++ {
		s = sid + strconv.Itoa(n)
	}
	b.sids[s] = true
	return s
}

// previewEntries names the first n entries: "a, b, c and 4 more".
func previewEntries(ents []entry, n int) string {
	var b strings.Builder
	for k, e := range ents[:min(n, len(ents))] {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.text)
	}
	if len(ents) > n {
		b.WriteString(" and ")
		b.WriteString(strconv.Itoa(len(ents) - n))
		b.WriteString(" more")
	}
	return b.String()
}
