package analysis

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// Size quotas AWS enforces, counted without white space.
var sizeQuota = map[policy.Type]struct {
	limit int
	what  string
}{
	policy.Identity: {6144, "a customer managed policy (inline role policies may total 10,240; user 2,048; group 5,120)"},
	policy.Trust:    {2048, "a role trust policy (the default quota; it can be raised to 4,096)"},
	policy.SCP:      {5120, "a service control policy"},
	policy.RCP:      {5120, "a resource control policy"},
	policy.Resource: {20480, "an S3 bucket policy (SQS, SNS and Lambda policies are smaller)"},
	policy.Endpoint: {20480, "a VPC endpoint policy"},
}

// The policy's own elements.
var (
	ruleVersionMissing = rules.Register(&rules.Rule{
		ID: "PC001", Name: "version-missing", Category: report.Syntax, Severity: report.Low, Ceiling: 9,
		Title:  "No Version element",
		Detail: "Without \"Version\": \"2012-10-17\" IAM uses the 2008 language: policy variables such as ${aws:username} are taken literally.",
		Fix:    "Add \"Version\": \"2012-10-17\" at the top of the policy.",
		Why: "A policy that relies on policy variables silently stops working without the Version: the variable is matched " +
			"as literal text, so the statement grants nothing (or something else) instead of what was meant.",
		Example:    `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/home/${aws:username}/*"}]}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"},
	})
	ruleVersion2008 = rules.Register(&rules.Rule{
		ID: "PC002", Name: "version-2008", Category: report.Syntax, Severity: report.Low, Ceiling: 9,
		Title:  "Old policy language version 2008-10-17",
		Detail: "The 2008 version does not support policy variables; they are taken literally.",
		Fix:    "Use \"Version\": \"2012-10-17\".",
		Why: "The 2008 language lacks policy variables and some newer features; a statement written for the current " +
			"language may not mean what it says.",
		Example:    `{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}]}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"},
	})
	ruleVersionInvalid = rules.Register(&rules.Rule{
		ID: "PC003", Name: "version-invalid", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:  "Invalid Version {version}",
		Detail: "IAM accepts only 2012-10-17 and 2008-10-17; AWS rejects this policy.",
		Fix:    "Use \"Version\": \"2012-10-17\".",
		Why: "The Version is a fixed date, not the date the policy was written; AWS refuses any other value, so the " +
			"policy cannot be deployed as written.",
		Example:    `{"Version": "2024-01-01", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}]}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"},
	})
	rulePolicyElementUnknown = rules.Register(&rules.Rule{
		ID: "PC004", Name: "policy-element-unknown", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:  "Unknown element {element}",
		Detail: "IAM policies have only Version, Id and Statement at the top level; AWS rejects this policy.",
		Fix:    "Remove the element or move it into a statement.",
		Why: "AWS refuses the policy; often the element was meant to be part of a statement (a Condition or Resource " +
			"at the wrong level), and what it was meant to restrict is not restricted.",
		Example:    `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}], "Condition": {"Bool": {"aws:SecureTransport": "true"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"},
	})
	rulePolicyTooLarge = rules.Register(&rules.Rule{
		ID: "PC005", Name: "policy-too-large", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:  "Policy is {size} characters; the limit is {limit}",
		Detail: "AWS counts characters without white space; {limit} is the quota for {kind}.",
		Fix:    "Split the policy, or replace long action lists by narrower wildcards only where every match is intended.",
		Why: "AWS refuses a policy over its size quota. Policies usually grow by accretion, and the quick way back under " +
			"the quota (a broad wildcard) grants far more than the list it replaces.",
		Example:     policyTooLargeExample,
		ExampleType: "trust",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"},
	})
	ruleNoStatements = rules.Register(&rules.Rule{
		ID: "PC006", Name: "no-statements", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:   "The policy has no statements",
		Detail:  "A policy without statements grants nothing; AWS rejects it.",
		Why:     "AWS refuses an empty policy; it is usually a template or a generator that lost its statements.",
		Example: `{"Version": "2012-10-17", "Statement": []}`,
	})
)

// policyTooLargeExample is a trust policy of 2,445 characters, white
// space left out.
var policyTooLargeExample = `{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
 "Condition": {"StringEquals": {"aws:SourceAccount": ` + exampleList(`"111122223333"`, 151, 6) + `}}}`

