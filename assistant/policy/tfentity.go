package policy

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// tfIdentities are the Terraform resource types that are IAM identities.
var tfIdentities = map[string]EntityKind{
	"aws_iam_role":  Role,
	"aws_iam_user":  User,
	"aws_iam_group": Group,
}

// tfInline are the inline policy resources, with the attribute that
// names their identity.
var tfInline = map[string]struct {
	kind EntityKind
	attr string
}{
	"aws_iam_role_policy":  {Role, "role"},
	"aws_iam_user_policy":  {User, "user"},
	"aws_iam_group_policy": {Group, "group"},
}

// tfAttachments are the attachment resources, with the attribute that
// names their identity.
var tfAttachments = map[string]struct {
	kind EntityKind
	attr string
}{
	"aws_iam_role_policy_attachment":  {Role, "role"},
	"aws_iam_user_policy_attachment":  {User, "user"},
	"aws_iam_group_policy_attachment": {Group, "group"},
}

// entity records what one Terraform block says about identities: an
// identity with its inline and trust policies, a policy with what it is
// attached to, an attachment, a membership. docs are the documents read
// from the block.
func (t *tfReader) entity(es *entities, b *hclsyntax.Block, docs []found) {
	if b.Type == "data" && len(b.Labels) == 2 && b.Labels[0] == "aws_iam_policy" {
		// An AWS managed policy looked up by name or ARN.
		for _, a := range []string{"arn", "name"} {
			if vs := t.texts(b.Body, a); len(vs) == 1 && !hasRef(vs[0].Text) {
				es.alias["data.aws_iam_policy."+b.Labels[1]] = vs[0].Text
			}
		}
		return
	}
	if b.Type != "resource" || len(b.Labels) != 2 {
		return
	}
	kind, addr := b.Labels[0], b.Labels[0]+"."+b.Labels[1]
	pos := t.pos(b.TypeRange.Start.Byte)
	switch {
	case tfIdentities[kind] != "":
		k := tfIdentities[kind]
		name := ""
		if vs := t.texts(b.Body, "name"); len(vs) == 1 {
			name = vs[0].Text
		}
		e := es.declare(k, addr, name, pos)
		for _, f := range docs {
			if f.doc.Type == Trust {
				e.Trust = f.doc
			} else {
				e.Policies = append(e.Policies, f.doc)
			}
		}
		for _, v := range t.texts(b.Body, "managed_policy_arns") {
			es.attach(k, addr, v.Text, v.Pos)
		}
	case tfInline[kind].kind != "":
		in := tfInline[kind]
		es.docsOf[addr] = foundDocs(docs)
		for _, v := range t.texts(b.Body, in.attr) {
			es.attach(in.kind, v.Text, addr, v.Pos)
		}
	case kind == "aws_iam_policy":
		es.docsOf[addr] = foundDocs(docs)
		if vs := t.texts(b.Body, "name"); len(vs) == 1 && !hasRef(vs[0].Text) {
			es.arnOf[vs[0].Text] = addr
		}
	case tfAttachments[kind].kind != "":
		at := tfAttachments[kind]
		for _, target := range t.texts(b.Body, at.attr) {
			for _, p := range t.texts(b.Body, "policy_arn") {
				es.attach(at.kind, target.Text, p.Text, p.Pos)
			}
		}
	case kind == "aws_iam_role_policy_attachments_exclusive":
		for _, target := range t.texts(b.Body, "role_name") {
			for _, p := range t.texts(b.Body, "policy_arns") {
				es.attach(Role, target.Text, p.Text, p.Pos)
			}
		}
	case kind == "aws_iam_policy_attachment":
		for _, p := range t.texts(b.Body, "policy_arn") {
			for k, attr := range map[EntityKind]string{Role: "roles", User: "users", Group: "groups"} {
				for _, target := range t.texts(b.Body, attr) {
					es.attach(k, target.Text, p.Text, target.Pos)
				}
			}
		}
	case kind == "aws_iam_user_group_membership":
		for _, user := range t.texts(b.Body, "user") {
			for _, g := range t.texts(b.Body, "groups") {
				es.join(user.Text, g.Text, g.Pos)
			}
		}
	case kind == "aws_iam_group_membership":
		for _, g := range t.texts(b.Body, "group") {
			for _, user := range t.texts(b.Body, "users") {
				es.join(user.Text, g.Text, user.Pos)
			}
		}
	}
}

// texts reads an attribute that is a string or a list of them;
// references are kept as "${...}".
func (t *tfReader) texts(body *hclsyntax.Body, name string) []Value {
	a := body.Attributes[name]
	if a == nil {
		return nil
	}
	v := t.value(a.Expr)
	items := []*node{v}
	if v.kind == kindArray {
		items = v.items
	}
	var out []Value
	for _, it := range items {
		if it.scalar() && strings.TrimSpace(it.str) != "" {
			out = append(out, Value{Text: strings.TrimSpace(it.str), Pos: t.r.loc.pos(it.off)})
		}
	}
	return out
}
