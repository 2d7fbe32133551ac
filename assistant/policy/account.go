package policy

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/policycheck/policycheck/assistant/managed"
)

// The output of aws iam get-account-authorization-details is read as an
// input of its own: its users, groups and roles are entities with their
// inline policies, the managed policies attached to them, their groups
// and a role's trust policy, and its Policies list holds the customer
// managed policies they share.

// accountList is a list of identities of the output: the kind it lists
// and the keys of its items.
type accountList struct {
	kind   EntityKind
	name   string // the key of the IAM name
	inline string // the key of the inline policies
}

var accountLists = map[string]accountList{
	"UserDetailList":  {User, "UserName", "UserPolicyList"},
	"GroupDetailList": {Group, "GroupName", "GroupPolicyList"},
	"RoleDetailList":  {Role, "RoleName", "RolePolicyList"},
}

// isAccount reports whether n is the output of aws iam
// get-account-authorization-details: it has a list of users, groups or
// roles, or a Policies list whose items have versions (aws iam
// list-policies has a Policies list too, without documents).
func isAccount(n *node) bool {
	for _, m := range n.members {
		if _, ok := accountLists[m.key]; ok {
			return true
		}
	}
	if p := n.get("Policies"); p != nil && p.kind == kindArray {
		for _, it := range p.items {
			if it.get("PolicyVersionList") != nil {
				return true
			}
		}
	}
	return false
}

// accountReader holds the state of reading one account.
type accountReader struct {
	r *reader
	o origin
	// ents are the identities of the account in the order written;
	// declared finds them by kind and IAM name.
	ents     []*Entity
	declared map[EntityKind]map[string]*Entity
	// customer are the customer managed policies of the Policies list by
	// ARN, in the order written; aws are the documents the list holds for
	// AWS managed policies, read only when attached and unknown to this
	// binary.
	customer map[string]*accountPolicy
	order    []*accountPolicy
	aws      map[string]accountAWS
	links    []accountLink
	// boundaries are the ARNs of the permissions boundaries set on the
	// account's identities.
	boundaries map[string]bool
}

// accountPolicy is a customer managed policy of the Policies list.
type accountPolicy struct {
	arn string
	doc *Document
	// attachments and boundaryUses are the counts the list gives, -1
	// when it gives none.
	attachments, boundaryUses int
	used                      bool
}

// accountAWS is an AWS managed policy's document in the Policies list.
type accountAWS struct {
	name string
	doc  *node
}

// accountLink attaches a managed policy to an identity, or makes a user
// a member of a group.
type accountLink struct {
	e      *Entity
	ref    string // a policy ARN, or a group name
	pos    Pos
	member bool
}

// account reads the output of aws iam get-account-authorization-details:
// its documents are added to r.docs, its identities to r.entities, its
// customer managed policies that nothing uses to r.unused.
func (r *reader) account(n *node, o origin) *Error {
	a := &accountReader{r: r, o: o, declared: map[EntityKind]map[string]*Entity{},
		customer: map[string]*accountPolicy{}, aws: map[string]accountAWS{}, boundaries: map[string]bool{}}
	first := len(r.docs)
	for _, m := range n.members {
		switch {
		case accountLists[m.key].kind != "":
			for i, it := range a.items(m) {
				a.identity(accountLists[m.key], fmt.Sprintf("%s[%d]", m.key, i), it)
			}
		case m.key == "Policies":
			for _, it := range a.items(m) {
				a.policy(it)
			}
		case m.key == "IsTruncated" && m.val.kind == kindBool && m.val.str == "true":
			r.note(o.loc, m.keyOff, "the output is truncated (IsTruncated): the identities and policies of its next pages are missing")
		}
	}
	if len(r.docs) == first {
		return errNoPolicy("this output of aws iam get-account-authorization-details holds no policy document")
	}
	a.link()
	r.entities = append(r.entities, a.ents...)
	for _, p := range a.order {
		if !p.used && !a.boundaries[p.arn] && p.attachments <= 0 && p.boundaryUses <= 0 {
			r.unused = append(r.unused, p.doc)
		}
	}
	return nil
}

// items are the objects of a list of the output; a list or an item of
// another shape is skipped with a note.
func (a *accountReader) items(m member) []*node {
	if m.val.kind != kindArray {
		a.r.note(a.o.loc, m.val.off, fmt.Sprintf("%s should be a list, not %s; skipped it", m.key, m.val.kind))
		return nil
	}
	out := make([]*node, 0, len(m.val.items))
	for i, it := range m.val.items {
		if it.kind != kindObject {
			a.r.note(a.o.loc, it.off, fmt.Sprintf("%s[%d] should be an object, not %s; skipped it", m.key, i, it.kind))
			continue
		}
		out = append(out, it)
	}
	return out
}

