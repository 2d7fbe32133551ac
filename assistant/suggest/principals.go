package suggest

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// passedTo maps the actions that hand a role to a service to the service
// principal iam:PassedToService names.
var passedTo = map[string]string{
	"lambda:createfunction":                    "lambda.amazonaws.com",
	"lambda:updatefunctionconfiguration":       "lambda.amazonaws.com",
	"ec2:runinstances":                         "ec2.amazonaws.com",
	"ec2:associateiaminstanceprofile":          "ec2.amazonaws.com",
	"ec2:replaceiaminstanceprofileassociation": "ec2.amazonaws.com",
	"ec2:requestspotinstances":                 "ec2.amazonaws.com",
	"ecs:runtask":                              "ecs-tasks.amazonaws.com",
	"ecs:starttask":                            "ecs-tasks.amazonaws.com",
	"ecs:registertaskdefinition":               "ecs-tasks.amazonaws.com",
	"ecs:createservice":                        "ecs-tasks.amazonaws.com",
	"ecs:updateservice":                        "ecs-tasks.amazonaws.com",
	"glue:createjob":                           "glue.amazonaws.com",
	"glue:updatejob":                           "glue.amazonaws.com",
	"glue:createdevendpoint":                   "glue.amazonaws.com",
	"glue:createsession":                       "glue.amazonaws.com",
	"glue:createcrawler":                       "glue.amazonaws.com",
	"sagemaker:createtrainingjob":              "sagemaker.amazonaws.com",
	"sagemaker:createnotebookinstance":         "sagemaker.amazonaws.com",
	"sagemaker:createprocessingjob":            "sagemaker.amazonaws.com",
	"sagemaker:createmodel":                    "sagemaker.amazonaws.com",
	"cloudformation:createstack":               "cloudformation.amazonaws.com",
	"cloudformation:updatestack":               "cloudformation.amazonaws.com",
	"cloudformation:createstackset":            "cloudformation.amazonaws.com",
	"cloudformation:createchangeset":           "cloudformation.amazonaws.com",
	"codebuild:createproject":                  "codebuild.amazonaws.com",
	"codebuild:updateproject":                  "codebuild.amazonaws.com",
	"states:createstatemachine":                "states.amazonaws.com",
	"states:updatestatemachine":                "states.amazonaws.com",
	"datapipeline:createpipeline":              "datapipeline.amazonaws.com",
	"elasticmapreduce:runjobflow":              "elasticmapreduce.amazonaws.com",
	"batch:createcomputeenvironment":           "batch.amazonaws.com",
	"events:puttargets":                        "events.amazonaws.com",
	"scheduler:createschedule":                 "scheduler.amazonaws.com",
	"scheduler:updateschedule":                 "scheduler.amazonaws.com",
	"codepipeline:createpipeline":              "codepipeline.amazonaws.com",
	"codepipeline:updatepipeline":              "codepipeline.amazonaws.com",
	"eks:createcluster":                        "eks.amazonaws.com",
	"bedrock:createmodelcustomizationjob":      "bedrock.amazonaws.com",
}

// passedToServices is passRoleServices of the policy, worked out when a
// statement first needs it: few policies pass a role, and the look-up
// reads every action the policy names.
func (f *shared) passedToServices() []string {
	if !f.servicesKnown {
		f.services, f.servicesKnown = passRoleServices(f.kb, f.doc), true
	}
	return f.services
}

// passRoleServices infers the services the policy passes roles to from
// the actions its Allows name (wildcards say nothing of intent); nil when
// it cannot tell.
func passRoleServices(kb *iamref.KB, d *policy.Document) []string {
	var out []string
	for _, s := range d.Statements {
		if !strings.EqualFold(s.Effect, "Allow") || s.NotAction.Set {
			continue
		}
		for _, v := range s.Action.Values {
			if svc, ok := passedToService(kb, strings.TrimSpace(v.Text)); ok && !slices.Contains(out, svc) {
				out = append(out, svc)
			}
		}
	}
	slices.Sort(out)
	return out
}

