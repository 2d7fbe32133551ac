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

// expandRef is Expand as the union of kb.Expand of every pattern.
func expandRef(kb *iamref.KB, patterns []string) iamref.ActionSet {
	if len(patterns) == 1 {
		return kb.Expand(patterns[0])
	}
	n := 0
	for _, p := range patterns {
		n = max(n, len(kb.Expand(p)))
	}
	if n == 0 {
		return nil
	}
	out := make(iamref.ActionSet, n)
	for _, p := range patterns {
		for i, w := range kb.Expand(p) {
			out[i] |= w
		}
	}
	return out
}

// TestExpand: every action's name, in any case, and lists of names,
// wildcards and unknown names expand as the union of kb.Expand.
func TestExpand(t *testing.T) {
	kb := iamref.Default()
	r := rand.New(rand.NewPCG(19, 20))
	var names []string
	for id := range iamref.ActionID(kb.NumActions()) {
		names = append(names, kb.ActionByID(id).FullName())
	}
	mangle := func(s string) string {
		switch r.IntN(4) {
		case 0:
			return strings.ToUpper(s)
		case 1:
			return strings.ToLower(s)
		}
		return s
	}
	for _, n := range names {
		if got, want := Expand(kb, []string{mangle(n), "nosuch:Action"}), expandRef(kb, []string{n}); !reflect.DeepEqual(got, want) {
			t.Fatalf("Expand(%s) = %v, want %v", n, got, want)
		}
	}
	others := []string{"s3:Get*", "*", "ec2:Describe?nstances", "nosuch:Thing", "", " s3:GetObject", "s3:*Object*", "iam:pass?ole"}
	for range 3000 {
		ps := make([]string, r.IntN(70))
		for i := range ps {
			if r.IntN(4) == 0 {
				ps[i] = others[r.IntN(len(others))]
			} else {
				ps[i] = mangle(names[r.IntN(len(names))])
			}
		}
		if got, want := Expand(kb, ps), expandRef(kb, ps); !reflect.DeepEqual(got, want) {
			t.Fatalf("Expand(%q) = %v, want %v", ps, got, want)
		}
	}
}

// TestNamesKnown: NamesKnown says whether every pattern without a
// wildcard names a known action.
func TestNamesKnown(t *testing.T) {
	kb := iamref.Default()
	r := rand.New(rand.NewPCG(27, 28))
	pool := []string{"s3:GetObject", "S3:getobject", "s3:Get*", "*", "nosuch:Thing", "", "s3:${aws:username}", "iam:PassRole", "ec2:Describe?nstances", " s3:PutObject"}
	for range 3000 {
		vals := make([]string, r.IntN(4))
		want := true
		for i := range vals {
			vals[i] = pool[r.IntN(len(pool))]
			if v := strings.TrimSpace(vals[i]); !strings.ContainsAny(v, "*?") && kb.Action(v) == nil {
				want = false
			}
		}
		s := NewStatement(kb, &policy.Statement{Effect: "Allow", Action: policy.NewList(vals...)}, true)
		if s.NamesKnown != want {
			t.Fatalf("%q: NamesKnown %v, want %v", vals, s.NamesKnown, want)
		}
	}
}

// TestLowerAllRandom compares lowerAll with strings.ToLower on lists of
// random ASCII text, every byte below 0x80 (the letters' neighbours '@',
// '[' and '`' included), and now and then a character that is not.
func TestLowerAllRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for range 20000 {
		texts := make([]string, r.IntN(5))
		for i := range texts {
			b := make([]byte, r.IntN(30))
			for k := range b {
				b[k] = byte(r.IntN(0x80))
			}
			texts[i] = string(b)
			if r.IntN(50) == 0 {
				texts[i] += "É"
			}
		}
		got := lowerAll(texts)
		for i, s := range texts {
			if got[i] != strings.ToLower(s) {
				t.Fatalf("lowerAll(%q)[%d] = %q, want %q", texts, i, got[i], strings.ToLower(s))
			}
		}
	}
}
