package policy

import (
	"regexp"
	"strings"

	"github.com/policycheck/policycheck/assistant/managed"
)

// EntityKind is the kind of IAM identity policies are attached to.
type EntityKind string

const (
	User  EntityKind = "user"
	Role  EntityKind = "role"
	Group EntityKind = "group"
)

// Entity is an IAM user, role or group of the input with the policies the
// input attaches to it: what a principal really gets is judged over all
// of them together.
type Entity struct {
	Kind EntityKind
	// Name is how the input names it: a template's logical id
	// ("AppRole"), a Terraform address ("aws_iam_role.app"), or the
	// IAM name of an account's entity.
	Name string
	Pos  Pos
	// Declared is false for an entity the input only names (a policy
	// attached to "existing-role"): other policies may be attached to it
	// elsewhere.
	Declared bool
	// Policies are the identity policies attached to it: inline ones,
	// customer managed ones of the input and the AWS managed ones this
	// binary knows (Source "aws-managed"), in the order attached.
	Policies []*Document
	// Groups are, for a user, the groups of the input it belongs to:
	// their policies apply to it too.
	Groups []*Entity
	// Trust is a role's trust policy, or nil.
	Trust *Document
	// Unknown are the attached policies the input does not hold and
	// this binary does not know: a customer managed ARN, a reference
	// computed at deployment.
	Unknown []Attachment
}

// Attachment is a policy attached by reference, as written.
type Attachment struct {
	Ref string // "arn:aws:iam::111122223333:policy/app", "${var.policy_arn}"
	Pos Pos
}

