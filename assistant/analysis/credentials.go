package analysis

import (
	"sort"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

var (
	ruleResourcePolicyWrite = rules.Register(&rules.Rule{
		ID: "PC250", Name: "resource-policy-write", Category: report.PermissionsMgmt, Severity: report.Medium, Ceiling: 7,
		Title: "{many?{n} actions that can|{action} can} grant others access to the named resources",
		Detail: "{many?These actions change|This action changes} who may use the resources it is granted on (a resource policy, an ACL, a grant, a permission): " +
			"{actions}. The holder can open them to another account, or to everyone, without any IAM change.",
		Fix:    "Keep resource-policy writes for the pipeline that deploys the resource; if the workload needs one, add conditions that bound what it may grant.",
		Phrase: "can grant others access to named resources ({first})",
		Why: "A resource policy is checked before the caller's own account: whoever can write it on a bucket, key, queue or function can let " +
			"another account or the public in, even when every other action is scoped.",
		Example:    `{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutBucketPolicy"], "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html"},
	})
	ruleCredentialsBounded = rules.Register(&rules.Rule{
		ID: "PC255", Name: "credentials-bounded", Category: report.CredentialsExposure, Severity: report.Low, Ceiling: 9,
		Title: "{many?{n} actions that return credentials or tokens|{action} returns credentials or a token}, bounded by other permissions",
		Detail: "{many?These actions support|This action supports} only \"Resource\": \"*\" and {many?are|is} not broad: {reasons}. " +
			"Whoever holds the token can use it until it expires.",
		Fix:    "Keep {many?them|it} where the workload needs {many?them|it} (a build pulling images, an MFA session); remove {many?them|it} elsewhere.",
		Phrase: "credentials or tokens ({first})",
		Why: "These actions hand out credentials or tokens, which whoever steals them can use until they expire; but what the credentials " +
			"can do is still decided by IAM (the caller's own permissions, or the trust policies of an identity pool's roles), so they " +
			"are reported at low severity, with why they are not broad.",
		Example:    `{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}`,
		References: []string{"https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html"},
	})
)

// resourcePolicyWrites reports actions that can grant others access,
// granted on named resources (on every resource, permissions management
// reports them).
func (r *review) resourcePolicyWrites(st *stmt, broad iamref.ActionSet) {
	if r.doc.Type == policy.Trust {
		return
	}
	s := iamref.Intersection(st.eff, r.cat.policyWrites)
	s.AndNot(broad)
	if s.IsEmpty() {
		return
	}
	var acts []string
	s.Each(func(id iamref.ActionID) bool {
		a := r.kb.ActionByID(id)
		if st.resourceReach(a) != reachNone || !a.ResourceLevel() && st.AnyResource {
			acts = append(acts, a.FullName())
		}
		return true
	})
	if len(acts) == 0 {
		return
	}
	sort.Strings(acts)
	args := actionArgs(acts, 8)
	args["first"] = preview(acts, 2)
	r.add(st, ruleResourcePolicyWrite, args, acts...)
}

// boundedCredentials reports the actions that return credentials or
// tokens whose use IAM still governs, with why they are not broad.
func (r *review) boundedCredentials(st *stmt) {
	s := iamref.Intersection(st.eff, r.cat.bounded)
	if s.IsEmpty() || !st.AnyResource && !st.notResource() {
		// They support only "*": on named resources they are not granted.
		return
	}
	acts := r.names(s, 0)
	var reasons []string
	for _, a := range acts {
		reasons = append(reasons, a+": "+boundedCredentials[a])
	}
	args := actionArgs(acts, 8)
	args["first"] = preview(acts, 2)
	args["reasons"] = strings.Join(reasons, "; ")
	r.add(st, ruleCredentialsBounded, args, acts...)
}
