package policy

import (
	"fmt"
	"strings"
)

// isTemplate reports whether n is a CloudFormation template: Resources
// with at least one AWS:: type, or a template format version.
func isTemplate(n *node) bool {
	res := n.get("Resources")
	if res == nil || res.kind != kindObject {
		return false
	}
	if n.get("AWSTemplateFormatVersion") != nil {
		return true
	}
	for _, m := range res.members {
		if t := m.val.get("Type"); t.isString() && strings.HasPrefix(t.str, "AWS::") {
			return true
		}
	}
	return false
}

// cfnProperty is a resource property that holds a policy document.
type cfnProperty struct {
	name string
	typ  Type
	list bool // a list of {PolicyName, PolicyDocument}, as in AWS::IAM::Role
}

var cfnPolicies = map[string][]cfnProperty{
	"AWS::IAM::Policy":                    {{name: "PolicyDocument", typ: Identity}},
	"AWS::IAM::ManagedPolicy":             {{name: "PolicyDocument", typ: Identity}},
	"AWS::IAM::RolePolicy":                {{name: "PolicyDocument", typ: Identity}},
	"AWS::IAM::UserPolicy":                {{name: "PolicyDocument", typ: Identity}},
	"AWS::IAM::GroupPolicy":               {{name: "PolicyDocument", typ: Identity}},
	"AWS::IAM::Role":                      {{name: "AssumeRolePolicyDocument", typ: Trust}, {name: "Policies", typ: Identity, list: true}},
	"AWS::IAM::User":                      {{name: "Policies", typ: Identity, list: true}},
	"AWS::IAM::Group":                     {{name: "Policies", typ: Identity, list: true}},
	"AWS::S3::BucketPolicy":               {{name: "PolicyDocument", typ: Resource}},
	"AWS::S3::AccessPoint":                {{name: "Policy", typ: Resource}},
	"AWS::SQS::QueuePolicy":               {{name: "PolicyDocument", typ: Resource}},
	"AWS::SNS::TopicPolicy":               {{name: "PolicyDocument", typ: Resource}},
	"AWS::KMS::Key":                       {{name: "KeyPolicy", typ: Resource}},
	"AWS::SecretsManager::ResourcePolicy": {{name: "ResourcePolicy", typ: Resource}},
	"AWS::ECR::Repository":                {{name: "RepositoryPolicyText", typ: Resource}},
	"AWS::Logs::ResourcePolicy":           {{name: "PolicyDocument", typ: Resource}},
	"AWS::EFS::FileSystem":                {{name: "FileSystemPolicy", typ: Resource}},
	"AWS::Backup::BackupVault":            {{name: "AccessPolicy", typ: Resource}},
	"AWS::OpenSearchService::Domain":      {{name: "AccessPolicies", typ: Resource}},
	"AWS::Elasticsearch::Domain":          {{name: "AccessPolicies", typ: Resource}},
	"AWS::Organizations::Policy":          {{name: "Content", typ: SCP}},
	"AWS::Serverless::Function":           {{name: "Policies", typ: Identity}},
	"AWS::EC2::VPCEndpoint":               {{name: "PolicyDocument", typ: Endpoint}},
}

