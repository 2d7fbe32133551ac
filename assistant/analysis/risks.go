package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// broadSet is the part of an Allow's effective actions that reaches every
// resource of its types with no narrowing condition.
func (r *review) broadSet(st *stmt) iamref.ActionSet {
	if st.cond.narrowing || st.noResource {
		return nil
	}
	if st.anyResource || st.notResource {
		return st.eff
	}
	var out iamref.ActionSet
	s := st.eff.Clone()
	s.And(r.cat.resourceLevel)
	s.Each(func(id iamref.ActionID) bool {
		if st.resourceReach(r.kb.ActionByID(id)) == reachBroad {
			out.Add(id)
		}
		return true
	})
	return out
}

// AccountRoots reports a Principal that names only whole accounts
// ("arn:aws:iam::111122223333:root" or "111122223333"), and names them. In
// a resource policy whose Resource is "*" (a KMS key or secret policy: the
// resource itself) such a statement delegates to IAM in those accounts;
// in a bucket or queue policy naming its ARNs it is reviewed like any
// grant, since the account may be another.
func AccountRoots(p *policy.Principal) (string, bool) {
	if p == nil || p.Any || len(p.Entries) == 0 {
		return "", false
	}
	var accts []string
	for _, e := range p.Entries {
		if !strings.EqualFold(e.Kind, "AWS") {
			return "", false
		}
		for _, v := range e.Values.Values {
			t := strings.TrimSpace(v.Text)
			if f := strings.Split(t, ":"); len(f) == 6 && f[0] == "arn" && f[2] == "iam" && f[5] == "root" {
				t = f[4]
			}
			if len(t) != 12 || strings.Trim(t, "0123456789") != "" {
				return "", false
			}
			accts = append(accts, t)
		}
	}
	return "account " + strings.Join(accts, ", "), true
}

// risks reports what each Allow grants too widely.
func (r *review) risks() {
	all := r.kb.All().Len()
	for _, st := range r.stmts {
		if !st.allow || st.eff.IsEmpty() {
			continue
		}
		if st.cond.present && !st.cond.narrowing {
			r.add(&finding{Finding: report.Finding{
				Category: report.ConditionCategory, Severity: report.Info,
				Title:          "Conditions that do not narrow access",
				Detail:         fmt.Sprintf("The statement's conditions (%s) do not limit what the holder can reach (transport, time, client-supplied values, the caller's own account, tags or MFA sign-in, IfExists, ForAllValues or negated tests), so it is reviewed as unconditional.", strings.Join(st.cond.weakBy, ", ")),
				Recommendation: "Where access should be limited, add a condition that pins it: aws:SourceAccount, aws:PrincipalOrgID, aws:ResourceTag/<key>, aws:SourceVpce, iam:PassedToService.",
			}, ceiling: 10}, st)
		}
		broad := r.broadSet(st)
		if r.doc.Type == policy.Resource {
			if acct, ok := AccountRoots(st.src.Principal); ok && st.anyResource {
				r.add(&finding{Finding: report.Finding{
					Category: report.ConditionCategory, Severity: report.Info,
					Title:  "Delegates to IAM in " + acct,
					Detail: "The statement grants to the account itself: its users and roles get what their own IAM policies allow (the default of a KMS key policy). Review those policies.",
				}, ceiling: 10}, st)
				continue
			}
			// In a resource policy "*" names the resource the policy is
			// attached to: there is no "every resource" to reach.
			broad = nil
		}
		wide := st.anyResource || st.notResource
		critical := false
		switch {
		case st.allActions && !st.notAction && wide && st.eff.Len() == all:
			ceiling := 1
			detail := "The statement allows every action of every AWS service on every resource: full administrator access."
			if st.cond.narrowing {
				ceiling = 2
				detail += fmt.Sprintf(" Conditions (%s) limit when it applies, not what it grants.", strings.Join(st.cond.narrowBy, ", "))
			}
			r.add(&finding{Finding: report.Finding{
				Category: report.FullAdmin, Title: "Full administrator access (\"Action\": \"*\" on \"Resource\": \"*\")",
				Detail:         detail,
				Recommendation: "List the actions the workload calls and the ARNs of the resources it uses; grant administrator access only through a break-glass role.",
				Actions:        []string{"*"},
			}, ceiling: ceiling, phrase: "all actions on all resources"}, st)
			critical = true
		case st.allActions && wide && !st.cond.narrowing && st.eff.Len()*2 > all:
			// Denies take out a few actions. When they take out most
			// (a Deny with NotAction), what remains is judged below like
			// any list of actions.
			r.add(&finding{Finding: report.Finding{
				Category: report.FullAdmin, Title: "Every action except a few, on every resource",
				Detail:         fmt.Sprintf("Only %d of %d actions are excluded (by NotAction or an unconditional Deny); everything else is allowed on every resource.", all-st.eff.Len(), all),
				Recommendation: "List the actions the workload needs instead of allowing everything but a few.",
				Actions:        []string{"*"},
			}, ceiling: 2, phrase: "nearly every action on every resource"}, st)
			critical = true
		case st.notAction && !st.allActions:
			ceiling, where := 6, "the listed resources"
			if wide {
				ceiling, where = 3, "every resource"
			}
			if st.cond.narrowing && ceiling < 5 {
				ceiling = 5
			}
			r.add(&finding{Finding: report.Finding{
				Category: report.NotAction, Title: "Allow with NotAction",
				Detail: fmt.Sprintf("NotAction in an Allow grants every action of every service except %s (%d actions) on %s, including services and actions AWS adds later.",
					strings.Join(st.src.NotAction.Strings(), ", "), st.eff.Len(), where),
				Recommendation: "Replace NotAction with an Action list of what the workload needs.",
				Actions:        st.src.NotAction.Strings(),
			}, ceiling: ceiling, phrase: "Allow with NotAction"}, st)
			critical = wide
		}
		if st.notResource {
			r.add(&finding{Finding: report.Finding{
				Category: report.NotResource, Title: "Allow with NotResource",
				Detail:         fmt.Sprintf("NotResource in an Allow grants the actions on every resource except %s, including resources created later and in other accounts.", strings.Join(st.resources, ", ")),
				Recommendation: "Replace NotResource with a Resource list of the ARNs the workload uses.",
			}, ceiling: 6, phrase: "Allow with NotResource"}, st)
		}
		if !st.allActions {
			r.serviceWildcards(st, wide)
		}
		if critical {
			continue
		}
		r.wildcardResources(st, broad)
		r.sensitive(st, broad)
		r.passRole(st)
	}
}

