//go:build !race

// This file is CPU-heavy and runs in the test pass without the race
// detector (README, "Run the tests"): the package has no concurrency
// for -race to check.

package suggest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/internal/corpus"
)

// corpusStats is what a run over the managed policies found.
type corpusStats struct {
	policies, suggested, nothing, failed int
	tooLarge                             int // over the reader's input limit
	gain                                 int // sum of score gains of the suggestions
	reasons                              map[string]int
}

func runCorpus(tb testing.TB, kb *iamref.KB, docs map[string][]byte, check bool) corpusStats {
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	slices.Sort(names)
	st := corpusStats{reasons: map[string]int{}}
	for _, name := range names {
		if len(docs[name]) > policy.MaxInputBytes {
			st.tooLarge++
			continue
		}
		rr, err := policy.Read(docs[name], policy.Options{Name: name, Type: policy.Identity})
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		for _, doc := range rr.Documents {
			st.policies++
			res := analysis.Analyze(kb, doc)
			s := Suggest(context.Background(), gate.New(kb, nil), kb, doc, res)
			if check {
				checkInvariants(tb, kb, doc, res, s)
			}
			switch {
			case s.Doc != nil:
				st.suggested++
				st.gain += s.Score - res.Score
			case s.Reason == NothingToTighten || strings.HasPrefix(s.Reason, "nothing the engine"):
				st.nothing++
			default:
				st.failed++
				st.reasons[s.Reason]++
			}
		}
	}
	return st
}

// TestCorpus suggests a tightened policy for every AWS managed policy and
// checks each one: it parses, is proven no broader, and scores no lower.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run in -short mode")
	}
	docs, err := corpus.Load(corpus.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	st := runCorpus(t, iamref.Default(), docs, true)
	avg := 0.0
	if st.suggested > 0 {
		avg = float64(st.gain) / float64(st.suggested)
	}
	t.Logf("%d policies (%d more over the reader's size limit): %d suggestions (average score gain %.2f), %d with nothing to tighten, %d without a safe suggestion",
		st.policies, st.tooLarge, st.suggested, avg, st.nothing, st.failed)
	for r, n := range st.reasons {
		t.Logf("%4d × %s", n, r)
	}
	// Most managed policies have something to tighten; a drop in these
	// figures means the engine stopped finding it.
	if st.suggested < st.policies/2 || avg < 1 {
		t.Errorf("%d suggestions for %d policies, average gain %.2f: want at least half, gaining 1 or more", st.suggested, st.policies, avg)
	}
}

func BenchmarkCorpus(b *testing.B) {
	docs, err := corpus.Load(corpus.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	kb := iamref.Default()
	var st corpusStats
	for b.Loop() {
		st = runCorpus(b, kb, docs, false)
	}
	b.ReportMetric(float64(st.suggested), "suggestions")
	b.ReportMetric(float64(st.gain)/float64(max(st.suggested, 1)), "avg-gain")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*st.policies), "µs/policy")
}

// BenchmarkCorpusSuggest times Suggest alone over the managed policies,
// read and analysed beforehand.
func BenchmarkCorpusSuggest(b *testing.B) {
	docs, err := corpus.Load(corpus.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	kb := iamref.Default()
	type input struct {
		doc *policy.Document
		res analysis.Result
	}
	var ins []input
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		if len(docs[name]) > policy.MaxInputBytes {
			continue
		}
		rr, err := policy.Read(docs[name], policy.Options{Name: name, Type: policy.Identity})
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		for _, doc := range rr.Documents {
			ins = append(ins, input{doc, analysis.Analyze(kb, doc)})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, in := range ins {
			Suggest(context.Background(), gate.New(kb, nil), kb, in.doc, in.res)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(ins)), "µs/policy")
}
