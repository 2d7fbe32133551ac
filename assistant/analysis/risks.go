package analysis

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// broadSet is the part of an Allow's effective actions that reaches every
// resource of its types with no narrowing condition.
func (r *review) broadSet(st *stmt) iamref.ActionSet {
	if st.cond.narrowing || st.noResource() {
		return nil
	}
	if st.AnyResource || st.notResource() {
		return st.eff
	}
	var out iamref.ActionSet
	st.eff.EachIn(r.cat.resourceLevel, func(id iamref.ActionID) bool {
		if st.resourceReach(r.kb.ActionByID(id)) == reachBroad {
			if out == nil {
				// Sized once: adding one by one grows it many times.
				out = make(iamref.ActionSet, 0, min(len(st.eff), len(r.cat.resourceLevel)))
			}
			out.Add(id)
		}
		return true
	})
	return out
}

// judgedByNeeds takes out of a broad set the actions that need another
// action on each resource they reach (see needsEach) where the policy
// does not grant that one broadly: they reach no further than it does.
func (r *review) judgedByNeeds(s iamref.ActionSet) iamref.ActionSet {
	for _, n := range r.cat.needsEach {
		if !s.Has(n.action.ID) || r.broadAnywhere(n.needs) {
			continue
		}
		s = s.Clone()
		var one iamref.ActionSet
		one.Add(n.action.ID)
		s.AndNot(one)
	}
	return s
}

// broadAnywhere reports whether some Allow grants the action on every
// resource of its types (beyond one account and region), without a
// narrowing condition.
func (r *review) broadAnywhere(a *iamref.Action) bool {
	for _, st := range r.stmts {
		if !st.Allow || !st.eff.Has(a.ID) || st.cond.narrowing || st.resourceReach(a) != reachBroad {
			continue
		}
		// Every resource of one account and region is reported with
		// the action itself, under its own rule.
		if _, pinned := st.pinnedScope(a); !pinned {
			return true
		}
	}
	return false
}

// AccountRoots reports a Principal that names only whole accounts
// ("arn:aws:iam::111122223333:root" or "111122223333", or written with a
// template's references), and names them. In
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
			t, ok := rootAccount(v.Text) // reference.go: also written with references
			if !ok {
				return "", false
			}
			accts = append(accts, t)
		}
	}
	return "account " + strings.Join(accts, ", "), true
}