// serviceWildcards reports "service:*" and partial action wildcards.
func (r *review) serviceWildcards(st *stmt, wide bool) {
	if st.notAction {
		return
	}
	var full, partial []string
	for _, v := range st.src.Action.Values {
		p := strings.TrimSpace(v.Text)
		svc, act, ok := strings.Cut(p, ":")
		if !ok || !strings.ContainsAny(p, "*?") || r.kb.Expand(p).IsEmpty() {
			continue
		}
		granted := r.kb.Expand(p).Clone()
		granted.And(st.eff)
		switch {
		case granted.IsEmpty():
			// Denied entirely: nothing to report.
		case isAllWildcard(act) && !strings.ContainsAny(svc, "*?") && granted.Len() == r.kb.Expand(p).Len():
			full = append(full, p)
		default:
			// A wildcard that Denies cut down is judged by what remains,
			// in the other categories.
			partial = append(partial, p)
		}
	}
	if len(full) > 0 {
		ceiling, where := 7, "the listed resources"
		if wide && !st.cond.narrowing {
			ceiling, where = 5, "every resource"
		}
		r.add(&finding{Finding: report.Finding{
			Category: report.ServiceWildcard, Title: fmt.Sprintf("Service wildcard %s", strings.Join(full, ", ")),
			Detail:         fmt.Sprintf("Every action of the service, on %s, including actions AWS adds later.", where),
			Recommendation: "List the actions the workload calls (for example the service's Read and List actions only).",
			Actions:        full,
		}, ceiling: ceiling, phrase: fmt.Sprintf("%s on %s", strings.Join(full, ", "), where)}, st)
	}
	if len(partial) > 0 {
		n := 0
		for _, p := range partial {
			n += r.kb.Expand(p).Len()
		}
		r.add(&finding{Finding: report.Finding{
			Category: report.ServiceWildcard, Severity: report.Low,
			Title:          fmt.Sprintf("Action wildcards %s", strings.Join(partial, ", ")),
			Detail:         fmt.Sprintf("The patterns match %d actions today and any matching action AWS adds later.", n),
			Recommendation: "Name the actions explicitly.",
			Actions:        partial,
		}, ceiling: 9, phrase: "action wildcards"}, st)
	}
}

