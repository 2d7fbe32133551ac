package analysis

import (
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// Principals: who a resource or trust policy lets in.
var (
	ruleNotPrincipal = rules.Register(&rules.Rule{
		ID: "PC301", Name: "notprincipal-allow", Category: report.PublicAccess, Severity: report.Critical, Ceiling: 2,
		Title:       "Allow with NotPrincipal",
		Detail:      "NotPrincipal in an Allow grants access to everyone except the listed principals, including anonymous users and every other account.",
		Fix:         "Replace NotPrincipal with a Principal naming who needs access.",
		Phrase:      "access for everyone but a few principals",
		Why:         "An Allow with NotPrincipal is public access with a few exceptions: anonymous callers and every AWS account are let in.",
		Example:     `{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/intern"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"},
	})
	rulePublicRead = rules.Register(&rules.Rule{
		ID: "PC302", Name: "public-read", Category: report.PublicAccess, Severity: report.High, Ceiling: 4,
		Title:       "Public read access",
		Detail:      "The policy grants read access to everyone, including anonymous users and every AWS account.{conditions? Its conditions ({conditions}) do not pin an account, an organization or a network: any caller can meet them.}",
		Fix:         "Name the accounts or roles that need access in Principal, or add an aws:PrincipalOrgID / aws:SourceVpce condition.",
		Phrase:      "public read access",
		Why:         "Anyone on the internet can read the resource: public buckets and snapshots are a leading cause of data leaks.",
		Example:     `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"},
	})
	rulePublicWrite = rules.Register(&rules.Rule{
		ID: "PC303", Name: "public-write", Category: report.PublicAccess, Severity: report.Critical, Ceiling: 2,
		Title:       "Public write access",
		Detail:      "The policy grants write access to everyone, including anonymous users and every AWS account.{conditions? Its conditions ({conditions}) do not pin an account, an organization or a network: any caller can meet them.}",
		Fix:         "Name the accounts or roles that need access in Principal, or add an aws:PrincipalOrgID / aws:SourceVpce condition.",
		Phrase:      "public write access",
		Why:         "Anyone on the internet can change, overwrite or delete the resource, or use it to host and spread their own content.",
		Example:     `{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"},
	})
	rulePublicConditional = rules.Register(&rules.Rule{
		ID: "PC304", Name: "public-with-conditions", Category: report.PublicAccess, Severity: report.Low, Ceiling: 8,
		Title:  "Open to any principal, narrowed by conditions",
		Detail: "The statement names every principal but is limited by {conditions}. Make sure those conditions pin your accounts or organization.",
		Fix:    "Prefer naming the accounts or roles in Principal; keep aws:PrincipalOrgID or aws:SourceAccount conditions.",
		Why: "\"Principal\": \"*\" with an organization, account or network condition is a common and sound pattern, " +
			"but the whole protection rests on the condition: a typo in it makes the resource public.",
		Example:     `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}}}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid"},
	})
	ruleTrustAnyone = rules.Register(&rules.Rule{
		ID: "PC305", Name: "trust-anyone", Category: report.PublicAccess, Severity: report.Critical, Ceiling: 1,
		Title:      "Anyone can assume this role",
		Detail:     "The trust policy allows every AWS principal, in any account, to assume the role.{conditions? Its conditions ({conditions}) do not pin an account, an organization or a network: any caller can meet them.}",
		Fix:        "Name the accounts, roles or services that may assume it in Principal, and add sts:ExternalId or aws:PrincipalOrgID conditions for other accounts.",
		Phrase:     "anyone can assume this role",
		Why:        "Any AWS account in the world can obtain the role's credentials and act with its permissions in your account.",
		Example:    `{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html"},
	})
	ruleWebIdentityUnpinned = rules.Register(&rules.Rule{
		ID: "PC310", Name: "web-identity-without-audience", Category: report.PublicAccess, Severity: report.Critical, Ceiling: 1,
		Title:      "{provider} trust without a {key} condition",
		Detail:     "A token {provider} issued to any application, for any user, can assume this role.",
		Fix:        "Add {\"StringEquals\": {\"{key}\": \"<your-app-id>\"}}.",
		Phrase:     "anyone with a {provider} token can assume this role",
		Why:        "Anyone can sign in to Google, Facebook or Amazon and get a token: without the application condition, the role is public.",
		Example:    `{"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"},
	})
	ruleGitHubOIDCUnpinned = rules.Register(&rules.Rule{
		ID: "PC311", Name: "github-oidc-without-sub", Category: report.PublicAccess, Severity: report.Critical, Ceiling: 1,
		Title:  "GitHub OIDC trust without a sub condition",
		Detail: "Any GitHub Actions workflow, in any repository of any owner, can assume this role.",
		Fix:    "Add {\"StringLike\": {\"token.actions.githubusercontent.com:sub\": \"repo:<org>/<repo>:ref:refs/heads/main\"}} and {\"StringEquals\": {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"}}.",
		Phrase: "any GitHub workflow can assume this role",
		Why:    "Anyone can create a GitHub repository and run a workflow in it: without a sub condition naming yours, they can assume the role.",
		Example: `{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}`,
		References: []string{"https://docs.github.com/en/actions/deployment/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services"},
	})
	ruleCognitoUnpinned = rules.Register(&rules.Rule{
		ID: "PC312", Name: "cognito-without-aud", Category: report.PublicAccess, Severity: report.High, Ceiling: 3,
		Title:      "Cognito trust without an aud condition",
		Detail:     "Identities from any Cognito identity pool can assume this role.",
		Fix:        "Add {\"StringEquals\": {\"cognito-identity.amazonaws.com:aud\": \"<identity-pool-id>\"}}.",
		Phrase:     "any Cognito identity pool can assume this role",
		Why:        "Without the aud condition, an identity from anyone's identity pool, including one they created for the purpose, can assume the role.",
		Example:    `{"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}`,
		References: []string{"https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html"},
	})
	ruleOIDCUnpinned = rules.Register(&rules.Rule{
		ID: "PC313", Name: "oidc-without-sub", Category: report.PublicAccess, Severity: report.High, Ceiling: 3,
		Title:      "OIDC trust without a sub condition",
		Detail:     "Every identity the OIDC provider issues tokens for can assume this role.",
		Fix:        "Add a StringEquals condition on the provider's :sub key naming the workload (for EKS: system:serviceaccount:<namespace>:<name>).",
		Phrase:     "any identity of the OIDC provider can assume this role",
		Why:        "Every workload the provider vouches for (every service account of an EKS cluster) gets the role, not only the one it is for.",
		Example:    `{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"}, "Action": "sts:AssumeRoleWithWebIdentity"}`,
		References: []string{"https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html"},
	})
	rulePrincipalPinned = rules.Register(&rules.Rule{
		ID: "PC340", Name: "principal-pinned-by-condition", Category: report.ConditionCategory, Severity: report.Info, Ceiling: 10,
		Title: "Any principal, pinned by {conditions}",
		Detail: "The statement names every principal, but its conditions ({conditions}) admit only the principals of one account, one named principal, " +
			"or a service acting for one resource or account: it is judged like a statement that names them, not as public access.",
		Why: "\"Principal\": \"*\" with aws:PrincipalArn, aws:userid, aws:SourceArn, aws:SourceAccount or aws:PrincipalAccount pinned to " +
			"literal values lets in exactly what those values name: a request from anyone else does not carry them. It is the usual way " +
			"to name a role that may not exist yet, or a service acting for one bucket or account.",
		Example: `{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:orders",
 "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:order-events"}}}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn"},
	})
	ruleServicePrincipalUnpinned = rules.Register(&rules.Rule{
		ID: "PC320", Name: "service-principal-without-source", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:       "Service principal {services} without a source condition",
		Detail:      "Without aws:SourceAccount or aws:SourceArn, the service can be made to act on this resource for any customer's account (the confused deputy problem).",
		Fix:         "Add {\"StringEquals\": {\"aws:SourceAccount\": \"<account-id>\"}} or an aws:SourceArn condition.",
		Phrase:      "a service principal without aws:SourceAccount",
		Why:         "Another AWS customer can point the same service at your resource (the confused deputy); the source condition ties the access to your account.",
		Example:     `{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:orders"}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"},
	})
)

