package analysis

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
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
}

var sidPattern = regexp.MustCompile(`^[A-Za-z0-9]*$`)

// validate reports what AWS would reject or what cannot mean what the
// author thought: bad elements, unknown actions and keys, resources that
// fit none of the actions.
func (r *review) validate() {
	d := r.doc
	switch d.Version {
	case "2012-10-17":
	case "":
		r.add(&finding{Finding: report.Finding{
			Category: report.Syntax, Title: "No Version element",
			Detail:         "Without \"Version\": \"2012-10-17\" IAM uses the 2008 language: policy variables such as ${aws:username} are taken literally.",
			Recommendation: "Add \"Version\": \"2012-10-17\" at the top of the policy.",
		}, ceiling: 9, phrase: "no Version element"}, nil)
	case "2008-10-17":
		r.add(&finding{Finding: report.Finding{
			Category: report.Syntax, Title: "Old policy language version 2008-10-17",
			Detail:         "The 2008 version does not support policy variables; they are taken literally.",
			Recommendation: "Use \"Version\": \"2012-10-17\".",
		}, ceiling: 9}, nil)
	default:
		r.add(&finding{Finding: report.Finding{
			Category: report.Syntax, Title: fmt.Sprintf("Invalid Version %q", d.Version),
			Detail:         "IAM accepts only 2012-10-17 and 2008-10-17; AWS rejects this policy.",
			Recommendation: "Use \"Version\": \"2012-10-17\".",
		}, ceiling: 7}, nil)
	}
	for _, u := range d.Unknown {
		r.add(&finding{Finding: report.Finding{
			Category: report.Syntax, Title: fmt.Sprintf("Unknown element %q", u.Text),
			Detail:         "IAM policies have only Version, Id and Statement at the top level; AWS rejects this policy.",
			Recommendation: "Remove the element or move it into a statement.",
		}, ceiling: 7}, nil)
	}
	if q, ok := sizeQuota[d.Type]; ok && d.Size > q.limit {
		r.add(&finding{Finding: report.Finding{
			Category: report.Syntax, Title: fmt.Sprintf("Policy is %d characters; the limit is %d", d.Size, q.limit),
			Detail:         fmt.Sprintf("AWS counts characters without white space; %d is the quota for %s.", q.limit, q.what),
			Recommendation: "Split the policy, or replace long action lists by narrower wildcards only where every match is intended.",
		}, ceiling: 8}, nil)
	}
	if len(d.Statements) == 0 {
		r.add(&finding{Finding: report.Finding{
			Category: report.Syntax, Title: "The policy has no statements",
			Detail: "A policy without statements grants nothing; AWS rejects it.",
		}, ceiling: 8}, nil)
	}
	sids := map[string]int{}
	for _, st := range r.stmts {
		r.validateStatement(st, sids)
	}
}

