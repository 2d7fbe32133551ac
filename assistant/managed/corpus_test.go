//go:build !race

// This file reads the whole corpus, CPU-heavy work the race detector would
// only slow down.

package managed

import (
	"bytes"
	"testing"

	"github.com/policycheck/policycheck/internal/corpus"
)

// TestMatchesCorpus: the embedded data holds every policy of the corpus
// scripts/fetch-corpus.sh fetches (the same package version), each with
// its current document.
func TestMatchesCorpus(t *testing.T) {
	docs, err := corpus.Load(corpus.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(data().policies); n != len(docs) {
		t.Errorf("%d policies embedded, the corpus has %d", n, len(docs))
	}
	for name, doc := range docs {
		p, ok := Lookup(name)
		if !ok {
			t.Errorf("%s: not embedded", name)
			continue
		}
		if !bytes.Equal(p.Document, doc) {
			t.Errorf("%s: embedded document differs from the corpus", name)
		}
	}
}