// principals judges who a resource-based or trust policy lets in.
func (r *review) principals() {
	trust := r.doc.Type == policy.Trust
	for _, st := range r.stmts {
		if !st.Allow || st.eff.IsEmpty() {
			continue
		}
		if st.Src.NotPrincipal != nil {
			r.add(st, ruleNotPrincipal, nil)
		}
		p := st.Src.Principal
		if p == nil {
			continue
		}
		if p.Any || r.anyAWS(p) {
			r.public(st, trust)
		}
		for _, e := range p.Entries {
			switch strings.ToLower(e.Kind) {
			case "federated":
				r.federated(st, e)
			case "service":
				if !trust && len(sourcePins(st.Src.Conditions)) == 0 {
					r.add(st, ruleServicePrincipalUnpinned, rules.Args{"services": strings.Join(e.Values.Strings(), ", ")})
				}
			}
		}
	}
}

// anyAWS reports {"AWS": "*"} or an ARN with a wildcard account.
func (r *review) anyAWS(p *policy.Principal) bool {
	for _, e := range p.Entries {
		if !strings.EqualFold(e.Kind, "AWS") {
			continue
		}
		for _, v := range e.Values.Values {
			t := strings.TrimSpace(v.Text)
			if iamref.IsAllWildcard(t) {
				return true
			}
			if f := strings.SplitN(t, ":", 6); len(f) == 6 && hasWildcard(f[4]) {
				return true
			}
		}
	}
	return false
}