func (r *review) validateStatement(st *stmt, sids map[string]int) {
	s := st.src
	syntax := func(title, detail, fix string, ceiling int) {
		r.add(&finding{Finding: report.Finding{Category: report.Syntax, Title: title, Detail: detail, Recommendation: fix}, ceiling: ceiling}, st)
	}
	switch {
	case !st.allow && !st.deny:
		syntax(fmt.Sprintf("Invalid Effect %q", s.Effect), "Effect must be \"Allow\" or \"Deny\"; AWS rejects this policy.", "Set \"Effect\": \"Allow\" or \"Deny\".", 7)
	case s.Effect != "Allow" && s.Effect != "Deny":
		syntax(fmt.Sprintf("Effect %q is not spelled Allow or Deny", s.Effect), "AWS expects exactly \"Allow\" or \"Deny\" and may reject this policy; it is reviewed as "+map[bool]string{true: "an Allow", false: "a Deny"}[st.allow]+".", "Write \"Allow\" or \"Deny\".", 8)
	}
	if s.Sid != "" {
		if prev, ok := sids[s.Sid]; ok {
			syntax(fmt.Sprintf("Duplicate Sid %q", s.Sid), fmt.Sprintf("Statement %d has the same Sid; Sids must be unique within a policy.", prev), "Give each statement its own Sid.", 9)
		} else {
			sids[s.Sid] = s.Index
		}
		if r.doc.Type == policy.Identity && !sidPattern.MatchString(s.Sid) {
			syntax(fmt.Sprintf("Sid %q has characters IAM does not accept", s.Sid), "Identity policy Sids may contain only letters and digits.", "Use only A-Z, a-z and 0-9 in the Sid.", 9)
		}
	}
	for _, u := range s.Unknown {
		syntax(fmt.Sprintf("Unknown element %q", u.Text), "IAM does not know this statement element; AWS rejects the policy.", "Remove it or correct its spelling (Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition).", 7)
	}
	for _, l := range []struct {
		name string
		list policy.List
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if l.list.Set && len(l.list.Values) == 0 {
			syntax(fmt.Sprintf("Empty %s", l.name), fmt.Sprintf("An empty %s list matches nothing.", l.name), fmt.Sprintf("List what the statement is for, or remove %s.", l.name), 9)
		}
	}
	if r.doc.Type == policy.Trust && (s.Resource.Set || s.NotResource.Set) {
		syntax("Resource in a trust policy", "A role trust policy applies to the role itself; AWS rejects Resource and NotResource in it.", "Remove the Resource element.", 7)
	}
	switch {
	case s.Action.Set && s.NotAction.Set:
		syntax("Both Action and NotAction", "A statement may have only one of Action and NotAction.", "Keep Action and list the actions explicitly.", 7)
	case !s.Action.Set && !s.NotAction.Set:
		syntax("No Action", "A statement needs Action or NotAction; AWS rejects it.", "Add the actions the statement is for.", 7)
	}
	if s.Resource.Set && s.NotResource.Set {
		syntax("Both Resource and NotResource", "A statement may have only one of Resource and NotResource.", "Keep Resource and list the resources explicitly.", 7)
	}
	switch r.doc.Type {
	case policy.Identity, policy.SCP:
		if s.Principal != nil || s.NotPrincipal != nil {
			syntax("Principal in an identity policy", "Identity policies apply to the principal they are attached to; AWS rejects Principal here. If this is a resource or trust policy, review it as one (--type resource or --type trust).", "Remove Principal, or attach the policy to the resource.", 7)
		}
		if st.noResource && r.doc.Type == policy.Identity {
			syntax("No Resource", "Identity policy statements need Resource or NotResource; AWS rejects this one.", "Add the resources the statement is for.", 7)
		}
	case policy.RCP:
		if s.Principal == nil || !s.Principal.Any {
			syntax("Principal in a resource control policy", "Resource control policies must name \"Principal\": \"*\" and narrow with conditions; AWS rejects other principals.", "Write \"Principal\": \"*\" and put exceptions in conditions (aws:PrincipalOrgID, aws:PrincipalIsAWSService).", 7)
		}
	case policy.Resource, policy.Trust:
		if s.Principal == nil && s.NotPrincipal == nil {
			syntax("No Principal", "Resource-based and trust policies must say who they allow; AWS rejects this statement.", "Add a Principal naming the accounts, roles or services that need access.", 7)
		}
	}
	r.validateActions(st)
	r.validateResources(st)
	r.validateConditions(st)
}

