package suppress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/policycheck/policycheck/assistant/report"
)

// Baseline is the set of findings of a previous run, by fingerprint (see
// report.Report.Fingerprints).
type Baseline map[string]bool

// LoadBaseline reads the output of a previous `policycheck check --format
// json`: one report, or one per line. Objects that are not reports
// (errors, skipped files) are passed over.
func LoadBaseline(path string) (Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	defer f.Close()
	b := Baseline{}
	dec := json.NewDecoder(f)
	for n := 1; ; n++ {
		var r report.Report
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read baseline %s: object %d: %v (a baseline is the output of check --format json)", path, n, err)
		}
		for _, fp := range r.Fingerprints() {
			b[fp] = true
		}
	}
	return b, nil
}

// Mark sets each finding's Baseline state: unchanged when the baseline
// has it, new otherwise.
func (b Baseline) Mark(r *report.Report) {
	state := map[string]string{}
	for i, fp := range r.Fingerprints() {
		f := &r.Findings[i]
		f.Baseline = report.BaselineNew
		if b[fp] {
			f.Baseline = report.BaselineUnchanged
		}
		state[f.ID] = f.Baseline
	}
	for i := range r.Documents {
		for j := range r.Documents[i].Findings {
			f := &r.Documents[i].Findings[j]
			f.Baseline = state[f.ID]
		}
	}
}
