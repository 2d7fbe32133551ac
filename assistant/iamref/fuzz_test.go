package iamref

import (
	"os"
	"strings"
	"testing"
)

// FuzzLoad feeds damaged data to the parser: it must fail cleanly, and
// whatever it accepts must be consistent.
func FuzzLoad(f *testing.F) {
	good, err := os.ReadFile("internal/gen/testdata/want.dat")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(good))
	f.Add(strings.Replace(string(good), "\t1\t", "\t7\t", 1))
	f.Add("iamref-data 1\nversion\tx\nsizes\t0\t0\t0\t0\t0\t0\t0\t0\nend\n")
	f.Fuzz(func(t *testing.T, data string) {
		kb, err := Load(strings.NewReader(data))
		if err != nil {
			return
		}
		if kb.All().Len() != kb.NumActions() {
			t.Fatalf("All() has %d actions of %d", kb.All().Len(), kb.NumActions())
		}
		for id := ActionID(0); int(id) < kb.NumActions(); id++ {
			if a := kb.ActionByID(id); kb.Action(a.FullName()) != a {
				t.Fatalf("%s not found by name", a.FullName())
			}
		}
		kb.Expand("*:*a*")
		kb.Closest("x:y")
	})
}

// FuzzQueries feeds arbitrary text to every query of the embedded KB.
func FuzzQueries(f *testing.F) {
	for _, s := range [][2]string{
		{"s3:Get*", "arn:aws:s3:::bucket/*"},
		{"*:Describe?pcs", "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}"},
		{"aws:RequestTag/x", "a*b?c${x}"},
		{"lamda:InvokeFuntion", "*"},
		{"${", "arn:aws:s3:::"},
	} {
		f.Add(s[0], s[1])
	}
	kb := Default()
	obj := kb.Action("s3:GetObject").Resources[1].Type
	role := kb.Action("iam:PassRole").Resources[0].Type
	f.Fuzz(func(t *testing.T, a, b string) {
		kb.Expand(a)
		if !hasWild(a) {
			if act := kb.Action(a); act != nil && (kb.Expand(a).Len() != 1 || !kb.Expand(a).Has(act.ID)) {
				t.Fatalf("Expand(%q) is not its action", a)
			}
		}
		kb.MatchResource(b, obj)
		kb.MatchResource(b, role)
		kb.ConditionKey(a)
		kb.ConditionKeyApplies(a, obj.Service.Actions[0])
		kb.Closest(a)
		if PatternCovers(a, b) && !PatternsIntersect(a, b) {
			t.Fatalf("%q covers %q but they do not intersect", a, b)
		}
		if !PatternsIntersect(a, a) || !PatternCovers(a, a) {
			t.Fatalf("%q does not meet itself", a)
		}
	})
}
