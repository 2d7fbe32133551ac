package subset

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
)

// TestSameAllowShortcut: the shortcut for Allows the original has as
// they are changes no verdict, on every edit of random policies.
func TestSameAllowShortcut(t *testing.T) {
	kb := iamref.Default()
	kept := 0
	for seed := int64(0); seed < 300; seed++ {
		for op := 0; op < len(narrowings)+len(widenings); op++ {
			g := newGen(seed)
			a := g.policy()
			b, what, _, ok := g.derive(a, op)
			if !ok {
				continue
			}
			kept += sameVerdicts(t, kb, a, b, what)
		}
	}
	if kept < 1000 {
		t.Errorf("only %d Allows took the shortcut", kept)
	}
}

// sameVerdicts checks that b against a gets the same verdict with the
// shortcut and without, and that the search proves every Allow the
// shortcut takes; it returns how many Allows took it.
func sameVerdicts(t *testing.T, kb *iamref.KB, a, b *policy.Document, what string) int {
	t.Helper()
	na, nb := norm.New(kb, a), norm.New(kb, b)
	fast, full := check(kb, na, nb, true), check(kb, na, nb, false)
	if fast != full {
		t.Fatalf("%s: shortcut gives %+v, the search %+v\nA: %s\nB: %s", what, fast, full, a.JSON(), b.JSON())
	}
	c := &checker{kb: kb}
	c.aAllow, c.aDeny = prepare(kb, na)
	c.bAllow, c.bDeny = prepare(kb, nb)
	n := 0
	for _, s := range c.bAllow {
		if !c.kept(s) {
			continue
		}
		n++
		if v, ok := c.allowCovered(s); !ok {
			t.Fatalf("%s: the search does not prove an Allow the original has as it is: %s\nA: %s\nB: %s", what, v.Reason, a.JSON(), b.JSON())
		}
	}
	return n
}

// TestSameAllowShortcutShapes: statements of every shape the proof
// handles (principals, NotPrincipal, NotAction, NotResource, no
// Resource, variables, conditions the proof cannot compare) are proven
// by the search against themselves, so that the shortcut agrees.
func TestSameAllowShortcutShapes(t *testing.T) {
	kb := iamref.Default()
	shapes := []m{
		allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"),
		allow([]string{"s3:Get*", "s3:unknownAction", "s3:Get?bject"}, []string{"arn:aws:s3:::b/*", "arn:aws:s3:::b/é?"}),
		{"Effect": "Allow", "NotAction": []string{"iam:*", "s3:Delete*"}, "Resource": "*"},
		{"Effect": "Allow", "Action": "s3:*", "NotResource": []string{"arn:aws:s3:::secret/*", "arn:aws:s3:::${aws:userid}"}},
		{"Effect": "Allow", "Action": "s3:GetObject", "Principal": m{"AWS": []string{"123456789012", "arn:aws:iam::210987654321:role/r"}, "Service": "lambda.amazonaws.com"}},
		{"Effect": "Allow", "Action": "s3:GetObject", "Principal": "*", "Resource": "arn:aws:s3:::b/*"},
		{"Effect": "Allow", "Action": "s3:GetObject", "NotPrincipal": m{"AWS": "arn:aws:iam::123456789012:root"}, "Resource": "arn:aws:s3:::b/*"},
		with(allow("s3:ListBucket", "arn:aws:s3:::b"), "Condition", m{
			"NumericLessThan":        m{"s3:max-keys": "10"},
			"Null":                   m{"aws:TokenIssueTime": "false"},
			"ForAnyValue:StringLike": m{"aws:TagKeys": []string{"a*", "${aws:username}"}},
			"DateGreaterThan":        m{"aws:CurrentTime": "2020-01-01T00:00:00Z"},
		}),
		with(allow("*", "*"), "Condition", m{"IpAddress": m{"aws:SourceIp": "not an address"}}),
		allow("s3:GetObject", []string{}),
	}
	for i, s := range shapes {
		for _, typ := range []policy.Type{policy.Identity, policy.Resource} {
			a := doc(t, typ, allow("sqs:SendMessage", "*"), s, deny("iam:*", "*"))
			b := doc(t, typ, s, deny("iam:*", "*"))
			if n := sameVerdicts(t, kb, a, b, "shape"); n != 1 {
				t.Errorf("shape %d (%s): %d Allows took the shortcut, want 1", i, typ, n)
			}
			if v := Check(kb, a, b); !v.Proven {
				t.Errorf("shape %d (%s): not proven: %s", i, typ, v.Reason)
			}
		}
	}
}

