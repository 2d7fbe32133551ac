//go:build !race

// This file is CPU-heavy and runs in the test pass without the race
// detector (README, "Run the tests"): the package has no concurrency
// for -race to check.

package suggest

import (
	"context"
	"math/rand"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
)

// randomPolicy builds an identity or resource policy from pools of the
// shapes the suggestion engine rewrites.
func randomPolicy(r *rand.Rand) (*policy.Document, policy.Type) {
	actions := []string{"*", "s3:*", "sqs:*", "iam:*", "s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:PassRole",
		"lambda:CreateFunction", "lambda:InvokeFunction", "ec2:RunInstances", "ec2:Describe*", "iam:AttachUserPolicy",
		"secretsmanager:GetSecretValue", "sts:GetCallerIdentity", "dynamodb:Query", "kms:Decrypt", "s3:Get*"}
	resources := []string{"*", "*", "arn:aws:s3:::acme/*", "arn:aws:s3:::*", "arn:aws:sqs:us-east-1:111122223333:q",
		"arn:aws:iam::111122223333:role/app", "arn:aws:dynamodb:*:*:table/*"}
	pick := func(s []string, n int) []string {
		var out []string
		for range 1 + r.Intn(n) {
			v := s[r.Intn(len(s))]
			dup := false
			for _, o := range out {
				dup = dup || o == v
			}
			if !dup {
				out = append(out, v)
			}
		}
		return out
	}
	typ := policy.Identity
	if r.Intn(4) == 0 {
		typ = policy.Resource
	}
	d := &policy.Document{Version: "2012-10-17", Type: typ}
	for i := range 1 + r.Intn(4) {
		s := policy.Statement{Effect: "Allow"}
		if r.Intn(5) == 0 {
			s.Effect = "Deny"
		}
		if r.Intn(2) == 0 {
			s.Sid = "S" + string(rune('A'+i))
		}
		if r.Intn(6) == 0 {
			s.NotAction = policy.NewList(pick(actions[1:4], 2)...)
		} else {
			s.Action = policy.NewList(pick(actions, 4)...)
		}
		if r.Intn(8) == 0 {
			s.NotResource = policy.NewList("arn:aws:s3:::secret/*")
		} else {
			s.Resource = policy.NewList(pick(resources, 2)...)
		}
		if r.Intn(4) == 0 {
			s.Conditions = []policy.Condition{{Operator: "StringEquals", Key: "aws:SourceVpc", Values: policy.NewList("vpc-1")}}
		}
		if typ == policy.Resource {
			switch r.Intn(3) {
			case 0:
				s.Principal = &policy.Principal{Any: true}
			case 1:
				s.Principal = &policy.Principal{Entries: []policy.PrincipalEntry{{Kind: "Service", Values: policy.NewList("sns.amazonaws.com")}}}
			default:
				s.Principal = &policy.Principal{Entries: []policy.PrincipalEntry{{Kind: "AWS", Values: policy.NewList("arn:aws:iam::111122223333:root")}}}
			}
		}
		d.Statements = append(d.Statements, s)
	}
	return d, typ
}

// TestSuggestRandom checks the invariants on random policies, read back
// from their JSON as a user's would be.
func TestSuggestRandom(t *testing.T) {
	kb := iamref.Default()
	n := 300
	if testing.Short() {
		n = 50
	}
	suggested := 0
	for seed := range int64(n) {
		d, typ := randomPolicy(rand.New(rand.NewSource(seed)))
		doc := read(t, d.JSON(), typ)
		res := analysis.Analyze(kb, doc)
		s := Suggest(context.Background(), gate.New(kb, nil), kb, doc, res)
		checkInvariants(t, kb, doc, res, s)
		if s.Doc != nil {
			suggested++
		} else if testing.Verbose() {
			t.Logf("seed %d: %s", seed, s.Reason)
		}
	}
	if suggested < n/2 {
		t.Errorf("only %d of %d random policies got a suggestion", suggested, n)
	}
}
