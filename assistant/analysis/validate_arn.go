package analysis

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// ARNs: each field checked as IAM Access Analyzer's policy validation does
// (INVALID_PARTITION, INVALID_ARN_SERVICE_CASE, INVALID_ARN_REGION,
// ARN_REGION_NOT_ALLOWED, MISSING_ARN_REGION, INVALID_ARN_ACCOUNT,
// ARN_ACCOUNT_NOT_ALLOWED, INVALID_ARN_RESOURCE). A field that holds a
// wildcard, a policy variable or a template placeholder is not checked.
var (
	ruleARNPartition = rules.Register(&rules.Rule{
		ID: "PC060", Name: "arn-partition-invalid", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{resource}: {partition} is not an AWS partition",
		Detail:     "The partition is aws, aws-cn, aws-us-gov or one of the isolated partitions (aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc); this ARN matches no resource.",
		Fix:        "Write arn:aws:... (or the partition you deploy to).",
		Why:        "An ARN in no partition names nothing: the statement grants (or denies) nothing on it, and AWS's validation refuses it.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:amazon:s3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"},
	})
	ruleARNServiceCase = rules.Register(&rules.Rule{
		ID: "PC061", Name: "arn-service-case", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{resource}: the service {service} is not in lower case",
		Detail:     "ARN service names are lower case ({lower}); resource ARNs are matched case-sensitively, so this one matches nothing.",
		Fix:        "Write the service as {lower}.",
		Why:        "Unlike action names, ARNs are case-sensitive: arn:aws:S3:::bucket names no bucket, and the grant silently does nothing.",
		Example:    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:S3:::my-bucket/*"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"},
	})
	ruleARNRegion = rules.Register(&rules.Rule{
		ID: "PC062", Name: "arn-region-invalid", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{resource}: {region} is not a region",
		Detail:     "Regions are written like us-east-1 or eu-west-3; this ARN matches no resource.",
		Fix:        "Write the region code (us-east-1), or * for every region.",
		Why:        "A region name such as \"Ireland\" or \"us-east\" matches no resource: the grant does nothing and the workload fails.",
		Example:    `{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east:111122223333:orders"}`,
		References: []string{"https://docs.aws.amazon.com/general/latest/gr/rande.html#regional-endpoints"},
	})
	ruleARNRegionNotAllowed = rules.Register(&rules.Rule{
		ID: "PC063", Name: "arn-region-not-allowed", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{resource}: {service} ARNs have no region",
		Detail:     "{service} resources are global: their ARNs leave the region empty ({format}); with a region this ARN matches nothing.",
		Fix:        "Leave the region out: {format}.",
		Why:        "An IAM role or an S3 bucket ARN with a region names no resource: the grant silently does nothing.",
		Example:    `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam:us-east-1:111122223333:role/app"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"},
	})
	ruleARNRegionMissing = rules.Register(&rules.Rule{
		ID: "PC064", Name: "arn-region-missing", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{resource}: no region",
		Detail:     "{service} ARNs name a region ({format}); with none this ARN matches nothing.",
		Fix:        "Write the region (us-east-1), or * for every region.",
		Why:        "A regional resource's ARN without its region names no resource: the grant silently does nothing.",
		Example:    `{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs::111122223333:orders"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"},
	})
	ruleARNAccount = rules.Register(&rules.Rule{
		ID: "PC065", Name: "arn-account-invalid", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{resource}: {account} is not an account id",
		Detail:     "Account ids are 12 digits (aws for resources AWS owns, such as managed policies); this ARN matches no resource.",
		Fix:        "Write the 12-digit account id, or * for every account.",
		Why:        "An account alias or a short number names no account: the grant does nothing, and the usual fix, a wildcard, grants every account's resources.",
		Example:    `{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:prod-account:orders"}`,
		References: []string{"https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html"},
	})
	ruleARNAccountNotAllowed = rules.Register(&rules.Rule{
		ID: "PC066", Name: "arn-account-not-allowed", Category: report.Syntax, Severity: report.Low, Ceiling: 8,
		Title:      "{resource}: {service} ARNs have no account",
		Detail:     "{service} ARNs leave the account empty ({format}); with an account this ARN matches nothing.",
		Fix:        "Leave the account out: {format}.",
		Why:        "S3 bucket names and Route 53 zones are global: their ARNs carry no account, so one written with it names no resource.",
		Example:    `{"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets", "Resource": "arn:aws:route53::111122223333:hostedzone/Z1D633PJN98FT9"}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"},
	})
	ruleARNResource = rules.Register(&rules.Rule{
		ID: "PC067", Name: "arn-resource-invalid", Category: report.ResourceMismatch, Severity: report.Low, Ceiling: 9,
		Title:      "{resource} is no {service} resource",
		Detail:     "The ARN fits none of {service}'s resource types, for example {formats}; it matches no resource.",
		Fix:        "Write the ARN in the format of the resource type, for example {format}.",
		Why:        "An ARN that fits no resource type of its service (a table without table/, a queue with a path) grants nothing; the workload fails and the fix is often a wildcard.",
		Example:    `{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:orders"}`,
		References: []string{"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	})
)

// partitions are the AWS partitions.
var partitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true,
	"aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

// regionPattern is a region code: us-east-1, us-gov-west-1, cn-north-1,
// us-iso-east-1, us-isob-east-1, eu-isoe-west-1, ap-southeast-7, eusc-de-east-1.
var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)

// accountPattern is a 12-digit account id.
var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// arnService is what the ARN formats of the knowledge base say about one
// service name as ARNs write it (not always the action prefix).
type arnService struct {
	types               []*iamref.ResourceType
	region, noRegion    bool // some format has a region; some has none
	account, noAccount  bool
	regionFmt, noRegFmt string // an example format of each kind
	noAcctFmt           string
}

var arnServices sync.Map // *iamref.KB → map[string]*arnService

func arnServicesFor(kb *iamref.KB) map[string]*arnService {
	if m, ok := arnServices.Load(kb); ok {
		return m.(map[string]*arnService)
	}
	m := map[string]*arnService{}
	for _, svc := range kb.Services() {
		for _, rt := range svc.ResourceTypes {
			for _, f := range rt.ARNFormats {
				g := strings.SplitN(f, ":", 6)
				if len(g) != 6 || strings.Contains(g[2], "$") {
					continue
				}
				s := m[g[2]]
				if s == nil {
					s = &arnService{}
					m[g[2]] = s
				}
				if len(s.types) == 0 || s.types[len(s.types)-1] != rt {
					s.types = append(s.types, rt)
				}
				if g[3] == "" {
					s.noRegion, s.noRegFmt = true, f
				} else {
					s.region, s.regionFmt = true, f
				}
				if g[4] == "" {
					s.noAccount, s.noAcctFmt = true, f
				} else {
					s.account = true
				}
			}
		}
	}
	actual, _ := arnServices.LoadOrStore(kb, m)
	return actual.(map[string]*arnService)
}

// templated reports a value written with a policy variable, a template
// placeholder (${...}, {{...}}) or a placeholder for a person to fill
// (<account-id>, as suggestions write them): what it will be is not known
// here.
func templated(v string) bool {
	return strings.Contains(v, "${") || strings.Contains(v, "{{") || strings.Contains(v, "<") && strings.Contains(v, ">")
}

// fixedField reports an ARN field to check: written, without wildcards or
// placeholders.
func fixedField(f string) bool { return f != "" && !hasWildcard(f) && !templated(f) }

// validateARN checks the fields of one resource ARN.
func (r *review) validateARN(st *stmt, p string) {
	f, ok := arnFields(p)
	if !ok || f[0] != "arn" {
		return
	}
	// The arguments of a finding, made only for one: most ARNs have none.
	args := func(kv ...string) rules.Args {
		a := rules.Args{"resource": p}
		for i := 0; i+1 < len(kv); i += 2 {
			a[kv[i]] = kv[i+1]
		}
		return a
	}
	if fixedField(f[1]) && !partitions[f[1]] {
		r.add(st, ruleARNPartition, args("partition", strconv.Quote(f[1])))
		return
	}
	if !fixedField(f[2]) {
		return
	}
	if lower := strings.ToLower(f[2]); lower != f[2] {
		r.add(st, ruleARNServiceCase, args("service", f[2], "lower", lower))
		return
	}
	if fixedField(f[3]) && !regionPattern.MatchString(f[3]) {
		r.add(st, ruleARNRegion, args("service", f[2], "region", strconv.Quote(f[3])))
		return
	}
	if fixedField(f[4]) && !accountPattern.MatchString(f[4]) && f[4] != "aws" {
		r.add(st, ruleARNAccount, args("service", f[2], "account", strconv.Quote(f[4])))
		return
	}
	svc := arnServicesFor(r.kb)[f[2]]
	if svc == nil {
		return // a service the data has no ARN formats for
	}
	switch {
	case fixedField(f[3]) && !svc.region:
		r.add(st, ruleARNRegionNotAllowed, args("service", f[2], "format", ExampleARN(svc.noRegFmt)))
		return
	case f[3] == "" && !svc.noRegion:
		r.add(st, ruleARNRegionMissing, args("service", f[2], "format", ExampleARN(svc.regionFmt)))
		return
	case fixedField(f[4]) && !svc.account:
		r.add(st, ruleARNAccountNotAllowed, args("service", f[2], "format", ExampleARN(svc.noAcctFmt)))
		return
	}
	// Only a resource written out in full is judged: the reference's
	// formats miss some of AWS's own (owned resources without an account,
	// API paths), and a pattern may mean one of them.
	if !fixedField(f[5]) {
		return
	}
	q := p
	if f[4] == "" {
		// AWS-owned resources (public SSM documents, AMIs) have none.
		q = strings.Join([]string{f[0], f[1], f[2], f[3], "123456789012", f[5]}, ":")
	}
	for _, rt := range svc.types {
		if r.kb.MatchResource(p, rt) || r.kb.MatchResource(q, rt) {
			return
		}
	}
	var formats []string
	for _, rt := range svc.types {
		for _, fm := range rt.ARNFormats {
			if len(formats) < 3 {
				formats = append(formats, ExampleARN(fm))
			}
		}
	}
	r.add(st, ruleARNResource, args("service", f[2], "formats", strings.Join(formats, ", "), "format", formats[0]))
}

// arnFields cuts an ARN at its first five colons, as strings.SplitN(p,
// ":", 6) does, without allocating; it fails when there are fewer.
func arnFields(p string) (f [6]string, ok bool) {
	for i := range 5 {
		j := strings.IndexByte(p, ':')
		if j < 0 {
			return f, false
		}
		f[i], p = p[:j], p[j+1:]
	}
	f[5] = p
	return f, true
}
