package policy

import (
	"fmt"
	"regexp"
	"strings"
)

// RefKind says what a reference of a template stands for: a CloudFormation
// Ref, Fn::GetAtt or ${} of Fn::Sub, or a Terraform expression, all read
// as "${...}" in the document's values.
type RefKind uint8

const (
	// Unresolved is a value the input does not say: a parameter, a
	// variable, a data source, another module's output. It may be
	// anything, "*" included.
	Unresolved RefKind = iota
	// ThisAccount is the id of the account the template is deployed in
	// (AWS::AccountId, data.aws_caller_identity's account_id).
	ThisAccount
	// ThisPartition is the partition deployed in ("aws", "aws-cn"...).
	ThisPartition
	// ThisRegion is the region deployed in.
	ThisRegion
	// Fixed is another value the deployment fixes and nobody chooses:
	// the stack's name, the URL suffix, the caller running Terraform.
	Fixed
	// Own is an attribute of a resource the input declares: one specific
	// resource (its ARN, name or id).
	Own
)

// Reference is what one "${name}" of a template stands for.
type Reference struct {
	Kind RefKind
	// What says it in words: "Terraform variable who",
	// "CloudFormation parameter KeyAdminArn".
	What string
	// Default holds the declared default of a variable or parameter, a
	// value for each item of a list; nil when none is declared. For
	// Fn::FindInMap, the values the map holds: the reference is one of
	// them.
	Default []string
	choice  bool // Default lists the values it may take, not a default
}

// Specific reports a reference that stands for one value the input fixes:
// not a choice left to whoever deploys it.
func (r Reference) Specific() bool { return r.Kind != Unresolved }

// policyVariable matches what IAM reads between "${" and "}": a condition
// key ("aws:username", "aws:PrincipalTag/team", "s3:prefix",
// "token.actions.githubusercontent.com:sub"), with an optional default
// ("aws:username, 'none'"), or one of the special characters "*", "?", "$".
var policyVariable = regexp.MustCompile(`^(?:[*?$]|[A-Za-z0-9][A-Za-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._/-]*(?:\s*,\s*'[^']*')?)$`)

// PolicyVariable reports whether the text between "${" and "}" is an IAM
// policy variable rather than a reference of a template. A CloudFormation
// escape ("${!aws:username}", which Fn::Sub writes as "${aws:username}")
// is a policy variable too.
func PolicyVariable(name string) bool {
	name = strings.TrimPrefix(name, "!")
	return policyVariable.MatchString(name) && !strings.Contains(name, "::")
}

// RefNames returns the names between "${" and "}" in s that are not policy
// variables, in order, each once.
func RefNames(s string) []string {
	var out []string
	for rest := s; ; {
		i := strings.Index(rest, "${")
		if i < 0 {
			return out
		}
		j := closing(rest[i+2:])
		if j < 0 {
			return out
		}
		name := rest[i+2 : i+2+j]
		rest = rest[i+2+j+1:]
		if PolicyVariable(name) || contains(out, name) {
			continue
		}
		out = append(out, name)
	}
}

