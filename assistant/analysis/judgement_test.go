package analysis

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// count counts the findings of a rule.
func count(r Result, rule string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

// TestImpliedFold: what full administrator access implies is folded into
// its finding, with a count, and kept apart for the suggestion.
func TestImpliedFold(t *testing.T) {
	r := analyze(t, "", pol(allow("*", "*")))
	if len(r.Findings) != 1 || r.Findings[0].Rule != ruleFullAdmin.ID {
		t.Fatalf("Action * gives %d findings, want one full-admin:\n%s", len(r.Findings), dump(r))
	}
	f := r.Findings[0]
	n := len(catalogFor(kb()).escalation)
	if want := "also implies " + itoa(n) + " escalation paths"; !strings.Contains(f.Detail, want) {
		t.Errorf("detail %q does not say %q", f.Detail, want)
	}
	if len(f.Implies) != 1 || f.Implies[0].Rule != ruleEscalation.ID || f.Implies[0].Count != n {
		t.Errorf("implies %+v, want %d of %s", f.Implies, n, ruleEscalation.ID)
	}
	if len(r.Implied) != n || r.Score != 1 {
		t.Errorf("%d implied findings kept, score %d", len(r.Implied), r.Score)
	}

	// A service wildcard in another statement of the same identity
	// policy is implied too; a syntax finding is not.
	r = analyze(t, "", pol(allow("*", "*"), allow("s3:*", "*"), allow("s3:GetObjcet", "arn:aws:s3:::b/*")))
	if count(r, ruleServiceWildcardEverywhere.ID) != 0 || count(r, ruleActionUnknown.ID) != 1 || count(r, ruleFullAdmin.ID) != 1 {
		t.Errorf("service wildcard under * not folded, or a typo folded:\n%s", dump(r))
	}

	// Conditional administrator access folds only its own statement's
	// findings: another statement's escalation path stays.
	r = analyze(t, "", pol(
		m{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": m{"StringEquals": m{"aws:SourceVpce": "vpce-0abc1234"}}},
		allow("iam:PutUserPolicy", "*")))
	if count(r, ruleFullAdminConditional.ID) != 1 {
		t.Fatalf("no conditional admin finding:\n%s", dump(r))
	}
	found := false
	for _, f := range r.Findings {
		found = found || f.Category == report.PrivilegeEscalation && f.Statement == 1
	}
	if !found {
		t.Errorf("escalation of the unconditional statement folded into the conditional admin:\n%s", dump(r))
	}

	// In a bucket policy, another statement names other principals:
	// nothing there is implied.
	r = analyze(t, policy.Resource, pol(
		m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111122223333:role/admin"}, "Action": "*", "Resource": "*"},
		m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::444455556666:role/reader"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}))
	if count(r, ruleServiceWildcardListed.ID) != 1 {
		t.Errorf("a resource policy's other principals folded:\n%s", dump(r))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestJudgement pins the general rules of issue 11, point 6, on policies
// written as people write them, with expectations from AWS semantics.
func TestJudgement(t *testing.T) {
	star := func(stmt m) m { stmt["Principal"] = "*"; return stmt }
	tests := []struct {
		name     string
		typ      policy.Type
		doc      any
		min, max int
		want     []string // rules that must be reported
		not      []string // rules that must not
	}{
		// A resource policy naming every principal, pinned by a condition
		// to one principal or account, names them: not public.
		{"queue for one SNS topic by aws:SourceArn", policy.Resource, pol(star(m{"Effect": "Allow", "Action": "sqs:SendMessage",
			"Resource": "arn:aws:sqs:us-east-1:111122223333:orders", "Condition": m{"ArnEquals": m{"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:order-events"}}})),
			10, 10, []string{"PC340"}, []string{"PC302", "PC303", "PC304"}},
		{"bucket for CloudTrail by aws:SourceAccount", policy.Resource, pol(star(m{"Effect": "Allow", "Action": "s3:PutObject",
			"Resource": "arn:aws:s3:::trail-logs/AWSLogs/111122223333/*", "Condition": m{"StringEquals": m{"aws:SourceAccount": "111122223333", "s3:x-amz-acl": "bucket-owner-full-control"}}})),
			10, 10, []string{"PC340"}, []string{"PC303", "PC304"}},
		{"bucket for one role by aws:PrincipalArn", policy.Resource, pol(star(m{"Effect": "Allow", "Action": "s3:GetObject",
			"Resource": "arn:aws:s3:::reports/*", "Condition": m{"ArnLike": m{"aws:PrincipalArn": "arn:aws:iam::111122223333:role/reporting-*"}}})),
			10, 10, []string{"PC340"}, []string{"PC302", "PC304"}},
		{"bucket for one role's sessions by aws:userid", policy.Resource, pol(star(m{"Effect": "Allow", "Action": "s3:GetObject",
			"Resource": "arn:aws:s3:::reports/*", "Condition": m{"StringLike": m{"aws:userid": []string{"AROAEXAMPLEROLEID01:*", "111122223333"}}}})),
			10, 10, []string{"PC340"}, []string{"PC302", "PC304"}},
		{"aws:userid that admits anyone", policy.Resource, pol(star(m{"Effect": "Allow", "Action": "s3:GetObject",
			"Resource": "arn:aws:s3:::reports/*", "Condition": m{"StringLike": m{"aws:userid": "*:alice"}}})),
			4, 4, []string{"PC302"}, []string{"PC340"}},
		{"aws:SourceArn of any bucket", policy.Resource, pol(star(m{"Effect": "Allow", "Action": "sqs:SendMessage",
			"Resource": "arn:aws:sqs:us-east-1:111122223333:q", "Condition": m{"ArnLike": m{"aws:SourceArn": "arn:aws:s3:::*"}}})),
			2, 2, []string{"PC303"}, []string{"PC340"}},

		// Managing one's own access keys is not escalation; writing one's
		// own policies still is.
		{"manage own access keys", "", pol(allow([]string{"iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey", "iam:ListAccessKeys",
			"iam:ChangePassword", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"}, "arn:aws:iam::*:user/${aws:username}")),
			10, 10, nil, []string{"PC201", "PC202"}},
		{"own keys and own inline policy", "", pol(allow([]string{"iam:CreateAccessKey", "iam:PutUserPolicy"}, "arn:aws:iam::111122223333:user/${aws:username}")),
			2, 2, []string{"PC201"}, nil},
		{"access keys of another user", "", pol(allow("iam:CreateAccessKey", "arn:aws:iam::111122223333:user/deploy")),
			6, 6, []string{"PC202"}, nil},
		{"own keys and every user's", "", pol(allow("iam:CreateAccessKey", []string{"arn:aws:iam::111122223333:user/${aws:username}", "arn:aws:iam::111122223333:user/*"})),
			1, 4, []string{"PC201"}, nil},

		// A resource-policy write on a named resource can grant others
		// access to it.
		{"bucket policy write on one bucket", "", pol(allow([]string{"s3:GetObject", "s3:PutObject", "s3:PutBucketPolicy"}, []string{"arn:aws:s3:::reports", "arn:aws:s3:::reports/*"})),
			7, 7, []string{"PC250"}, []string{"PC230"}},
		{"queue policy through its attributes", "", pol(allow("sqs:SetQueueAttributes", "arn:aws:sqs:us-east-1:111122223333:orders")),
			7, 7, []string{"PC250"}, nil},
		{"key policy and grants on one key", "", pol(allow([]string{"kms:PutKeyPolicy", "kms:CreateGrant"}, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")),
			7, 7, []string{"PC250"}, nil},
		{"lambda permission on one function", "", pol(allow("lambda:AddPermission", "arn:aws:lambda:us-east-1:111122223333:function:ingest")),
			7, 7, []string{"PC250"}, nil},
		{"removing a bucket policy's grants", "", pol(allow("kms:RevokeGrant", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")),
			10, 10, nil, []string{"PC250"}},
		{"key admins in a key policy", policy.Resource, pol(
			m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
			m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": []string{"kms:Describe*", "kms:PutKeyPolicy"}, "Resource": "*"}),
			7, 7, []string{"PC250"}, nil},
		{"bucket policy write on every bucket", "", pol(allow("s3:PutBucketPolicy", "*")), 4, 4, []string{"PC230"}, []string{"PC250"}},

		// Credentials and tokens whose use IAM still governs: low, with
		// why.
		{"ECR pull", "", pol(allow("ecr:GetAuthorizationToken", "*"),
			allow([]string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, "arn:aws:ecr:us-east-1:111122223333:repository/app")),
			9, 9, []string{"PC255"}, []string{"PC220"}},
		{"MFA session", "", pol(allow("sts:GetSessionToken", "*")), 9, 9, []string{"PC255"}, []string{"PC220"}},
		{"identity pool credentials", "", pol(allow([]string{"cognito-identity:GetCredentialsForIdentity", "cognito-identity:GetOpenIdToken"}, "*")), 9, 9, []string{"PC255"}, nil},
		{"cluster credentials for any database user", "", pol(allow("redshift:GetClusterCredentials", "*")), 4, 4, []string{"PC220"}, []string{"PC255"}},

		// secretsmanager:BatchGetSecretValue needs GetSecretValue on each
		// secret.
		{"batch read of named secrets", "", pol(allow("secretsmanager:BatchGetSecretValue", "*"),
			allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/*")), 10, 10, nil, []string{"PC210"}},
		{"batch read alone", "", pol(allow("secretsmanager:BatchGetSecretValue", "*")), 10, 10, nil, []string{"PC210"}},
		{"batch read of every secret", "", pol(allow([]string{"secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"}, "*")), 4, 4, []string{"PC210"}, nil},

		// A pattern that pins partition, account and region and leaves
		// only the name open is narrower than "*", with rules of its own.
		{"every queue of one account and region", "", pol(allow([]string{"sqs:SendMessage", "sqs:DeleteMessage"}, "arn:aws:sqs:us-east-1:111122223333:*")),
			7, 7, []string{"PC150"}, []string{"PC140"}},
		{"every table of one account and region", "", pol(allow([]string{"dynamodb:Scan", "dynamodb:Query"}, "arn:aws:dynamodb:eu-west-1:111122223333:table/*")),
			6, 6, []string{"PC153"}, []string{"PC211"}},
		{"every secret of one account and region", "", pol(allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*")),
			5, 5, []string{"PC152"}, []string{"PC210"}},
		{"every secret of one account, any region", "", pol(allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:111122223333:secret:*")),
			4, 4, []string{"PC210"}, []string{"PC152"}},
		{"every role of the account", "", pol(allow("iam:PassRole", "arn:aws:iam::111122223333:role/*")), 4, 4, []string{"PC240"}, nil},
		{"every function of one region still escalates", "", pol(allow("lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:111122223333:function:*")),
			2, 2, []string{"PC201"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := analyze(t, tt.typ, tt.doc)
			if r.Score < tt.min || r.Score > tt.max {
				t.Errorf("score %d, want %d-%d: %s\n%s", r.Score, tt.min, tt.max, r.Summary, dump(r))
			}
			for _, id := range tt.want {
				if count(r, id) == 0 {
					t.Errorf("no %s finding:\n%s", id, dump(r))
				}
			}
			for _, id := range tt.not {
				if count(r, id) != 0 {
					t.Errorf("unexpected %s finding:\n%s", id, dump(r))
				}
			}
		})
	}
}

// TestAccessAnalyzerChecks: the ERROR and SECURITY_WARNING checks of IAM
// Access Analyzer's policy validation that issue 11 names, each under its
// own rule, and valid policies they leave alone.
func TestAccessAnalyzerChecks(t *testing.T) {
	trust := func(principal any, action string) any {
		return pol(m{"Effect": "Allow", "Principal": principal, "Action": action})
	}
	cond := func(c m) any {
		return pol(m{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*", "Condition": c})
	}
	tests := []struct {
		name string
		typ  policy.Type
		doc  any
		want string // "" : no validation finding at all
	}{
		{"partition", "", pol(allow("s3:GetObject", "arn:amazon:s3:::my-bucket/*")), "PC060"},
		{"service case", "", pol(allow("s3:GetObject", "arn:aws:S3:::my-bucket/*")), "PC061"},
		{"region name", "", pol(allow("sqs:SendMessage", "arn:aws:sqs:Ireland:111122223333:orders")), "PC062"},
		{"region on a global service", "", pol(allow("iam:PassRole", "arn:aws:iam:us-east-1:111122223333:role/app")), "PC063"},
		{"no region on a regional service", "", pol(allow("lambda:InvokeFunction", "arn:aws:lambda::111122223333:function:ingest")), "PC064"},
		{"account alias", "", pol(allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:prod:orders")), "PC065"},
		{"account on a service without accounts", "", pol(allow("route53:ChangeResourceRecordSets", "arn:aws:route53::111122223333:hostedzone/Z1D633PJN98FT9")), "PC066"},
		{"table without table/", "", pol(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:orders")), "PC067"},
		{"lower-case principal key", policy.Trust, trust(m{"aws": "arn:aws:iam::111122223333:root"}, "sts:AssumeRole"), "PC070"},
		{"Services", policy.Trust, trust(m{"Services": "lambda.amazonaws.com"}, "sts:AssumeRole"), "PC070"},
		{"group as principal", policy.Trust, trust(m{"AWS": "arn:aws:iam::111122223333:group/admins"}, "sts:AssumeRole"), "PC071"},
		{"role name as principal", policy.Resource, pol(m{"Effect": "Allow", "Principal": m{"AWS": "app-role"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}), "PC071"},
		{"service without its domain", policy.Trust, trust(m{"Service": "lambda"}, "sts:AssumeRole"), "PC071"},
		{"federated by name", policy.Trust, trust(m{"Federated": "okta"}, "sts:AssumeRoleWithSAML"), "PC071"},
		{"canonical user", policy.Resource, pol(m{"Effect": "Allow", "Principal": m{"CanonicalUser": "abc"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}), "PC071"},
		{"wildcard in a role ARN", policy.Resource, pol(m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111122223333:role/app-*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}), "PC072"},
		{"NotPrincipal in a trust policy", policy.Trust, pol(m{"Effect": "Allow", "NotPrincipal": m{"AWS": "arn:aws:iam::111122223333:user/intern"}, "Action": "sts:AssumeRole"}), "PC073"},
		{"resource in a trust policy", policy.Trust, pol(m{"Effect": "Allow", "Principal": m{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}), "PC016"},
		{"private source address alone", "", cond(m{"IpAddress": m{"aws:VpcSourceIp": "10.0.0.0/16"}}), "PC430"},
		{"bucket as source without the account", policy.Resource, pol(m{"Effect": "Allow", "Principal": m{"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
			"Resource": "arn:aws:sqs:us-east-1:111122223333:uploads", "Condition": m{"ArnLike": m{"aws:SourceArn": "arn:aws:s3:::upload-bucket"}}}), "PC430"},
		{"window that closes before it opens", "", cond(m{"DateGreaterThan": m{"aws:CurrentTime": "2027-06-30T00:00:00Z"}, "DateLessThan": m{"aws:CurrentTime": "2027-01-01T00:00:00Z"}}), "PC431"},
		{"same instant, strict", "", cond(m{"DateGreaterThan": m{"aws:EpochTime": "1798761600"}, "DateLessThan": m{"aws:EpochTime": "1798761600"}}), "PC431"},
		{"closed window", "", cond(m{"DateLessThan": m{"aws:CurrentTime": "2019-12-31T23:59:59Z"}}), "PC432"},

		// Valid: left alone.
		{"AWS-owned SSM document", "", pol(allow("ssm:SendCommand", []string{"arn:aws:ssm:us-east-1::document/AWS-RunShellScript", "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234567890def"})), ""},
		{"public AMI", "", pol(allow("ec2:RunInstances", []string{"arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890", "arn:aws:ec2:us-east-1:111122223333:*"})), ""},
		{"managed policy ARN", "", pol(m{"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "arn:aws:iam::111122223333:role/app",
			"Condition": m{"ArnEquals": m{"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}), ""},
		{"template placeholders", "", pol(allow("sqs:SendMessage", "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders")), ""},
		{"GovCloud and China", "", pol(allow("sqs:SendMessage", []string{"arn:aws-us-gov:sqs:us-gov-west-1:111122223333:orders", "arn:aws-cn:sqs:cn-north-1:111122223333:orders"})), ""},
		{"usual principals", policy.Trust, pol(
			m{"Effect": "Allow", "Principal": m{"Service": []string{"lambda.amazonaws.com", "logs.us-east-1.amazonaws.com"}}, "Action": "sts:AssumeRole"},
			m{"Effect": "Allow", "Principal": m{"AWS": []string{"111122223333", "arn:aws:iam::111122223333:role/deploy", "arn:aws:sts::111122223333:assumed-role/deploy/ci", "AROAEXAMPLEROLEID0001"}}, "Action": "sts:AssumeRole"},
			m{"Effect": "Allow", "Principal": m{"Federated": "arn:aws:iam::111122223333:saml-provider/okta"}, "Action": "sts:AssumeRoleWithSAML",
				"Condition": m{"StringEquals": m{"SAML:aud": "https://signin.aws.amazon.com/saml"}}}), ""},
		{"window still open", "", cond(m{"DateGreaterThan": m{"aws:CurrentTime": "2020-01-01T00:00:00Z"}, "DateLessThan": m{"aws:CurrentTime": "2999-01-01T00:00:00Z"}}), ""},
		{"private address in one VPC", "", cond(m{"IpAddress": m{"aws:VpcSourceIp": "10.0.0.0/16"}, "StringEquals": m{"aws:SourceVpc": "vpc-0abc1234"}}), ""},
	}
	validation := func(id string) bool {
		return strings.HasPrefix(id, "PC0") || id >= "PC430" && id <= "PC439"
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := analyze(t, tt.typ, tt.doc)
			if tt.want == "" {
				for _, f := range r.Findings {
					if validation(f.Rule) {
						t.Errorf("unexpected %s:\n%s", f.Rule, dump(r))
					}
				}
				return
			}
			if count(r, tt.want) == 0 {
				t.Errorf("no %s finding:\n%s", tt.want, dump(r))
			}
		})
	}
}

// TestJudgementTemplates reviews a CloudFormation template and a
// Terraform file written as public repositories write them: each
// document gets what AWS's semantics say.
func TestJudgementTemplates(t *testing.T) {
	tests := []struct {
		file string
		docs map[string][]string // a document's name contains the key; the rules it must have ("-PCxxx": must not)
	}{
		{"judgement-stack.yaml", map[string][]string{
			"OrderQueuePolicy":        {"PC340", "-PC302", "-PC303", "-PC304"},
			"pull-images":             {"PC255", "-PC220"},
			"publish-reports":         {"PC250"},
			"BreakGlassRole.Policies": {"PC101", "-PC201"},
			"BreakGlassRole.Assume":   {"PC070"},
		}},
		{"judgement.tf", map[string][]string{
			"self_service": {"-PC201", "-PC202"},
			"worker":       {"PC152", "PC067", "-PC210"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := policy.Read(data, policy.Options{Name: tt.file})
			if err != nil {
				t.Fatal(err)
			}
			for key, want := range tt.docs {
				var r *Result
				for _, d := range res.Documents {
					if strings.Contains(d.Name, key) {
						a := Analyze(kb(), d)
						checkRules(t, a)
						r = &a
						break
					}
				}
				if r == nil {
					t.Errorf("no document named like %q", key)
					continue
				}
				for _, id := range want {
					if not, ok := strings.CutPrefix(id, "-"); ok {
						if count(*r, not) != 0 {
							t.Errorf("%s: unexpected %s:\n%s", key, not, dump(*r))
						}
					} else if count(*r, id) == 0 {
						t.Errorf("%s: no %s:\n%s", key, id, dump(*r))
					}
				}
			}
		})
	}
}

// TestTrustActions: each kind of principal assumes a role through its own
// action (Access Analyzer's MISMATCHED_ACTION_FOR_PRINCIPAL).
func TestTrustActions(t *testing.T) {
	saml := "arn:aws:iam::111122223333:saml-provider/okta"
	tests := []struct {
		name string
		stmt m
		want bool
	}{
		{"SAML with AssumeRole", m{"Effect": "Allow", "Principal": m{"Federated": saml}, "Action": "sts:AssumeRole"}, true},
		{"SAML with AssumeRoleWithSAML", m{"Effect": "Allow", "Principal": m{"Federated": saml}, "Action": []string{"sts:AssumeRoleWithSAML", "sts:TagSession"}}, false},
		{"service with web identity", m{"Effect": "Allow", "Principal": m{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}, true},
		{"OIDC with AssumeRole", m{"Effect": "Allow", "Principal": m{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
			"Action": "sts:AssumeRole", "Condition": m{"StringLike": m{"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}}, true},
		{"account with AssumeRole", m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}, false},
		{"session tags alone", m{"Effect": "Allow", "Principal": m{"Federated": saml}, "Action": "sts:TagSession"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := analyze(t, policy.Trust, pol(tt.stmt))
			if got := count(r, "PC074") > 0; got != tt.want {
				t.Errorf("PC074 reported: %v, want %v:\n%s", got, tt.want, dump(r))
			}
		})
	}
}