func (r *review) public(st *stmt, trust bool) {
	if pins := principalPins(st.Src.Conditions); len(pins) > 0 {
		// Pinned to one account or principal: the same as naming it in
		// Principal, which is not public.
		r.add(st, rulePrincipalPinned, rules.Args{"conditions": strings.Join(pins, ", ")})
		return
	}
	if pins := callerPins(st.Src.Conditions); len(pins) > 0 {
		r.add(st, rulePublicConditional, rules.Args{"conditions": strings.Join(pins, ", ")})
		return
	}
	args := rules.Args{"conditions": strings.Join(condKeys(st.Src.Conditions), ", ")}
	if trust {
		r.add(st, ruleTrustAnyone, args, st.Src.Action.Strings()...)
		return
	}
	rule := rulePublicRead
	if st.eff.Intersects(r.cat.write) {
		rule = rulePublicWrite
	}
	r.add(st, rule, args, r.names(st.eff, 20)...)
}

// webIdentityProviders are the public identity providers AWS federates
// with by name, and the condition key that names the application a token
// is for: without it, a token any application got from the provider will
// do.
var webIdentityProviders = map[string]string{
	"accounts.google.com": "accounts.google.com:aud",
	"graph.facebook.com":  "graph.facebook.com:app_id",
	"www.amazon.com":      "www.amazon.com:app_id",
}

func (r *review) federated(st *stmt, e policy.PrincipalEntry) {
	// Only sts:AssumeRoleWithWebIdentity lets a federated identity in;
	// other actions (sts:TagSession) ride along with it.
	if a := r.kb.Action("sts:AssumeRoleWithWebIdentity"); a == nil || !st.eff.Has(a.ID) {
		return
	}
	for _, v := range e.Values.Values {
		provider := strings.ToLower(strings.TrimSpace(v.Text))
		if key, ok := webIdentityProviders[provider]; ok {
			if !pinnedKey(st.Src.Conditions, key) {
				r.add(st, ruleWebIdentityUnpinned, rules.Args{"provider": provider, "key": key})
			}
			continue
		}
		switch {
		case strings.Contains(provider, "token.actions.githubusercontent.com"):
			if !st.cond.oidcSubject {
				r.add(st, ruleGitHubOIDCUnpinned, nil)
			}
		case strings.Contains(provider, "cognito-identity.amazonaws.com"):
			if !st.cond.oidcAudience {
				r.add(st, ruleCognitoUnpinned, nil)
			}
		case strings.Contains(provider, "oidc-provider/"):
			if !st.cond.oidcSubject {
				r.add(st, ruleOIDCUnpinned, nil)
			}
		}
	}
}

// pinnedKey reports whether the conditions pin key to values without
// wildcards, with an operator that admits only them.
func pinnedKey(cs []policy.Condition, key string) bool {
	for _, c := range cs {
		if strings.EqualFold(c.Key, key) && positive(c.Operator) && allValues(c.Values.Strings(), literal) {
			return true
		}
	}
	return false
}

