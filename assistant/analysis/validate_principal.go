package analysis

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// Principals: the keys and values IAM accepts, as IAM Access Analyzer's
// policy validation checks them (INVALID_PRINCIPAL_KEY,
// INVALID_PRINCIPAL_FORMAT, INVALID_SERVICE_PRINCIPAL_FORMAT,
// INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY,
// UNSUPPORTED_WILDCARD_IN_PRINCIPAL,
// ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL).
var (
	rulePrincipalKey = rules.Register(&rules.Rule{
		ID: "PC070", Name: "principal-key-invalid", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:  "Unknown principal type {key}",
		Detail: "A Principal's keys are AWS, Service, Federated and CanonicalUser, written exactly so; AWS rejects this policy.{closest? Did you mean {closest}?}",
		Fix:    "{closest?Write {closest}.|Use AWS, Service, Federated or CanonicalUser.}",
		Why: "AWS refuses the policy, so whatever access it was meant to give or take is not in place; the keys are case-sensitive " +
			"(\"aws\" and \"Services\" are refused).",
		Example:     `{"Effect": "Allow", "Principal": {"Services": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}`,
		ExampleType: "trust",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"},
	})
	rulePrincipalValue = rules.Register(&rules.Rule{
		ID: "PC071", Name: "principal-value-invalid", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:       "{value} is not a valid {key} principal",
		Detail:      "{expect} AWS rejects this policy.",
		Fix:         "Write the principal in that form.",
		Why:         "AWS refuses a policy with a principal it cannot read: an IAM group, an account alias, a role name without its ARN, a service written without its domain.",
		Example:     `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:group/admins"}, "Action": "sts:AssumeRole"}`,
		ExampleType: "trust",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"},
	})
	rulePrincipalWildcard = rules.Register(&rules.Rule{
		ID: "PC072", Name: "principal-wildcard-unsupported", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:  "Wildcard in principal {value}",
		Detail: "A principal is \"*\" or written out in full: IAM does not match patterns in Principal, and AWS rejects this policy.",
		Fix:    "Name the principals, or write \"*\" with a condition such as {\"ArnLike\": {\"aws:PrincipalArn\": \"{value}\"}}.",
		Why: "Patterns such as role/app-* are refused in Principal; the usual workaround, \"*\" with a condition, is right only when the " +
			"condition pins the account.",
		Example:     `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app-*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}`,
		ExampleType: "resource",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous"},
	})
	ruleTrustNotPrincipal = rules.Register(&rules.Rule{
		ID: "PC073", Name: "trust-policy-notprincipal", Category: report.Syntax, Severity: report.Medium, Ceiling: 7,
		Title:       "NotPrincipal in a trust policy",
		Detail:      "A role trust policy must name who may assume the role; AWS rejects NotPrincipal in it.",
		Fix:         "Replace NotPrincipal with a Principal naming who may assume the role.",
		Why:         "AWS refuses the trust policy; NotPrincipal in an Allow would let everyone else assume the role.",
		Example:     `{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/intern"}, "Action": "sts:AssumeRole"}`,
		ExampleType: "trust",
		References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"},
	})
)

var ruleTrustActionMismatch = rules.Register(&rules.Rule{
	ID: "PC074", Name: "trust-action-principal-mismatch", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
	Title:  "{principal} cannot use {actions}",
	Detail: "{principal} assumes a role with {want}; the statement allows only {actions}, so it never lets {principal} in.",
	Fix:    "Allow {want} for this principal.",
	Why: "Each kind of principal assumes a role through its own action: a SAML provider through sts:AssumeRoleWithSAML, an OIDC " +
		"provider through sts:AssumeRoleWithWebIdentity, accounts, roles and services through sts:AssumeRole. With the wrong one " +
		"the role cannot be assumed, and the usual fix, a wildcard action, admits every way in.",
	Example: `{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"}, "Action": "sts:AssumeRole",
 "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}`,
	ExampleType: "trust",
	References:  []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html"},
})

// trustActions checks that a trust statement allows the action its
// principals assume a role with.
func (r *review) trustActions(st *stmt) {
	p := st.Src.Principal
	if r.doc.Type != policy.Trust || !st.Allow || p == nil || p.Any || st.NotAction || st.Actions.IsEmpty() {
		return
	}
	allows := func(name string) bool {
		a := r.kb.Action(name)
		return a != nil && st.Actions.Has(a.ID)
	}
	if !allows("sts:AssumeRole") && !allows("sts:AssumeRoleWithSAML") && !allows("sts:AssumeRoleWithWebIdentity") {
		return // session tags, source identity: they ride along with another statement
	}
	for _, e := range p.Entries {
		for _, v := range e.Values.Values {
			val := strings.TrimSpace(v.Text)
			if templated(val) {
				continue
			}
			want := "sts:AssumeRole"
			if strings.EqualFold(e.Kind, "Federated") {
				want = "sts:AssumeRoleWithWebIdentity"
				if strings.Contains(val, ":saml-provider/") {
					want = "sts:AssumeRoleWithSAML"
				}
			}
			if allows(want) {
				continue
			}
			r.add(st, ruleTrustActionMismatch, rules.Args{"principal": val, "want": want, "actions": strings.Join(st.Src.Action.Strings(), ", ")})
			return
		}
	}
}

