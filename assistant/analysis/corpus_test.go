package analysis

import (
	"sort"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/internal/corpus"
)

// BenchmarkAnalyzeCorpus reads and analyses every AWS managed policy per
// iteration (no suggestion), and reports the slowest policy.
func BenchmarkAnalyzeCorpus(b *testing.B) {
	docs, err := corpus.Load(corpus.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	k := kb()
	var slowest time.Duration
	var slowName string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, n := range names {
			start := time.Now()
			res, err := policy.Read(docs[n], policy.Options{Name: n, MaxBytes: 256 << 10})
			if err != nil {
				b.Fatal(err)
			}
			for _, d := range res.Documents {
				Analyze(k, d)
			}
			if d := time.Since(start); d > slowest {
				slowest, slowName = d, n
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/corpus")
	b.ReportMetric(float64(slowest.Microseconds())/1000, "ms-slowest-policy")
	b.Logf("slowest policy: %s (%v)", slowName, slowest)
}