func (r *review) validateActions(st *stmt) {
	l := st.src.Action
	if st.notAction {
		l = st.src.NotAction
	}
	for _, v := range l.Values {
		name := strings.TrimSpace(v.Text)
		if isAllWildcard(name) {
			continue
		}
		svc, act, ok := strings.Cut(name, ":")
		if !ok || svc == "" || act == "" {
			r.add(&finding{Finding: report.Finding{
				Category: report.Syntax, Title: fmt.Sprintf("%q is not an action", name),
				Detail:         "Actions are written service:Action, for example s3:GetObject.",
				Recommendation: "Write the action as service:Action.",
				Actions:        []string{name},
			}, ceiling: 8, phrase: "a malformed action"}, st)
			continue
		}
		if !r.kb.Expand(name).IsEmpty() {
			continue
		}
		f := &finding{Finding: report.Finding{
			Category: report.UnknownAction,
			Actions:  []string{name},
		}, ceiling: 8, phrase: fmt.Sprintf("unknown action %s", name)}
		switch {
		case strings.ContainsAny(svc, "*?"):
			f.Title = fmt.Sprintf("%s matches no action", name)
			f.Detail = "No action of any service matches this pattern."
		case r.kb.Service(svc) == nil:
			f.Title = fmt.Sprintf("Unknown service %q in %s", svc, name)
			f.Detail = "No AWS service has this prefix; the statement grants nothing through it."
		case strings.ContainsAny(act, "*?"):
			f.Title = fmt.Sprintf("%s matches no action", name)
			f.Detail = fmt.Sprintf("No %s action matches this pattern.", strings.ToLower(svc))
		default:
			f.Title = fmt.Sprintf("Unknown action %s", name)
			f.Detail = fmt.Sprintf("%s has no action named %s; it grants nothing.", strings.ToLower(svc), act)
		}
		if c, ok := r.kb.Closest(name); ok {
			f.Recommendation = fmt.Sprintf("Did you mean %s?", c)
			f.Detail += fmt.Sprintf(" Did you mean %s?", c)
		} else {
			f.Recommendation = "Check the action name in the AWS Service Authorization Reference."
		}
		if st.deny {
			f.Detail += " In a Deny this leaves the intended action allowed."
		}
		r.add(f, st)
	}
}

// validateResources checks ARN syntax and reports named actions whose
// resources match none of the resource types they accept.
func (r *review) validateResources(st *stmt) {
	for _, p := range st.resources {
		if isAllWildcard(p) || strings.HasPrefix(p, "${") {
			continue
		}
		if !strings.HasPrefix(p, "arn:") || strings.Count(p, ":") < 5 {
			r.add(&finding{Finding: report.Finding{
				Category: report.Syntax, Title: fmt.Sprintf("%q is not an ARN", p),
				Detail:         "Resources are ARNs (arn:partition:service:region:account:resource) or \"*\".",
				Recommendation: "Write the full ARN of the resource.",
			}, ceiling: 8}, st)
		}
	}
	if st.notAction || st.notResource || st.noResource || st.anyResource || st.allActions {
		return
	}
	// Only actions named one by one: a wildcard is expected to match
	// actions of other resource types too.
	var mismatched []string
	seen := map[*iamref.Action]bool{}
	for _, v := range st.src.Action.Values {
		a := r.kb.Action(strings.TrimSpace(v.Text))
		if a == nil || seen[a] {
			continue
		}
		seen[a] = true
		if !st.matchesAny(a) {
			mismatched = append(mismatched, a.FullName())
		}
	}
	if len(mismatched) == 0 {
		return
	}
	f := &finding{Finding: report.Finding{
		Category: report.ResourceMismatch,
		Actions:  mismatched,
	}, ceiling: 9}
	if len(mismatched) == 1 {
		a := r.kb.Action(mismatched[0])
		f.Title = fmt.Sprintf("%s does not apply to the listed resources", mismatched[0])
		f.Detail, f.Recommendation = mismatchAdvice(a)
	} else {
		f.Title = fmt.Sprintf("%d actions do not apply to the listed resources", len(mismatched))
		f.Detail = "None of the statement's resources is of a type these actions accept, so they are not granted. " +
			"Actions that support no resource type need \"Resource\": \"*\"."
		f.Recommendation = "Move these actions to a statement whose Resource matches their resource types, or remove them."
	}
	r.add(f, st)
}

func mismatchAdvice(a *iamref.Action) (detail, fix string) {
	if !a.ResourceLevel() {
		return a.FullName() + " supports no resource-level permissions: it is granted only with \"Resource\": \"*\".",
			"Put " + a.FullName() + " in its own statement with \"Resource\": \"*\" (it cannot be scoped), or remove it."
	}
	var formats []string
	for _, ref := range a.Resources {
		formats = append(formats, ref.Type.ARNFormats...)
	}
	if len(formats) > 3 {
		formats = formats[:3]
	}
	return fmt.Sprintf("%s accepts resources like %s; none of the listed resources matches, so it is not granted.", a.FullName(), strings.Join(formats, ", ")),
		"Add a resource of the right type, for example " + formats[0] + "."
}