// The elements of a statement.
var (
	ruleEffectInvalid = rules.Register(&rules.Rule{
		ID: "PC010", Name: "effect-invalid", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:      "Invalid Effect {effect}",
		Detail:     "Effect must be \"Allow\" or \"Deny\"; AWS rejects this policy.",
		Fix:        "Set \"Effect\": \"Allow\" or \"Deny\".",
		Why:        "AWS refuses the policy, and the review cannot tell whether the statement was meant to grant or to deny.",
		Example:    `{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html"},
	})
	ruleEffectSpelling = rules.Register(&rules.Rule{
		ID: "PC011", Name: "effect-spelling", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:  "Effect {effect} is not spelled Allow or Deny",
		Detail: "AWS expects exactly \"Allow\" or \"Deny\" and may reject this policy; it is reviewed as {allow?an Allow|a Deny}.",
		Fix:    "Write \"Allow\" or \"Deny\".",
		Why: "The Effect is case-sensitive: a policy that a tool accepted with \"allow\" may be refused by AWS, or by the " +
			"next tool in the pipeline.",
		Example:    `{"Effect": "allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html"},
	})
	ruleSidDuplicate = rules.Register(&rules.Rule{
		ID: "PC012", Name: "sid-duplicate", Category: report.Syntax, Severity: report.Low, Ceiling: 9,
		Title:  "Duplicate Sid {sid}",
		Detail: "Statement {other} has the same Sid; Sids must be unique within a policy.",
		Fix:    "Give each statement its own Sid.",
		Why: "Several AWS services refuse a policy with duplicate Sids, and people and tools that refer to a statement " +
			"by its Sid may change the wrong one.",
		Example: `[{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"},
 {"Sid": "Read", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::my-bucket"}]`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"},
	})
	ruleSidCharacters = rules.Register(&rules.Rule{
		ID: "PC013", Name: "sid-characters", Category: report.Syntax, Severity: report.Low, Ceiling: 9,
		Title:      "Sid {sid} has characters IAM does not accept",
		Detail:     "Identity policy Sids may contain only letters and digits.",
		Fix:        "Use only A-Z, a-z and 0-9 in the Sid.",
		Why:        "IAM refuses the identity policy; resource policies of some services accept more, so the same text fails in one place only.",
		Example:    `{"Sid": "read-objects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"},
	})
	ruleStatementElementUnknown = rules.Register(&rules.Rule{
		ID: "PC014", Name: "statement-element-unknown", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:  "Unknown element {element}",
		Detail: "IAM does not know this statement element; AWS rejects the policy.",
		Fix:    "Remove it or correct its spelling (Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition).",
		Why: "A misspelled element is usually a restriction that does not apply: a \"Conditions\" block narrows nothing, " +
			"and AWS refuses the policy.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Conditions": {"Bool": {"aws:SecureTransport": "true"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"},
	})
	ruleListEmpty = rules.Register(&rules.Rule{
		ID: "PC015", Name: "list-empty", Category: report.Syntax, Severity: report.Low, Ceiling: 9,
		Title:  "Empty {element}",
		Detail: "An empty {element} list matches nothing.",
		Fix:    "List what the statement is for, or remove {element}.",
		Why: "An empty list is usually a template variable that was never filled in: the statement does not do what " +
			"its author expected.",
		Example: `{"Effect": "Allow", "Action": [], "Resource": "arn:aws:s3:::my-bucket/*"}`,
	})
	ruleTrustResource = rules.Register(&rules.Rule{
		ID: "PC016", Name: "trust-policy-resource", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:       "Resource in a trust policy",
		Detail:      "A role trust policy applies to the role itself; AWS rejects Resource and NotResource in it.",
		Fix:         "Remove the Resource element.",
		Why:         "AWS refuses the trust policy; the Resource usually shows that the author meant to restrict something else, which is not restricted.",
		Example:     `{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}`,
		ExampleType: "trust",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html"},
	})
	ruleActionAndNotAction = rules.Register(&rules.Rule{
		ID: "PC017", Name: "action-and-notaction", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:      "Both Action and NotAction",
		Detail:     "A statement may have only one of Action and NotAction.",
		Fix:        "Keep Action and list the actions explicitly.",
		Why:        "AWS refuses the statement, and the two elements contradict each other: the review cannot tell which was meant.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"},
	})
	ruleActionMissing = rules.Register(&rules.Rule{
		ID: "PC018", Name: "action-missing", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:      "No Action",
		Detail:     "A statement needs Action or NotAction; AWS rejects it.",
		Fix:        "Add the actions the statement is for.",
		Why:        "AWS refuses the policy; a statement without actions was usually cut short by an edit or a generator.",
		Example:    `{"Effect": "Allow", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"},
	})
	ruleResourceAndNotResource = rules.Register(&rules.Rule{
		ID: "PC019", Name: "resource-and-notresource", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:      "Both Resource and NotResource",
		Detail:     "A statement may have only one of Resource and NotResource.",
		Fix:        "Keep Resource and list the resources explicitly.",
		Why:        "AWS refuses the statement, and the two elements contradict each other: the review cannot tell which was meant.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "NotResource": "arn:aws:s3:::my-bucket/private/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"},
	})
	ruleIdentityPrincipal = rules.Register(&rules.Rule{
		ID: "PC020", Name: "identity-policy-principal", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:  "Principal in an identity policy",
		Detail: "Identity policies apply to the principal they are attached to; AWS rejects Principal here. If this is a resource or trust policy, review it as one (--type resource or --type trust).",
		Fix:    "Remove Principal, or attach the policy to the resource.",
		Why: "AWS refuses the policy. A Principal shows that it was written as a resource or trust policy: reviewed as " +
			"an identity policy, who it lets in is not judged.",
		Example:     `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		ExampleType: "identity",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"},
	})
	ruleResourceMissing = rules.Register(&rules.Rule{
		ID: "PC021", Name: "resource-missing", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:      "No Resource",
		Detail:     "Identity policy statements need Resource or NotResource; AWS rejects this one.",
		Fix:        "Add the resources the statement is for.",
		Why:        "AWS refuses the policy, and the quick fix, \"Resource\": \"*\", grants the actions on every resource.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"},
	})
	ruleRCPPrincipal = rules.Register(&rules.Rule{
		ID: "PC022", Name: "rcp-principal", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:  "Principal in a resource control policy",
		Detail: "Resource control policies must name \"Principal\": \"*\" and narrow with conditions; AWS rejects other principals.",
		Fix:    "Write \"Principal\": \"*\" and put exceptions in conditions (aws:PrincipalOrgID, aws:PrincipalIsAWSService).",
		Why:    "AWS Organizations refuses the resource control policy, so the guard rail it was meant to set is not in place.",
		Example: `{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*",
 "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorgid"}}}`,
		ExampleType: "rcp",
		References:  []string{"https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"},
	})
	rulePrincipalMissing = rules.Register(&rules.Rule{
		ID: "PC023", Name: "principal-missing", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:       "No Principal",
		Detail:      "Resource-based and trust policies must say who they allow; AWS rejects this statement.",
		Fix:         "Add a Principal naming the accounts, roles or services that need access.",
		Why:         "AWS refuses the policy, and the quick fix, \"Principal\": \"*\", opens the resource to everyone.",
		Example:     `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"},
	})
)

