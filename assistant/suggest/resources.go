package suggest

import (
	"slices"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
)

// maxTypes is the most resource types one action is scoped to; an action
// that needs more keeps "Resource": "*" rather than a wall of ARNs.
const maxTypes = 4

// arnFacts are the partition, region and account the policy names, used
// in place of placeholders when the policy names exactly one of each.
type arnFacts struct {
	partition, region, account string
}

// factsOf collects what the policy's ARNs and account principals say.
func factsOf(d *policy.Document) arnFacts {
	parts, regions, accounts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	see := func(v string) {
		v = strings.TrimSpace(v)
		if norm.IsAccountID(v) {
			accounts[v] = true
			return
		}
		f := strings.SplitN(v, ":", 6)
		if len(f) < 6 || f[0] != "arn" {
			return
		}
		if concrete(f[1]) {
			parts[f[1]] = true
		}
		if concrete(f[3]) {
			regions[f[3]] = true
		}
		if norm.IsAccountID(f[4]) {
			accounts[f[4]] = true
		}
	}
	for _, s := range d.Statements {
		for _, l := range []policy.List{s.Resource, s.NotResource} {
			for _, v := range l.Values {
				see(v.Text)
			}
		}
		for _, p := range []*policy.Principal{s.Principal, s.NotPrincipal} {
			if p == nil {
				continue
			}
			for _, e := range p.Entries {
				if strings.EqualFold(e.Kind, "AWS") || strings.EqualFold(e.Kind, "Federated") {
					for _, v := range e.Values.Values {
						see(v.Text)
					}
				}
			}
		}
	}
	facts := arnFacts{partition: "aws", region: "<region>", account: "<account-id>"}
	if v, ok := only(parts); ok {
		facts.partition = v
	}
	if v, ok := only(regions); ok {
		facts.region = v
	}
	if v, ok := only(accounts); ok {
		facts.account = v
	}
	return facts
}

func only(m map[string]bool) (string, bool) {
	if len(m) != 1 {
		return "", false
	}
	for k := range m {
		return k, true
	}
	return "", false
}

func concrete(s string) bool { return s != "" && !strings.ContainsAny(s, "*?$<>{}") }

// placeholderARN fills an ARN format for the user to complete:
// "arn:${Partition}:s3:::${BucketName}/${ObjectName}" gives
// "arn:aws:s3:::<bucket-name>/*". Name variables become kebab-case
// placeholders, except the last of several, the object within a scoped
// parent, which becomes "*".
func placeholderARN(format string, f arnFacts) string {
	names := 0
	for rest := format; ; {
		_, v, after, ok := nextVar(rest)
		if !ok {
			break
		}
		switch v {
		case "Partition", "Region", "Account":
		default:
			names++
		}
		rest = after
	}
	var b strings.Builder
	b.Grow(len(format) + len(f.partition) + len(f.region) + len(f.account))
	n := 0
	for rest := format; ; {
		i, v, after, ok := nextVar(rest)
		if !ok {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		switch v {
		case "Partition":
			b.WriteString(f.partition)
		case "Region":
			b.WriteString(f.region)
		case "Account":
			b.WriteString(f.account)
		default:
			n++
			if n == names && n > 1 {
				b.WriteString("*")
			} else {
				b.WriteByte('<')
				writeKebab(&b, strings.TrimSuffix(v, "WithPath"))
				b.WriteByte('>')
			}
		}
		rest = after
	}
}

// nextVar finds the first "${name}" of s: where it starts, the name and
// what follows it; false when there is none, or it is not closed.
func nextVar(s string) (start int, name, after string, ok bool) {
	i := strings.Index(s, "${")
	if i < 0 {
		return 0, "", "", false
	}
	j := strings.IndexByte(s[i:], '}')
	if j < 0 {
		return 0, "", "", false
	}
	return i, s[i+2 : i+j], s[i+j+1:], true
}

// kebab turns "BucketName" into "bucket-name" and "DBInstanceName" into
// "db-instance-name".
func kebab(s string) string {
	var b strings.Builder
	writeKebab(&b, s)
	return b.String()
}

// writeKebab writes kebab(s) to b. It decodes the runes as it goes, as
// a []rune of s would hold them (an invalid byte is U+FFFD).
func writeKebab(b *strings.Builder, s string) {
	var prev rune
	for i := 0; i < len(s); {
		c, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsUpper(c) && i > 0 {
			next, _ := utf8.DecodeRuneInString(s[i+w:])
			nextLower := i+w < len(s) && unicode.IsLower(next)
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
		prev = c
		i += w
	}
}

// pascal turns "network-interface" into "NetworkInterface", for Sids.
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			if up {
				c = unicode.ToUpper(c)
			}
			b.WriteRune(c)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// scopeTypes chooses the resource types to scope an action to: its
// required types; or among optional ones, the type the action is named
// after (s3:GetObject: object, not accesspointobject; s3:ListBucket:
// bucket). An optional type the name does not mention is often for a
// side feature (cloudwatch:GetMetricData lists "dataset"), so nil: the
// action keeps "*", as it does when it supports no resource type.
func scopeTypes(a *iamref.Action) []*iamref.ResourceType {
	var req []*iamref.ResourceType
	for _, r := range a.Resources {
		if r.Required && len(r.Type.ARNFormats) > 0 {
			req = append(req, r.Type)
		}
	}
	if len(req) > 0 {
		if len(req) > maxTypes {
			return nil
		}
		return req
	}
	name := "" // the action's name in lower case, once a type needs it
	var named *iamref.ResourceType
	for _, r := range a.Resources {
		t := r.Type
		if len(t.ARNFormats) == 0 || (t.Service != nil && t.Service != a.Service) {
			continue
		}
		if name == "" {
			name = strings.ToLower(a.Name)
		}
		n := strings.ToLower(strings.ReplaceAll(t.Name, "-", ""))
		if strings.Contains(name, n) && (named == nil || len(n) > len(named.Name)) {
			named = t
		}
	}
	if named == nil {
		return nil
	}
	return []*iamref.ResourceType{named}
}

// typeKey names a set of resource types: "s3:bucket+s3:object".
func typeKey(ts []*iamref.ResourceType) string {
	if len(ts) == 1 {
		return ts[0].Service.Prefix + ":" + ts[0].Name
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Service.Prefix + ":" + t.Name
	}
	slices.Sort(names)
	return strings.Join(names, "+")
}

// typeSuffix is the Sid suffix of a group of types: "Object", "TableIndex".
func typeSuffix(ts []*iamref.ResourceType) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(pascal(t.Name))
	}
	return b.String()
}

