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
		{"plain", false, []string{"p.json: 4/10 [####......]", "HIGH (1)", "at statement 2 (Sid Deploy), line 9", "fix: fix it", "found by the model", "No suggested policy (nothing to tighten)."}, []string{"\x1b["}},
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
	if err := WriteText(&b, r, TextOptions{Color: true, Diff: true}); err != nil {
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

func TestWriteTextSuppressedAndSuggestion(t *testing.T) {
	r := &Report{
		File: "p.json", Score: 7, Summary: "7/10: write actions on every resource.",
		Findings: []Finding{
			{Rule: "PC201", Category: WildcardResource, Severity: Medium, Statement: 0, Title: "writes on *"},
			{Rule: "PC101", Category: FullAdmin, Severity: Critical, Statement: 1, Title: "admin",
				Suppressed: &Suppression{Rule: "PC101", Reason: "break-glass role", Source: ".policycheck.yaml:4"}},
		},
		SuppressionProblems: []Suppression{{Rule: "PC300", Source: "main.tf:3", Problem: "no reason given"}},
		SuggestedPolicy: &Suggestion{Document: "p.json", Score: 9, Changes: []Change{{Statement: 0, What: "scoped", Why: "w"}},
			Policy: []byte(`{"Version": "2012-10-17"}`), Diff: "-a\n+b\n"},
	}
	tests := []struct {
		name string
		o    TextOptions
		want []string
		not  []string
	}{
		{"default", TextOptions{}, []string{
			"MEDIUM (1)\n  [PC201 wildcard-resource] writes on *",
			"SUPPRESSED (1)\n  [PC101 full-admin] admin\n      at statement 2\n      suppressed: break-glass role (.policycheck.yaml:4)",
			"suppression not applied: PC300 (main.tf:3): no reason given",
			"Suggested policy for p.json: 9/10, proven no broader, 1 change: see what changed with --diff, the whole policy with --suggestion.",
		}, []string{"CRITICAL", "-a\n+b", "2012-10-17"}},
		{"diff", TextOptions{Diff: true}, []string{"  - statement 1: scoped (w)\n-a\n+b\n"}, []string{"2012-10-17"}},
		{"suggestion", TextOptions{Suggestion: true}, []string{`{"Version": "2012-10-17"}`}, []string{"-a\n+b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteText(&b, r, tt.o); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range tt.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("output has %q:\n%s", w, b.String())
				}
			}
		})
	}
}

func TestTally(t *testing.T) {
	var tl Tally
	tl.Add(&Report{File: "a.json", Score: 3, Findings: []Finding{{Severity: High}, {Severity: High, Suppressed: &Suppression{}}}})
	tl.Add(&Report{File: "b.json", Score: 10})
	tl.Add(&Report{File: "c.json", Score: 6, Findings: []Finding{{Severity: Low, Baseline: BaselineUnchanged}, {Severity: Medium, Baseline: BaselineNew}}})
	tl.Skipped = 4
	var b strings.Builder
	if err := tl.WriteText(&b, false, nil); err != nil {
		t.Fatal(err)
	}
	want := "3 files reviewed, 4 files skipped (not policies), 0 could not be read.\n" +
		"Findings: 0 critical, 1 high, 1 medium, 0 low, 0 info; 1 suppressed; 1 already in the baseline.\n" +
		"Worst files:\n   3/10  a.json\n   6/10  c.json\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