// Effective returns the identity policies that apply to the entity: its
// own, then its groups'.
func (e *Entity) Effective() []*Document {
	out := append([]*Document(nil), e.Policies...)
	for _, g := range e.Groups {
		for _, d := range g.Policies {
			if !containsDoc(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// Documents returns every document of the input that belongs to the
// entity: its policies, its groups' and its trust policy.
func (e *Entity) Documents() []*Document {
	out := e.Effective()
	if e.Trust != nil {
		out = append(out, e.Trust)
	}
	return out
}

func containsDoc(ds []*Document, d *Document) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// entities gathers the entities of one template or configuration while
// it is read, and the attachments that tie policies to them, and links
// them once everything is read.
type entities struct {
	r    *reader
	list []*Entity
	// byKey finds an entity by logical id or address; byName by the IAM
	// name it declares ("role:app-role").
	byKey  map[string]*Entity
	byName map[string]*Entity
	// docsOf are the documents each policy resource of the input holds,
	// by logical id or address; arnOf maps the names customer managed
	// policies declare to the same keys.
	docsOf map[string][]*Document
	arnOf  map[string]string
	// alias maps a Terraform data source to the policy it looks up.
	alias map[string]string
	links []link
}

// link attaches a policy to an entity.
type link struct {
	kind   EntityKind
	target string // logical id, address or IAM name of the entity
	policy string // logical id or address of a policy resource, or a policy reference (an ARN)
	pos    Pos
	// member is a group a user joins, instead of a policy.
	member bool
}

func newEntities(r *reader) *entities {
	return &entities{r: r, byKey: map[string]*Entity{}, byName: map[string]*Entity{},
		docsOf: map[string][]*Document{}, arnOf: map[string]string{}, alias: map[string]string{}}
}

// declare adds an entity the input declares; name is the IAM name it
// gives, if any.
func (es *entities) declare(kind EntityKind, key, name string, pos Pos) *Entity {
	e := &Entity{Kind: kind, Name: key, Pos: pos, Declared: true}
	es.list = append(es.list, e)
	es.byKey[key] = e
	if name != "" && !hasRef(name) {
		es.byName[string(kind)+":"+name] = e
	}
	return e
}

// find returns the entity a reference names: its key, a "${key}" or
// "${key.attr}" reference to it, or its IAM name; an entity the input
// only names is added, named by the reference.
func (es *entities) find(kind EntityKind, target string, pos Pos) *Entity {
	target = strings.TrimSpace(target)
	if target == "" {
		return nil
	}
	if e := es.byKey[refKey(target)]; e != nil {
		return e
	}
	if name := iamNameOf(kind, target); name != "" {
		target = name
	}
	if e := es.byName[string(kind)+":"+target]; e != nil {
		return e
	}
	target = refKey(target)
	if e := es.byName[string(kind)+":"+target]; e != nil {
		return e
	}
	e := &Entity{Kind: kind, Name: target, Pos: pos}
	es.list = append(es.list, e)
	es.byName[string(kind)+":"+target] = e
	return e
}

// refKey is what a reference "${AppRole}", "${AppRole.Arn}" or
// "${aws_iam_role.app.name}" points at: "AppRole", "aws_iam_role.app".
func refKey(s string) string {
	inner, ok := strings.CutPrefix(s, "${")
	if !ok || !strings.HasSuffix(inner, "}") || strings.Count(s, "${") != 1 {
		return s
	}
	inner = strings.TrimSuffix(inner, "}")
	parts := strings.Split(inner, ".")
	if len(parts) >= 2 && strings.HasPrefix(parts[0], "aws_") {
		name, _, _ := strings.Cut(parts[1], "[")
		return parts[0] + "." + name
	}
	if len(parts) >= 3 && parts[0] == "data" {
		name, _, _ := strings.Cut(parts[2], "[")
		return "data." + parts[1] + "." + name
	}
	return parts[0]
}

var iamARN = regexp.MustCompile(`^arn:[^:]*:iam::[^:]*:(user|role|group|policy)/(?:.*/)?([^/]+)$`)

// iamNameOf is the name at the end of an IAM ARN of the given kind, or "".
func iamNameOf(kind EntityKind, s string) string {
	m := iamARN.FindStringSubmatch(s)
	if m == nil || m[1] != string(kind) {
		return ""
	}
	return m[2]
}

func hasRef(s string) bool { return strings.Contains(s, "${") }

// attach records that a policy is attached to an entity.
func (es *entities) attach(kind EntityKind, target, policy string, pos Pos) {
	es.links = append(es.links, link{kind: kind, target: target, policy: policy, pos: pos})
}

// join records that a user belongs to a group.
func (es *entities) join(user, group string, pos Pos) {
	es.links = append(es.links, link{kind: User, target: user, policy: group, pos: pos, member: true})
}

// link ties every attachment, resolving policies in the input first, then
// AWS managed policies this binary knows; anything else is unknown.
func (es *entities) link() []*Entity {
	for _, l := range es.links {
		e := es.find(l.kind, l.target, l.pos)
		if e == nil {
			continue
		}
		if l.member {
			if g := es.find(Group, l.policy, l.pos); g != nil && !containsEntity(e.Groups, g) {
				e.Groups = append(e.Groups, g)
			}
			continue
		}
		docs := es.policyDocs(l.policy, l.pos)
		if docs == nil {
			if !containsAttachment(e.Unknown, l.policy) {
				e.Unknown = append(e.Unknown, Attachment{Ref: l.policy, Pos: l.pos})
			}
			continue
		}
		for _, d := range docs {
			if !containsDoc(e.Policies, d) {
				e.Policies = append(e.Policies, d)
			}
		}
	}
	// An entity the input only names is worth judging when what it gets
	// is more than one document of the input, judged alone anyway.
	out := es.list[:0]
	for _, e := range es.list {
		if e.Declared || len(e.Policies)+len(e.Unknown) > 1 || len(e.Unknown) > 0 || e.managed() {
			out = append(out, e)
		}
	}
	return out
}

func (e *Entity) managed() bool {
	for _, d := range e.Policies {
		if d.Managed != "" {
			return true
		}
	}
	return false
}

// policyDocs are the documents a policy reference stands for: a policy
// resource of the input, or an AWS managed policy; nil when unknown.
func (es *entities) policyDocs(ref string, pos Pos) []*Document {
	ref = strings.TrimSpace(ref)
	if a, ok := es.alias[refKey(ref)]; ok {
		ref = a
	}
	if ds, ok := es.docsOf[refKey(ref)]; ok {
		return ds
	}
	if m := iamARN.FindStringSubmatch(ref); m != nil && m[1] == "policy" && !managed.IsAWSManagedARN(ref) {
		if key, ok := es.arnOf[m[2]]; ok {
			return es.docsOf[key]
		}
	}
	if d := es.r.managedDoc(ref, pos); d != nil {
		return []*Document{d}
	}
	return nil
}

func containsEntity(es []*Entity, e *Entity) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

func containsAttachment(as []Attachment, ref string) bool {
	for _, a := range as {
		if a.Ref == ref {
			return true
		}
	}
	return false
}

// managedDoc is the AWS managed policy ref names, read once per input and
// placed at the attachment: a finding about it points at the line that
// attaches it. nil when ref names no AWS managed policy this binary knows.
func (r *reader) managedDoc(ref string, pos Pos) *Document {
	p, ok := managed.Lookup(ref)
	if !ok {
		return nil
	}
	if d, ok := r.managed[p.ARN]; ok {
		return d
	}
	res, err := Read(p.Document, Options{Name: p.Name + " (AWS managed policy)", Type: Identity, MaxBytes: len(p.Document) + 1})
	if err != nil || len(res.Documents) != 1 {
		return nil
	}
	d := res.Documents[0]
	d.Source, d.Type, d.TypeKnown, d.Managed = "aws-managed", Identity, true, p.ARN
	d.placeAt(pos)
	if r.managed == nil {
		r.managed = map[string]*Document{}
	}
	r.managed[p.ARN] = d
	return d
}

// placeAt moves every position of d to pos.
func (d *Document) placeAt(pos Pos) {
	d.Pos, d.VersionPos = pos, pos
	list := func(l *List) {
		l.Pos = pos
		for i := range l.Values {
			l.Values[i].Pos = pos
		}
	}
	principal := func(p *Principal) {
		if p == nil {
			return
		}
		p.Pos = pos
		for i := range p.Entries {
			list(&p.Entries[i].Values)
		}
	}
	for i := range d.Statements {
		s := &d.Statements[i]
		s.Pos, s.EffectPos, s.ConditionPos = pos, pos, pos
		for _, l := range []*List{&s.Action, &s.NotAction, &s.Resource, &s.NotResource} {
			list(l)
		}
		principal(s.Principal)
		principal(s.NotPrincipal)
		for j := range s.Conditions {
			s.Conditions[j].Pos = pos
			list(&s.Conditions[j].Values)
		}
		for j := range s.Unknown {
			s.Unknown[j].Pos = pos
		}
	}
}
