package gate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/suggest"
	"github.com/policycheck/policycheck/internal/corpus"
)

// BenchmarkAcceptCorpus passes through the gate again the suggestions it
// accepted for the AWS managed policies: the gate's own cost in a review
// of the corpus, without the suggester's.
func BenchmarkAcceptCorpus(b *testing.B) {
	calls := corpusCalls(b)
	b.ReportMetric(float64(len(calls)), "calls")
	g := gate.New(iamref.Default(), nil)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		for _, c := range calls {
			if _, _, err := g.Accept(ctx, c.orig, c.cand); err != nil {
				b.Fatalf("%s: %v", c.orig.Doc.Name, err)
			}
		}
	}
}

// BenchmarkReadCandidates reads back the texts of those suggestions,
// the gate's first step.
func BenchmarkReadCandidates(b *testing.B) {
	calls := corpusCalls(b)
	b.ResetTimer()
	for b.Loop() {
		for _, c := range calls {
			text := c.cand.Text
			if len(text) > policy.MaxInputBytes {
				var buf bytes.Buffer
				if json.Compact(&buf, text) == nil {
					text = buf.Bytes()
				}
			}
			if _, err := policy.Read(text, policy.Options{Name: c.orig.Doc.Name, Type: c.orig.Doc.Type}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

type call struct {
	orig gate.Original
	cand gate.Candidate
}

// corpusCalls are the gate's calls for the suggestions it accepts for
// the AWS managed policies.
func corpusCalls(b *testing.B) []call {
	docs, err := corpus.Load(corpus.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	kb := iamref.Default()
	g := gate.New(kb, nil)
	ctx := context.Background()
	var calls []call
	for _, n := range names {
		rr, err := policy.Read(docs[n], policy.Options{Name: n, MaxBytes: 256 << 10})
		if err != nil || len(rr.Documents) != 1 {
			continue
		}
		doc := rr.Documents[0]
		res := analysis.Analyze(kb, doc)
		s := suggest.Suggest(ctx, g, kb, doc, res)
		if s.Suggestion == nil {
			continue
		}
		calls = append(calls, call{
			gate.Original{Doc: doc, Score: res.Score, Norm: res.Policy},
			gate.Candidate{Source: gate.Engine, Text: s.Suggestion.Policy, Changes: s.Suggestion.Changes},
		})
	}
	return calls
}
