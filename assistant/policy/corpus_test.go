//go:build !race

// This file is CPU-heavy and runs in the test pass without the race
// detector (README, "Run the tests"): the package has no concurrency
// for -race to check.

package policy

import (
	"sort"
	"sync"
	"testing"

	"github.com/policycheck/policycheck/internal/corpus"
)

// managedPolicies is the number of AWS managed policies in the corpus
// scripts/fetch-corpus.sh fetches.
const managedPolicies = 1594

var corpusCache struct {
	sync.Once
	docs map[string][]byte
	err  error
}

// corpusDocs returns the managed policies and their names in order; the
// file is read once for all tests.
func corpusDocs(tb testing.TB) ([]string, map[string][]byte) {
	tb.Helper()
	path := corpus.Path(tb) // skips, or fails in CI, when the corpus is missing
	corpusCache.Do(func() { corpusCache.docs, corpusCache.err = corpus.Load(path) })
	docs, err := corpusCache.docs, corpusCache.err
	if err != nil {
		tb.Fatal(err)
	}
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, docs
}

// TestReadCorpus reads every AWS managed policy: each must give one
// document, with every statement placed, that survives a round trip
// through JSON.
func TestReadCorpus(t *testing.T) {
	names, docs := corpusDocs(t)
	if len(names) != managedPolicies {
		t.Errorf("corpus has %d policies, want %d", len(names), managedPolicies)
	}
	read := 0
	for _, name := range names {
		res, err := Read(docs[name], Options{Name: name, MaxBytes: 1 << 20})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(res.Documents) != 1 || len(res.Notes) != 0 {
			t.Errorf("%s: %d documents and notes %v, want one document and no notes", name, len(res.Documents), res.Notes)
			continue
		}
		d := res.Documents[0]
		if len(d.Statements) == 0 {
			t.Errorf("%s: no statements", name)
		}
		for _, s := range d.Statements {
			if s.Pos.Line == 0 || s.EffectPos.Line == 0 {
				t.Errorf("%s: statement %d has no position", name, s.Index)
			}
		}
		checkRoundTrip(t, name, d)
		read++
	}
	if read != managedPolicies {
		t.Errorf("read %d policies, want %d", read, managedPolicies)
	}
}

// BenchmarkReadCorpus reads all the managed policies once per iteration:
// ns/op is the time to read the whole corpus.
func BenchmarkReadCorpus(b *testing.B) {
	names, docs := corpusDocs(b)
	size := 0
	for _, n := range names {
		size += len(docs[n])
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			if _, err := Read(docs[n], Options{Name: n, MaxBytes: 1 << 20}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
