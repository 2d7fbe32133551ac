package policy

import "strings"

// cfnIdentities are the template resource types that are IAM identities.
var cfnIdentities = map[string]EntityKind{
	"AWS::IAM::Role":  Role,
	"AWS::IAM::User":  User,
	"AWS::IAM::Group": Group,
}

// cfnNameProperty is the property that names each kind of identity.
var cfnNameProperty = map[EntityKind]string{Role: "RoleName", User: "UserName", Group: "GroupName"}

// cfnEntity records what one template resource says about identities:
// an identity with its inline and trust policies, a policy resource with
// the identities it is attached to, a group's members. docs are the
// documents read from the resource.
func (r *reader) cfnEntity(es *entities, res member, typ string, props *node, o origin, docs []found) {
	pos := o.loc.pos(res.keyOff)
	switch typ {
	case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
		kind := cfnIdentities[typ]
		name, _ := r.text1(props.get(cfnNameProperty[kind]), o.loc)
		e := es.declare(kind, res.key, name, pos)
		for _, f := range docs {
			if f.doc.Type == Trust {
				e.Trust = f.doc
			} else {
				e.Policies = append(e.Policies, f.doc)
			}
		}
		for _, v := range r.texts(props.get("ManagedPolicyArns"), o.loc) {
			es.attach(kind, res.key, v.Text, v.Pos)
		}
		if kind == User {
			for _, v := range r.texts(props.get("Groups"), o.loc) {
				es.join(res.key, v.Text, v.Pos)
			}
		}
	case "AWS::Serverless::Function":
		// SAM makes a role for a function that names none, with the
		// policies it lists: documents, and AWS managed policies by name
		// or ARN.
		if props.get("Role") != nil || props.get("Policies") == nil {
			return
		}
		e := es.declare(Role, res.key, "", pos)
		for _, f := range docs {
			e.Policies = append(e.Policies, f.doc)
		}
		for _, v := range r.texts(props.get("Policies"), o.loc) {
			es.attach(Role, res.key, v.Text, v.Pos)
		}
	case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
		es.docsOf[res.key] = foundDocs(docs)
		if name, ok := r.text1(props.get("ManagedPolicyName"), o.loc); ok && typ == "AWS::IAM::ManagedPolicy" && !hasRef(name) {
			es.arnOf[name] = res.key
		}
		for kind, prop := range map[EntityKind]string{Role: "Roles", User: "Users", Group: "Groups"} {
			for _, v := range r.texts(props.get(prop), o.loc) {
				es.attach(kind, v.Text, res.key, v.Pos)
			}
		}
	case "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy":
		es.docsOf[res.key] = foundDocs(docs)
		kind := EntityKind(strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(typ, "AWS::IAM::"), "Policy")))
		if n := props.get(cfnNameProperty[kind]); n != nil {
			if v, ok := r.text1(n, o.loc); ok {
				es.attach(kind, v, res.key, o.loc.pos(n.off))
			}
		}
	case "AWS::IAM::UserToGroupAddition":
		group, ok := r.text1(props.get("GroupName"), o.loc)
		if !ok {
			return
		}
		for _, v := range r.texts(props.get("Users"), o.loc) {
			es.join(v.Text, group, v.Pos)
		}
	}
}

func foundDocs(fs []found) []*Document {
	out := make([]*Document, len(fs))
	for i, f := range fs {
		out[i] = f.doc
	}
	return out
}

// texts reads a property that is a string or a list of them, resolving
// intrinsics; items that are not strings (a SAM policy template, a
// document) are left out.
func (r *reader) texts(n *node, loc locator) []Value {
	n = r.resolve(n, loc)
	if n == nil {
		return nil
	}
	items := []*node{n}
	if n.kind == kindArray {
		items = n.items
	}
	var out []Value
	for _, it := range items {
		if s, ok := r.text1(it, loc); ok && strings.TrimSpace(s) != "" {
			out = append(out, Value{Text: strings.TrimSpace(s), Pos: loc.pos(it.off)})
		}
	}
	return out
}
