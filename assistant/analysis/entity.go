package analysis

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/managed"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

var ruleUnknownAttachment = rules.Register(&rules.Rule{
	ID: "PC601", Name: "attached-policy-unknown", Category: report.PermissionsMgmt, Severity: report.Medium, Ceiling: 7,
	Title:  "{principal} has a policy attached that this input does not hold: {ref}",
	Detail: "{why} What it grants is unknown, so the principal may be able to do much more than the policies reviewed here allow.",
	Fix:    "Review the principal with that policy: put its document in the input (or check the account's export from aws iam get-account-authorization-details), or attach a policy that is reviewed.",
	Phrase: "a policy attached that is not reviewed",
	Why: "What a principal can do is the union of every policy attached to it. A customer managed policy that lives " +
		"elsewhere, or an ARN computed at deployment, can grant anything, up to full administrator access: judging " +
		"the principal on the policies at hand alone would call it safer than it is.",
	Example: `resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }] })
  managed_policy_arns = ["arn:aws:iam::111122223333:policy/shared-deploy"]
}`,
	References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"},
})

// Principal reviews what an entity really gets: its identity policies
// (its own, its groups', the AWS managed ones attached) judged as one, so
// that an escalation split between two policies is found and a Deny in
// one removes what another allows. An attached policy the input does not
// hold is a finding of its own. Findings point at the documents and
// statements they come from; the trust policy is reviewed on its own.
func Principal(kb *iamref.KB, e *policy.Entity) Result {
	docs := e.Effective()
	all := &policy.Document{Name: e.Name, Type: policy.Identity, TypeKnown: true, Version: "2012-10-17", Pos: e.Pos}
	type origin struct {
		doc   *policy.Document
		index int
	}
	var from []origin
	for _, d := range docs {
		all.Source = d.Source
		for _, s := range d.Statements {
			from = append(from, origin{d, s.Index})
			s.Index = len(all.Statements)
			all.Statements = append(all.Statements, s)
		}
		for k, v := range d.Refs {
			if all.Refs == nil {
				all.Refs = map[string]policy.Reference{}
			}
			all.Refs[k] = v
		}
	}
	var res Result
	if len(all.Statements) > 0 {
		res = Analyze(kb, all)
	} else {
		res = Result{Score: 10, Summary: "10/10: no policy is attached in this input.", Findings: []report.Finding{}}
	}
	// label names statement i of the whole as "2 (its document)".
	label := func(i int) string {
		if i < 0 || i >= len(from) {
			return strconv.Itoa(i)
		}
		return fmt.Sprintf("%d (%s)", from[i].index, from[i].doc.Name)
	}
	place := func(fs []report.Finding) {
		for i := range fs {
			f := &fs[i]
			f.Principal = e.Name
			if s, ok := f.Args["statements"]; ok && len(f.Implies) == 0 {
				f.Args = relabel(f.Args, "statements", s, label)
				if r, ok := rules.Lookup(f.Rule); ok {
					f.Detail = r.Finding(f.Args).Detail
				}
			}
			if f.Statement >= 0 && f.Statement < len(from) {
				o := from[f.Statement]
				f.Document, f.Statement = o.doc.Name, o.index
			}
		}
	}
	place(res.Findings)
	place(res.Implied)
	var unknown []report.Finding
	for _, a := range e.Unknown {
		why := "It is not in this input."
		switch {
		case managed.IsAWSManagedARN(a.Ref):
			why = fmt.Sprintf("It names an AWS managed policy that %s does not know.", managed.Version())
		case strings.Contains(a.Ref, "${"):
			why = "It is set when the configuration is deployed."
		}
		f := ruleUnknownAttachment.Finding(rules.Args{"principal": e.Name, "ref": a.Ref, "why": why})
		f.Document, f.Statement, f.Line, f.Source, f.Principal = e.Name, -1, a.Pos.Line, "engine", e.Name
		f.Actions = []string{}
		unknown = append(unknown, f)
	}
	if len(unknown) > 0 {
		if c := ruleUnknownAttachment.Ceiling; c < res.Score {
			res.Score = c
			res.Summary = summary(c, []*finding{{rule: ruleUnknownAttachment, phrase: ruleUnknownAttachment.Phrase}})
		}
		for i := range unknown {
			unknown[i].ID = fmt.Sprintf("unknown-policy-%d", i+1)
		}
		res.Findings = append(unknown, res.Findings...)
		sort.SliceStable(res.Findings, func(i, j int) bool {
			return res.Findings[i].Severity.Rank() < res.Findings[j].Severity.Rank()
		})
	}
	return res
}

// relabel returns args with key, a list of statement numbers ("2, 3 and
// 5"), written with label.
func relabel(args map[string]string, key, list string, label func(int) string) map[string]string {
	var nums []string
	for _, part := range strings.Split(strings.ReplaceAll(list, " and ", ", "), ", ") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return args
		}
		nums = append(nums, label(n))
	}
	out := make(map[string]string, len(args))
	for k, v := range args {
		out[k] = v
	}
	if len(nums) > 1 {
		out[key] = strings.Join(nums[:len(nums)-1], ", ") + " and " + nums[len(nums)-1]
	}
	return out
}