// Broad access: what an Allow grants on every resource.
var (
	ruleConditionsNotNarrowing = rules.Register(&rules.Rule{
		ID: "PC403", Name: "conditions-not-narrowing", Category: report.ConditionCategory, Severity: report.Info, Ceiling: 10,
		Title:  "Conditions that do not narrow access",
		Detail: "The statement's conditions ({conditions}) do not limit what the holder can reach (transport, time, client-supplied values, the caller's own account, tags or MFA sign-in, IfExists, ForAllValues or negated tests), so it is reviewed as unconditional.",
		Fix:    "Where access should be limited, add a condition that pins it: aws:SourceAccount, aws:PrincipalOrgID, aws:ResourceTag/<key>, aws:SourceVpce, iam:PassedToService.",
		Why: "Conditions such as aws:SecureTransport or an MFA requirement are good hygiene but do not reduce what the " +
			"holder can reach: the statement is scored as if they were absent, and this finding says why.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"},
	})
	ruleAccountDelegation = rules.Register(&rules.Rule{
		ID: "PC330", Name: "account-delegation", Category: report.ConditionCategory, Severity: report.Info, Ceiling: 10,
		Title:  "Delegates to IAM in account {accounts}",
		Detail: "The statement grants to the account itself: its users and roles get what their own IAM policies allow (the default of a KMS key policy). Review those policies.",
		Why: "A resource policy that names a whole account hands the decision to that account's IAM policies: the " +
			"resource is as open as the broadest of them. It is not scored, and suggestions leave it alone, since " +
			"narrowing it could lock the account out of a KMS key.",
		Example:     `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"},
	})
	ruleFullAdmin = rules.Register(&rules.Rule{
		ID: "PC101", Name: "full-admin", Category: report.FullAdmin, Severity: report.Critical, Ceiling: 1,
		Title:  "Full administrator access (\"Action\": \"*\" on \"Resource\": \"*\")",
		Detail: "The statement allows every action of every AWS service on every resource: full administrator access.",
		Fix:    "List the actions the workload calls and the ARNs of the resources it uses; grant administrator access only through a break-glass role.",
		Phrase: "all actions on all resources",
		Why: "Whoever holds the policy, or steals its credentials, controls the account: they can read every secret, " +
			"delete every resource and create principals of their own.",
		Example:    `{"Effect": "Allow", "Action": "*", "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
	})
	ruleFullAdminConditional = rules.Register(&rules.Rule{
		ID: "PC102", Name: "full-admin-with-conditions", Category: report.FullAdmin, Severity: report.Critical, Ceiling: 2,
		Title:  "Full administrator access (\"Action\": \"*\" on \"Resource\": \"*\")",
		Detail: "The statement allows every action of every AWS service on every resource: full administrator access. Conditions ({conditions}) limit when it applies, not what it grants.",
		Fix:    "List the actions the workload calls and the ARNs of the resources it uses; grant administrator access only through a break-glass role.",
		Phrase: "all actions on all resources",
		Why: "A condition on the network or the account makes administrator access harder to use from outside, but " +
			"whoever meets it controls the account.",
		Example:    `{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0abc1234"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
	})
	ruleNearlyFullAdmin = rules.Register(&rules.Rule{
		ID: "PC103", Name: "nearly-full-admin", Category: report.FullAdmin, Severity: report.Critical, Ceiling: 2,
		Title:  "Every action except a few, on every resource",
		Detail: "Only {excluded} of {total} actions are excluded (by NotAction or an unconditional Deny); everything else is allowed on every resource.",
		Fix:    "List the actions the workload needs instead of allowing everything but a few.",
		Phrase: "nearly every action on every resource",
		Why: "Excluding a few actions from administrator access rarely closes every way back to it: the holder can " +
			"usually escalate through what remains.",
		Example: `[{"Effect": "Allow", "Action": "*", "Resource": "*"},
 {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]`,
	})
	ruleNotActionEverywhere = rules.Register(&rules.Rule{
		ID: "PC110", Name: "notaction-every-resource", Category: report.NotAction, Severity: report.High, Ceiling: 3,
		Title:  "Allow with NotAction",
		Detail: "NotAction in an Allow grants every action of every service except {except} ({n} actions) on every resource, including services and actions AWS adds later.",
		Fix:    "Replace NotAction with an Action list of what the workload needs.",
		Phrase: "Allow with NotAction",
		Why: "An Allow with NotAction grants everything not listed, in every service, today and as AWS adds services; " +
			"it is administrator access with a few holes.",
		Example:    `{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"},
	})
	ruleNotActionConditional = rules.Register(&rules.Rule{
		ID: "PC111", Name: "notaction-every-resource-with-conditions", Category: report.NotAction, Severity: report.Medium, Ceiling: 5,
		Title:  "Allow with NotAction",
		Detail: "NotAction in an Allow grants every action of every service except {except} ({n} actions) on every resource, including services and actions AWS adds later.",
		Fix:    "Replace NotAction with an Action list of what the workload needs.",
		Phrase: "Allow with NotAction",
		Why: "Conditions limit when the statement applies, but whoever meets them gets everything not listed, in every " +
			"service, today and as AWS adds services.",
		Example:    `{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0abc1234"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"},
	})
	ruleNotActionListed = rules.Register(&rules.Rule{
		ID: "PC112", Name: "notaction-listed-resources", Category: report.NotAction, Severity: report.Medium, Ceiling: 6,
		Title:  "Allow with NotAction",
		Detail: "NotAction in an Allow grants every action of every service except {except} ({n} actions) on the listed resources, including services and actions AWS adds later.",
		Fix:    "Replace NotAction with an Action list of what the workload needs.",
		Phrase: "Allow with NotAction",
		Why: "Every action not listed is granted on the named resources, including the ones that delete them or change " +
			"who can reach them, and the actions AWS adds later.",
		Example:    `{"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"},
	})
	ruleNotResource = rules.Register(&rules.Rule{
		ID: "PC120", Name: "notresource", Category: report.NotResource, Severity: report.Medium, Ceiling: 6,
		Title:      "Allow with NotResource",
		Detail:     "NotResource in an Allow grants the actions on every resource except {except}, including resources created later and in other accounts.",
		Fix:        "Replace NotResource with a Resource list of the ARNs the workload uses.",
		Phrase:     "Allow with NotResource",
		Why:        "An Allow with NotResource reaches every resource not listed, in every account, including those created later.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"},
	})
)

// Service and action wildcards.
var (
	ruleServiceWildcardEverywhere = rules.Register(&rules.Rule{
		ID: "PC130", Name: "service-wildcard-every-resource", Category: report.ServiceWildcard, Severity: report.Medium, Ceiling: 5,
		Title:  "Service wildcard {actions}",
		Detail: "Every action of the service, on every resource, including actions AWS adds later.",
		Fix:    "List the actions the workload calls (for example the service's Read and List actions only).",
		Phrase: "{actions} on every resource",
		Why: "\"service:*\" grants the service's destructive and permissions-management actions along with the few the " +
			"workload calls, on every resource of the account, and every action AWS adds to the service later.",
		Example:    `{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
	})
	ruleServiceWildcardListed = rules.Register(&rules.Rule{
		ID: "PC131", Name: "service-wildcard", Category: report.ServiceWildcard, Severity: report.Medium, Ceiling: 7,
		Title:  "Service wildcard {actions}",
		Detail: "Every action of the service, on the listed resources, including actions AWS adds later.",
		Fix:    "List the actions the workload calls (for example the service's Read and List actions only).",
		Phrase: "{actions} on the listed resources",
		Why: "\"service:*\" on named resources still grants deleting them and changing who can reach them, and every " +
			"action AWS adds to the service later.",
		Example:    `{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
	})
	ruleActionWildcard = rules.Register(&rules.Rule{
		ID: "PC132", Name: "action-wildcard", Category: report.ServiceWildcard, Severity: report.Low, Ceiling: 9,
		Title:  "Action wildcards {patterns}",
		Detail: "The patterns match {n} actions today and any matching action AWS adds later.",
		Fix:    "Name the actions explicitly.",
		Phrase: "action wildcards",
		Why: "A pattern such as s3:Get* grants more than it seems (s3:GetObject and s3:GetBucketPolicy alike) and " +
			"grows silently as AWS adds actions.",
		Example:    `{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"},
	})
)

// Actions on every resource where they could be scoped.
var (
	ruleWriteEverywhere = rules.Register(&rules.Rule{
		ID: "PC140", Name: "write-every-resource", Category: report.WildcardResource, Severity: report.Medium, Ceiling: 6,
		Title:  "{many?{n} write actions|{action}} on every resource",
		Detail: "{many?These write actions support|This write action supports} resource-level permissions but {many?are|is} granted on all resources: {actions}.",
		Fix:    "Scope Resource to the ARNs the workload uses{examples?, for example {examples}}.",
		Phrase: "write actions on every resource",
		Why: "Write actions on \"*\" let the holder change or delete every resource of that type in the account, " +
			"including other teams' and production's, where a list of ARNs was possible.",
		Example:    `{"Effect": "Allow", "Action": "sqs:DeleteMessage", "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
	})
	ruleReadEverywhere = rules.Register(&rules.Rule{
		ID: "PC141", Name: "read-every-resource", Category: report.WildcardResource, Severity: report.Low, Ceiling: 8,
		Title:      "{many?{n} read or list actions|{action}} on every resource",
		Detail:     "{many?These read actions support|This read action supports} resource-level permissions but {many?are|is} granted on all resources: {actions}.",
		Fix:        "Scope Resource to the ARNs the workload uses{examples?, for example {examples}}.",
		Phrase:     "read actions on every resource",
		Why:        "Read actions on \"*\" reveal every resource of that type in the account, a map for whoever steals the credentials.",
		Example:    `{"Effect": "Allow", "Action": "sqs:GetQueueAttributes", "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
	})
)

// Sensitive actions: data exfiltration, credentials, permissions
// management, iam:PassRole.
var (
	ruleExfiltrationSecrets = rules.Register(&rules.Rule{
		ID: "PC210", Name: "data-exfiltration-secrets", Category: report.DataExfiltration, Severity: report.High, Ceiling: 4,
		Title:  "Unconstrained read of {data}",
		Detail: "{many?These actions|This action} on every resource, without a narrowing condition, {many?let|lets} the holder read or share out {data}: {actions}.",
		Fix:    "Scope these actions to the buckets, secrets, parameters, keys or tables the workload needs (and for secrets, to their ARNs with a name prefix).",
		Phrase: "unconstrained read of {data}",
		Why: "Reading every secret, or sharing snapshots and images with another account, hands out the keys to other " +
			"systems or whole copies of the data in one call.",
		Example:    `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}`,
		References: []string{"https://github.com/salesforce/cloudsplaining"},
	})
	ruleExfiltration = rules.Register(&rules.Rule{
		ID: "PC211", Name: "data-exfiltration", Category: report.DataExfiltration, Severity: report.Medium, Ceiling: 5,
		Title:      "Unconstrained read of {data}",
		Detail:     "{many?These actions|This action} on every resource, without a narrowing condition, {many?let|lets} the holder read or share out {data}: {actions}.",
		Fix:        "Scope these actions to the buckets, secrets, parameters, keys or tables the workload needs (and for secrets, to their ARNs with a name prefix).",
		Phrase:     "unconstrained read of {data}",
		Why:        "The holder can read every object, table or parameter of the account, not only the workload's own data.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`,
		References: []string{"https://github.com/salesforce/cloudsplaining"},
	})
	ruleCredentials = rules.Register(&rules.Rule{
		ID: "PC220", Name: "credentials-exposure", Category: report.CredentialsExposure, Severity: report.High, Ceiling: 4,
		Title:      "{many?{n} actions|{action}} that return credentials, on every resource",
		Detail:     "{many?These actions can|This action can} issue or reveal credentials, tokens or passwords for any resource: {actions}.",
		Fix:        "Scope these actions to the specific users, roles, clusters or repositories needed, or remove them.",
		Phrase:     "credentials for any resource ({first})",
		Why:        "Actions that return credentials let the holder act as other users, databases or registries: their reach becomes the holder's.",
		Example:    `{"Effect": "Allow", "Action": "redshift:GetClusterCredentials", "Resource": "*"}`,
		References: []string{"https://github.com/salesforce/cloudsplaining"},
	})
	rulePermissions = rules.Register(&rules.Rule{
		ID: "PC230", Name: "permissions-management", Category: report.PermissionsMgmt, Severity: report.High, Ceiling: 4,
		Title:      "{many?{n} permissions-management actions|{action}} that change who has access, on every resource",
		Detail:     "{many?These actions|This action} at the Permissions management access level can grant access to others (policies, ACLs, grants, sharing) on any resource: {actions}.",
		Fix:        "Remove permissions-management actions the workload does not need, and scope the rest to named resources with conditions.",
		Phrase:     "permissions management on every resource",
		Why:        "Permissions-management actions change who can reach a resource: on \"*\" the holder can open any bucket, key or queue of the account to anyone.",
		Example:    `{"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html"},
	})
	rulePassRoleAnyRoleAnyService = rules.Register(&rules.Rule{
		ID: "PC240", Name: "passrole-any-role-any-service", Category: report.PassRole, Severity: report.High, Ceiling: 4,
		Title:  "iam:PassRole on every role, to any service",
		Detail: "The holder can hand any role in the account to any service that accepts one, and then act with that role's permissions.",
		Fix:    "Scope Resource to the ARNs of the roles the workload passes (arn:aws:iam::<account-id>:role/<role-name>) and add {\"StringEquals\": {\"iam:PassedToService\": \"<service>.amazonaws.com\"}}.",
		Phrase: "iam:PassRole on every role",
		Why: "Passing a role to a service that runs code (Lambda, EC2, Glue...) gives the holder that role's " +
			"permissions: with every role, the most privileged one in the account.",
		Example:    `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"},
	})
	rulePassRoleAnyRole = rules.Register(&rules.Rule{
		ID: "PC241", Name: "passrole-any-role", Category: report.PassRole, Severity: report.Medium, Ceiling: 6,
		Title:      "iam:PassRole on every role",
		Detail:     "Limited to {services} by iam:PassedToService, but any role of the account can be passed.",
		Fix:        "Scope Resource to the ARNs of the roles the workload passes.",
		Phrase:     "iam:PassRole on every role",
		Why:        "Limiting the service helps, but any role can still be handed to it, including the most privileged one in the account.",
		Example:    `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"},
	})
	rulePassRoleAnyService = rules.Register(&rules.Rule{
		ID: "PC242", Name: "passrole-any-service", Category: report.PassRole, Severity: report.Low, Ceiling: 9,
		Title:      "iam:PassRole without iam:PassedToService",
		Detail:     "The named roles can be passed to any service, not only to the one that needs them.",
		Fix:        "Add {\"StringEquals\": {\"iam:PassedToService\": \"<service>.amazonaws.com\"}}.",
		Phrase:     "iam:PassRole without iam:PassedToService",
		Why:        "A role meant for one service can be handed to another that runs the holder's code, with the role's permissions.",
		Example:    `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-task"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"},
	})
)

// risks reports what each Allow grants too widely.
func (r *review) risks() {
	all := r.kb.All().Len()
	for _, st := range r.stmts {
		if !st.Allow || st.eff.IsEmpty() {
			continue
		}
		if st.cond.present && !st.cond.narrowing {
			r.add(st, ruleConditionsNotNarrowing, rules.Args{"conditions": strings.Join(st.cond.weakBy, ", ")})
		}
		broad := r.judgedByNeeds(r.broadSet(st))
		if r.doc.Type == policy.Resource {
			if acct, ok := AccountRoots(st.Src.Principal); ok && st.AnyResource {
				r.add(st, ruleAccountDelegation, rules.Args{"accounts": strings.TrimPrefix(acct, "account ")})
				continue
			}
			// In a resource policy "*" names the resource the policy is
			// attached to: there is no "every resource" to reach.
			broad = nil
		}
		wide := st.AnyResource || st.notResource()
		critical := false
		switch {
		case st.AllActions && !st.NotAction && wide && st.eff.Len() == all:
			if st.cond.narrowing {
				r.add(st, ruleFullAdminConditional, rules.Args{"conditions": strings.Join(st.cond.narrowBy, ", ")}, "*")
			} else {
				r.add(st, ruleFullAdmin, nil, "*")
			}
			critical = true
		case st.AllActions && wide && !st.cond.narrowing && st.eff.Len()*2 > all:
			// Denies take out a few actions. When they take out most
			// (a Deny with NotAction), what remains is judged below like
			// any list of actions.
			r.add(st, ruleNearlyFullAdmin, rules.Args{"excluded": strconv.Itoa(all - st.eff.Len()), "total": strconv.Itoa(all)}, "*")
			critical = true
		case st.NotAction && wide && !st.cond.narrowing && st.eff.Len()*2 > all:
			// NotAction that leaves most of AWS allowed is administrator
			// access with a few holes: what it implies folds into it, as
			// for Action "*".
			except := st.Src.NotAction.Strings()
			r.add(st, ruleNearlyFullAdmin, rules.Args{"excluded": strconv.Itoa(all - st.eff.Len()), "total": strconv.Itoa(all)}, "*")
			r.add(st, ruleNotActionEverywhere, rules.Args{"except": strings.Join(except, ", "), "n": strconv.Itoa(st.eff.Len())}, except...)
			critical = true
		case st.NotAction && !st.AllActions:
			rule := ruleNotActionListed
			switch {
			case wide && st.cond.narrowing:
				rule = ruleNotActionConditional
			case wide:
				rule = ruleNotActionEverywhere
			}
			except := st.Src.NotAction.Strings()
			r.add(st, rule, rules.Args{"except": strings.Join(except, ", "), "n": strconv.Itoa(st.eff.Len())}, except...)
			critical = wide
		}
		if st.notResource() {
			r.add(st, ruleNotResource, rules.Args{"except": strings.Join(st.ResourceList, ", ")})
		}
		if !st.AllActions {
			r.serviceWildcards(st, wide)
		}
		if critical {
			continue
		}
		allBroad := broad
		regional, scope := r.regional(st, broad)
		if !regional.IsEmpty() {
			broad = broad.Clone()
			broad.AndNot(regional)
		}
		r.wildcardResources(st, broad, everywhere, "")
		r.sensitive(st, broad, everywhere, "")
		r.wildcardResources(st, regional, inRegion, scope)
		r.sensitive(st, regional, inRegion, scope)
		r.resourcePolicyWrites(st, allBroad)
		r.boundedCredentials(st)
		r.passRole(st)
	}
}

// serviceWildcards reports "service:*" and partial action wildcards.
func (r *review) serviceWildcards(st *stmt, wide bool) {
	if st.NotAction {
		return
	}
	var full, partial []string
	for _, v := range st.Src.Action.Values {
		p := strings.TrimSpace(v.Text)
		svc, act, ok := strings.Cut(p, ":")
		if !ok || !hasWildcard(p) {
			continue
		}
		matched := r.kb.Expand(p)
		if matched.IsEmpty() {
			continue
		}
		// What of the pattern the statement grants, once Denies are
		// out: nothing, all of it, or a part.
		switch {
		case !matched.Intersects(st.eff):
			// Denied entirely: nothing to report.
		case iamref.IsAllWildcard(act) && !hasWildcard(svc) && matched.SubsetOf(st.eff):
			full = append(full, p)
		default:
			// A wildcard that Denies cut down is judged by what remains,
			// in the other categories.
			partial = append(partial, p)
		}
	}
	if len(full) > 0 {
		rule := ruleServiceWildcardListed
		if wide && !st.cond.narrowing {
			rule = ruleServiceWildcardEverywhere
		}
		r.add(st, rule, rules.Args{"actions": strings.Join(full, ", ")}, full...)
	}
	if len(partial) > 0 {
		n := 0
		for _, p := range partial {
			n += r.kb.Expand(p).Len()
		}
		r.add(st, ruleActionWildcard, rules.Args{"patterns": strings.Join(partial, ", "), "n": strconv.Itoa(n)}, partial...)
	}
}

// wildcardResources reports resource-level actions granted on every
// resource, write first.
func (r *review) wildcardResources(st *stmt, broad iamref.ActionSet, rs broadRules, scope string) {
	// The sets are worked out in the review's scratch sets: nothing
	// keeps them.
	s := append(r.scratch[0][:0], broad...)
	s.And(r.cat.resourceLevel)
	// What the sharper categories report is not repeated here.
	s.AndNot(r.cat.exfiltration)
	s.AndNot(r.cat.credentials)
	s.AndNot(r.cat.permissions)
	if r.cat.passRole != nil {
		s.Remove(r.cat.passRole.ID)
	}
	write := append(r.scratch[1][:0], s...)
	write.And(r.cat.write)
	r.scratch[0], r.scratch[1] = s, write
	read := s
	read.AndNot(r.cat.write)
	for _, k := range []struct {
		set  iamref.ActionSet
		rule *rules.Rule
	}{
		{write, rs.write},
		{read, rs.read},
	} {
		if k.set.IsEmpty() {
			continue
		}
		acts := r.names(k.set, 0)
		if r.textless {
			r.add(st, k.rule, nil, acts...)
			continue
		}
		args := actionArgs(acts, 8)
		args["examples"] = strings.Join(r.scopeExamples(k.set), ", ")
		args["scope"] = scope
		r.add(st, k.rule, args, acts...)
	}
}

// actionArgs are the arguments that name a list of actions: n, how many;
// many, set when there is more than one; action, the first; actions, a
// preview of at most max of them.
func actionArgs(acts []string, max int) rules.Args {
	return rules.Args{"n": strconv.Itoa(len(acts)), "many": flag(len(acts) != 1), "action": acts[0], "actions": preview(acts, max)}
}

// scopeExamples are example ARNs, from the formats of the actions'
// resource types, to scope a set of actions to.
func (r *review) scopeExamples(s iamref.ActionSet) []string {
	seen := map[string]bool{}
	// A type read once has given all its examples: the many actions of
	// a service that share it add nothing.
	types := map[*iamref.ResourceType]bool{}
	var formats []string
	s.Each(func(id iamref.ActionID) bool {
		a := r.kb.ActionByID(id)
		for _, ref := range a.Resources {
			if !ref.Required && len(a.Resources) > 1 || types[ref.Type] {
				continue
			}
			types[ref.Type] = true
			for _, f := range ref.Type.ARNFormats {
				if ex := ExampleARN(f); !seen[ex] {
					seen[ex] = true
					formats = append(formats, ex)
				}
			}
		}
		return len(formats) < 4
	})
	return formats
}

// sensitive reports data exfiltration, credentials exposure and
// permissions management granted without constraint.
func (r *review) sensitive(st *stmt, broad iamref.ActionSet, rs broadRules, scope string) {
	if broad.IsEmpty() {
		return
	}
	exfil := iamref.Intersection(broad, r.cat.exfiltration)
	if !exfil.IsEmpty() {
		rule := rs.data
		if exfil.Intersects(r.cat.secrets) || exfil.Intersects(r.cat.sharing) {
			rule = rs.secrets
		}
		acts := r.names(exfil, 0)
		args := actionArgs(acts, 8)
		args["data"] = dataNouns(r.kb, exfil)
		args["scope"] = scope
		r.add(st, rule, args, acts...)
	}
	creds := iamref.Intersection(broad, r.cat.credentials)
	if !creds.IsEmpty() {
		acts := r.names(creds, 0)
		args := actionArgs(acts, 8)
		args["first"] = preview(acts, 2)
		args["scope"] = scope
		r.add(st, rs.credentials, args, acts...)
	}
	perms := iamref.Intersection(broad, r.cat.permissions)
	if !perms.IsEmpty() {
		acts := r.names(perms, 0)
		args := actionArgs(acts, 8)
		args["scope"] = scope
		r.add(st, rs.permissions, args, acts...)
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
		r.add(st, rulePassRoleAnyRoleAnyService, nil, pr.FullName())
	case rr == reachBroad:
		r.add(st, rulePassRoleAnyRole, rules.Args{"services": strings.Join(st.cond.passedToService, ", ")}, pr.FullName())
	case !limited:
		r.add(st, rulePassRoleAnyService, nil, pr.FullName())
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
	return examples.get(format, exampleARN)
}

// examples remembers ExampleARN's answers: the knowledge base has a few
// thousand formats, and the same ones come back for every statement.
var examples memo[string, string]

func exampleARN(format string) string {
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
