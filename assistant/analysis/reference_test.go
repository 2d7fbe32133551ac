package analysis

import (
	"slices"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/policy"
)

// tfBucketPolicy is a bucket policy in Terraform with one statement.
func tfBucketPolicy(vars, statement string) string {
	return vars + `
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [` + statement + `]
  })
}
`
}

func TestReferenceReading(t *testing.T) {
	tests := []struct {
		name, text string
		score      int
		want, not  []string
	}{
		{"principal variable may be anyone",
			tfBucketPolicy(`variable "who" { type = string }`, `{ Effect = "Allow", Principal = { AWS = var.who }, Action = "s3:PutObject", Resource = "${aws_s3_bucket.data.arn}/*" }`),
			2, []string{"PC303", "PC701"}, nil},
		{"principal default is read",
			tfBucketPolicy(`variable "who" { default = "arn:aws:iam::111122223333:role/etl" }`, `{ Effect = "Allow", Principal = { AWS = var.who }, Action = "s3:PutObject", Resource = "${aws_s3_bucket.data.arn}/*" }`),
			10, nil, []string{"PC303", "PC701"}},
		{"principal default of * is public",
			tfBucketPolicy(`variable "who" { default = "*" }`, `{ Effect = "Allow", Principal = { AWS = var.who }, Action = "s3:GetObject", Resource = "${aws_s3_bucket.data.arn}/*" }`),
			4, []string{"PC302", "PC701"}, nil},
		{"account of a root ARN names one account",
			tfBucketPolicy(`variable "partner" { type = string }`, `{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::${var.partner}:root" }, Action = "s3:GetObject", Resource = "${aws_s3_bucket.data.arn}/*" }`),
			10, nil, []string{"PC302", "PC701"}},
		{"exact condition on a variable still pins",
			tfBucketPolicy(`variable "org" { type = string }`, `{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.data.arn}/*", Condition = { StringEquals = { "aws:PrincipalOrgID" = var.org } } }`),
			8, []string{"PC304"}, []string{"PC302", "PC701"}},
		{"pattern condition on a variable may admit anything",
			tfBucketPolicy(`variable "account" { type = string }`, `{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.data.arn}/*", Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::${var.account}:role/*" } } }`),
			4, []string{"PC302", "PC701"}, nil},
		{"actions from a variable may be any action",
			tfBucketPolicy(`variable "actions" { type = list(string) }`, `{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:role/etl" }, Action = var.actions, Resource = "arn:aws:s3:::acme-data/*" }`),
			7, []string{"PC250", "PC701"}, []string{"PC030"}},
		{"actions default is read",
			tfBucketPolicy(`variable "actions" { default = ["s3:GetObject", "s3:PutObject"] }`, `{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:role/etl" }, Action = var.actions, Resource = "${aws_s3_bucket.data.arn}/*" }`),
			10, nil, []string{"PC030", "PC701"}},
		{"a service chosen at deployment is any service's action",
			tfBucketPolicy(`variable "svc" { type = string }`, `{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:role/etl" }, Action = "${var.svc}:GetObject", Resource = "${aws_s3_bucket.data.arn}/*" }`),
			9, []string{"PC132"}, []string{"PC032"}},
		{"a Deny on a variable is left as written",
			tfBucketPolicy(`variable "who" { type = string }`, `{ Effect = "Deny", Principal = { AWS = var.who }, Action = "s3:*", Resource = "${aws_s3_bucket.data.arn}/*" }`),
			10, nil, []string{"PC701"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := policy.Read([]byte(tt.text), policy.Options{Name: "main.tf"})
			if err != nil {
				t.Fatal(err)
			}
			r := Analyze(kb(), res.Documents[0])
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Rule)
				if f.Rule == "PC303" || f.Rule == "PC302" {
					if !strings.Contains(f.Note, "as possibly any value") && !strings.Contains(tt.name, "default") {
						t.Errorf("%s without a note: %+v", f.Rule, f)
					}
				}
			}
			if r.Score != tt.score {
				t.Errorf("score %d, want %d (%v)", r.Score, tt.score, got)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("no %s in %v", w, got)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(got, n) {
					t.Errorf("%s in %v", n, got)
				}
			}
		})
	}
}

func TestRootAccount(t *testing.T) {
	for text, want := range map[string]string{
		"111122223333":                                                     "111122223333",
		"arn:aws:iam::111122223333:root":                                   "111122223333",
		"arn:${AWS::Partition}:iam::${AWS::AccountId}:root":                "${AWS::AccountId}",
		"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root": "${data.aws_caller_identity.current.account_id}",
		"arn:aws-us-gov:iam::${var.account}:root":                          "${var.account}",
		"${AWS::AccountId}":                                                "${AWS::AccountId}",
		"${var.account}":                                                   "", // may be "*"
		"arn:aws:iam::111122223333:role/admin":                             "",
		"arn:aws:iam::${AWS::AccountId}:role/${RoleName}":                  "",
		"arn:aws:iam::*:root":                                              "",
	} {
		got, ok := rootAccount(text)
		if got != want || ok != (want != "") {
			t.Errorf("rootAccount(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
}