var ruleSCPDenyNotAction = rules.Register(&rules.Rule{
	ID: "PC501", Name: "scp-deny-notaction", Category: report.NotAction, Severity: report.Info, Ceiling: 10,
	Title:  "Deny with NotAction",
	Detail: "Denies every action except those listed, in every account the SCP applies to. Check that the list contains everything those accounts need.",
	Why: "An allow-list guard rail is strong and easy to get wrong: an action missing from the list is denied in every " +
		"account the policy applies to, including the ones that run production.",
	Example:     `{"Effect": "Deny", "NotAction": ["s3:*", "cloudwatch:*", "sts:*"], "Resource": "*"}`,
	ExampleType: "scp",
	References:  []string{"https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html"},
})

// scp reviews a service control policy: it grants nothing, so only its
// validity and its guard rails matter.
func (r *review) scp() {
	for _, st := range r.stmts {
		if st.Deny && st.NotAction && st.AnyResource && !st.cond.present {
			r.add(st, ruleSCPDenyNotAction, nil)
		}
	}
}

var (
	ruleGrantsNothing = rules.Register(&rules.Rule{
		ID: "PC051", Name: "statement-grants-nothing", Category: report.Syntax, Severity: report.Info, Ceiling: 10,
		Title:  "Statement grants nothing",
		Detail: "Unconditional Deny statements remove everything this statement allows.",
		Why:    "A statement that the Denies cancel does nothing; it misleads whoever reads the policy about what is granted.",
		Example: `[{"Effect": "Allow", "Action": "s3:DeleteBucket", "Resource": "*"},
 {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]`,
	})
	ruleRedundant = rules.Register(&rules.Rule{
		ID: "PC050", Name: "statement-redundant", Category: report.Syntax, Severity: report.Low, Ceiling: 9,
		Title:  "Redundant: statement {other} already grants all of this",
		Detail: "Everything this statement allows is allowed by another unconditional statement on the same or broader resources.",
		Fix:    "Remove this statement, or narrow the other one.",
		Phrase: "redundant statements",
		Why: "A redundant statement hides the real grant: tightening it changes nothing, and the policy is larger than " +
			"it needs to be.",
		Example: `[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"},
 {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::my-bucket/*"}]`,
	})
)

// maxCompared is the most statements redundancy compares by pairs. AWS's
// size quotas hold a few dozen statements; a hostile input of thousands
// would take seconds.
const maxCompared = 256

// redundancy reports Allows that another Allow already covers, and Allows
// that Denies cancel entirely.
func (r *review) redundancy() {
	// A statement's first action, and its size, reject most pairs before
	// the bit sets are compared.
	first := make([]iamref.ActionID, len(r.stmts))
	size := make([]int, len(r.stmts))
	for i, st := range r.stmts {
		first[i] = -1
		st.Actions.Each(func(id iamref.ActionID) bool { first[i] = id; return false })
		size[i] = st.Actions.Len()
	}
	for i, a := range r.stmts {
		if !a.Allow {
			continue
		}
		if a.eff.IsEmpty() && size[i] > 0 {
			r.add(a, ruleGrantsNothing, nil)
			continue
		}
		if a.Src.Principal != nil || a.Src.NotPrincipal != nil || size[i] == 0 || len(r.stmts) > maxCompared {
			// Principals differ in ways sets do not capture; and the
			// comparison is by pairs.
			continue
		}
		for j, b := range r.stmts {
			// Compare what the statements designate, not what survives the
			// Denies, so that adding a Deny never creates a finding.
			if i == j || !b.Allow || b.cond.present || size[j] < size[i] || !b.Actions.Has(first[i]) ||
				b.Src.Principal != nil || b.Src.NotPrincipal != nil {
				continue
			}
			if !a.Actions.SubsetOf(b.Actions) || !resourcesCover(b, a) {
				continue
			}
			if size[i] == size[j] && resourcesCover(a, b) && !a.cond.present && j > i {
				continue // identical: report the later one only
			}
			r.add(a, ruleRedundant, rules.Args{"other": strconv.Itoa(b.Src.Index)})
			break
		}
	}
}

func resourcesCover(b, a *stmt) bool {
	if b.AnyResource {
		return true
	}
	if b.notResource() || b.noResource() || a.notResource() || a.noResource() || a.AnyResource {
		return b.noResource() && a.noResource()
	}
	for _, p := range a.ResourceList {
		ok := false
		for _, q := range b.ResourceList {
			if q == p || iamref.PatternCovers(q, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
