package analysis

import (
	"bytes"
	"os"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/internal/corpus"
)

// TestCorpusRules reviews every AWS managed policy and checks that each
// finding comes from a registered rule that docs/rules.md documents.
func TestCorpusRules(t *testing.T) {
	docs, err := corpus.Load(corpus.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	k := kb()
	seen := map[string]int{}
	for name, data := range docs {
		res, err := policy.Read(data, policy.Options{Name: name, MaxBytes: 256 << 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Documents {
			r := Analyze(k, d)
			checkRules(t, r)
			for _, f := range r.Findings {
				seen[f.Rule]++
			}
		}
	}
	for id, n := range seen {
		if !bytes.Contains(md, []byte("\n## "+id+" ")) {
			t.Errorf("docs/rules.md does not document %s (%d findings): run go generate ./assistant/analysis", id, n)
		}
	}
	t.Logf("%d policies, findings of %d rules", len(docs), len(seen))
}

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

// BenchmarkAnalyzeCorpusParallel is BenchmarkAnalyzeCorpus on every CPU,
// as `policycheck check` reviews a directory: the wall time of one pass.
func BenchmarkAnalyzeCorpusParallel(b *testing.B) {
	docs, err := corpus.Load(corpus.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	datas := make([][]byte, 0, len(docs))
	for _, d := range docs {
		datas = append(datas, d)
	}
	k := kb()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next := make(chan []byte)
		var wg sync.WaitGroup
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for data := range next {
					res, err := policy.Read(data, policy.Options{MaxBytes: 256 << 10})
					if err != nil {
						b.Error(err)
						continue
					}
					for _, d := range res.Documents {
						Analyze(k, d)
					}
				}
			}()
		}
		for _, d := range datas {
			next <- d
		}
		close(next)
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/corpus")
}
