package suggest

import (
	"slices"
	"strings"
	"unicode"

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
	var names []string
	for rest := format; ; {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			break
		}
		switch v := rest[i+2 : i+j]; v {
		case "Partition", "Region", "Account":
		default:
			names = append(names, v)
		}
		rest = rest[i+j+1:]
	}
	var b strings.Builder
	n := 0
	for rest := format; ; {
		i := strings.Index(rest, "${")
		j := -1
		if i >= 0 {
			j = strings.IndexByte(rest[i:], '}')
		}
		if i < 0 || j < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		switch v := rest[i+2 : i+j]; v {
		case "Partition":
			b.WriteString(f.partition)
		case "Region":
			b.WriteString(f.region)
		case "Account":
			b.WriteString(f.account)
		default:
			n++
			if n == len(names) && n > 1 {
				b.WriteString("*")
			} else {
				b.WriteString("<" + kebab(strings.TrimSuffix(v, "WithPath")) + ">")
			}
		}
		rest = rest[i+j+1:]
	}
}

// kebab turns "BucketName" into "bucket-name" and "DBInstanceName" into
// "db-instance-name".
func kebab(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
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
	name := strings.ToLower(a.Name)
	var named *iamref.ResourceType
	for _, r := range a.Resources {
		t := r.Type
		if len(t.ARNFormats) == 0 || (t.Service != nil && t.Service != a.Service) {
			continue
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

// narrowPattern returns the placeholder ARNs that can replace a resource
// pattern reaching every resource of its types ("arn:aws:s3:::*",
// "arn:aws:kafka:*:*:cluster/*"), for the resource types of the given
// actions; nil when the pattern names specific resources, or some type it
// reaches cannot be given a placeholder within it.
func narrowPattern(kb *iamref.KB, p string, types []*iamref.ResourceType, f arnFacts) []string {
	if iamref.IsAllWildcard(p) || strings.Contains(p, "${") {
		return nil
	}
	var out []string
	for _, t := range types {
		if len(t.ARNFormats) == 0 || !kb.MatchResource(p, t) {
			continue
		}
		if !analysis.BroadFor(p, t) {
			return nil
		}
		arn := placeholderARN(t.ARNFormats[0], f)
		if !iamref.PatternCovers(p, arn) {
			// The pattern fixes a region or account the facts do not:
			// fill in from the pattern itself.
			seg := strings.SplitN(p, ":", 6)
			g := f
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
				return nil
			}
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
