package suggest

import (
	"os"
	"slices"
	"maps"
	"testing"
	"time"
	"strings"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/subset"
	"github.com/policycheck/policycheck/internal/corpus"
)

func TestZZCount(t *testing.T) {
	if os.Getenv("ZZCOUNT") == "" {
		t.Skip()
	}
	docs, _ := corpus.Load(corpus.Path(t))
	kb := iamref.Default()
	var policies, builds, empty, verifies, dupDocs int
	var tShared, tBuild, tJSON, tRead, tSubset, tAnalyze time.Duration
	fails := map[string]int{}
	winners := map[int]int{}
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		if len(docs[name]) > policy.MaxInputBytes { continue }
		rr, _ := policy.Read(docs[name], policy.Options{Name: name, Type: policy.Identity})
		for _, doc := range rr.Documents {
			policies++
			res := analysis.Analyze(kb, doc)
			t0 := time.Now()
			f := &shared{kb: kb, doc: doc, res: res, arn: factsOf(doc), read: readLevels(kb), remove: escalationRemovals(kb, res.Findings), services: passRoleServices(kb, doc), passRole: kb.Action("iam:PassRole")}
			f.removeIDs = slices.Sorted(maps.Keys(f.remove))
			tShared += time.Since(t0)
			seen := map[string]bool{}
			for k, opts := range attempts {
				t0 = time.Now()
				d, changes := build(f, opts)
				tBuild += time.Since(t0)
				builds++
				if len(changes) == 0 { empty++; continue }
				t0 = time.Now()
				data := d.JSON()
				tJSON += time.Since(t0)
				if seen[string(data)] { dupDocs++ }
				seen[string(data)] = true
				verifies++
				t0 = time.Now()
				rr2, err := policy.Read(data, policy.Options{Name: doc.Name, Type: doc.Type})
				tRead += time.Since(t0)
				if err != nil { fails["read"]++; continue }
				got := rr2.Documents[0]
				t0 = time.Now()
				v := subset.Check(kb, doc, got)
				tSubset += time.Since(t0)
				if !v.Proven { fails["subset:"+strings.SplitN(v.Reason, " ", 4)[0]]++; continue }
				t0 = time.Now()
				r := analysis.Analyze(kb, got)
				tAnalyze += time.Since(t0)
				if r.Score < res.Score { fails["score"]++; continue }
				winners[k]++
				break
			}
		}
	}
	t.Logf("policies %d builds %d empty %d verifies %d dupDocs %d", policies, builds, empty, verifies, dupDocs)
	t.Logf("shared %v build %v json %v read %v subset %v analyze %v", tShared, tBuild, tJSON, tRead, tSubset, tAnalyze)
	t.Logf("fails %v winners %v", fails, winners)
}