// flag is an argument's value for a boolean: non-empty when set.
func flag(b bool) string {
	if b {
		return "true"
	}
	return ""
}

// validSid reports whether a Sid of an identity policy holds only ASCII
// letters and digits (as the regexp ^[A-Za-z0-9]*$ would say, without
// running one for every statement).
func validSid(sid string) bool {
	for i := 0; i < len(sid); i++ {
		if c := sid[i]; !isLetter(c) && !isDigit(c) {
			return false
		}
	}
	return true
}

// validate reports what AWS would reject or what cannot mean what the
// author thought: bad elements, unknown actions and keys, resources that
// fit none of the actions.
func (r *review) validate() {
	d := r.doc
	switch d.Version {
	case "2012-10-17":
	case "":
		r.add(nil, ruleVersionMissing, nil)
	case "2008-10-17":
		r.add(nil, ruleVersion2008, nil)
	default:
		r.add(nil, ruleVersionInvalid, rules.Args{"version": strconv.Quote(d.Version)})
	}
	for _, u := range d.Unknown {
		r.add(nil, rulePolicyElementUnknown, rules.Args{"element": strconv.Quote(u.Text)})
	}
	if q, ok := sizeQuota[d.Type]; ok && d.Size > q.limit {
		r.add(nil, rulePolicyTooLarge, rules.Args{"size": strconv.Itoa(d.Size), "limit": strconv.Itoa(q.limit), "kind": q.what})
	}
	if len(d.Statements) == 0 {
		r.add(nil, ruleNoStatements, nil)
	}
	sids := map[string]int{}
	for _, st := range r.stmts {
		r.validateStatement(st, sids)
	}
}

func (r *review) validateStatement(st *stmt, sids map[string]int) {
	s := st.Src
	switch {
	case !st.Allow && !st.Deny:
		r.add(st, ruleEffectInvalid, rules.Args{"effect": strconv.Quote(s.Effect)})
	case s.Effect != "Allow" && s.Effect != "Deny":
		r.add(st, ruleEffectSpelling, rules.Args{"effect": strconv.Quote(s.Effect), "allow": flag(st.Allow)})
	}
	if s.Sid != "" {
		if prev, ok := sids[s.Sid]; ok {
			r.add(st, ruleSidDuplicate, rules.Args{"sid": strconv.Quote(s.Sid), "other": strconv.Itoa(prev)})
		} else {
			sids[s.Sid] = s.Index
		}
		if r.doc.Type == policy.Identity && !validSid(s.Sid) {
			r.add(st, ruleSidCharacters, rules.Args{"sid": strconv.Quote(s.Sid)})
		}
	}
	for _, u := range s.Unknown {
		r.add(st, ruleStatementElementUnknown, rules.Args{"element": strconv.Quote(u.Text)})
	}
	for _, l := range []struct {
		name string
		list policy.List
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if l.list.Set && len(l.list.Values) == 0 {
			r.add(st, ruleListEmpty, rules.Args{"element": l.name})
		}
	}
	if r.doc.Type == policy.Trust && (s.Resource.Set || s.NotResource.Set) {
		r.add(st, ruleTrustResource, nil)
	}
	switch {
	case s.Action.Set && s.NotAction.Set:
		r.add(st, ruleActionAndNotAction, nil)
	case !s.Action.Set && !s.NotAction.Set:
		r.add(st, ruleActionMissing, nil)
	}
	if s.Resource.Set && s.NotResource.Set {
		r.add(st, ruleResourceAndNotResource, nil)
	}
	switch r.doc.Type {
	case policy.Identity, policy.SCP:
		if s.Principal != nil || s.NotPrincipal != nil {
			r.add(st, ruleIdentityPrincipal, nil)
		}
		if st.noResource() && r.doc.Type == policy.Identity {
			r.add(st, ruleResourceMissing, nil)
		}
	case policy.RCP:
		if s.Principal == nil || !s.Principal.Any {
			r.add(st, ruleRCPPrincipal, nil)
		}
	case policy.Resource, policy.Trust:
		if s.Principal == nil && s.NotPrincipal == nil {
			r.add(st, rulePrincipalMissing, nil)
		}
	}
	r.validatePrincipal(st)
	r.validateActions(st)
	r.validateResources(st)
	r.validateConditions(st)
	r.conditionLogic(st)
}