// list is the value of key when it is a list, else nil, with a note
// when it is something else; what names n in the note.
func (a *accountReader) list(n *node, what, key string) []*node {
	v := n.get(key)
	switch {
	case v == nil || v.kind == kindNull:
		return nil
	case v.kind != kindArray:
		a.r.note(a.o.loc, v.off, fmt.Sprintf("%s: %s should be a list, not %s; skipped it", what, key, v.kind))
		return nil
	}
	return v.items
}

// str is the value of key when it is a string that is not blank.
func str(n *node, key string) (string, *node) {
	v := n.get(key)
	if !v.isString() || strings.TrimSpace(v.str) == "" {
		return "", nil
	}
	return strings.TrimSpace(v.str), v
}

// identity reads a user, group or role.
func (a *accountReader) identity(l accountList, label string, n *node) {
	name, nv := str(n, l.name)
	pos := a.o.loc.pos(n.off)
	if nv != nil {
		pos = a.o.loc.pos(nv.off)
	} else {
		name = label
	}
	e := &Entity{Kind: l.kind, Name: name, Pos: pos, Declared: true}
	a.ents = append(a.ents, e)
	if a.declared[l.kind] == nil {
		a.declared[l.kind] = map[string]*Entity{}
	}
	a.declared[l.kind][name] = e
	prefix := fmt.Sprintf("%s %s", l.kind, name)
	if v := n.get("AssumeRolePolicyDocument"); v != nil && l.kind == Role {
		e.Trust = a.doc(v, n, prefix+": trust policy", Trust)
	}

	for i, it := range a.list(n, prefix, l.inline) {
		if it.kind != kindObject {
			a.r.note(a.o.loc, it.off, fmt.Sprintf("%s: %s[%d] should be an object, not %s; skipped it", prefix, l.inline, i, it.kind))
			continue
		}
		pname, _ := str(it, "PolicyName")
		if pname == "" {
			pname = fmt.Sprintf("%s[%d]", l.inline, i)
		}
		if d := a.doc(it.get("PolicyDocument"), it, prefix+": inline "+pname, Identity); d != nil {
			e.Policies = append(e.Policies, d)
		}
	}
	for _, it := range a.list(n, prefix, "AttachedManagedPolicies") {
		if arn, v := str(it, "PolicyArn"); v != nil {
			a.links = append(a.links, accountLink{e: e, ref: arn, pos: a.o.loc.pos(v.off)})
		} else {
			a.r.note(a.o.loc, it.off, prefix+": an attached managed policy without a PolicyArn; skipped it")
		}
	}
	if l.kind == User {
		for _, it := range a.list(n, prefix, "GroupList") {
			if it.isString() && strings.TrimSpace(it.str) != "" {
				a.links = append(a.links, accountLink{e: e, ref: strings.TrimSpace(it.str), pos: a.o.loc.pos(it.off), member: true})
			}
		}
	}
	if arn, _ := str(n.get("PermissionsBoundary"), "PermissionsBoundaryArn"); arn != "" {
		a.boundaries[arn] = true
	}
}

// policy reads an item of the Policies list: a customer managed policy
// becomes a document, an AWS managed one is kept for when it is attached.
func (a *accountReader) policy(n *node) {
	arn, _ := str(n, "Arn")
	name, _ := str(n, "PolicyName")
	if arn == "" {
		a.r.note(a.o.loc, n.off, fmt.Sprintf("a policy of the Policies list without an Arn (%q); skipped it", name))
		return
	}
	if name == "" {
		name = arn[strings.LastIndexByte(arn, '/')+1:]
	}
	version, id := a.defaultVersion(n, name)
	if version == nil {
		return
	}
	if managed.IsAWSManagedARN(arn) {
		a.aws[arn] = accountAWS{name: name, doc: version.get("Document")}
		return
	}
	label := name + " (customer managed policy"
	if id != "" {
		label += ", " + id
	}
	d := a.doc(version.get("Document"), version, label+")", Identity)
	if d == nil {
		return
	}
	p := &accountPolicy{arn: arn, doc: d, attachments: count(n.get("AttachmentCount")), boundaryUses: count(n.get("PermissionsBoundaryUsageCount"))}
	a.customer[arn] = p
	a.order = append(a.order, p)
}