func (r *review) validateConditions(st *stmt) {
	for _, c := range st.src.Conditions {
		base, set, _ := baseOperator(c.Operator)
		if !knownOperators[strings.ToLower(base)] || (set != "" && !strings.EqualFold(set, "ForAllValues") && !strings.EqualFold(set, "ForAnyValue")) {
			r.add(&finding{Finding: report.Finding{
				Category: report.Syntax, Title: fmt.Sprintf("Unknown condition operator %q", c.Operator),
				Detail:         "AWS rejects a policy with an unknown condition operator.",
				Recommendation: "Use a documented operator such as StringEquals, ArnLike, IpAddress or Bool.",
			}, ceiling: 7}, st)
			continue
		}
		key := r.kb.ConditionKey(c.Key)
		if key == nil && federatedKey(c.Key) {
			// Claims of identity providers (token.actions.githubusercontent.com:sub,
			// SAML:aud...) are not in the service reference.
			continue
		}
		if key == nil {
			f := &finding{Finding: report.Finding{
				Category: report.UnknownConditionKey, Title: fmt.Sprintf("Unknown condition key %q", c.Key),
				Detail:         "No AWS service defines this key. In an Allow, an unknown key is absent from every request, so the condition never matches (or always matches with IfExists and negated operators).",
				Recommendation: "Check the key's spelling in the AWS Service Authorization Reference.",
			}, ceiling: 8}
			r.add(f, st)
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
	cond := func(title, detail, fix string, ceiling int) {
		r.add(&finding{Finding: report.Finding{Category: report.ConditionCategory, Title: title, Detail: detail, Recommendation: fix}, ceiling: ceiling}, st)
	}
	_, _, ifExists := baseOperator(c.Operator)
	lb := strings.ToLower(base)
	if lb == "null" && ifExists {
		cond("Null with IfExists", "IfExists cannot be combined with Null; AWS rejects the policy.", "Use plain Null.", 7)
	}
	if len(c.Values.Values) == 0 {
		cond(fmt.Sprintf("%s has no values", c.Key), "A condition with an empty list of values never matches (or always, with negated and ForAllValues operators).", "List the values, or remove the condition.", 9)
		return
	}
	for _, v := range c.Values.Values {
		val := strings.TrimSpace(v.Text)
		if strings.Contains(val, "${") {
			continue // a policy variable: its value is known only at request time
		}
		bad := ""
		switch operatorFamily(base) {
		case "String":
			if !strings.Contains(lb, "like") && strings.ContainsAny(val, "*?") {
				cond(fmt.Sprintf("Wildcard in a %s value", base),
					fmt.Sprintf("%s compares %q literally: the * and ? are not wildcards.", base, val),
					"Use StringLike (or StringNotLike) for patterns.", 8)
				continue
			}
		case "Bool":
			if !strings.EqualFold(val, "true") && !strings.EqualFold(val, "false") {
				bad = "true or false"
			}
		case "Null":
			if !strings.EqualFold(val, "true") && !strings.EqualFold(val, "false") {
				bad = "true or false"
			}
		case "Numeric":
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				bad = "a number"
			}
		case "Date":
			if !validDate(val) {
				bad = "a date (ISO 8601, e.g. 2026-01-31T00:00:00Z, or epoch seconds)"
			}
		case "IPAddress":
			pfx, err := parseCIDR(val)
			if err != nil {
				bad = "an IP address or CIDR range"
			} else if strings.EqualFold(key.Name, "aws:SourceIp") && pfx.Addr().IsPrivate() {
				cond(fmt.Sprintf("Private address %s in aws:SourceIp", val),
					"aws:SourceIp is the public address a request comes from; requests through a VPC endpoint carry no aws:SourceIp, so a private range never matches.",
					"Use aws:VpcSourceIp with aws:SourceVpce or aws:SourceVpc for private addresses.", 8)
			}
		}
		if bad != "" {
			cond(fmt.Sprintf("%q is not a valid value for %s", val, base),
				fmt.Sprintf("%s expects %s; the condition never matches as written.", base, bad),
				"Correct the value.", 8)
			continue
		}
		switch strings.ToLower(key.Name) {
		case "aws:sourcevpc":
			if !strings.ContainsAny(val, "*?") && !vpcPattern.MatchString(val) {
				cond(fmt.Sprintf("%q is not a VPC id", val), "aws:SourceVpc takes VPC ids such as vpc-0abc1234.", "Use the VPC id.", 8)
			}
		case "aws:sourcevpce":
			if !strings.ContainsAny(val, "*?") && !vpcePattern.MatchString(val) {
				cond(fmt.Sprintf("%q is not a VPC endpoint id", val), "aws:SourceVpce takes VPC endpoint ids such as vpce-0abc1234.", "Use the endpoint id.", 8)
			}
		}
	}
}

func validDate(v string) bool {
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return true
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z", "2006-01-02"} {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	return false
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
	cond := func(title, detail, fix string, ceiling int) {
		r.add(&finding{Finding: report.Finding{Category: report.ConditionCategory, Title: title, Detail: detail, Recommendation: fix}, ceiling: ceiling, phrase: strings.ToLower(title[:1]) + title[1:]}, st)
	}
	if fam := operatorFamily(base); !typeFits(fam, key.Type) {
		if fam == "String" {
			// String operators compare the text of any value: it works,
			// but loses the type's semantics (case, numeric order).
			cond(fmt.Sprintf("%s used on %s (type %s)", c.Operator, c.Key, key.Type),
				fmt.Sprintf("%s compares text; %s is of type %s, so values are compared as strings.", base, c.Key, key.Type),
				"Use an operator for "+key.Type+" values.", 9)
		} else {
			cond(fmt.Sprintf("%s used on %s (type %s)", c.Operator, c.Key, key.Type),
				fmt.Sprintf("%s compares %s values; %s is of type %s, so the test never matches as intended.", base, fam, c.Key, key.Type),
				"Use an operator for "+key.Type+" values.", 7)
		}
	}
	// The reference types Cognito's amr claim as a string; AWS documents
	// it as multivalued, used with ForAnyValue.
	multi := strings.HasPrefix(key.Type, "ArrayOf") || strings.EqualFold(key.Name, "cognito-identity.amazonaws.com:amr")
	if set != "" && !multi {
		ceiling, detail := 8, fmt.Sprintf("%s is single-valued; %s is for multivalued keys.", c.Key, set)
		if strings.EqualFold(set, "ForAllValues") && st.allow {
			ceiling = 6
			detail += " In an Allow, ForAllValues also matches when the key is absent, so the condition can be bypassed."
		}
		cond(fmt.Sprintf("%s on single-valued key %s", set, c.Key), detail, fmt.Sprintf("Drop the %s: prefix.", set), ceiling)
	}
	if strings.EqualFold(base, "Bool") && strings.EqualFold(key.Name, "aws:MultiFactorAuthPresent") && st.allow {
		for _, v := range c.Values.Values {
			if strings.EqualFold(strings.TrimSpace(v.Text), "false") {
				cond("Allow when aws:MultiFactorAuthPresent is false",
					"The key is absent for long-term access keys, so \"false\" does not require MFA; it matches only sessions that explicitly lack MFA.",
					"To require MFA, Allow with {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}} or Deny with BoolIfExists false.", 7)
				break
			}
		}
	}
	if !key.Global && !st.notAction && !st.actions.IsEmpty() {
		applies := false
		st.actions.Each(func(id iamref.ActionID) bool {
			applies = r.kb.ConditionKeyApplies(c.Key, r.kb.ActionByID(id))
			return !applies
		})
		if !applies {
			cond(fmt.Sprintf("%s does not apply to the statement's actions", c.Key),
				"None of the statement's actions supports this condition key, so it is absent from their requests: the condition never matches (or always, with IfExists and negated operators).",
				"Use a key the actions support, or move the condition to the statement it was meant for.", 9)
		}
	}
}

// federatedKey reports a condition key of an identity provider: its prefix
// is a host name ("token.actions.githubusercontent.com:sub") or SAML.
func federatedKey(key string) bool {
	prefix, _, ok := strings.Cut(key, ":")
	return ok && (strings.Contains(prefix, ".") || strings.EqualFold(prefix, "saml"))
}
