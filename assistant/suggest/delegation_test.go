//go:build !race

// This file is CPU-heavy and runs in the test pass without the race
// detector (README, "Run the tests").

package suggest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/subset"
	"github.com/policycheck/policycheck/internal/corpus"
)

// rootWritings are the ways templates and policies write the account root.
var rootWritings = []string{
	"arn:aws:iam::111122223333:root",
	"111122223333",
	"arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
	"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root",
	"${AWS::AccountId}",
}

// keepsDelegations fails when the suggestion for doc takes anything away
// from a statement that delegates to whole accounts; it returns how many
// such statements doc has.
func keepsDelegations(tb testing.TB, kb *iamref.KB, doc *policy.Document, s Suggestion) int {
	tb.Helper()
	if doc.Type != policy.Resource && doc.Type != policy.Endpoint {
		return 0
	}
	deleg := &policy.Document{Name: doc.Name, Type: doc.Type, Version: doc.Version, Refs: doc.Refs}
	n := 0
	for _, st := range doc.Statements {
		switch {
		case strings.EqualFold(st.Effect, "Deny"):
			deleg.Statements = append(deleg.Statements, st)
		case strings.EqualFold(st.Effect, "Allow") && hasAnyResource(&st):
			if _, ok := analysis.AccountRoots(st.Principal); ok {
				deleg.Statements = append(deleg.Statements, st)
				n++
			}
		}
	}
	if n == 0 || s.Doc == nil {
		return n
	}
	if v := subset.Check(kb, s.Doc, deleg); !v.Proven {
		tb.Errorf("%s: the suggestion narrows an account-root delegation: %s\n%s", doc.Name, v.Reason, s.Doc.JSON())
	}
	return n
}

// TestNoSuggestionNarrowsAccountRoot: over the inputs of the tests and over
// every AWS managed policy turned into a key policy whose first statement
// delegates to the account (written each way templates write it), no
// suggestion takes anything away from an account-root statement.
func TestNoSuggestionNarrowsAccountRoot(t *testing.T) {
	kb := iamref.Default()
	g := gate.New(kb, nil)
	var inputs []string
	for _, pattern := range []string{"testdata/in/*", "../../examples/*", "../../testdata/references/*.*", "../../testdata/references/org/*.*", "../../testdata/references/org/*/*"} {
		m, _ := filepath.Glob(pattern)
		inputs = append(inputs, m...)
	}
	roots, suggested := 0, 0
	review := func(doc *policy.Document) {
		res := analysis.Analyze(kb, doc)
		s := Suggest(context.Background(), g, kb, doc, res)
		roots += keepsDelegations(t, kb, doc, s)
		if s.Doc != nil {
			suggested++
		}
	}
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		rr, err := policy.Read(data, policy.Options{Name: filepath.Base(in)})
		if err != nil {
			continue // a test input that is not a policy
		}
		for _, doc := range rr.Documents {
			review(doc)
		}
	}
	if roots < 5 {
		t.Errorf("the test inputs hold %d account-root statements; want the key policies of testdata/references", roots)
	}
	docs, err := corpus.Load(corpus.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	keyPolicies := 0
	i := 0
	for name, data := range docs {
		rr, err := policy.Read(data, policy.Options{Name: name, Type: policy.Identity, MaxBytes: 1 << 20})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var p map[string]any
		if err := json.Unmarshal(rr.Documents[0].JSON(), &p); err != nil {
			t.Fatal(err)
		}
		stmts, _ := p["Statement"].([]any)
		if len(stmts) == 0 {
			continue
		}
		root := rootWritings[i%len(rootWritings)]
		i++
		out := []any{map[string]any{"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
			"Principal": map[string]any{"AWS": root}, "Action": "kms:*", "Resource": "*"}}
		for _, s := range stmts {
			if m, ok := s.(map[string]any); ok {
				m["Principal"] = map[string]any{"AWS": "arn:aws:iam::111122223333:role/app"}
				out = append(out, m)
			}
		}
		p["Statement"] = out
		p["Version"] = "2012-10-17"
		text, _ := json.Marshal(p)
		kr, err := policy.Read(text, policy.Options{Name: name + " as a key policy", Type: policy.Resource, MaxBytes: 1 << 20})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		keyPolicies++
		review(kr.Documents[0])
	}
	t.Logf("%d account-root statements checked (%d key policies built from the corpus), %d suggestions, none narrows one",
		roots, keyPolicies, suggested)
}