// passedToService is what passedTo says of the action named (in any
// case), if the knowledge base has it. The name is lowered on the stack
// and looked up in passedTo before the knowledge base: a policy can name
// thousands of actions, and few pass roles.
func passedToService(kb *iamref.KB, name string) (string, bool) {
	var buf [64]byte
	k := buf[:0]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			// Beyond ASCII, as strings.ToLower has the canonical name.
			a := kb.Action(name)
			if a == nil {
				return "", false
			}
			svc, ok := passedTo[strings.ToLower(a.FullName())]
			return svc, ok
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		k = append(k, c)
	}
	// The knowledge base matches names in ASCII lower case: when it
	// has the action, its canonical name lowers to k.
	svc, ok := passedTo[string(k)]
	if !ok || kb.Action(name) == nil {
		return "", false
	}
	return svc, true
}

// hasKey reports a condition on the key (any case).
func hasKey(cs []policy.Condition, key string) bool {
	for _, c := range cs {
		if strings.EqualFold(c.Key, key) {
			return true
		}
	}
	return false
}

// narrowsKey reports a condition on a key ending in suffix whose values
// admit less than everything.
func narrowsKey(cs []policy.Condition, suffix string) bool {
	for _, c := range cs {
		if !strings.HasSuffix(strings.ToLower(c.Key), suffix) || strings.Contains(strings.ToLower(c.Operator), "not") || strings.Contains(c.Operator, "IfExists") {
			continue
		}
		ok := len(c.Values.Values) > 0
		for _, v := range c.Values.Values {
			t := strings.TrimSpace(v.Text)
			if t == "" || iamref.IsAllWildcard(t) || t == "repo:*" {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// flagged reports whether the analysis found public access or a missing
// source condition on the statement.
func (b *builder) flagged(i int) bool {
	if b.flaggedStmts == nil {
		b.flaggedStmts = markStatements(b.res.Findings, len(b.doc.Statements), openToOthers)
	}
	return b.flaggedStmts.has(i, b.res.Findings, openToOthers)
}

// openToOthers reports a finding of public access or a missing source
// condition.
func openToOthers(f report.Finding) bool {
	return f.Severity != report.Info && (f.Category == report.PublicAccess || f.Category == report.ConditionCategory)
}

// principalFix is what a trust or resource statement gains: conditions,
// or a named account in place of everyone.
type principalFix struct {
	conds     []policy.Condition
	replace   []int             // the statement's conditions the new ones replace
	principal *policy.Principal // nil: unchanged
}

// principalFixes works out how to narrow who a trust or resource policy
// statement lets in, recording the changes.
func (b *builder) principalFixes(i int, st *policy.Statement) principalFix {
	var fix principalFix
	p := st.Principal
	if !b.opts.principals || p == nil || !b.flagged(i) || (b.doc.Type != policy.Trust && b.doc.Type != policy.Resource) {
		return fix
	}
	conds := st.Conditions
	add := func(op, key string, vals ...string) {
		c := policy.Condition{Operator: op, Key: key, Values: policy.NewList(vals...)}
		fix.conds = append(fix.conds, c)
		conds = append(conds, c)
	}
	anyone := p.Any
	for _, e := range p.Entries {
		if strings.EqualFold(e.Kind, "AWS") && slices.ContainsFunc(e.Values.Values, func(v policy.Value) bool { return iamref.IsAllWildcard(strings.TrimSpace(v.Text)) }) {
			anyone = true
		}
	}
	root := fmt.Sprintf("arn:%s:iam::%s:root", b.arn.partition, b.arn.account)
	if anyone && !hasKey(conds, "aws:PrincipalOrgID") && !hasKey(conds, "aws:PrincipalAccount") && !hasKey(conds, "aws:SourceAccount") {
		if b.doc.Type == policy.Trust {
			np := &policy.Principal{}
			if !p.Any {
				for _, e := range p.Entries {
					if strings.EqualFold(e.Kind, "AWS") {
						continue
					}
					np.Entries = append(np.Entries, e)
				}
			}
			np.Entries = append(np.Entries, policy.PrincipalEntry{Kind: "AWS", Values: policy.NewList(root)})
			fix.principal = np
			b.change(i, "Replaced the principal \"*\" with the account "+root,
				"Every AWS principal of every account could assume the role. Name the account (or the roles) that should; add sts:ExternalId for a third party.")
		} else {
			add("StringEquals", "aws:PrincipalOrgID", "<organization-id>")
			b.change(i, "Added the condition aws:PrincipalOrgID = <organization-id>",
				"The statement lets in every principal, including anonymous users. Limit it to your AWS Organization, or name the accounts in Principal.")
		}
	}
	for _, e := range p.Entries {
		switch strings.ToLower(e.Kind) {
		case "federated":
			for _, v := range e.Values.Values {
				b.federatedFix(i, strings.ToLower(strings.TrimSpace(v.Text)), conds, add, &fix)
			}
		case "service":
			if b.doc.Type == policy.Resource && !hasKey(conds, "aws:SourceAccount") && !hasKey(conds, "aws:SourceArn") && !hasKey(conds, "aws:SourceOrgID") {
				add("StringEquals", "aws:SourceAccount", b.arn.account)
				b.change(i, "Added the condition aws:SourceAccount = "+b.arn.account,
					fmt.Sprintf("Without it %s can be made to use this resource on behalf of any account (the confused deputy problem).", strings.Join(e.Values.Strings(), ", ")))
			}
		}
	}
	return fix
}

func (b *builder) federatedFix(i int, provider string, conds []policy.Condition, add func(op, key string, vals ...string), fix *principalFix) {
	switch {
	case strings.Contains(provider, "token.actions.githubusercontent.com"):
		const host = "token.actions.githubusercontent.com"
		if !narrowsKey(conds, host+":sub") {
			replaced := false
			// An existing StringLike on the key is tightened in place.
			for j, c := range conds {
				if strings.EqualFold(c.Key, host+":sub") && c.Operator == "StringLike" {
					fix.replace = append(fix.replace, j)
					replaced = true
				}
			}
			add("StringLike", host+":sub", "repo:<org>/<repo>:*")
			what := "Added the condition token.actions.githubusercontent.com:sub like repo:<org>/<repo>:*"
			if replaced {
				what = "Narrowed the condition token.actions.githubusercontent.com:sub to repo:<org>/<repo>:*"
			}
			b.change(i, what, "Without it any GitHub Actions workflow of any repository can assume the role. Name your repository (and a branch or environment, e.g. repo:<org>/<repo>:ref:refs/heads/main).")
		}
		if !hasKey(conds, host+":aud") {
			add("StringEquals", host+":aud", "sts.amazonaws.com")
			b.change(i, "Added the condition token.actions.githubusercontent.com:aud = sts.amazonaws.com", "GitHub's tokens for AWS carry this audience; requiring it refuses tokens minted for other uses.")
		}
	case strings.Contains(provider, "cognito-identity.amazonaws.com"):
		if !hasKey(conds, "cognito-identity.amazonaws.com:aud") {
			add("StringEquals", "cognito-identity.amazonaws.com:aud", "<identity-pool-id>")
			b.change(i, "Added the condition cognito-identity.amazonaws.com:aud = <identity-pool-id>", "Without it identities of any Cognito identity pool can assume the role.")
		}
	case strings.Contains(provider, "oidc-provider/"):
		host := provider[strings.Index(provider, "oidc-provider/")+len("oidc-provider/"):]
		if !narrowsKey(conds, host+":sub") {
			subject := "<subject>"
			if strings.Contains(host, ".eks.") {
				subject = "system:serviceaccount:<namespace>:<service-account>"
			}
			add("StringEquals", host+":sub", subject)
			b.change(i, fmt.Sprintf("Added the condition %s:sub = %s", host, subject), "Without it every identity the OIDC provider issues tokens for can assume the role.")
		}
		if !hasKey(conds, host+":aud") {
			add("StringEquals", host+":aud", "sts.amazonaws.com")
			b.change(i, fmt.Sprintf("Added the condition %s:aud = sts.amazonaws.com", host), "Requiring the audience refuses tokens minted for other uses.")
		}
	}
}
