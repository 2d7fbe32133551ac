package analysis

import (
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// VPC endpoint policies. An endpoint policy grants nothing: a request
// through the endpoint needs its identity policy (and the resource's
// policy) to allow it too, and the endpoint policy to let it pass. What
// it decides is whose requests pass and to which resources: the data
// perimeter. Principal "*" is how AWS writes them, and is private when a
// condition pins the callers (aws:PrincipalOrgID, aws:PrincipalAccount)
// or the resources (aws:ResourceOrgID, aws:ResourceAccount, named
// resources); a statement for aws:PrincipalIsAWSService lets AWS services
// act through the endpoint with their own credentials.
var (
	ruleEndpointOpen = rules.Register(&rules.Rule{
		ID: "PC710", Name: "endpoint-open", Category: report.PublicAccess, Severity: report.Medium, Ceiling: 6,
		Title: "The endpoint lets any principal reach any resource",
		Detail: "The statement lets requests signed by any AWS account's credentials through the endpoint, to resources in any account " +
			"({actions}). The endpoint then carries data out of your network to an account you do not own, and lets credentials " +
			"from outside be used inside it.{default? This is the default endpoint policy.}",
		Fix: "Add {\"StringEquals\": {\"aws:PrincipalOrgID\": \"<o-your-org>\"}} (or aws:PrincipalAccount) to limit whose requests pass, " +
			"and aws:ResourceOrgID or aws:ResourceAccount to limit the resources they reach; keep a statement with " +
			"{\"Bool\": {\"aws:PrincipalIsAWSService\": \"true\"}} for AWS services that act with their own credentials.",
		Phrase: "an endpoint open to any principal and any resource",
		Why: "An endpoint policy is the place where a network's data perimeter is drawn: the full-access default lets a " +
			"compromised workload copy data to an attacker's bucket through the endpoint, and lets stolen credentials from " +
			"another account be used from inside the VPC.",
		Example:     `{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`,
		ExampleType: "endpoint",
		References: []string{"https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
			"https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html"},
	})
	ruleEndpointHalfPerimeter = rules.Register(&rules.Rule{
		ID: "PC711", Name: "endpoint-one-perimeter", Category: report.PublicAccess, Severity: report.Info, Ceiling: 10,
		Title:  "The endpoint checks {checked}, not {unchecked}",
		Detail: "The statement is private, limited by {pinned}; nothing limits {unchecked}. A data perimeter usually checks both.",
		Fix:    "Add {fix} if the endpoint should carry only your organization's traffic.",
		Why: "An identity perimeter keeps outside credentials from being used through the endpoint; a resource perimeter keeps " +
			"your own credentials from reaching outside resources (copying data out). Each alone leaves the other path open.",
		Example:     `{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}`,
		ExampleType: "endpoint",
		References:  []string{"https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html"},
	})
)

// endpoint judges a VPC endpoint policy's Allow statements by the
// perimeter they draw.
func (r *review) endpoint() {
	for _, st := range r.stmts {
		if !st.Allow || st.eff.IsEmpty() {
			continue
		}
		callers := endpointCallerPins(st)
		resources := endpointResourcePins(st)
		switch {
		case len(callers) == 0 && len(resources) == 0:
			args := rules.Args{"actions": endpointActions(st)}
			if st.AllActions && st.AnyResource {
				args["default"] = "yes"
			}
			r.add(st, ruleEndpointOpen, args, r.names(st.eff, 20)...)
		case len(callers) == 0 && !st.AllActions:
			// Named actions on pinned resources: the usual gateway
			// endpoint policy for one bucket; nothing to add.
		case len(callers) == 0:
			r.add(st, ruleEndpointHalfPerimeter, rules.Args{"checked": lang.English.Sprintf("the resources"), "unchecked": lang.English.Sprintf("whose credentials are used"),
				"pinned": strings.Join(resources, ", "), "fix": lang.English.Sprintf("aws:PrincipalOrgID or aws:PrincipalAccount")})
		case len(resources) == 0 && st.AllActions && !endpointServices(st):
			r.add(st, ruleEndpointHalfPerimeter, rules.Args{"checked": lang.English.Sprintf("whose credentials are used"), "unchecked": lang.English.Sprintf("the resources reached"),
				"pinned": strings.Join(callers, ", "), "fix": lang.English.Sprintf("aws:ResourceOrgID or aws:ResourceAccount")})
		}
	}
}

// endpointActions says what a statement lets through, in a few words.
func endpointActions(st *stmt) string {
	if st.AllActions {
		return lang.English.Sprintf("every action")
	}
	return strings.Join(st.Src.Action.Trimmed(), ", ")
}

// endpointCallerPins lists what limits whose requests pass: principals
// named, or conditions on the caller.
func endpointCallerPins(st *stmt) []string {
	var out []string
	if p := st.Src.Principal; p != nil && !p.Any && st.Src.NotPrincipal == nil {
		named := len(p.Entries) > 0
		for _, e := range p.Entries {
			for _, v := range e.Values.Values {
				if t := strings.TrimSpace(v.Text); iamref.IsAllWildcard(t) || t == "" {
					named = false
				}
			}
		}
		if named {
			out = append(out, lang.English.Sprintf("the principals named"))
		}
	}
	for _, c := range st.Src.Conditions {
		key := strings.ToLower(c.Key)
		if !positive(c.Operator) {
			continue
		}
		vals := c.Values.Strings()
		switch key {
		case "aws:principalorgid", "aws:principalaccount", "aws:principalorgpaths", "aws:userid", "aws:principalservicename",
			"aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths":
			if allValues(vals, pins) {
				out = append(out, c.Key)
			}
		case "aws:principalarn", "aws:sourcearn":
			if allValues(vals, pinnedARN) {
				out = append(out, c.Key)
			}
		case "aws:principalisawsservice":
			if allEqualFold(vals, "true") && len(vals) > 0 {
				out = append(out, c.Key)
			}
		}
	}
	return out
}

// endpointServices reports a statement for AWS services acting with their
// own credentials, which reach the resources of the service's own account.
func endpointServices(st *stmt) bool {
	for _, c := range st.Src.Conditions {
		if strings.EqualFold(c.Key, "aws:PrincipalIsAWSService") && positive(c.Operator) && allEqualFold(c.Values.Strings(), "true") {
			return true
		}
	}
	return false
}

// endpointResourcePins lists what limits the resources reached: named
// resources, or conditions on the resource's account or organization.
func endpointResourcePins(st *stmt) []string {
	var out []string
	if !st.AnyResource && !st.notResource() && !st.noResource() && len(st.ResourceList) > 0 {
		named := true
		for _, p := range st.ResourceList {
			named = named && namedResource(p)
		}
		if named {
			out = append(out, "the resources named")
		}
	}
	for _, c := range st.Src.Conditions {
		if !positive(c.Operator) {
			continue
		}
		switch strings.ToLower(c.Key) {
		case "aws:resourceorgid", "aws:resourceaccount", "aws:resourceorgpaths", "s3:resourceaccount":
			if allValues(c.Values.Strings(), pins) {
				out = append(out, c.Key)
			}
		}
	}
	return out
}

// namedResource reports an ARN pattern that names an account, or for
// ARNs without one (S3), a bucket: "arn:aws:s3:::my-bucket/*" reaches one
// bucket's objects.
func namedResource(p string) bool {
	f := strings.SplitN(specificVars(p), ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return false
	}
	if f[4] != "" {
		return literal(f[4])
	}
	name, _, _ := strings.Cut(f[5], "/")
	return literal(name)
}

// pins reports a condition value that admits some callers and not others:
// not empty, not made of wildcards alone.
func pins(v string) bool { return strings.Trim(v, "*?") != "" }
