package suggest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/subset"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func read(t testing.TB, data []byte, typ policy.Type) *policy.Document {
	t.Helper()
	res, err := policy.Read(data, policy.Options{Name: "test", Type: typ})
	if err != nil {
		t.Fatalf("read: %v\n%s", err, data)
	}
	return res.Documents[0]
}

// render writes a suggestion as the golden files hold it.
func render(orig analysis.Result, s Suggestion) string {
	var b strings.Builder
	if s.Doc == nil {
		fmt.Fprintf(&b, "score: %d\nno suggestion: %s\n", orig.Score, s.Reason)
		return b.String()
	}
	fmt.Fprintf(&b, "score: %d -> %d\nchanges:\n", orig.Score, s.Score)
	for _, c := range s.Changes {
		fmt.Fprintf(&b, "- [%d] %s\n  why: %s\n", c.Statement, c.What, c.Why)
	}
	fmt.Fprintf(&b, "policy:\n%s\n", s.Doc.JSON())
	return b.String()
}

// checkInvariants asserts what every suggestion must satisfy.
func checkInvariants(t testing.TB, kb *iamref.KB, doc *policy.Document, res analysis.Result, s Suggestion) {
	t.Helper()
	if s.Doc == nil {
		if s.Reason == "" {
			t.Errorf("%s: no suggestion and no reason", doc.Name)
		}
		return
	}
	if len(s.Changes) == 0 {
		t.Errorf("%s: suggestion without changes", doc.Name)
	}
	again, err := policy.Read(s.Doc.JSON(), policy.Options{Name: doc.Name, Type: doc.Type})
	if err != nil || len(again.Documents) != 1 {
		t.Fatalf("%s: suggestion does not re-read: %v\n%s", doc.Name, err, s.Doc.JSON())
	}
	// What is shown is the document judged, and it reads back as written.
	if a := again.Documents[0]; string(s.Policy) != string(s.Doc.JSON()) || string(a.JSON()) != string(s.Policy) || a.Size != s.Doc.Size {
		t.Errorf("%s: the suggestion shown (%d characters) does not read back as the document judged (%d):\n%s", doc.Name, a.Size, s.Doc.Size, s.Policy)
	}
	if v := subset.Check(kb, doc, again.Documents[0]); !v.Proven {
		t.Errorf("%s: suggestion not proven no broader: %s", doc.Name, v.Reason)
	}
	if r := analysis.Analyze(kb, again.Documents[0]); r.Score < res.Score || r.Score != s.Score {
		t.Errorf("%s: suggestion scores %d (reported %d), original %d", doc.Name, r.Score, s.Score, res.Score)
	}
}

func TestSuggestGolden(t *testing.T) {
	kb := iamref.Default()
	types := map[string]policy.Type{
		"public-bucket": policy.Resource,
		"github-trust":  policy.Trust,
	}
	files, err := filepath.Glob("testdata/in/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc := read(t, data, types[name])
			res := analysis.Analyze(kb, doc)
			s := Suggest(context.Background(), gate.New(kb, nil), kb, doc, res)
			checkInvariants(t, kb, doc, res, s)
			got := render(res, s)
			golden := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Errorf("suggestion differs from %s:\n%s", golden, report.Diff(want, []byte(got)))
			}
		})
	}
}
