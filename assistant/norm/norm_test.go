package norm

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
)

// TestNewLike: a rewrite normalized against its original is normalized
// as New would, whichever statements it keeps, changes or adds.
func TestNewLike(t *testing.T) {
	kb := iamref.Default()
	r := rand.New(rand.NewPCG(5, 6))
	actions := []string{"s3:GetObject", " s3:getobject", "s3:Get*", "*", "*:*", "iam:PassRole", "ec2:Describe*", "nosuch:Thing", "sqs:*", ""}
	resources := []string{"*", "arn:aws:s3:::b/*", " arn:aws:s3:::b ", "arn:aws:s3:::${aws:username}"}
	list := func(pool []string) policy.List {
		v := make([]string, r.IntN(4))
		for i := range v {
			v[i] = pool[r.IntN(len(pool))]
		}
		return policy.NewList(v...)
	}
	stmt := func() policy.Statement {
		s := policy.Statement{Effect: []string{"Allow", "Deny", " allow", "Maybe"}[r.IntN(4)]}
		switch r.IntN(4) {
		case 0:
			s.NotAction = list(actions)
		case 1:
		default:
			s.Action = list(actions)
		}
		switch r.IntN(4) {
		case 0:
			s.NotResource = list(resources)
		case 1:
		default:
			s.Resource = list(resources)
		}
		return s
	}
	shared := 0
	for range 2000 {
		a := &policy.Document{Version: "2012-10-17"}
		for range 1 + r.IntN(5) {
			a.Statements = append(a.Statements, stmt())
		}
		b := &policy.Document{Version: []string{"2012-10-17", "2008-10-17"}[r.IntN(2)]}
		for _, s := range a.Statements {
			switch r.IntN(4) {
			case 0: // dropped
			case 1: // another
				b.Statements = append(b.Statements, stmt())
			case 2: // same actions, other resources
				s.Resource = list(resources)
				b.Statements = append(b.Statements, s)
			default:
				b.Statements = append(b.Statements, s)
			}
		}
		prev := New(kb, a)
		got, want := NewLike(kb, b, prev), New(kb, b)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("NewLike differs from New\nA: %s\nB: %s", a.JSON(), b.JSON())
		}
		for _, st := range got.Statements {
			for _, ps := range prev.Statements {
				if len(st.Raw) > 0 && len(ps.Raw) > 0 && &st.Raw[0] == &ps.Raw[0] {
					shared++
					break
				}
			}
		}
	}
	if shared < 1000 {
		t.Errorf("only %d statements took their original's expansion", shared)
	}
}

func TestLowerAll(t *testing.T) {
	in := []string{"S3:GetObject", "", "ÄWS:Straße", "iam:*", "İx:Y", "already:lower", "MiXeD:ÉTÉ"}
	got := lowerAll(in)
	for i, s := range in {
		if got[i] != strings.ToLower(s) {
			t.Errorf("lowerAll(%q) = %q, want %q", s, got[i], strings.ToLower(s))
		}
	}
}
