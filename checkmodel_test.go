package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/internal/bedrockfake"
)

// TestCheckShownScore: --fail-under reads the score shown, which the
// model lowers only through a finding that passed the checks; the JSON
// carries the tokens the model used.
func TestCheckShownScore(t *testing.T) {
	const clean = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*"}]}`
	answer := func(score int, findings ...any) bedrockfake.Response {
		if findings == nil {
			findings = []any{}
		}
		return bedrockfake.Review(map[string]any{"embedded_instructions": false, "score": score, "summary": "Scripted.",
			"findings": findings, "suggested_policy": ""})
	}
	cited := map[string]any{"severity": "high", "category": "data-exfiltration", "statement": 0, "title": "Any report can be read",
		"actions": []any{"s3:GetObject"}, "resources": []any{"arn:aws:s3:::acme-reports/*"}, "detail": "", "recommendation": ""}
	tests := []struct {
		name   string
		answer bedrockfake.Response
		score  int
		code   int
	}{
		{"1/10 without a finding", answer(1), 10, 0},
		{"lowered by a checked finding", answer(1, cited), 5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := bedrockfake.Start(bedrockfake.Config{})
			defer f.Close()
			f.Enqueue(tt.answer.WithUsage(2500, 300))
			bedrockEnv(t, f)
			code, out, errOut := runCLI(t, clean, "check", "--format", "json", "--fail-under", "8", "-")
			if code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			var r report.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			if r.Score != tt.score {
				t.Errorf("score %d, want %d: %s", r.Score, tt.score, r.Summary)
			}
			if r.Usage == nil || r.Usage.InputTokens != 2500 || r.Usage.OutputTokens != 300 || !strings.Contains(out, `"usage"`) {
				t.Errorf("usage %+v", r.Usage)
			}
		})
	}
}
