package suggest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
)

type m = map[string]any

func pol(stmts ...m) []byte {
	list := make([]any, len(stmts))
	for i, s := range stmts {
		list[i] = s
	}
	data, _ := json.Marshal(m{"Version": "2012-10-17", "Statement": list})
	return data
}

func TestPlaceholderARN(t *testing.T) {
	def := arnFacts{partition: "aws", region: "<region>", account: "<account-id>"}
	tests := []struct {
		format string
		f      arnFacts
		want   string
	}{
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", def, "arn:aws:s3:::<bucket-name>/*"},
		{"arn:${Partition}:s3:::${BucketName}", def, "arn:aws:s3:::<bucket-name>"},
		{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", def, "arn:aws:iam::<account-id>:role/<role-name>"},
		{"arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}", def, "arn:aws:dynamodb:<region>:<account-id>:table/<table-name>/index/*"},
		{"arn:${Partition}:rds:${Region}:${Account}:db:${DbInstanceName}", arnFacts{"aws-cn", "cn-north-1", "123456789012"}, "arn:aws-cn:rds:cn-north-1:123456789012:db:<db-instance-name>"},
	}
	for _, tt := range tests {
		if got := placeholderARN(tt.format, tt.f); got != tt.want {
			t.Errorf("placeholderARN(%s) = %s, want %s", tt.format, got, tt.want)
		}
	}
	for in, want := range map[string]string{"BucketName": "bucket-name", "DBInstanceName": "db-instance-name", "KeyId": "key-id", "Ipv4PoolEc2Id": "ipv4-pool-ec2-id"} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestScopeTypes(t *testing.T) {
	kb := iamref.Default()
	tests := map[string]string{
		"s3:GetObject":           "s3:object",
		"s3:ListBucket":          "s3:bucket",
		"iam:PassRole":           "iam:role",
		"dynamodb:Query":         "dynamodb:table",
		"s3:ListAllMyBuckets":    "",
		"ec2:CreateTags":         "",
		"cloudwatch:ListMetrics": "",
	}
	for name, want := range tests {
		a := kb.Action(name)
		if a == nil {
			t.Fatalf("no action %s", name)
		}
		got := ""
		if ts := scopeTypes(a); ts != nil {
			got = typeKey(ts)
		}
		if got != want {
			t.Errorf("scopeTypes(%s) = %q, want %q", name, got, want)
		}
	}
}

// TestSuggestCases checks suggestions for policies beyond the golden
// files: each must keep the invariants, and contain (or not) some text.
func TestSuggestCases(t *testing.T) {
	kb := iamref.Default()
	tests := []struct {
		name     string
		typ      policy.Type
		data     []byte
		none     bool     // no suggestion expected
		contains []string // in the suggested JSON
		absent   []string
	}{
		{name: "not resource", data: pol(m{"Sid": "Put", "Effect": "Allow", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::secret/*"}),
			contains: []string{`"arn:aws:s3:::<bucket-name>/*"`}, absent: []string{"NotResource"}},
		{name: "broad arn pattern", data: pol(m{"Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject"}, "Resource": "arn:aws:s3:::*"}),
			contains: []string{`"arn:aws:s3:::<bucket-name>/*"`}},
		{name: "account named elsewhere", data: pol(
			m{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
			m{"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:eu-west-1:111122223333:alerts"}),
			contains: []string{`"arn:aws:sqs:eu-west-1:111122223333:<queue-name>"`}},
		{name: "passrole inferred service", data: pol(
			m{"Effect": "Allow", "Action": []string{"iam:PassRole", "ec2:RunInstances"}, "Resource": "*"}),
			contains: []string{`"iam:PassedToService": "ec2.amazonaws.com"`}},
		{name: "passrole condition kept", data: pol(
			m{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app", "Condition": m{"StringEquals": m{"iam:PassedToService": "lambda.amazonaws.com"}}}),
			none: true},
		{name: "explicit names kept", data: pol(m{"Effect": "Allow", "Action": []string{"s3:PutObject", "s3:DeleteObject"}, "Resource": "*"}),
			contains: []string{"s3:PutObject", "s3:DeleteObject"}},
		{name: "conditions narrow already", data: pol(m{"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*", "Condition": m{"StringEquals": m{"aws:ResourceTag/team": "web"}}}),
			none: true},
		{name: "no version", data: []byte(`{"Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:us-east-1:111122223333:q"}]}`),
			contains: []string{`"Version": "2012-10-17"`, "sqs:ReceiveMessage"}, absent: []string{"sqs:SendMessage"}},
		{name: "trust anyone", typ: policy.Trust, data: pol(m{"Effect": "Allow", "Principal": m{"AWS": "*"}, "Action": "sts:AssumeRole"}),
			contains: []string{`"AWS": "arn:aws:iam::<account-id>:root"`}},
		{name: "cognito trust", typ: policy.Trust, data: pol(m{"Effect": "Allow", "Principal": m{"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}),
			contains: []string{`"cognito-identity.amazonaws.com:aud": "<identity-pool-id>"`}},
		{name: "eks trust", typ: policy.Trust, data: pol(m{"Effect": "Allow", "Principal": m{"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"}, "Action": "sts:AssumeRoleWithWebIdentity"}),
			contains: []string{`"oidc.eks.eu-west-1.amazonaws.com/id/abc:sub": "system:serviceaccount:<namespace>:<service-account>"`}},
		{name: "github sub star", typ: policy.Trust, data: pol(m{"Effect": "Allow", "Principal": m{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
			"Condition": m{"StringLike": m{"token.actions.githubusercontent.com:sub": "*"}}}),
			contains: []string{`"token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:*"`}, absent: []string{`"*"`}},
		{name: "queue policy service principal", typ: policy.Resource, data: pol(m{"Effect": "Allow", "Principal": m{"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:q"}),
			contains: []string{`"aws:SourceAccount": "111122223333"`}},
		{name: "lambda trust", typ: policy.Trust, data: pol(m{"Effect": "Allow", "Principal": m{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
			none: true},
		{name: "escalation in wildcard", data: pol(m{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
			absent: []string{"iam:AttachUserPolicy", "iam:CreateAccessKey", `"iam:*"`}},
		{name: "scp", typ: policy.SCP, data: pol(m{"Effect": "Allow", "Action": "*", "Resource": "*"}), none: true},
		{name: "invalid statement left alone", data: pol(m{"Effect": "Allow", "Resource": "*"}), none: true},
		{name: "unknown action kept", data: pol(m{"Effect": "Allow", "Action": []string{"s3:GetObjcet", "s3:GetObject"}, "Resource": "*"}),
			contains: []string{"s3:GetObjcet", `"arn:aws:s3:::<bucket-name>/*"`}},
		{name: "what a Deny with NotAction leaves", data: pol(
			m{"Effect": "Allow", "Action": []string{"s3:*", "dynamodb:*"}, "Resource": "*"},
			m{"Effect": "Deny", "NotAction": []string{"s3:PutObject", "dynamodb:GetItem"}, "Resource": "*"}),
			contains: []string{`"s3:PutObject"`, `"dynamodb:GetItem"`, "NotAction"}, absent: []string{`"s3:*"`, `"dynamodb:*"`, "s3:GetObject"}},
		{name: "a conditional Deny is not counted on", data: pol(
			m{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme/*"},
			m{"Effect": "Deny", "NotAction": "s3:PutObject", "Resource": "*", "Condition": m{"Bool": m{"aws:SecureTransport": "false"}}}),
			contains: []string{"s3:GetObject"}, absent: []string{`"s3:*"`}},
		{name: "far over the quota", data: func() []byte {
			stmts := make([]m, 400)
			for i := range stmts {
				stmts[i] = m{"Effect": "Allow", "Action": []string{"s3:*", "iam:Pass*"}, "Resource": "*"}
			}
			return pol(stmts...)
		}(), none: true},
		{name: "default KMS key policy", typ: policy.Resource, data: pol(
			m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
			m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:*", "Resource": "*"}),
			contains: []string{`"arn:aws:iam::111122223333:root"`, `"kms:*"`, `"kms:DescribeKey"`}, absent: []string{"<key-id>"}},
		{name: "one branch of an Fn::If", data: []byte(`{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Version": "2012-10-17",
			"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": {"Fn::If": ["IsDev", "arn:aws:s3:::dev/*", "arn:aws:s3:::prod/*"]}}]}}}}}`), none: true},
		{name: "not action on a bucket", data: pol(m{"Effect": "Allow", "NotAction": "s3:Delete*", "Resource": "arn:aws:s3:::acme/*"}),
			contains: []string{"s3:GetObject"}, absent: []string{"NotAction", "ec2:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := read(t, tt.data, tt.typ)
			res := analysis.Analyze(kb, doc)
			s := Suggest(context.Background(), gate.New(kb, nil), kb, doc, res)
			checkInvariants(t, kb, doc, res, s)
			if tt.none {
				if s.Doc != nil {
					t.Fatalf("unexpected suggestion:\n%s", render(res, s))
				}
				return
			}
			if s.Doc == nil {
				t.Fatalf("no suggestion: %s", s.Reason)
			}
			out := string(s.Doc.JSON())
			if testing.Verbose() {
				t.Log(render(res, s))
			}
			for _, c := range tt.contains {
				if !strings.Contains(out, c) {
					t.Errorf("suggestion lacks %s:\n%s", c, render(res, s))
				}
			}
			for _, c := range tt.absent {
				if strings.Contains(out, c) {
					t.Errorf("suggestion has %s:\n%s", c, render(res, s))
				}
			}
		})
	}
}

// TestPassedToNames checks that the actions of passedTo are written as
// the knowledge base names them, in lower case: passRoleServices looks
// them up by the full name of the actions a policy grants.
func TestPassedToNames(t *testing.T) {
	kb := iamref.Default()
	for name := range passedTo {
		a := kb.Action(name)
		if a == nil {
			t.Errorf("%s: no such action", name)
			continue
		}
		if got := strings.ToLower(a.FullName()); got != name {
			t.Errorf("%s is %s in the knowledge base", name, got)
		}
	}
}