// closing is the index of the "}" that closes a "${", counting the
// braces of a Terraform expression inside it; -1 if none.
func closing(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ReplaceRefs returns s with every reference "${name}" (not the policy
// variables) replaced by what with says.
func ReplaceRefs(s string, with func(name string) string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for rest := s; ; {
		i := strings.Index(rest, "${")
		j := -1
		if i >= 0 {
			j = closing(rest[i+2:])
		}
		if i < 0 || j < 0 {
			b.WriteString(rest)
			return b.String()
		}
		name := rest[i+2 : i+2+j]
		b.WriteString(rest[:i])
		if PolicyVariable(name) {
			b.WriteString(rest[i : i+2+j+1])
		} else {
			b.WriteString(with(name))
		}
		rest = rest[i+2+j+1:]
	}
}

// refResolver tells what the references of one template or Terraform
// file stand for.
type refResolver interface {
	reference(name string) Reference
}

// collectRefs records what every reference in d's principals, actions,
// resources and conditions stands for, with a note for each default it will be
// judged by.
func (r *reader) collectRefs(d *Document) {
	if r.refs == nil {
		return
	}
	add := func(l List) {
		for _, v := range l.Values {
			for _, name := range RefNames(v.Text) {
				if _, ok := d.Refs[name]; ok {
					continue
				}
				ref := r.refs.reference(name)
				if d.Refs == nil {
					d.Refs = map[string]Reference{}
				}
				d.Refs[name] = ref
				if ref.Default != nil && !ref.choice && !r.defaultNoted[name] {
					if r.defaultNoted == nil {
						r.defaultNoted = map[string]bool{}
					}
					r.defaultNoted[name] = true
					r.notes = append(r.notes, Note{Pos: v.Pos, Message: fmt.Sprintf(
						"${%s} (%s) is judged as its declared default, %s: another value given at deployment may grant more",
						name, ref.What, quoteList(ref.Default))})
				}
			}
		}
	}
	for i := range d.Statements {
		s := &d.Statements[i]
		for _, p := range []*Principal{s.Principal, s.NotPrincipal} {
			if p != nil {
				for _, e := range p.Entries {
					add(e.Values)
				}
			}
		}
		add(s.Action)
		add(s.NotAction)
		add(s.Resource)
		add(s.NotResource)
		for _, c := range s.Conditions {
			add(c.Values)
		}
	}
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// cfnRefs resolves the references of a CloudFormation template.
type cfnRefs struct {
	r         *reader
	loc       locator
	params    map[string]*node
	resources map[string]string // logical id to type
}

func newCFNRefs(r *reader, t *node, loc locator) *cfnRefs {
	c := &cfnRefs{r: r, loc: loc, params: map[string]*node{}, resources: map[string]string{}}
	if ps := t.get("Parameters"); ps != nil && ps.kind == kindObject {
		for _, m := range ps.members {
			c.params[m.key] = m.val
		}
	}
	if rs := t.get("Resources"); rs != nil && rs.kind == kindObject {
		for _, m := range rs.members {
			typ := ""
			if k := m.val.get("Type"); k.isString() {
				typ = k.str
			}
			c.resources[m.key] = typ
		}
	}
	return c
}

// cfnPseudo are CloudFormation's pseudo parameters.
var cfnPseudo = map[string]RefKind{
	"AWS::AccountId":        ThisAccount,
	"AWS::Partition":        ThisPartition,
	"AWS::Region":           ThisRegion,
	"AWS::URLSuffix":        Fixed,
	"AWS::StackName":        Fixed,
	"AWS::StackId":          Fixed,
	"AWS::NotificationARNs": Fixed,
}

func (c *cfnRefs) reference(name string) Reference {
	if k, ok := cfnPseudo[name]; ok {
		return Reference{Kind: k, What: "pseudo parameter " + name}
	}
	if m, ok := strings.CutPrefix(name, "Fn::FindInMap "); ok {
		return c.findInMap(m)
	}
	if strings.HasPrefix(name, "Fn::") {
		return Reference{What: name + ", computed when the stack is deployed"}
	}
	logical, _, _ := strings.Cut(name, ".")
	if typ, ok := c.resources[logical]; ok {
		return Reference{Kind: Own, What: "resource " + logical + " (" + typ + ") of this template"}
	}
	p, ok := c.params[logical]
	if !ok {
		return Reference{What: logical + ", which this template does not declare"}
	}
	ref := Reference{What: "CloudFormation parameter " + logical}
	typ, _ := c.r.text1(p.get("Type"), c.loc)
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::") {
		// Its default names a parameter of Systems Manager, not a value.
		return ref
	}
	if d := c.r.resolve(p.get("Default"), c.loc); d != nil && d.scalar() && d.str != "" {
		ref.Default = []string{d.str}
		if strings.Contains(typ, "List") {
			ref.Default = strings.Split(d.str, ",")
			for i := range ref.Default {
				ref.Default[i] = strings.TrimSpace(ref.Default[i])
			}
		}
	}
	return ref
}

// findInMap is what "map/key/key" of Fn::FindInMap stands for: one of the
// values the map holds for the keys it names, any where a key is a
// reference.
func (c *cfnRefs) findInMap(spec string) Reference {
	parts := strings.Split(spec, "/")
	ref := Reference{What: "Fn::FindInMap of " + parts[0] + ", computed when the stack is deployed"}
	m := c.r.mappings.get(parts[0])
	if len(parts) != 3 || m == nil || m.kind != kindObject {
		return ref
	}
	var values []string
	for _, top := range m.members {
		if m.get(parts[1]) != nil && top.key != parts[1] {
			continue
		}
		if top.val == nil || top.val.kind != kindObject {
			continue
		}
		for _, second := range top.val.members {
			if top.val.get(parts[2]) != nil && second.key != parts[2] {
				continue
			}
			v := second.val
			items := []*node{v}
			if v != nil && v.kind == kindArray {
				items = v.items
			}
			for _, it := range items {
				if !it.scalar() || strings.Contains(it.str, "${") {
					return ref
				}
				if !contains(values, it.str) {
					values = append(values, it.str)
				}
			}
		}
	}
	if len(values) == 0 {
		return ref
	}
	ref.What = "Fn::FindInMap of " + parts[0] + ", one of the values it maps"
	ref.Default = values
	ref.choice = true
	return ref
}

// tfResourceName matches the type of a managed resource ("aws_s3_bucket").
var tfResourceName = regexp.MustCompile(`^[a-z][a-z0-9]*_[a-z0-9_]+$`)

// reference tells what a Terraform expression stands for.
func (t *tfReader) reference(name string) Reference {
	parts := strings.Split(strings.TrimSpace(name), ".")
	for i, p := range parts {
		if k := strings.IndexAny(p, "[ ("); k >= 0 {
			parts[i] = p[:k] // aws_s3_bucket.b[0].arn, aws_s3_bucket.b[*].arn
		}
	}
	simple := !strings.ContainsAny(name, " (\"?:")
	switch {
	case !simple:
		return Reference{What: "the expression " + name + ", computed when Terraform runs"}
	case parts[0] == "var" && len(parts) >= 2:
		ref := Reference{What: "Terraform variable " + parts[1]}
		if len(parts) == 2 && !strings.Contains(name, "[") {
			ref.Default = t.varDefault(parts[1])
		}
		if _, ok := t.vars[parts[1]]; !ok {
			ref.What += ", not declared in this file"
		}
		return ref
	case parts[0] == "data" && len(parts) >= 4:
		switch kind, attr := parts[1], parts[3]; {
		case kind == "aws_caller_identity" && attr == "account_id":
			return Reference{Kind: ThisAccount, What: "the account Terraform runs in"}
		case kind == "aws_caller_identity":
			return Reference{Kind: Fixed, What: "the identity Terraform runs as"}
		case kind == "aws_partition" && attr == "partition":
			return Reference{Kind: ThisPartition, What: "the partition Terraform runs in"}
		case kind == "aws_region" && (attr == "name" || attr == "region" || attr == "id"):
			return Reference{Kind: ThisRegion, What: "the region Terraform runs in"}
		case kind == "aws_partition" || kind == "aws_region":
			return Reference{Kind: Fixed, What: "data source " + strings.Join(parts[:3], ".")}
		}
		return Reference{What: "data source " + strings.Join(parts[:3], ".") + ", read when Terraform runs"}
	case parts[0] == "module" && len(parts) >= 3:
		return Reference{What: "output " + parts[2] + " of module " + parts[1]}
	case parts[0] == "local" && len(parts) >= 2:
		return Reference{What: "local value " + parts[1] + ", computed when Terraform runs"}
	case parts[0] == "each" || parts[0] == "count" || t.iterators[parts[0]]:
		return Reference{What: name + ", one of the values the block repeats over"}
	case len(parts) >= 2 && tfResourceName.MatchString(parts[0]):
		// Terraform refuses a reference to a resource its module does not
		// declare: in this file or another, it is one resource, never a
		// pattern.
		where := ", declared in another file of the module"
		if t.declared[parts[0]+"."+parts[1]] {
			where = " of this file"
		}
		return Reference{Kind: Own, What: "resource " + parts[0] + "." + parts[1] + where}
	}
	return Reference{What: name}
}

// varDefault is a variable's declared default as strings: a string, a
// number, or a list of them; nil when none, or when it is empty.
func (t *tfReader) varDefault(name string) []string {
	e := t.vars[name]
	if e == nil {
		return nil
	}
	v := t.value(e)
	switch {
	case v.scalar() && v.str != "" && !strings.Contains(v.str, "${"):
		return []string{v.str}
	case v.kind == kindArray && len(v.items) > 0:
		out := make([]string, 0, len(v.items))
		for _, it := range v.items {
			if !it.scalar() || it.str == "" || strings.Contains(it.str, "${") {
				return nil
			}
			out = append(out, it.str)
		}
		return out
	}
	return nil
}
