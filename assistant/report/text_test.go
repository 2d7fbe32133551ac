package report

import (
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	r := &Report{
		File: "p.json", Score: 4, Summary: "4/10: iam:PassRole on every role.",
		Findings: []Finding{
			{Category: PassRole, Severity: High, Statement: 1, Sid: "Deploy", Line: 9, Title: "iam:PassRole on every role", Detail: "d", Recommendation: "fix it", Source: "engine"},
			{Category: WildcardResource, Severity: Low, Statement: 0, Title: "read on *", Source: "model"},
		},
		NoSuggestionReason: "nothing to tighten.",
		Analyzers:          []string{"built-in engine"},
		DataVersion:        "test",
	}
	tests := []struct {
		name  string
		color bool
		want  []string
		not   []string
	}{
		{"plain", false, []string{"p.json: 4/10 [####......]", "HIGH (1)", "at statement 1 (Sid Deploy), line 9", "fix: fix it", "found by the model", "No suggested policy (nothing to tighten)."}, []string{"\x1b["}},
		{"color", true, []string{"\x1b[31mHIGH (1)\x1b[0m"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteText(&b, r, TextOptions{Color: tt.color}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range tt.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("output has %q", w)
				}
			}
		})
	}
}

// TestWriteTextControlCharacters checks that text from the policy cannot
// drive the terminal or forge lines of the report.
func TestWriteTextControlCharacters(t *testing.T) {
	r := &Report{
		File: "p.json", Score: 1, Summary: "1/10: all actions on all resources.",
		Findings:        []Finding{{Category: FullAdmin, Severity: Critical, Statement: 0, Sid: "\x1b[8m\u202e", Title: "admin\n10/10: fine", Source: "engine"}},
		SuggestedPolicy: &Suggestion{Document: "p.json", Score: 8, Diff: "-  \"Sid\": \"\\u001b\"\n+  \"Sid\": \"x\"\n"},
	}
	var b strings.Builder
	if err := WriteText(&b, r, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`(Sid \x1b[8m\u202e)`, `admin\x0a10/10: fine`, "-  \"Sid\": \"\\u001b\"\n+  \"Sid\": \"x\""} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[8m") || strings.Contains(out, "\u202e") || strings.Contains(out, "\n10/10") {
		t.Errorf("control characters reached the output:\n%q", out)
	}
}