var principalKeys = []string{"AWS", "Service", "Federated", "CanonicalUser"}

var (
	// iamPrincipalARN: the principals an AWS key can name.
	iamPrincipalARN = regexp.MustCompile(`^arn:[a-z-]+:(iam::([0-9]{12}|aws):(root|user/.+|role/.+|federated-user/.+)|sts::[0-9]{12}:(assumed-role/.+/.+|federated-user/.+))$`)
	// uniqueID: an IAM user's or role's unique id (AIDA..., AROA...).
	uniqueID = regexp.MustCompile(`^A[A-Z0-9]{3}[A-Z0-9]{12,}$`)
	// servicePrincipal: a service's name in AWS's domains.
	servicePrincipal = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com|c2s\.ic\.gov|sc2s\.sgov\.gov|amazonaws\.eu)$`)
	// federatedProvider: a SAML or OIDC provider of the account.
	federatedProvider = regexp.MustCompile(`^arn:[a-z-]+:iam::[0-9]{12}:(saml-provider|oidc-provider)/.+$`)
	canonicalUser     = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// federatedDomains are the identity providers AWS federates with by name.
var federatedDomains = map[string]bool{
	"cognito-identity.amazonaws.com": true, "accounts.google.com": true, "graph.facebook.com": true, "www.amazon.com": true,
}

// validatePrincipal checks the keys and values of Principal and
// NotPrincipal.
func (r *review) validatePrincipal(st *stmt) {
	r.trustActions(st)
	s := st.Src
	if r.doc.Type == policy.Trust && s.NotPrincipal != nil {
		r.add(st, ruleTrustNotPrincipal, nil)
	}
	for _, p := range []*policy.Principal{s.Principal, s.NotPrincipal} {
		if p == nil {
			continue
		}
		for _, e := range p.Entries {
			key := ""
			for _, k := range principalKeys {
				if e.Kind == k {
					key = k
				} else if key == "" && strings.EqualFold(e.Kind, k) {
					r.add(st, rulePrincipalKey, rules.Args{"key": strconv.Quote(e.Kind), "closest": k})
					key = "-"
				}
			}
			switch key {
			case "-":
				continue
			case "":
				args := rules.Args{"key": strconv.Quote(e.Kind)}
				if strings.EqualFold(strings.TrimSuffix(e.Kind, "s"), "Service") {
					args["closest"] = "Service"
				}
				r.add(st, rulePrincipalKey, args)
				continue
			}
			for _, v := range e.Values.Values {
				r.checkPrincipalValue(st, key, strings.TrimSpace(v.Text))
			}
		}
	}
}

func (r *review) checkPrincipalValue(st *stmt, key, v string) {
	if v == "" || templated(v) || v == "*" && key == "AWS" {
		return
	}
	args := rules.Args{"key": key, "value": strconv.Quote(v)}
	if hasWildcard(v) {
		args["value"] = v
		r.add(st, rulePrincipalWildcard, args)
		return
	}
	ok := true
	switch key {
	case "AWS":
		ok = accountPattern.MatchString(v) || iamPrincipalARN.MatchString(v) || uniqueID.MatchString(v)
		args["expect"] = lang.English.Sprintf("An AWS principal is \"*\", an account id, or the ARN of an account (:root), a user, a role, an assumed-role session or a federated user (not a group).")
	case "Service":
		ok = servicePrincipal.MatchString(v)
		args["expect"] = lang.English.Sprintf("A service principal is the service's name in AWS's domain, such as lambda.amazonaws.com.")
	case "Federated":
		ok = federatedProvider.MatchString(v) || federatedDomains[v]
		args["expect"] = lang.English.Sprintf("A federated principal is the ARN of a SAML or OIDC provider of the account (arn:aws:iam::111122223333:saml-provider/name), or cognito-identity.amazonaws.com, accounts.google.com, graph.facebook.com, www.amazon.com.")
	case "CanonicalUser":
		ok = canonicalUser.MatchString(v)
		args["expect"] = lang.English.Sprintf("A canonical user id is 64 hexadecimal digits.")
	}
	if !ok {
		r.add(st, rulePrincipalValue, args)
	}
}