// wildcardResources reports resource-level actions granted on every
// resource, write first.
func (r *review) wildcardResources(st *stmt, broad iamref.ActionSet) {
	s := broad.Clone()
	s.And(r.cat.resourceLevel)
	// What the sharper categories report is not repeated here.
	s.AndNot(r.cat.exfiltration)
	s.AndNot(r.cat.credentials)
	s.AndNot(r.cat.permissions)
	if r.cat.passRole != nil && s.Has(r.cat.passRole.ID) {
		var pr iamref.ActionSet
		pr.Add(r.cat.passRole.ID)
		s.AndNot(pr)
	}
	write := s.Clone()
	write.And(r.cat.write)
	read := s
	read.AndNot(r.cat.write)
	for _, k := range []struct {
		set       iamref.ActionSet
		noun, one string
		ceiling   int
		phrase    string
	}{
		{write, "write action", "write", 6, "write actions on every resource"},
		{read, "read or list action", "read", 8, "read actions on every resource"},
	} {
		if k.set.IsEmpty() {
			continue
		}
		acts := r.names(k.set, 0)
		r.add(&finding{Finding: report.Finding{
			Category: report.WildcardResource,
			Title:    fmt.Sprintf("%s on every resource", countActions(acts, k.noun)),
			Detail: fmt.Sprintf("%s resource-level permissions but %s granted on all resources: %s.",
				plural(len(acts), "This "+k.one+" action supports", "These "+k.one+" actions support"), plural(len(acts), "is", "are"), preview(acts, 8)),
			Recommendation: r.scopeAdvice(k.set),
			Actions:        acts,
		}, ceiling: k.ceiling, phrase: k.phrase}, st)
	}
}

// scopeAdvice suggests the ARN formats to scope a set of actions to.
func (r *review) scopeAdvice(s iamref.ActionSet) string {
	seen := map[string]bool{}
	var formats []string
	s.Each(func(id iamref.ActionID) bool {
		a := r.kb.ActionByID(id)
		for _, ref := range a.Resources {
			if !ref.Required && len(a.Resources) > 1 {
				continue
			}
			for _, f := range ref.Type.ARNFormats {
				if ex := ExampleARN(f); !seen[ex] {
					seen[ex] = true
					formats = append(formats, ex)
				}
			}
		}
		return len(formats) < 4
	})
	if len(formats) == 0 {
		return "Scope Resource to the ARNs the workload uses."
	}
	return "Scope Resource to the ARNs the workload uses, for example " + strings.Join(formats, ", ") + "."
}

// sensitive reports data exfiltration, credentials exposure and
// permissions management granted without constraint.
func (r *review) sensitive(st *stmt, broad iamref.ActionSet) {
	if broad.IsEmpty() {
		return
	}
	exfil := broad.Clone()
	exfil.And(r.cat.exfiltration)
	if !exfil.IsEmpty() {
		ceiling := 5
		if exfil.Intersects(r.cat.secrets) || exfil.Intersects(r.cat.sharing) {
			ceiling = 4
		}
		acts := r.names(exfil, 0)
		what := dataNouns(r.kb, exfil)
		r.add(&finding{Finding: report.Finding{
			Category: report.DataExfiltration,
			Title:    "Unconstrained read of " + what,
			Detail: fmt.Sprintf("%s on every resource, without a narrowing condition, %s the holder read or share out %s: %s.",
				plural(len(acts), "This action", "These actions"), plural(len(acts), "lets", "let"), what, preview(acts, 8)),
			Recommendation: "Scope these actions to the buckets, secrets, parameters, keys or tables the workload needs (and for secrets, to their ARNs with a name prefix).",
			Actions:        acts,
		}, ceiling: ceiling, phrase: "unconstrained read of " + what}, st)
	}
	creds := broad.Clone()
	creds.And(r.cat.credentials)
	if !creds.IsEmpty() {
		acts := r.names(creds, 0)
		r.add(&finding{Finding: report.Finding{
			Category: report.CredentialsExposure,
			Title:    fmt.Sprintf("%s that return credentials, on every resource", countActions(acts, "action")),
			Detail: fmt.Sprintf("%s issue or reveal credentials, tokens or passwords for any resource: %s.",
				plural(len(acts), "This action can", "These actions can"), preview(acts, 8)),
			Recommendation: "Scope these actions to the specific users, roles, clusters or repositories needed, or remove them.",
			Actions:        acts,
		}, ceiling: 4, phrase: "credentials for any resource (" + preview(acts, 2) + ")"}, st)
	}
	perms := broad.Clone()
	perms.And(r.cat.permissions)
	if !perms.IsEmpty() {
		acts := r.names(perms, 0)
		r.add(&finding{Finding: report.Finding{
			Category: report.PermissionsMgmt,
			Title:    fmt.Sprintf("%s that change who has access, on every resource", countActions(acts, "permissions-management action")),
			Detail: fmt.Sprintf("%s at the Permissions management access level can grant access to others (policies, ACLs, grants, sharing) on any resource: %s.",
				plural(len(acts), "This action", "These actions"), preview(acts, 8)),
			Recommendation: "Remove permissions-management actions the workload does not need, and scope the rest to named resources with conditions.",
			Actions:        acts,
		}, ceiling: 4, phrase: "permissions management on every resource"}, st)
	}
}

