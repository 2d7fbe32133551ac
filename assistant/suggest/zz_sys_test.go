package suggest

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/internal/corpus"
)

func TestZZSys(t *testing.T) {
	if os.Getenv("ZZSYS") == "" {
		t.Skip()
	}
	docs, _ := corpus.Load(corpus.Path(t))
	kb := iamref.Default()
	seen := map[string]bool{}
	for i := 0; i < 30; i++ {
		rr, _ := policy.Read(docs["SystemAdministrator"], policy.Options{Name: "x", Type: policy.Resource})
		doc := rr.Documents[0]
		res := analysis.Analyze(kb, doc)
		s := Suggest(kb, doc, res)
		ch, _ := json.MarshalIndent(s.Changes, "", " ")
		k := string(s.Doc.JSON()) + string(ch) + s.Reason
		if !seen[k] {
			seen[k] = true
			os.WriteFile("/tmp/h10/sys"+string(rune('a'+len(seen))), []byte(k), 0o644)
		}
	}
	t.Logf("%d variants", len(seen))
}
