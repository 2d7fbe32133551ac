package report

import (
	"io"
	"sort"
	"strings"
)

// Tally adds up the results of a run over many files, for the summary
// that closes it.
type Tally struct {
	Reviewed, Skipped, Failed int
	// Findings counts the findings that count for a gate, by severity;
	// Suppressed those set aside by a suppression, Baseline those
	// already in the baseline.
	Findings             map[Severity]int
	Suppressed, Baseline int
	scores               []fileScore
}

type fileScore struct {
	file  string
	score int
}

// Add counts one reviewed report.
func (t *Tally) Add(r *Report) {
	t.Reviewed++
	if t.Findings == nil {
		t.Findings = map[Severity]int{}
	}
	for _, f := range r.Findings {
		switch {
		case f.Suppressed != nil:
			t.Suppressed++
		case f.Baseline == BaselineUnchanged:
			t.Baseline++
		default:
			t.Findings[f.Severity]++
		}
	}
	t.scores = append(t.scores, fileScore{r.File, r.Score})
}

// worstFiles is how many files the summary names.
const worstFiles = 5

// WriteText writes the summary: files reviewed, skipped and failed,
// findings per severity, suppressed, and the worst files.
func (t *Tally) WriteText(w io.Writer, color bool, lang Translator) error {
	p := &printer{w: w, color: color}
	tr := translator(lang)
	p.line("%s", p.paint("\x1b[1m", tr.Sprintf("%s reviewed, %s skipped (not policies), %d could not be read.",
		tr.Plural(t.Reviewed, "%d files", t.Reviewed), tr.Plural(t.Skipped, "%d files", t.Skipped), t.Failed)))
	var parts []string
	for _, sev := range []Severity{Critical, High, Medium, Low, Info} {
		parts = append(parts, severityCount(tr, sev, t.Findings[sev]))
	}
	line := tr.Sprintf("Findings: %s", strings.Join(parts, ", "))
	if t.Suppressed > 0 {
		line += "; " + tr.Sprintf("%d suppressed", t.Suppressed)
	}
	if t.Baseline > 0 {
		line += "; " + tr.Sprintf("%d already in the baseline", t.Baseline)
	}
	p.line("%s.", line)
	worst := append([]fileScore(nil), t.scores...)
	sort.SliceStable(worst, func(i, j int) bool { return worst[i].score < worst[j].score })
	for len(worst) > 0 && worst[len(worst)-1].score == 10 {
		worst = worst[:len(worst)-1]
	}
	if len(worst) > 0 {
		p.line("%s", tr.Sprintf("Worst files:"))
		for _, s := range worst[:min(len(worst), worstFiles)] {
			p.line("  %2d/10  %s", s.score, s.file)
		}
	}
	return p.err
}