// TestSameAllowKeepsDenies: keeping every Allow does not excuse dropping
// or narrowing a Deny, nor a change of policy variables' meaning.
func TestSameAllowKeepsDenies(t *testing.T) {
	kb := iamref.Default()
	s3 := allow("s3:*", "*")
	a := doc(t, policy.Identity, s3, deny("s3:DeleteObject", "arn:aws:s3:::b/*"))
	for _, b := range []*policy.Document{
		doc(t, policy.Identity, s3),
		doc(t, policy.Identity, s3, deny("s3:DeleteObject", "arn:aws:s3:::b/logs/*")),
		doc(t, policy.Identity, s3, with(deny("s3:DeleteObject", "arn:aws:s3:::b/*"), "Condition", m{"Bool": m{"aws:SecureTransport": "true"}})),
	} {
		if v := Check(kb, a, b); v.Proven || !strings.Contains(v.Reason, "removes the original's Deny") {
			t.Errorf("kept the Allow, weakened the Deny: got %+v\nB: %s", v, b.JSON())
		}
		sameVerdicts(t, kb, a, b, "weakened Deny")
	}

	// The same text means another thing when variables are not in force.
	s := allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")
	a = doc(t, policy.Identity, s)
	b := doc(t, policy.Identity, s)
	b.Version = "2008-10-17"
	if v := Check(kb, a, b); v.Proven {
		t.Errorf("variables as literal text proven within variables")
	}
	sameVerdicts(t, kb, a, b, "version")
}

// TestLiteralsDiffer: patterns literalsDiffer tells apart are ones the
// full comparison finds not covered, whatever the variables' meaning.
func TestLiteralsDiffer(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	parts := []string{"a", "b", "s3", ":", "*", "?", "${aws:username}", "${", "}", "/", "arn", "é", "\xff", "$"}
	gen := func() string {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		return b.String()
	}
	told := 0
	for range 200000 {
		o, i := gen(), gen()
		if !literalsDiffer(o, i) {
			continue
		}
		told++
		for _, v := range [][2]bool{{true, true}, {true, false}, {false, true}, {false, false}} {
			if coversPatterns(o, v[0], i, v[1]) {
				t.Fatalf("literalsDiffer(%q, %q), yet %q covers %q (vars %v)", o, i, o, i, v)
			}
		}
	}
	if told < 10000 {
		t.Errorf("only %d pairs told apart", told)
	}
}

// coversRef is covers as first written, every pattern through
// iamref.PatternCovers.
func coversRef(outer string, outerVars bool, inner string, innerVars bool) bool {
	if strings.Contains(outer, "${") {
		return outer == inner && outerVars == innerVars
	}
	if iamref.IsAllWildcard(outer) || outer == inner {
		return true
	}
	if oddQuestionMark(outer, inner) {
		return false
	}
	inner = varsAsStar(inner)
	if !strings.HasPrefix(literalPrefix(inner), literalPrefix(outer)) ||
		!strings.HasSuffix(literalSuffix(inner), literalSuffix(outer)) {
		return false
	}
	return iamref.PatternCovers(outer, inner)
}

// TestCoversReference: covers, with its quick answers, answers as
// coversRef on patterns built from the pieces of ARNs and actions.
func TestCoversReference(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	parts := []string{"arn:aws:s3:::", "b", "a", "/", "*", "?", "${aws:username}", "${", "}", "s3:", "get", ":", "é", "$", "**"}
	gen := func() string {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		return b.String()
	}
	yes := 0
	for range 300000 {
		o, i := gen(), gen()
		if r.IntN(3) == 0 {
			i = o + gen() // inner often within outer's prefix
		}
		for _, v := range [][2]bool{{true, true}, {true, false}, {false, true}} {
			got, want := covers(o, v[0], i, v[1]), coversRef(o, v[0], i, v[1])
			if got != want {
				t.Fatalf("covers(%q, %v, %q, %v) = %v, want %v", o, v[0], i, v[1], got, want)
			}
			if got {
				yes++
			}
		}
	}
	if yes < 10000 {
		t.Errorf("only %d pairs covered", yes)
	}
}

// TestNarrowedShortcut: an Allow with fewer actions than the original's
// is taken without the search only when the search would prove it; a
// wildcard the original spells out action by action still needs the
// search, which refuses it (actions AWS adds later).
func TestNarrowedShortcut(t *testing.T) {
	kb := iamref.Default()
	var gets []string
	kb.Expand("s3:Get*").Each(func(id iamref.ActionID) bool {
		gets = append(gets, kb.ActionByID(id).FullName())
		return true
	})
	cond := m{"StringEquals": m{"aws:SourceVpc": "vpc-1"}}
	orig := with(with(allow([]string{"s3:GetObject", "s3:PutObject", "s3:Get*", "nosuch:Thing"}, "arn:aws:s3:::b/*"), "Condition", cond), "Principal", m{"AWS": "123456789012"})
	a := doc(t, policy.Resource, orig, deny("s3:DeleteObject", "*"))
	for _, tc := range []struct {
		actions   any
		shortcut  bool
		provenToo bool
	}{
		{[]string{"s3:GetObject"}, true, true},
		{[]string{"s3:Get*", "nosuch:Thing"}, true, true},
		{[]string{"s3:GetObj*"}, false, true},
		{[]string{"s3:GetObject", "nosuch:Other"}, false, false},
		{[]string{"s3:PutObjectAcl"}, false, false},
	} {
		s := with(with(allow(tc.actions, "arn:aws:s3:::b/*"), "Condition", cond), "Principal", m{"AWS": "123456789012"})
		b := doc(t, policy.Resource, s, deny("s3:DeleteObject", "*"))
		if n := sameVerdicts(t, kb, a, b, "narrowed"); (n == 1) != tc.shortcut {
			t.Errorf("%v: shortcut taken %d times, want %v", tc.actions, n, tc.shortcut)
		}
		if v := Check(kb, a, b); v.Proven != tc.provenToo {
			t.Errorf("%v: proven %v (%s), want %v", tc.actions, v.Proven, v.Reason, tc.provenToo)
		}
	}

	// Every s3:Get* action by name does not cover s3:Get*, though the
	// bits are the same.
	a = doc(t, policy.Identity, allow(gets, "*"))
	b := doc(t, policy.Identity, allow("s3:Get*", "*"))
	if n := sameVerdicts(t, kb, a, b, "spelled out"); n != 0 {
		t.Errorf("the wildcard took the shortcut")
	}
	if v := Check(kb, a, b); v.Proven {
		t.Errorf("s3:Get* proven within its actions by name")
	}
}

func TestWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for range 20000 {
		s := make(iamref.ActionSet, r.IntN(8))
		for i := range s {
			if r.IntN(3) == 0 {
				s[i] = r.Uint64() >> r.IntN(64)
			}
		}
		lo, hi := -1, 0
		for i, w := range s {
			if w != 0 {
				if lo < 0 {
					lo = i
				}
				hi = i + 1
			}
		}
		want := wset{}
		if lo >= 0 {
			want = wset{lo: lo, w: s[lo:hi]}
		}
		if got := window(s); got.lo != want.lo || !slices.Equal(got.w, want.w) || (got.w == nil) != (want.w == nil) {
			t.Fatalf("window(%x) = %+v, want %+v", s, got, want)
		}
	}
}

// TestNarrowedResources: an Allow narrowed to some of the original's
// resources, as written, or from "*" to any, takes the shortcut; one
// narrowed otherwise is left to the search.
func TestNarrowedResources(t *testing.T) {
	kb := iamref.Default()
	for _, tc := range []struct {
		orig, narrowed m
		shortcut       bool
		proven         bool
	}{
		{allow([]string{"s3:GetObject", "s3:PutObject"}, []string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"}), allow("s3:GetObject", "arn:aws:s3:::c/*"), true, true},
		{allow("s3:GetObject", []string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"}), allow("s3:GetObject", "arn:aws:s3:::c/x/*"), false, true},
		{allow("s3:GetObject", "arn:aws:s3:::b/*"), allow("s3:GetObject", "arn:aws:s3:::d/*"), false, false},
		{allow("s3:*", "*"), allow("s3:GetObject", "arn:aws:s3:::any/*"), true, true},
		{allow("s3:*", "*"), m{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x/*"}, true, true},
		{allow("s3:GetObject", "arn:aws:s3:::${aws:username}/*"), allow("s3:GetObject", "arn:aws:s3:::${aws:username}/*"), true, true},
		{allow("s3:GetObject", "arn:aws:s3:::b/*"), m{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*"}, false, false},
		{allow("s3:GetObject", "arn:aws:s3:::b/*"), with(allow("s3:GetObject", "arn:aws:s3:::b/*"), "Condition", m{"Bool": m{"aws:SecureTransport": "true"}}), false, true},
	} {
		a := doc(t, policy.Identity, tc.orig)
		b := doc(t, policy.Identity, tc.narrowed)
		if n := sameVerdicts(t, kb, a, b, "resources"); (n == 1) != tc.shortcut {
			t.Errorf("%v within %v: shortcut taken %d times, want %v", tc.narrowed, tc.orig, n, tc.shortcut)
		}
		if v := Check(kb, a, b); v.Proven != tc.proven {
			t.Errorf("%v within %v: proven %v (%s), want %v", tc.narrowed, tc.orig, v.Proven, v.Reason, tc.proven)
		}
	}
}

// TestStmtNeedsPatternProof: the statement's answer, which trusts norm's
// NamesKnown, is needsPatternProof's for every pattern.
func TestStmtNeedsPatternProof(t *testing.T) {
	kb := iamref.Default()
	r := rand.New(rand.NewPCG(29, 30))
	pool := []string{"s3:GetObject", "S3:getobject", "s3:Get*", "*", "nosuch:Thing", "s3:${aws:username}", "iam:PassRole", "ec2:Describe?nstances", "s3:Get${x}", ""}
	for range 3000 {
		vals := make([]string, 1+r.IntN(4))
		for i := range vals {
			vals[i] = pool[r.IntN(len(pool))]
		}
		for _, vars := range []bool{true, false} {
			s := newStmt(norm.NewStatement(kb, &policy.Statement{Effect: "Allow", Action: policy.NewList(vals...)}, vars))
			for i, raw := range s.Raw {
				if got, want := s.needsPatternProof(kb, i), needsPatternProof(kb, raw); got != want {
					t.Fatalf("%q: pattern %q needs a proof %v, want %v", vals, raw, got, want)
				}
			}
		}
	}
}
