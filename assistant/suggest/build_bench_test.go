//go:build !race

// This file is CPU-heavy, as corpus_test.go.

package suggest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/internal/corpus"
)

// BenchmarkCorpusBuild times build alone over the managed policies: for
// each, the attempts Suggest builds before the gate accepts one.
func BenchmarkCorpusBuild(b *testing.B) {
	docs, err := corpus.Load(corpus.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	kb := iamref.Default()
	type input struct {
		doc      *policy.Document
		res      analysis.Result
		attempts int
	}
	var ins []input
	g := gate.New(kb, nil)
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		if len(docs[name]) > policy.MaxInputBytes {
			continue
		}
		rr, err := policy.Read(docs[name], policy.Options{Name: name, Type: policy.Identity})
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		for _, doc := range rr.Documents {
			res := analysis.Analyze(kb, doc)
			f := newShared(kb, doc, res)
			n := 0
			for _, opts := range attempts {
				n++
				d, changes := build(f, opts)
				if len(changes) == 0 {
					continue
				}
				_, _, err := g.Accept(context.Background(), gate.Original{Doc: doc, Score: res.Score, Norm: res.Policy},
					gate.Candidate{Source: gate.Engine, Doc: d, Changes: changes})
				var r *gate.Refusal
				if err == nil || !errors.As(err, &r) {
					break
				}
			}
			f.release()
			ins = append(ins, input{doc, res, n})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, in := range ins {
			f := newShared(kb, in.doc, in.res)
			for _, opts := range attempts[:in.attempts] {
				build(f, opts)
			}
			f.release()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(ins)), "µs/policy")
}
