//go:build !race

// This file is CPU-heavy and runs in the test pass without the race
// detector (README, "Run the tests"): the package has no concurrency
// for -race to check.

package suggest

import (
	"context"
	"math/rand"
	"reflect"
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

// TestEntriesNotNarrowable checks that a statement narrow cannot change
// gets the same entries, and no change, with narrow on and off, as
// entries assumes when it remembers one answer for both.
func TestEntriesNotNarrowable(t *testing.T) {
	kb := iamref.Default()
	checked := 0
	for seed := range int64(300) {
		d, _ := randomPolicy(rand.New(rand.NewSource(seed)))
		doc := read(t, d.JSON(), d.Type)
		f := newShared(kb, doc, analysis.Analyze(kb, doc))
		for i := range doc.Statements {
			st := &doc.Statements[i]
			if narrowable(st) {
				continue
			}
			on := &builder{shared: f, opts: options{narrow: true}}
			off := &builder{shared: f}
			ents1, keep1 := on.writeEntries(i, st)
			ents0, keep0 := off.writeEntries(i, st)
			if !reflect.DeepEqual(ents1, ents0) || keep1 != keep0 || len(on.changes)+len(off.changes) > 0 {
				t.Fatalf("seed %d, statement %d: narrow on gives %v, %v, %v; off gives %v, %v, %v",
					seed, i, ents1, keep1, on.changes, ents0, keep0, off.changes)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no statement checked")
	}
}

// TestSuggestBufferReuse checks that the statement buffer the policies
// share leaks nothing from one to another: each suggestion is the same
// whatever came before, and stays so after the next ones.
func TestSuggestBufferReuse(t *testing.T) {
	kb := iamref.Default()
	var docs []*policy.Document
	for seed := range int64(60) {
		d, typ := randomPolicy(rand.New(rand.NewSource(seed)))
		docs = append(docs, read(t, d.JSON(), typ))
	}
	suggest := func(doc *policy.Document) *policy.Document {
		return Suggest(context.Background(), gate.New(kb, nil), kb, doc, analysis.Analyze(kb, doc)).Doc
	}
	first := make([]*policy.Document, len(docs))
	want := make([]string, len(docs))
	for i, doc := range docs {
		if first[i] = suggest(doc); first[i] != nil {
			want[i] = string(first[i].JSON())
		}
	}
	for i := len(docs) - 1; i >= 0; i-- {
		got := ""
		if d := suggest(docs[i]); d != nil {
			got = string(d.JSON())
		}
		if got != want[i] {
			t.Errorf("policy %d: suggested\n%s\nafter the others, and first\n%s", i, got, want[i])
		}
	}
	for i, d := range first {
		if d != nil && string(d.JSON()) != want[i] {
			t.Errorf("policy %d: the suggestion changed after the others were made:\n%s\nwas\n%s", i, d.JSON(), want[i])
		}
	}
}
