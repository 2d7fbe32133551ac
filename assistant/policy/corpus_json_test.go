//go:build !race

package policy

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestCorpusJSONIndented holds JSON to json.Indent of MinifiedJSON on
// every AWS managed policy.
func TestCorpusJSONIndented(t *testing.T) {
	names, docs := corpusDocs(t)
	for _, n := range names {
		rr, err := Read(docs[n], Options{Name: n, MaxBytes: 1 << 20})
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, d := range rr.Documents {
			var want bytes.Buffer
			if err := json.Indent(&want, d.MinifiedJSON(), "", "  "); err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			if !bytes.Equal(d.JSON(), want.Bytes()) {
				t.Fatalf("%s: JSON() differs from the indented MinifiedJSON", n)
			}
			w := *d
			if text := w.AppendText(nil); !bytes.Equal(text, want.Bytes()) || w.Size != jsonSize(string(text)) {
				t.Fatalf("%s: AppendText gives size %d, want %d", n, w.Size, jsonSize(string(text)))
			}
		}
	}
}