// cloudFormation adds the policies of a template's resources, each named
// after its resource and property.
func (r *reader) cloudFormation(t *node, o origin) *Error {
	var firstErr *Error
	n := len(r.docs)
	r.refs, r.mappings = newCFNRefs(r, t, o.loc), t.get("Mappings")
	defer func() { r.refs, r.mappings = nil, nil }()
	es := newEntities(r)
	for _, res := range t.get("Resources").members {
		kind := res.val.get("Type")
		if !kind.isString() {
			continue
		}
		props := r.resolve(res.val.get("Properties"), o.loc)
		if props == nil && cfnIdentities[kind.str] != "" {
			props = &node{kind: kindObject, off: res.keyOff} // a group needs no properties
		}
		if props == nil || props.kind != kindObject {
			continue
		}
		first := len(r.docs)
		for _, p := range cfnPolicies[kind.str] {
			typ := p.typ
			if kind.str == "AWS::Organizations::Policy" {
				if typ = orgPolicyType(r.resolve(props.get("Type"), o.loc)); typ == "" {
					continue
				}
			}
			v := r.resolve(props.get(p.name), o.loc)
			if v == nil {
				continue
			}
			name := fmt.Sprintf("%s.%s (%s)", res.key, p.name, kind.str)
			var err *Error
			switch {
			case p.list && v.kind != kindArray:
				r.note(o.loc, v.off, fmt.Sprintf("%s should be a list of policies, not %s; skipped it", name, v.kind))
			case p.list:
				for i, it := range v.items {
					it = r.resolve(it, o.loc)
					if it == nil || it.kind != kindObject {
						continue
					}
					label := fmt.Sprintf("%s.%s[%d]", res.key, p.name, i)
					if pn, ok := r.text1(it.get("PolicyName"), o.loc); ok {
						label += fmt.Sprintf(" %q", pn)
					}
					err = firstError(err, r.templateDoc(it.get("PolicyDocument"), o, label+" ("+kind.str+")", typ))
				}
			case kind.str == "AWS::Serverless::Function":
				r.samPolicies(v, o, res.key, typ)
			default:
				err = r.templateDoc(v, o, name, typ)
			}
			firstErr = firstError(firstErr, err)
		}
		r.cfnEntity(es, res, kind.str, props, o, r.docs[first:])
	}
	r.entities = append(r.entities, es.link()...)
	switch {
	case len(r.docs) == n && firstErr != nil:
		return firstErr
	case len(r.docs) == n:
		return errNoPolicy("this CloudFormation template has no IAM policy: expected resources such as AWS::IAM::Role, AWS::IAM::Policy or AWS::S3::BucketPolicy")
	case firstErr != nil:
		r.notes = append(r.notes, Note{Pos: firstErr.Pos, Message: "skipped a policy that could not be read: " + firstErr.Msg})
	}
	return nil
}

func firstError(a, b *Error) *Error {
	if a != nil {
		return a
	}
	return b
}

// orgPolicyType is the policy type of an AWS::Organizations::Policy, or ""
// for the kinds that are not IAM policies (tag, backup, AI opt-out).
func orgPolicyType(t *node) Type {
	if t == nil || !t.isString() {
		return SCP
	}
	switch t.str {
	case "SERVICE_CONTROL_POLICY":
		return SCP
	case "RESOURCE_CONTROL_POLICY":
		return RCP
	}
	return ""
}

// samPolicies reads the inline statements of a SAM function's Policies:
// one document, or a list mixing managed policy names, policy templates
// and documents.
func (r *reader) samPolicies(v *node, o origin, logical string, typ Type) {
	items := []*node{v}
	if v.kind == kindArray {
		items = v.items
	}
	for i, it := range items {
		if it = r.resolve(it, o.loc); it == nil || it.kind != kindObject || !hasStatement(it) {
			continue
		}
		name := fmt.Sprintf("%s.Policies (AWS::Serverless::Function)", logical)
		if v.kind == kindArray {
			name = fmt.Sprintf("%s.Policies[%d] (AWS::Serverless::Function)", logical, i)
		}
		r.addDoc(found{doc: r.build(it, o, docSpec{name: name, source: "cloudformation", hint: typ})})
	}
}

// templateDoc adds the policy a property holds: an object, or JSON in a
// string.
func (r *reader) templateDoc(v *node, o origin, name string, typ Type) *Error {
	v = r.resolve(v, o.loc)
	if v == nil {
		return nil
	}
	if v.kind == kindString {
		d, do, err := r.embedded(v, o.loc)
		if err != nil {
			return err
		}
		v, o = d, do
	}
	if v.kind != kindObject {
		r.note(o.loc, v.off, fmt.Sprintf("%s is %s, not a policy document; skipped it", name, v.kind))
		return nil
	}
	r.addDoc(found{doc: r.build(v, o, docSpec{name: name, source: "cloudformation", hint: typ})})
	return nil
}
