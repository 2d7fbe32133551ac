//go:build !race

// This file is CPU-heavy and runs in the test pass without the race
// detector (README, "Run the tests"): the package has no concurrency
// for -race to check.

package card

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
)

// TestRandomReports renders many random reports, with fields up to 10,000
// characters and up to 500 findings, and checks every Slack limit, the
// card's own (20 blocks, 4,000 characters), and that the details show
// every finding.
func TestRandomReports(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 20
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		r, m := randomReport(rng), randomMeta(rng)
		if rng.IntN(20) == 0 {
			r = nil
		}
		msg := Render(r, m)
		if !checkMessage(t, msg) {
			t.Fatalf("report %d breaks a limit", i)
		}
		if len(msg.Blocks) > cardBlocks || textLen(msg.Blocks...) > cardText {
			t.Fatalf("report %d: card of %d blocks and %d characters", i, len(msg.Blocks), textLen(msg.Blocks...))
		}
		if !checkMessage(t, Summary(r, m)) || !checkMessage(t, Reevaluated(lang.English, m.ReevaluatedBy, m.PreviousScore, r)) {
			t.Fatalf("report %d: a summary or reply breaks a limit", i)
		}
		if i%25 == 0 {
			checkDetails(t, r)
		}
		if m.ReviewID != "" && runes(m.ReviewID) <= maxButtonValue && !strings.Contains(string(marshal(t, msg)), `"reevaluate"`) {
			t.Fatalf("report %d: no Re-evaluate button", i)
		}
	}
	for i := range 50 {
		for _, msg := range []Message{
			Failure(lang.English, randomText(rng, 10000), randomText(rng, 10000)),
			SyntaxFailure(lang.English, randomText(rng, 10000), rng.IntN(100), rng.IntN(20000)-10, randomText(rng, 10000)),
			Progress(lang.English),
			History(lang.English, randomHistory(rng)),
		} {
			if !checkMessage(t, msg) {
				t.Fatalf("message %d breaks a limit", i)
			}
		}
	}
}

// TestRandomAnswers renders random answers, with text up to 10,000
// characters, and checks every Slack limit.
func TestRandomAnswers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		a := AnswerView{
			Text: randomText(rng, 10000), Source: []string{"model", "engine", ""}[rng.IntN(3)],
			Note: randomText(rng, 10000), AskedBy: []string{"", "U024BE7LH", "<!channel>", randomText(rng, 50)}[rng.IntN(4)],
			PolicyScore: rng.IntN(14) - 2,
		}
		switch rng.IntN(4) {
		case 0:
			a.Policy = []byte(randomText(rng, 10000))
		case 1:
			a.Policy, _ = json.Marshal(map[string]string{"Statement": randomText(rng, 5000)})
		case 2:
			a.Policy = longPolicy()
		}
		if !checkMessage(t, Answer(a)) {
			t.Fatalf("answer %d breaks a limit: %+v", i, a)
		}
	}
}

// TestDetailsEveryFinding checks that every finding is on exactly one page
// of the details, whatever the report, and every page is a valid view.
func TestDetailsEveryFinding(t *testing.T) {
	reports := []*report.Report{nil, adminReport(), manyFindings(400), manyFindings(20), manyFindings(21), severalDocuments(), hostile(), modelReport()}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 15 {
		reports = append(reports, randomReport(rng))
	}
	for _, r := range reports {
		checkDetails(t, r)
	}
}