// Actions.
var (
	ruleActionMalformed = rules.Register(&rules.Rule{
		ID: "PC030", Name: "action-malformed", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{action} is not an action",
		Detail:     "Actions are written service:Action, for example s3:GetObject.",
		Fix:        "Write the action as service:Action.",
		Phrase:     "a malformed action",
		Why:        "AWS refuses the policy; the action the author meant is not granted (or, in a Deny, not denied).",
		Example:    `{"Effect": "Allow", "Action": "GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"},
	})
	ruleActionUnknown = rules.Register(&rules.Rule{
		ID: "PC031", Name: "action-unknown", Category: report.UnknownAction, Severity: report.Low, Ceiling: 8,
		Title:  "Unknown action {action}",
		Detail: "{service} has no action named {name}; it grants nothing.{closest? Did you mean {closest}?}{deny? In a Deny this leaves the intended action allowed.}",
		Fix:    "{closest?Did you mean {closest}?|Check the action name in the AWS Service Authorization Reference.}",
		Phrase: "unknown action {action}",
		Why: "A typo grants nothing, so the workload fails and someone \"fixes\" it with a wildcard; in a Deny, a typo " +
			"leaves the action it meant to block allowed.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	})
	ruleServiceUnknown = rules.Register(&rules.Rule{
		ID: "PC032", Name: "service-unknown", Category: report.UnknownAction, Severity: report.Low, Ceiling: 8,
		Title:  "Unknown service {service} in {action}",
		Detail: "No AWS service has this prefix; the statement grants nothing through it.{closest? Did you mean {closest}?}{deny? In a Deny this leaves the intended action allowed.}",
		Fix:    "{closest?Did you mean {closest}?|Check the action name in the AWS Service Authorization Reference.}",
		Phrase: "unknown action {action}",
		Why: "Service prefixes are not always the service's name (Amazon EventBridge is events, CloudWatch Logs is " +
			"logs): a wrong prefix grants nothing, and in a Deny blocks nothing.",
		Example:    `{"Effect": "Allow", "Action": "eventbridge:PutEvents", "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	})
	ruleServicePatternUnmatched = rules.Register(&rules.Rule{
		ID: "PC033", Name: "service-pattern-unmatched", Category: report.UnknownAction, Severity: report.Low, Ceiling: 8,
		Title:   "{action} matches no action",
		Detail:  "No action of any service matches this pattern.{closest? Did you mean {closest}?}{deny? In a Deny this leaves the intended action allowed.}",
		Fix:     "{closest?Did you mean {closest}?|Check the action name in the AWS Service Authorization Reference.}",
		Phrase:  "unknown action {action}",
		Why:     "A pattern that matches nothing grants nothing, and in a Deny blocks nothing; it is usually a typo.",
		Example: `{"Effect": "Deny", "Action": "s3*:DeleteBuckets", "Resource": "*"}`,
	})
	ruleActionPatternUnmatched = rules.Register(&rules.Rule{
		ID: "PC034", Name: "action-pattern-unmatched", Category: report.UnknownAction, Severity: report.Low, Ceiling: 8,
		Title:   "{action} matches no action",
		Detail:  "No {service} action matches this pattern.{closest? Did you mean {closest}?}{deny? In a Deny this leaves the intended action allowed.}",
		Fix:     "{closest?Did you mean {closest}?|Check the action name in the AWS Service Authorization Reference.}",
		Phrase:  "unknown action {action}",
		Why:     "A pattern that matches nothing grants nothing, and in a Deny blocks nothing; it is usually a typo.",
		Example: `{"Effect": "Deny", "Action": "s3:Delete*Buckets", "Resource": "*"}`,
	})
)

func (r *review) validateActions(st *stmt) {
	l := st.Src.Action
	if st.NotAction {
		l = st.Src.NotAction
	}
	for _, v := range l.Values {
		name := strings.TrimSpace(v.Text)
		if iamref.IsAllWildcard(name) {
			continue
		}
		svc, act, ok := strings.Cut(name, ":")
		if !ok || svc == "" || act == "" {
			r.add(st, ruleActionMalformed, rules.Args{"action": strconv.Quote(name)}, name)
			continue
		}
		if st.NamesKnown && !hasWildcard(name) || !r.kb.Expand(name).IsEmpty() {
			// (The normalized statement has looked every name up.)
			continue
		}
		args := rules.Args{"action": name, "deny": flag(st.Deny)}
		if f := fold(name); f != name && !r.kb.Expand(f).IsEmpty() {
			// Written with look-alike letters ("iаm" with a Cyrillic а):
			// what it reads as is what was meant, or what a reader
			// is meant to believe.
			args["closest"] = f
		} else if c, ok := r.kb.Closest(name); ok {
			args["closest"] = c
		}
		rule := ruleActionUnknown
		switch {
		case hasWildcard(svc):
			rule = ruleServicePatternUnmatched
		case r.kb.Service(svc) == nil:
			rule = ruleServiceUnknown
			args["service"] = strconv.Quote(svc)
		case hasWildcard(act):
			rule = ruleActionPatternUnmatched
			args["service"] = strings.ToLower(svc)
		default:
			args["service"], args["name"] = strings.ToLower(svc), act
		}
		r.add(st, rule, args, name)
	}
}

// Resources.
var (
	ruleResourceNotARN = rules.Register(&rules.Rule{
		ID: "PC040", Name: "resource-not-arn", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{resource} is not an ARN",
		Detail:     "Resources are ARNs (arn:partition:service:region:account:resource) or \"*\".",
		Fix:        "Write the full ARN of the resource.",
		Why:        "A bare name matches no resource, so nothing is granted; the usual next step is \"Resource\": \"*\".",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"},
	})
	ruleResourceMismatch = rules.Register(&rules.Rule{
		ID: "PC041", Name: "resource-mismatch", Category: report.ResourceMismatch, Severity: report.Low, Ceiling: 9,
		Title:  "{action} does not apply to the listed resources",
		Detail: "{action} accepts resources like {formats}; none of the listed resources matches, so it is not granted.",
		Fix:    "Add a resource of the right type, for example {format}.",
		Why: "An action granted on resources of another type is not granted at all (s3:ListBucket on objects, " +
			"s3:GetObject on a bucket); the workload fails and the fix is often a wildcard.",
		Example:    `{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	})
	ruleResourceMismatchStar = rules.Register(&rules.Rule{
		ID: "PC042", Name: "resource-mismatch-star-only", Category: report.ResourceMismatch, Severity: report.Low, Ceiling: 9,
		Title:  "{action} does not apply to the listed resources",
		Detail: "{action} supports no resource-level permissions: it is granted only with \"Resource\": \"*\".",
		Fix:    "Put {action} in its own statement with \"Resource\": \"*\" (it cannot be scoped), or remove it.",
		Why: "Actions without resource-level permissions (List and Describe calls, mostly) are not granted on named " +
			"resources; the workload fails, and the whole statement is then often widened to \"*\".",
		Example:    `{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListAllMyBuckets"], "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	})
	ruleResourceMismatchMany = rules.Register(&rules.Rule{
		ID: "PC043", Name: "resource-mismatch-many", Category: report.ResourceMismatch, Severity: report.Low, Ceiling: 9,
		Title: "{n} actions do not apply to the listed resources",
		Detail: "None of the statement's resources is of a type these actions accept, so they are not granted. " +
			"Actions that support no resource type need \"Resource\": \"*\".",
		Fix:        "Move these actions to a statement whose Resource matches their resource types, or remove them.",
		Why:        "Actions granted on resources of other types are not granted at all; the workload fails and the fix is often a wildcard.",
		Example:    `{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketPolicy", "s3:GetObject"], "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	})
)

// validateResources checks ARN syntax and reports named actions whose
// resources match none of the resource types they accept.
func (r *review) validateResources(st *stmt) {
	for _, p := range st.ResourceList {
		if iamref.IsAllWildcard(p) || strings.HasPrefix(p, "${") {
			continue
		}
		if !strings.HasPrefix(p, "arn:") || strings.Count(p, ":") < 5 {
			r.add(st, ruleResourceNotARN, rules.Args{"resource": strconv.Quote(p)})
		} else {
			r.validateARN(st, p)
		}
	}
	if st.NotAction || st.notResource() || st.noResource() || st.AnyResource || st.AllActions {
		return
	}
	// Only actions named one by one: a wildcard is expected to match
	// actions of other resource types too.
	var mismatched []string
	seen := map[*iamref.Action]bool{}
	for _, v := range st.Src.Action.Values {
		a := r.kb.Action(strings.TrimSpace(v.Text))
		if a == nil || seen[a] {
			continue
		}
		seen[a] = true
		if !st.matchesAny(a) {
			mismatched = append(mismatched, a.FullName())
		}
	}
	switch {
	case len(mismatched) > 1:
		r.add(st, ruleResourceMismatchMany, rules.Args{"n": strconv.Itoa(len(mismatched))}, mismatched...)
	case len(mismatched) == 1:
		a := r.kb.Action(mismatched[0])
		if !a.ResourceLevel() {
			r.add(st, ruleResourceMismatchStar, rules.Args{"action": a.FullName()}, mismatched...)
			return
		}
		var formats []string
		for _, ref := range a.Resources {
			formats = append(formats, ref.Type.ARNFormats...)
		}
		if len(formats) > 3 {
			formats = formats[:3]
		}
		r.add(st, ruleResourceMismatch, rules.Args{"action": a.FullName(), "formats": strings.Join(formats, ", "), "format": formats[0]}, mismatched...)
	}
}

// Conditions: operators, keys and values.
var (
	ruleConditionOperatorUnknown = rules.Register(&rules.Rule{
		ID: "PC410", Name: "condition-operator-unknown", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:      "Unknown condition operator {operator}",
		Detail:     "AWS rejects a policy with an unknown condition operator.",
		Fix:        "Use a documented operator such as StringEquals, ArnLike, IpAddress or Bool.",
		Why:        "AWS refuses the policy; the restriction the condition was meant to add is not in place.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEqual": {"aws:SourceVpce": "vpce-0abc1234"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionKeyUnknown = rules.Register(&rules.Rule{
		ID: "PC411", Name: "condition-key-unknown", Category: report.UnknownConditionKey, Severity: report.Low, Ceiling: 8,
		Title:  "Unknown condition key {key}",
		Detail: "No AWS service defines this key. In an Allow, an unknown key is absent from every request, so the condition never matches (or always matches with IfExists and negated operators).",
		Fix:    "Check the key's spelling in the AWS Service Authorization Reference.",
		Why: "AWS accepts a policy with any key, so a misspelled key fails silently: the statement never applies, or " +
			"applies always where it was meant to restrict.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:SourceVpcEndpoint": "vpce-0abc1234"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"},
	})
	ruleConditionNullIfExists = rules.Register(&rules.Rule{
		ID: "PC420", Name: "condition-null-ifexists", Category: report.ConditionCategory, Severity: report.Medium, Ceiling: 7,
		Title:      "Null with IfExists",
		Detail:     "IfExists cannot be combined with Null; AWS rejects the policy.",
		Fix:        "Use plain Null.",
		Why:        "AWS refuses the policy; Null already tests whether the key is present.",
		Example:    `{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {"NullIfExists": {"aws:RequestTag/team": "false"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionNoValues = rules.Register(&rules.Rule{
		ID: "PC421", Name: "condition-no-values", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 9,
		Title:   "{key} has no values",
		Detail:  "A condition with an empty list of values never matches (or always, with negated and ForAllValues operators).",
		Fix:     "List the values, or remove the condition.",
		Why:     "An empty list is usually a template variable that was never filled in; with ForAllValues or a negated operator the condition restricts nothing.",
		Example: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:SourceVpce": []}}}`,
	})
	ruleConditionWildcardLiteral = rules.Register(&rules.Rule{
		ID: "PC422", Name: "condition-wildcard-literal", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:  "Wildcard in a {operator} value",
		Detail: "{operator} compares {value} literally: the * and ? are not wildcards.",
		Fix:    "Use StringLike (or StringNotLike) for patterns.",
		Why: "The condition matches only the literal text with the asterisk: an Allow never applies, and a " +
			"StringNotEquals in a Deny denies everything it was meant to let through.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionPrivateSourceIP = rules.Register(&rules.Rule{
		ID: "PC423", Name: "condition-private-source-ip", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:  "Private address {address} in aws:SourceIp",
		Detail: "aws:SourceIp is the public address a request comes from; requests through a VPC endpoint carry no aws:SourceIp, so a private range never matches.",
		Fix:    "Use aws:VpcSourceIp with aws:SourceVpce or aws:SourceVpc for private addresses.",
		Why: "The condition never matches: an Allow grants nothing, and a Deny with NotIpAddress denies every request, " +
			"including the ones from the private network it meant to admit.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip"},
	})
	ruleConditionValueBool = rules.Register(&rules.Rule{
		ID: "PC424", Name: "condition-value-not-boolean", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:      "{value} is not a valid value for {operator}",
		Detail:     "{operator} expects true or false; the condition never matches as written.",
		Fix:        "Correct the value.",
		Why:        "A condition that never matches makes an Allow grant nothing and a Deny deny nothing.",
		Example:    `{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "no"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionValueNumber = rules.Register(&rules.Rule{
		ID: "PC425", Name: "condition-value-not-number", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:      "{value} is not a valid value for {operator}",
		Detail:     "{operator} expects a number; the condition never matches as written.",
		Fix:        "Correct the value.",
		Why:        "A condition that never matches makes an Allow grant nothing and a Deny deny nothing.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "1h"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionValueDate = rules.Register(&rules.Rule{
		ID: "PC426", Name: "condition-value-not-date", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:      "{value} is not a valid value for {operator}",
		Detail:     "{operator} expects a date (ISO 8601, e.g. 2026-01-31T00:00:00Z, or epoch seconds); the condition never matches as written.",
		Fix:        "Correct the value.",
		Why:        "A condition that never matches makes an Allow grant nothing and a Deny deny nothing.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"DateLessThan": {"aws:CurrentTime": "31/01/2026"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionValueIP = rules.Register(&rules.Rule{
		ID: "PC427", Name: "condition-value-not-ip", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:      "{value} is not a valid value for {operator}",
		Detail:     "{operator} expects an IP address or CIDR range; the condition never matches as written.",
		Fix:        "Correct the value.",
		Why:        "A condition that never matches makes an Allow grant nothing and a Deny deny nothing.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionVPCID = rules.Register(&rules.Rule{
		ID: "PC428", Name: "condition-vpc-id", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:      "{value} is not a VPC id",
		Detail:     "aws:SourceVpc takes VPC ids such as vpc-0abc1234.",
		Fix:        "Use the VPC id.",
		Why:        "The condition never matches a request: an Allow grants nothing and a Deny with StringNotEquals denies everything.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:SourceVpc": "10.0.0.0/16"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcevpc"},
	})
	ruleConditionVPCEID = rules.Register(&rules.Rule{
		ID: "PC429", Name: "condition-vpce-id", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:      "{value} is not a VPC endpoint id",
		Detail:     "aws:SourceVpce takes VPC endpoint ids such as vpce-0abc1234.",
		Fix:        "Use the endpoint id.",
		Why:        "The condition never matches a request: an Allow grants nothing and a Deny with StringNotEquals denies everything.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpc-0abc1234"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcevpce"},
	})
)

// Conditions: what the operators do with the keys they are used on.
var (
	ruleConditionOperatorType = rules.Register(&rules.Rule{
		ID: "PC412", Name: "condition-operator-type", Category: report.ConditionCategory, Severity: report.Medium, Ceiling: 7,
		Title:      "{operator} used on {key} (type {type})",
		Detail:     "{base} compares {family} values; {key} is of type {type}, so the test never matches as intended.",
		Fix:        "Use an operator for {type} values.",
		Why:        "An operator of another type never matches the key's values: an Allow grants nothing, and a Deny denies nothing.",
		Example:    `{"Effect": "Allow", "Action": "ec2:StartInstances", "Resource": "*", "Condition": {"NumericEquals": {"aws:RequestedRegion": "1"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionStringOperatorType = rules.Register(&rules.Rule{
		ID: "PC413", Name: "condition-string-operator-type", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 9,
		Title:  "{operator} used on {key} (type {type})",
		Detail: "{base} compares text; {key} is of type {type}, so values are compared as strings.",
		Fix:    "Use an operator for {type} values.",
		Why: "A string comparison of a typed value works only for the exact text: \"true\" but not \"True\", \"60\" but " +
			"not a number below 60.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:SecureTransport": "true"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"},
	})
	ruleConditionSetSingleValued = rules.Register(&rules.Rule{
		ID: "PC414", Name: "condition-set-operator-single-valued", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:      "{set} on single-valued key {key}",
		Detail:     "{key} is single-valued; {set} is for multivalued keys.",
		Fix:        "Drop the {set}: prefix.",
		Why:        "Set operators on a single-valued key confuse readers and behave unexpectedly when the key is absent.",
		Example:    `{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"ForAnyValue:StringNotEquals": {"aws:SourceVpce": "vpce-0abc1234"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"},
	})
	ruleConditionForAllValuesAllow = rules.Register(&rules.Rule{
		ID: "PC415", Name: "condition-forallvalues-single-valued", Category: report.ConditionCategory, Severity: report.Medium, Ceiling: 6,
		Title:  "{set} on single-valued key {key}",
		Detail: "{key} is single-valued; {set} is for multivalued keys. In an Allow, ForAllValues also matches when the key is absent, so the condition can be bypassed.",
		Fix:    "Drop the {set}: prefix.",
		Why: "ForAllValues is true for an empty set: a request without the key meets the condition, so the Allow applies " +
			"to exactly the requests it was meant to exclude.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-0abc1234"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"},
	})
	ruleConditionMFAFalse = rules.Register(&rules.Rule{
		ID: "PC416", Name: "condition-mfa-false", Category: report.ConditionCategory, Severity: report.Medium, Ceiling: 7,
		Title:  "Allow when aws:MultiFactorAuthPresent is false",
		Detail: "The key is absent for long-term access keys, so \"false\" does not require MFA; it matches only sessions that explicitly lack MFA.",
		Fix:    "To require MFA, Allow with {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}} or Deny with BoolIfExists false.",
		Why: "The condition reads like an MFA requirement and is the opposite: it allows sessions without MFA, and says " +
			"nothing about long-term access keys.",
		Example:    `{"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"},
	})
	ruleConditionKeyNotApplicable = rules.Register(&rules.Rule{
		ID: "PC417", Name: "condition-key-not-applicable", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 9,
		Title:      "{key} does not apply to the statement's actions",
		Detail:     "None of the statement's actions supports this condition key, so it is absent from their requests: the condition never matches (or always, with IfExists and negated operators).",
		Fix:        "Use a key the actions support, or move the condition to the statement it was meant for.",
		Why:        "A key the actions do not support is never in their requests: the restriction silently does not apply.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}}}`,
		References: []string{"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	})
)

func (r *review) validateConditions(st *stmt) {
	for _, c := range st.Src.Conditions {
		base, set, _ := baseOperator(c.Operator)
		if !knownOperators[strings.ToLower(base)] || (set != "" && !strings.EqualFold(set, "ForAllValues") && !strings.EqualFold(set, "ForAnyValue")) {
			r.add(st, ruleConditionOperatorUnknown, rules.Args{"operator": strconv.Quote(c.Operator)})
			continue
		}
		key := r.kb.ConditionKey(c.Key)
		if key == nil && federatedKey(c.Key) {
			// Claims of identity providers (token.actions.githubusercontent.com:sub,
			// SAML:aud...) are not in the service reference.
			continue
		}
		if key == nil {
			r.add(st, ruleConditionKeyUnknown, rules.Args{"key": strconv.Quote(c.Key)})
			continue
		}
		r.checkConditionUse(st, c, key, base, set)
		r.checkConditionValues(st, c, key, base)
	}
}

var (
	vpcPattern  = regexp.MustCompile(`^vpc-[0-9a-f]+$`)
	vpcePattern = regexp.MustCompile(`^vpce-[0-9a-f]+$`)
)

// checkConditionValues reports values that cannot mean what their author
// meant: wildcards under an equality operator, values of the wrong type,
// private addresses in aws:SourceIp, malformed VPC ids.
func (r *review) checkConditionValues(st *stmt, c policy.Condition, key *iamref.ConditionKey, base string) {
	_, _, ifExists := baseOperator(c.Operator)
	lb := strings.ToLower(base)
	if lb == "null" && ifExists {
		r.add(st, ruleConditionNullIfExists, nil)
	}
	if len(c.Values.Values) == 0 {
		r.add(st, ruleConditionNoValues, rules.Args{"key": c.Key})
		return
	}
	family := operatorFamily(base)
	lk := strings.ToLower(key.Name) // key is known: the caller checked
	for _, v := range c.Values.Values {
		val := strings.TrimSpace(v.Text)
		if strings.Contains(val, "${") {
			continue // a policy variable: its value is known only at request time
		}
		var bad *rules.Rule
		// Made only for a finding: most values have none.
		args := func() rules.Args { return rules.Args{"operator": base, "value": strconv.Quote(val)} }
		switch family {
		case "String":
			if !strings.Contains(lb, "like") && hasWildcard(val) {
				r.add(st, ruleConditionWildcardLiteral, args())
				continue
			}
		case "Bool", "Null":
			if !strings.EqualFold(val, "true") && !strings.EqualFold(val, "false") {
				bad = ruleConditionValueBool
			}
		case "Numeric":
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				bad = ruleConditionValueNumber
			}
		case "Date":
			if !validDate(val) {
				bad = ruleConditionValueDate
			}
		case "IPAddress":
			pfx, err := parseCIDR(val)
			if err != nil {
				bad = ruleConditionValueIP
			} else if strings.EqualFold(key.Name, "aws:SourceIp") && pfx.Addr().IsPrivate() {
				r.add(st, ruleConditionPrivateSourceIP, rules.Args{"address": val})
			}
		}
		if bad != nil {
			r.add(st, bad, args())
			continue
		}
		switch lk {
		case "aws:sourcevpc":
			if !hasWildcard(val) && !vpcPattern.MatchString(val) {
				r.add(st, ruleConditionVPCID, args())
			}
		case "aws:sourcevpce":
			if !hasWildcard(val) && !vpcePattern.MatchString(val) {
				r.add(st, ruleConditionVPCEID, args())
			}
		}
	}
}

func validDate(v string) bool {
	_, ok := parseDate(v)
	return ok
}

func parseCIDR(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		return netip.ParsePrefix(v)
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (r *review) checkConditionUse(st *stmt, c policy.Condition, key *iamref.ConditionKey, base, set string) {
	if fam := operatorFamily(base); !typeFits(fam, key.Type) {
		args := rules.Args{"operator": c.Operator, "base": base, "family": fam, "key": c.Key, "type": key.Type}
		if fam == "String" {
			// String operators compare the text of any value: it works,
			// but loses the type's semantics (case, numeric order).
			r.add(st, ruleConditionStringOperatorType, args)
		} else {
			r.add(st, ruleConditionOperatorType, args)
		}
	}
	// The reference types Cognito's amr claim as a string; AWS documents
	// it as multivalued, used with ForAnyValue.
	multi := strings.HasPrefix(key.Type, "ArrayOf") || strings.EqualFold(key.Name, "cognito-identity.amazonaws.com:amr")
	if set != "" && !multi {
		rule := ruleConditionSetSingleValued
		if strings.EqualFold(set, "ForAllValues") && st.Allow {
			rule = ruleConditionForAllValuesAllow
		}
		r.add(st, rule, rules.Args{"set": set, "key": c.Key})
	}
	if strings.EqualFold(base, "Bool") && strings.EqualFold(key.Name, "aws:MultiFactorAuthPresent") && st.Allow {
		for _, v := range c.Values.Values {
			if strings.EqualFold(strings.TrimSpace(v.Text), "false") {
				r.add(st, ruleConditionMFAFalse, nil)
				break
			}
		}
	}
	if !key.Global && !st.NotAction && !st.Actions.IsEmpty() {
		applies := false
		st.Actions.Each(func(id iamref.ActionID) bool {
			applies = r.kb.ConditionKeyApplies(c.Key, r.kb.ActionByID(id))
			return !applies
		})
		if !applies {
			r.add(st, ruleConditionKeyNotApplicable, rules.Args{"key": c.Key})
		}
	}
}

// federatedKey reports a condition key of an identity provider: its prefix
// is a host name ("token.actions.githubusercontent.com:sub") or SAML.
func federatedKey(key string) bool {
	prefix, _, ok := strings.Cut(key, ":")
	return ok && (strings.Contains(prefix, ".") || strings.EqualFold(prefix, "saml"))
}