// passRole reports iam:PassRole on every role or without iam:PassedToService.
func (r *review) passRole(st *stmt) {
	pr := r.cat.passRole
	if pr == nil || !st.eff.Has(pr.ID) {
		return
	}
	rr := st.resourceReach(pr)
	if rr == reachNone {
		return
	}
	limited := len(st.cond.passedToService) > 0
	switch {
	case rr == reachBroad && !limited:
		r.add(&finding{Finding: report.Finding{
			Category: report.PassRole, Title: "iam:PassRole on every role, to any service",
			Detail:         "The holder can hand any role in the account to any service that accepts one, and then act with that role's permissions.",
			Recommendation: "Scope Resource to the ARNs of the roles the workload passes (arn:aws:iam::<account-id>:role/<role-name>) and add {\"StringEquals\": {\"iam:PassedToService\": \"<service>.amazonaws.com\"}}.",
			Actions:        []string{pr.FullName()},
		}, ceiling: 4, phrase: "iam:PassRole on every role"}, st)
	case rr == reachBroad:
		r.add(&finding{Finding: report.Finding{
			Category: report.PassRole, Title: "iam:PassRole on every role",
			Detail:         fmt.Sprintf("Limited to %s by iam:PassedToService, but any role of the account can be passed.", strings.Join(st.cond.passedToService, ", ")),
			Recommendation: "Scope Resource to the ARNs of the roles the workload passes.",
			Actions:        []string{pr.FullName()},
		}, ceiling: 6, phrase: "iam:PassRole on every role"}, st)
	case !limited:
		r.add(&finding{Finding: report.Finding{
			Category: report.PassRole, Title: "iam:PassRole without iam:PassedToService",
			Detail:         "The named roles can be passed to any service, not only to the one that needs them.",
			Recommendation: "Add {\"StringEquals\": {\"iam:PassedToService\": \"<service>.amazonaws.com\"}}.",
			Actions:        []string{pr.FullName()},
		}, ceiling: 9, phrase: "iam:PassRole without iam:PassedToService"}, st)
	}
}

// dataNouns names what a set of exfiltration actions reads: "every S3
// object and Secrets Manager secret".
func dataNouns(kb *iamref.KB, s iamref.ActionSet) string {
	nouns := map[string]string{
		"s3": "S3 object", "secretsmanager": "Secrets Manager secret", "ssm": "SSM parameter",
		"kms": "KMS-encrypted secret", "dynamodb": "DynamoDB table", "rds": "RDS snapshot",
		"ec2": "EBS snapshot and AMI", "ebs": "EBS snapshot", "lambda": "Lambda function's code",
		"codecommit": "CodeCommit repository", "ecr": "container image", "kinesis": "Kinesis stream",
		"sqs": "SQS queue", "logs": "CloudWatch log", "athena": "Athena query result",
		"glacier": "Glacier archive", "redshift-data": "Redshift query result", "rds-data": "Aurora database",
	}
	seen := map[string]bool{}
	var out []string
	s.Each(func(id iamref.ActionID) bool {
		p := kb.ActionByID(id).Service.Prefix
		if !seen[p] {
			seen[p] = true
			n, ok := nouns[p]
			if !ok {
				n = p + " data"
			}
			out = append(out, n)
		}
		return true
	})
	sort.Strings(out)
	if len(out) > 3 {
		out = append(out[:3], "more")
	}
	switch len(out) {
	case 1:
		return "every " + out[0]
	default:
		return "every " + strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
	}
}

func countActions(acts []string, noun string) string {
	if len(acts) == 1 {
		return acts[0]
	}
	return fmt.Sprintf("%d %ss", len(acts), noun)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// preview lists at most n names and says how many more there are.
func preview(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// ExampleARN turns an ARN format of the service reference into an example
// with placeholders a person fills in:
// "arn:${Partition}:s3:::${BucketName}/${ObjectName}" gives
// "arn:aws:s3:::<bucket-name>/<object-name>".
func ExampleARN(format string) string {
	return replaceVars(format, func(v string) string {
		switch v {
		case "Partition":
			return "aws"
		case "Account":
			return "<account-id>"
		}
		return "<" + kebab(v) + ">"
	})
}

// kebab turns "BucketName" into "bucket-name".
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && !(s[i-1] >= 'A' && s[i-1] <= 'Z') {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