// defaultVersion is the version of a managed policy in force, and its
// id: the one marked IsDefaultVersion or named by DefaultVersionId, else
// the first, with a note. nil when the policy lists no version.
func (a *accountReader) defaultVersion(n *node, name string) (*node, string) {
	defaultID, _ := str(n, "DefaultVersionId")
	var versions []*node
	for _, v := range a.list(n, "the policy "+name, "PolicyVersionList") {
		if v.kind == kindObject {
			versions = append(versions, v)
		}
	}
	for _, v := range versions {
		id, _ := str(v, "VersionId")
		if d := v.get("IsDefaultVersion"); d != nil && d.scalar() && strings.EqualFold(d.str, "true") || id != "" && id == defaultID {
			return v, id
		}
	}
	if len(versions) == 0 {
		a.r.note(a.o.loc, n.off, fmt.Sprintf("the policy %s has no version in PolicyVersionList; skipped it", name))
		return nil, ""
	}
	id, _ := str(versions[0], "VersionId")
	a.r.note(a.o.loc, versions[0].off, fmt.Sprintf("the policy %s has no default version; read its first one", name))
	return versions[0], id
}

// count reads a count of the output, -1 when there is none.
func count(n *node) int {
	if n == nil || n.kind != kindNumber {
		return -1
	}
	k := 0
	for _, c := range n.str {
		if c < '0' || c > '9' || k > 1<<20 {
			return 1 // a count that is not a small whole number is not 0
		}
		k = 10*k + int(c-'0')
	}
	return k
}

// doc reads a policy document of the output and adds it to the input's
// documents: an object, or a string of JSON, URL-encoded as the IAM API
// returns it (the AWS CLI decodes it). parent is where to point when the
// document is missing. A document that cannot be read is skipped with a
// note.
func (a *accountReader) doc(v, parent *node, name string, typ Type) *Document {
	d, err := a.read(v, name, typ)
	if err != nil {
		pos := err.Pos
		switch {
		case pos.Line > 0:
		case v != nil:
			pos = a.o.loc.pos(v.off)
		default:
			pos = a.o.loc.pos(parent.off)
		}
		a.r.notes = append(a.r.notes, Note{Pos: pos, Message: fmt.Sprintf("skipped %s: %s", name, err.Msg)})
		return nil
	}
	a.r.addDoc(found{doc: d})
	return d
}

// read builds the document v holds, without adding it.
func (a *accountReader) read(v *node, name string, typ Type) (*Document, *Error) {
	o := a.o
	if v == nil || v.kind == kindNull {
		return nil, &Error{Msg: "it has no document"}
	}
	if v.kind == kindString {
		s := strings.TrimSpace(v.str)
		if strings.HasPrefix(s, "%") {
			dec, err := url.PathUnescape(s)
			if err != nil {
				return nil, &Error{Msg: "its document is not valid URL-encoded text: " + err.Error()}
			}
			v = &node{kind: kindString, off: v.off, str: dec}
		}
		n, no, err := a.r.embedded(v, o.loc)
		if err != nil {
			return nil, err
		}
		v, o = n, no
	}
	if v.kind != kindObject {
		return nil, &Error{Msg: fmt.Sprintf("its document is %s, not a policy document", v.kind)}
	}
	return a.r.build(v, o, docSpec{name: name, source: "account", hint: typ}), nil
}

// link attaches the managed policies: customer managed ones of the
// Policies list, AWS managed ones this binary knows or the list holds;
// any other is unknown. Users join their groups; a group the output does
// not list is named, not declared.
func (a *accountReader) link() {
	undeclared := map[string]*Entity{}
	for _, l := range a.links {
		if l.member {
			g := a.declared[Group][l.ref]
			if g == nil {
				if g = undeclared[l.ref]; g == nil {
					g = &Entity{Kind: Group, Name: l.ref, Pos: l.pos}
					undeclared[l.ref] = g
				}
			}
			if !containsEntity(l.e.Groups, g) {
				l.e.Groups = append(l.e.Groups, g)
			}
			continue
		}
		d := a.managed(l.ref, l.pos)
		switch {
		case d == nil && !containsAttachment(l.e.Unknown, l.ref):
			l.e.Unknown = append(l.e.Unknown, Attachment{Ref: l.ref, Pos: l.pos})
		case d != nil && !containsDoc(l.e.Policies, d):
			l.e.Policies = append(l.e.Policies, d)
		}
	}
}

// managed is the document of a managed policy ARN, or nil. The copy of
// an AWS managed policy this binary holds is preferred to the output's,
// as in a template: it is the one every input shares.
func (a *accountReader) managed(arn string, pos Pos) *Document {
	if p := a.customer[arn]; p != nil {
		p.used = true
		return p.doc
	}
	if !managed.IsAWSManagedARN(arn) {
		return nil
	}
	if d := a.r.managedDoc(arn, pos); d != nil {
		return d
	}
	if d, ok := a.r.managed[arn]; ok {
		return d
	}
	p, ok := a.aws[arn]
	if !ok {
		return nil
	}
	d, err := a.read(p.doc, p.name+" (AWS managed policy)", Identity)
	if err != nil {
		return nil
	}
	d.Source, d.Managed = "aws-managed", arn
	if a.r.managed == nil {
		a.r.managed = map[string]*Document{}
	}
	a.r.managed[arn] = d
	return d
}
