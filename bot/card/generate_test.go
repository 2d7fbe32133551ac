package card

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
)

func generatedView() GeneratedView {
	return GeneratedView{
		Description: "Lambda that reads s3://acme-reports <!channel> and writes the orders table",
		Policy:      []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*"}]}`),
		Score:       9, Summary: "9/10: minor gaps.",
		Findings:    []report.Finding{{Category: report.WildcardResource, Severity: report.Low, Statement: 0, Title: "Read on every object", Source: "engine"}},
		Assumptions: []string{"Fill in the placeholders <account-id> with your own values", "The model assumed: the table is in the same account."},
		Notes:       []string{"dynamo:Frobnicate (under actions) is not an AWS action; it was left out"},
		Source:      "model", Verdicts: []string{"built-in subset check: grants nothing the original does not"},
		Analyzers: []string{"built-in engine", "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"},
		Spec:      "mode: crud\nread:\n- 'arn:aws:s3:::acme-reports/*'\n", RequesterID: "U024BE7LH", ReviewID: "r-123",
	}
}

// TestGeneratedContent: the card shows the score, what was asked (inert),
// the policy, what was assumed and left out, the spec and the button.
func TestGeneratedContent(t *testing.T) {
	m := Generated(generatedView())
	if !checkMessage(t, m) {
		t.Fatal("the card breaks a limit")
	}
	js := string(marshal(t, m))
	for _, want := range []string{"Generated policy: 9/10", "arn:aws:s3:::acme-reports/*", "*Assumed*", "*Left out*", "dynamo:Frobnicate",
		"mode: crud", "the built-in engine compiled it", "Requested by <@U024BE7LH>", ReevaluateAction, "&lt;!channel&gt;"} {
		if !strings.Contains(js, want) {
			t.Errorf("the card lacks %q:\n%s", want, js)
		}
	}
	if m.Snippet != nil {
		t.Errorf("a short policy became a snippet")
	}
	long := generatedView()
	long.Policy = longPolicy()
	if m := Generated(long); m.Snippet == nil || !checkMessage(t, m) {
		t.Errorf("a long policy is not a snippet")
	}
	if !checkMessage(t, GenerateProgress(lang.English, "U024BE7LH")) {
		t.Error("the progress card breaks a limit")
	}
}

func TestRandomGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 200 {
		g := GeneratedView{
			Description: randomText(rng, 5000), Score: rng.IntN(14) - 2, Summary: randomText(rng, 2000),
			Assumptions: randomTexts(rng, rng.IntN(40), 500), Notes: randomTexts(rng, rng.IntN(40), 500),
			Source: []string{"model", "spec"}[rng.IntN(2)], Verdicts: randomTexts(rng, 3, 200), Analyzers: randomTexts(rng, 3, 100),
			Spec: randomText(rng, 6000), RequesterID: []string{"", "U024BE7LH", randomText(rng, 50)}[rng.IntN(3)],
			Findings: randomReport(rng).Findings,
		}
		g.Policy, _ = json.Marshal(map[string]string{"Statement": randomText(rng, 5000)})
		if !checkMessage(t, Generated(g)) {
			t.Fatalf("card %d breaks a limit", i)
		}
	}
}
