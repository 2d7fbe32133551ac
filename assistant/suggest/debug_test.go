package suggest

import (
	"fmt"
	"os"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/internal/corpus"
)

func TestDebugCorpus(t *testing.T) {
	name := os.Getenv("POLICY")
	if name == "" {
		t.Skip()
	}
	docs, _ := corpus.Load(corpus.Path(t))
	kb := iamref.Default()
	for n, data := range docs {
		if name != "*" && n != name {
			continue
		}
		if len(data) > policy.MaxInputBytes {
			continue
		}
		rr, _ := policy.Read(data, policy.Options{Name: n, Type: policy.Identity})
		doc := rr.Documents[0]
		res := analysis.Analyze(kb, doc)
		f := &shared{kb: kb, doc: doc, res: res, arn: factsOf(doc), read: readLevels(kb), remove: escalationRemovals(kb, res.Findings), services: passRoleServices(kb, doc), passRole: kb.Action("iam:PassRole")}
		var lines []string
		ok := false
		for _, o := range attempts {
			d, ch := build(f, o)
			if len(ch) == 0 {
				lines = append(lines, fmt.Sprintf("  %s: no changes", o))
				continue
			}
			got, score, why := verify(kb, doc, res, d)
			if got != nil {
				lines = append(lines, fmt.Sprintf("  %s: OK %d -> %d", o, res.Score, score))
				ok = true
				break
			}
			lines = append(lines, fmt.Sprintf("  %s: %s", o, why))
		}
		if name != "*" || !ok {
			fmt.Printf("%s (score %d, size %d)\n", n, res.Score, doc.Size)
			for _, l := range lines {
				fmt.Println(l)
			}
		}
		if name != "*" {
			fmt.Println(string(data))
		}
	}
}
