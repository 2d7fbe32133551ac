package analysis

import (
	"sort"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// A pattern such as arn:aws:sqs:us-east-1:111122223333:* pins the
// partition, the region and the account and leaves only the name open:
// it reaches every queue of one account in one region, which is less than
// "*" (every region, and other accounts' queues that trust the holder).
// Its findings have rules of their own, one step above their "*"
// counterparts, and say so in their titles.
var (
	ruleWriteInRegion = rules.Register(&rules.Rule{
		ID: "PC150", Name: "write-every-resource-in-region", Category: report.WildcardResource, Severity: report.Medium, Ceiling: 7,
		Title:  "{many?{n} write actions|{action}} on every resource of {scope} (narrower than \"*\")",
		Detail: "{many?These write actions support|This write action supports} resource-level permissions but {many?are|is} granted on every resource of {scope}: {actions}.",
		Fix:    "Scope Resource to the names the workload uses{examples?, for example {examples}}.",
		Phrase: "write actions on every resource of {scope}",
		Why: "A pattern that pins the account and region still lets the holder change or delete every resource of that type there, " +
			"other teams' and production's included; it keeps out only other regions and accounts.",
		Example:    `{"Effect": "Allow", "Action": "sqs:DeleteMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"},
	})
	ruleReadInRegion = rules.Register(&rules.Rule{
		ID: "PC151", Name: "read-every-resource-in-region", Category: report.WildcardResource, Severity: report.Low, Ceiling: 9,
		Title:      "{many?{n} read or list actions|{action}} on every resource of {scope} (narrower than \"*\")",
		Detail:     "{many?These read actions support|This read action supports} resource-level permissions but {many?are|is} granted on every resource of {scope}: {actions}.",
		Fix:        "Scope Resource to the names the workload uses{examples?, for example {examples}}.",
		Phrase:     "read actions on every resource of {scope}",
		Why:        "Read actions on every resource of one account and region reveal what is there; pinning the account and region keeps out only the rest.",
		Example:    `{"Effect": "Allow", "Action": "sqs:GetQueueAttributes", "Resource": "arn:aws:sqs:us-east-1:111122223333:*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"},
	})
	ruleExfiltrationSecretsInRegion = rules.Register(&rules.Rule{
		ID: "PC152", Name: "data-exfiltration-secrets-in-region", Category: report.DataExfiltration, Severity: report.Medium, Ceiling: 5,
		Title:  "Read of {data} of {scope} (narrower than \"*\")",
		Detail: "{many?These actions|This action} on every resource of {scope}, without a narrowing condition, {many?let|lets} the holder read or share out {data}: {actions}.",
		Fix:    "Scope these actions to the secrets, parameters or keys the workload needs, by name or name prefix.",
		Phrase: "read of {data} of {scope}",
		Why: "Every secret of one account and region is most of the secrets that matter: the pattern keeps out other regions and " +
			"accounts, not other teams' secrets.",
		Example:    `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:*"}`,
		References: []string{"https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html"},
	})
	ruleExfiltrationInRegion = rules.Register(&rules.Rule{
		ID: "PC153", Name: "data-exfiltration-in-region", Category: report.DataExfiltration, Severity: report.Medium, Ceiling: 6,
		Title:      "Read of {data} of {scope} (narrower than \"*\")",
		Detail:     "{many?These actions|This action} on every resource of {scope}, without a narrowing condition, {many?let|lets} the holder read or share out {data}: {actions}.",
		Fix:        "Scope these actions to the tables, streams or keys the workload needs, by name or name prefix.",
		Phrase:     "read of {data} of {scope}",
		Why:        "The holder can read every table or stream of one account and region, not only the workload's own data.",
		Example:    `{"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"},
	})
	ruleCredentialsInRegion = rules.Register(&rules.Rule{
		ID: "PC154", Name: "credentials-exposure-in-region", Category: report.CredentialsExposure, Severity: report.Medium, Ceiling: 5,
		Title:      "{many?{n} actions|{action}} that return credentials, on every resource of {scope} (narrower than \"*\")",
		Detail:     "{many?These actions can|This action can} issue or reveal credentials, tokens or passwords for any resource of {scope}: {actions}.",
		Fix:        "Scope these actions to the specific clusters, users or repositories needed.",
		Phrase:     "credentials for any resource of {scope}",
		Why:        "Credentials for every cluster or database of one account and region are the reach of all of them; the pattern keeps out only other regions and accounts.",
		Example:    `{"Effect": "Allow", "Action": "redshift:GetClusterCredentials", "Resource": "arn:aws:redshift:us-east-1:111122223333:dbuser:*/*"}`,
		References: []string{"https://github.com/salesforce/cloudsplaining"},
	})
	rulePermissionsInRegion = rules.Register(&rules.Rule{
		ID: "PC155", Name: "permissions-management-in-region", Category: report.PermissionsMgmt, Severity: report.Medium, Ceiling: 5,
		Title:      "{many?{n} permissions-management actions|{action}} that change who has access, on every resource of {scope} (narrower than \"*\")",
		Detail:     "{many?These actions|This action} at the Permissions management access level can grant access to others on any resource of {scope}: {actions}.",
		Fix:        "Remove permissions-management actions the workload does not need, and scope the rest to named resources.",
		Phrase:     "permissions management on every resource of {scope}",
		Why:        "The holder can open any key, queue or function of one account and region to anyone; the pattern keeps out only other regions and accounts.",
		Example:    `{"Effect": "Allow", "Action": "kms:PutKeyPolicy", "Resource": "arn:aws:kms:us-east-1:111122223333:key/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html"},
	})
)

// broadRules are the rules of the broad-access findings, for one reach:
// every resource, or every resource of one account and region.
type broadRules struct {
	write, read, secrets, data, credentials, permissions *rules.Rule
}

var (
	everywhere = broadRules{ruleWriteEverywhere, ruleReadEverywhere, ruleExfiltrationSecrets, ruleExfiltration, ruleCredentials, rulePermissions}
	inRegion   = broadRules{ruleWriteInRegion, ruleReadInRegion, ruleExfiltrationSecretsInRegion, ruleExfiltrationInRegion, ruleCredentialsInRegion, rulePermissionsInRegion}
)

// regional splits from a statement's broad actions those that reach every
// resource only within pinned accounts and regions, and names the scope
// ("account 111122223333 in us-east-1").
func (r *review) regional(st *stmt, broad iamref.ActionSet) (iamref.ActionSet, string) {
	if st.AnyResource || st.notResource() || st.noResource() || broad.IsEmpty() {
		return nil, ""
	}
	pinned := false
	for _, p := range st.ResourceList {
		f := strings.SplitN(p, ":", 6)
		pinned = pinned || len(f) == 6 && fixedField(f[3]) && fixedField(f[4])
	}
	if !pinned {
		return nil, ""
	}
	var out iamref.ActionSet
	scopes := map[string]bool{}
	broad.Each(func(id iamref.ActionID) bool {
		a := r.kb.ActionByID(id)
		if s, ok := st.pinnedScope(a); ok {
			out.Add(id)
			for _, x := range s {
				scopes[x] = true
			}
		}
		return true
	})
	names := make([]string, 0, len(scopes))
	for s := range scopes {
		names = append(names, s)
	}
	sort.Strings(names)
	return out, strings.Join(names, ", ")
}

// pinnedScope reports whether every pattern of the statement that reaches
// every resource of one of the action's types pins the partition, the
// region and the account of an ARN format that has them, and returns the
// scopes they pin.
func (st *stmt) pinnedScope(a *iamref.Action) ([]string, bool) {
	var scopes []string
	for _, ref := range a.Resources {
		rt := ref.Type
		for _, p := range st.ResourceList {
			if !st.kb.MatchResource(p, rt) || !BroadFor(p, rt) {
				continue
			}
			s, ok := pinnedARNScope(p, rt)
			if !ok {
				return nil, false
			}
			scopes = append(scopes, s)
		}
	}
	return scopes, len(scopes) > 0
}

// pinnedARNScope reports an ARN pattern whose partition, region and
// account are literal, for a type whose ARNs have a region and an account.
func pinnedARNScope(p string, rt *iamref.ResourceType) (string, bool) {
	f := strings.SplitN(p, ":", 6)
	if len(f) != 6 {
		return "", false
	}
	regional := false
	for _, format := range rt.ARNFormats {
		g := strings.SplitN(format, ":", 6)
		regional = regional || len(g) == 6 && strings.Contains(g[3], "${Region}") && strings.Contains(g[4], "${Account}")
	}
	fixed := func(s string) bool { return s != "" && !strings.ContainsAny(s, "*?$") }
	if !regional || !fixed(f[1]) || !fixed(f[3]) || !fixed(f[4]) {
		return "", false
	}
	return "account " + f[4] + " in " + f[3], true
}
