package lang_test

import (
	"testing"

	"github.com/policycheck/policycheck/assistant/lang"
)

// BenchmarkReport translates the review of examples/overly-broad.json
// (9 findings, a suggestion of 10 changes) into Spanish.
func BenchmarkReport(b *testing.B) {
	t := &testing.T{}
	r := reviewFile(t, "../../examples/overly-broad.json")
	b.ReportAllocs()
	for b.Loop() {
		lang.Spanish.Report(r)
	}
}