// actionScope is what groups asks of an action's scopeTypes: the types,
// with their typeKey and typeSuffix.
type actionScope struct {
	types       []*iamref.ResourceType // nil: the action keeps "*"
	key, suffix string
}

func scopeOf(a *iamref.Action) *actionScope {
	ts := scopeTypes(a)
	if ts == nil {
		return &actionScope{}
	}
	return &actionScope{types: slices.Clip(ts), key: typeKey(ts), suffix: typeSuffix(ts)}
}

// scopeTable remembers the scopes of a knowledge base's actions by ID:
// every attempt that scopes asks again, about the same actions policy
// after policy.
type scopeTable struct {
	kb     *iamref.KB
	scopes []atomic.Pointer[actionScope]
}

// lastScopes is the table of the knowledge base last asked about: there
// is one in use, and a table per base would keep every base alive.
var lastScopes atomic.Pointer[scopeTable]

// scopesOf is the table of kb's scopes.
func scopesOf(kb *iamref.KB) *scopeTable {
	if t := lastScopes.Load(); t != nil && t.kb == kb {
		return t
	}
	t := &scopeTable{kb: kb, scopes: make([]atomic.Pointer[actionScope], kb.NumActions())}
	lastScopes.Store(t)
	return t
}

// of is scopeOf(a), remembered when a is one of the table's actions.
func (t *scopeTable) of(a *iamref.Action) *actionScope {
	if t.kb.ActionByID(a.ID) != a {
		return scopeOf(a)
	}
	p := &t.scopes[a.ID]
	sc := p.Load()
	if sc == nil {
		sc = scopeOf(a)
		p.Store(sc)
	}
	return sc
}

// placeholder is placeholderARN of the type's first ARN format with the
// policy's facts; scoping asks for the same few types again and again.
func (f *shared) placeholder(t *iamref.ResourceType) string {
	if p, ok := f.placeholders[t]; ok {
		return p
	}
	if f.placeholders == nil {
		f.placeholders = map[*iamref.ResourceType]string{}
	}
	p := placeholderARN(t.ARNFormats[0], f.arn)
	f.placeholders[t] = p
	return p
}

// narrowPattern returns the placeholder ARNs that can replace a resource
// pattern reaching every resource of its types ("arn:aws:s3:::*",
// "arn:aws:kafka:*:*:cluster/*"), for the resource types of the given
// actions; nil when the pattern names specific resources, or some type it
// reaches cannot be given a placeholder within it.
func (f *shared) narrowPattern(p string, types []*iamref.ResourceType) []string {
	kb := f.kb
	if iamref.IsAllWildcard(p) || strings.Contains(p, "${") {
		return nil
	}
	var out []string
	for _, t := range types {
		if len(t.ARNFormats) == 0 || !kb.MatchResource(p, t) {
			continue
		}
		arn, ok := f.placeholderWithin(p, t)
		if !ok {
			return nil
		}
		if !slices.Contains(out, arn) {
			out = append(out, arn)
		}
	}
	if len(out) > maxTypes {
		return nil
	}
	return out
}

// patternType is a resource pattern with a resource type it reaches.
type patternType struct {
	pattern string
	t       *iamref.ResourceType
}

// within is a placeholder ARN within a pattern, or none (ok false).
type within struct {
	arn string
	ok  bool
}

// placeholderWithin is the placeholder ARN of type t that the pattern p,
// which reaches t, can be narrowed to: false when p names specific
// resources of t, or no placeholder fits within it. The answers are
// kept for the policy: the attempts, and statements with the same
// resources, ask again.
func (f *shared) placeholderWithin(p string, t *iamref.ResourceType) (string, bool) {
	k := patternType{p, t}
	if w, ok := f.withins[k]; ok {
		return w.arn, w.ok
	}
	arn, ok := f.findPlaceholderWithin(p, t)
	if f.withins == nil {
		f.withins = map[patternType]within{}
	}
	f.withins[k] = within{arn, ok}
	return arn, ok
}

func (f *shared) findPlaceholderWithin(p string, t *iamref.ResourceType) (string, bool) {
	if !analysis.BroadFor(p, t) {
		return "", false
	}
	arn := f.placeholder(t)
	if iamref.PatternCovers(p, arn) {
		return arn, true
	}
	// The pattern fixes a region or account the facts do not: fill in
	// from the pattern itself.
	seg := strings.SplitN(p, ":", 6)
	g := f.arn
	if len(seg) == 6 {
		if concrete(seg[3]) {
			g.region = seg[3]
		}
		if norm.IsAccountID(seg[4]) {
			g.account = seg[4]
		}
		if concrete(seg[1]) {
			g.partition = seg[1]
		}
	}
	if arn = placeholderARN(t.ARNFormats[0], g); !iamref.PatternCovers(p, arn) {
		return "", false
	}
	return arn, true
}
