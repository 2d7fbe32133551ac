package suppress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/report"
)

// fakeCeilings stands in for the rule registry.
func fakeCeilings(t *testing.T, ceilings map[string]int) {
	t.Helper()
	old := ceilingOf
	ceilingOf = func(id string) (int, bool) { c, ok := ceilings[id]; return c, ok }
	t.Cleanup(func() { ceilingOf = old })
}

func TestParse(t *testing.T) {
	good := `# the repository's settings
exclude: [legacy/**, "*.txt"]
fail_on: HIGH
fail_under: 5
ignore:
  - rule: PC101
    path: iam/break-glass.json
    reason: Break-glass role, reviewed every quarter.
    expires: 2027-01-31
  - rule: wildcard-resource
    reason: ""
`
	c, err := Parse("repo/.policycheck.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.FailOn != report.High || c.FailUnder != 5 || len(c.Exclude) != 2 || c.Dir != "repo" {
		t.Errorf("config %+v", c)
	}
	want := []Ignore{
		{Rule: "PC101", Path: "iam/break-glass.json", Reason: "Break-glass role, reviewed every quarter.", Expires: "2027-01-31", Line: 6},
		{Rule: "wildcard-resource", Line: 10},
	}
	if len(c.Ignore) != 2 || c.Ignore[0] != want[0] || c.Ignore[1] != want[1] {
		t.Errorf("ignore %+v, want %+v", c.Ignore, want)
	}

	for _, tc := range []struct{ in, err string }{
		{"fail_on: severe\n", "fail_on must be critical, high, medium or low"},
		{"fail_under: 11\n", "fail_under must be between 0 and 10"},
		{"failon: high\n", "field failon not found"},
		{"ignore:\n  - reason: x\n", ".policycheck.yaml:2: the suppression names no rule"},
		{"ignore:\n  - rule: PC101\n    reason: x\n    expires: 31/01/2027\n", "expires must be a date written YYYY-MM-DD"},
		{"ignore:\n  - rule: everything\n    reason: x\n", `no rule or category is named "everything"`},
		{"ignore:\n  - rule: PC101\n    path: \"[a\"\n    reason: x\n", "is not a valid pattern"},
		{"exclude: [\"[\"]\n", "is not a valid pattern"},
		{"ignore: [\n", ".policycheck.yaml: "},
	} {
		if _, err := Parse(".policycheck.yaml", []byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Parse(%q) = %v, want an error with %q", tc.in, err, tc.err)
		}
	}
	if c, err := Parse(".policycheck.yaml", []byte("  \n")); err != nil || c == nil {
		t.Errorf("empty file: %v, %v", c, err)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	if c, err := Find(dir); c != nil || err != nil {
		t.Fatalf("no file: %v, %v", c, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigName), []byte("fail_on: low\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Find(dir)
	if err != nil || c.FailOn != report.Low || c.Dir != dir {
		t.Fatalf("Find = %+v, %v", c, err)
	}
}

// twoStatements is a policy with an Allow and a Deny.
const twoStatements = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
]}`

// adminReport is a review of twoStatements as the engine gives it.
func adminReport(file string) *report.Report {
	fs := []report.Finding{
		{ID: "full-admin-1", Rule: "PC101", Category: report.FullAdmin, Severity: report.Critical, Document: file, Statement: 0, Sid: "Admin", Line: 2},
		{ID: "wildcard-resource-1", Rule: "PC201", Category: report.WildcardResource, Severity: report.Low, Document: file, Statement: 0, Sid: "Admin", Line: 2},
		{ID: "unknown-action-1", Rule: "PC301", Category: report.UnknownAction, Severity: report.Low, Document: file, Statement: 1, Sid: "NoDelete", Line: 3},
	}
	return &report.Report{File: file, Score: 1, Summary: "1/10: all actions on all resources.", Findings: fs,
		Documents: []report.Document{{Name: file, Score: 1, Findings: append([]report.Finding(nil), fs...)}}}
}

func TestApplyConfig(t *testing.T) {
	fakeCeilings(t, map[string]int{"PC101": 1, "PC201": 8, "PC301": 3})
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	cfg := func(ignore ...Ignore) *Config {
		return &Config{Path: "repo/.policycheck.yaml", Dir: "repo", Ignore: ignore}
	}
	tests := []struct {
		name       string
		file       string
		cfg        *Config
		suppressed []string // ids
		score      int
		problem    string
	}{
		{"rule id", "repo/iam/admin.json", cfg(Ignore{Rule: "PC101", Reason: "break-glass", Line: 3}), []string{"full-admin-1"}, 8, ""},
		// The Deny's finding (ceiling 3) does not lower the score.
		{"category", "repo/iam/admin.json", cfg(Ignore{Rule: "full-admin", Path: "iam/*.json", Reason: "break-glass", Expires: "2026-06-01"}), []string{"full-admin-1"}, 8, ""},
		{"both", "repo/iam/admin.json", cfg(Ignore{Rule: "PC101", Reason: "r"}, Ignore{Rule: "PC201", Reason: "r"}), []string{"full-admin-1", "wildcard-resource-1"}, 10, ""},
		{"other path", "repo/iam/admin.json", cfg(Ignore{Rule: "PC101", Path: "legacy/**", Reason: "r"}), nil, 1, ""},
		{"outside the directory", "elsewhere/admin.json", cfg(Ignore{Rule: "PC101", Path: "**", Reason: "r"}), nil, 1, ""},
		{"no reason", "repo/iam/admin.json", cfg(Ignore{Rule: "PC101", Line: 7}), nil, 1, "repo/.policycheck.yaml:7: no reason given"},
		{"expired", "repo/iam/admin.json", cfg(Ignore{Rule: "PC101", Reason: "r", Expires: "2026-05-31", Line: 2}), nil, 1, "repo/.policycheck.yaml:2: expired on 2026-05-31"},
		{"no config", "repo/iam/admin.json", nil, nil, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := adminReport(tt.file)
			s := &Suppressor{Config: tt.cfg, Today: today}
			s.Apply(r, []byte(twoStatements))
			var got []string
			for _, f := range r.Findings {
				if f.Suppressed != nil {
					got = append(got, f.ID)
					if f.Suppressed.Reason == "" || !strings.HasPrefix(f.Suppressed.Source, "repo/.policycheck.yaml:") {
						t.Errorf("suppression %+v lacks its reason or source", f.Suppressed)
					}
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.suppressed, ",") {
				t.Errorf("suppressed %v, want %v", got, tt.suppressed)
			}
			for _, f := range r.Documents[0].Findings {
				if (f.Suppressed != nil) != strings.Contains(strings.Join(tt.suppressed, ","), f.ID) {
					t.Errorf("the document's copy of %s is not marked alike", f.ID)
				}
			}
			if r.Score != tt.score || r.Documents[0].Score != tt.score {
				t.Errorf("score %d (document %d), want %d", r.Score, r.Documents[0].Score, tt.score)
			}
			if tt.score != 1 && !strings.Contains(r.Summary, "suppressed; without suppressions, 1/10: all actions") {
				t.Errorf("summary %q", r.Summary)
			}
			var problems []string
			for _, p := range r.SuppressionProblems {
				problems = append(problems, p.Source+": "+p.Problem)
			}
			if got := strings.Join(problems, "\n"); tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
				t.Errorf("problems %q, want %q", got, tt.problem)
			}
		})
	}
}

// TestScoreUnknownRule: a finding whose rule is unknown (a model's) keeps
// the score from rising past what is known.
func TestScoreUnknownRule(t *testing.T) {
	fakeCeilings(t, map[string]int{"PC101": 1})
	r := adminReport("a.json")
	r.Findings[1].Rule = ""
	r.Findings[1].Source = "model"
	score, _ := Score(r, []byte(twoStatements), func(f *report.Finding) bool { return f.Rule != "PC101" })
	if score != 1 {
		t.Errorf("score %d, want 1", score)
	}
}

func TestInlineCloudFormation(t *testing.T) {
	fakeCeilings(t, map[string]int{"PC101": 1, "PC201": 8})
	tmpl := `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Metadata:
      policycheck:
        ignore:
          - rule: PC201
            reason: The queue names are not known until deployment.
          - rule: PC101
  AppRole2:
    Type: AWS::IAM::Role
`
	f := func(id, rule, doc string) report.Finding {
		return report.Finding{ID: id, Rule: rule, Severity: report.Medium, Document: doc, Statement: -1}
	}
	fs := []report.Finding{
		f("a-1", "PC201", `AppRole.Policies[0] "app" (AWS::IAM::Role)`),
		f("a-2", "PC201", `AppRole2.Policies[0] "app" (AWS::IAM::Role)`),
		f("a-3", "PC101", `AppRole.Policies[0] "app" (AWS::IAM::Role)`),
	}
	r := &report.Report{File: "stack.yaml", Score: 1, Findings: fs}
	(&Suppressor{}).Apply(r, []byte(tmpl))
	if s := r.Findings[0].Suppressed; s == nil || s.Source != "stack.yaml:8 (Metadata of AppRole)" || !strings.HasPrefix(s.Reason, "The queue names") {
		t.Errorf("AppRole's finding: %+v", s)
	}
	if r.Findings[1].Suppressed != nil || r.Findings[2].Suppressed != nil {
		t.Errorf("suppressed beyond the resource and rule: %+v", r.Findings)
	}
	if len(r.SuppressionProblems) != 1 || r.SuppressionProblems[0].Source != "stack.yaml:10 (Metadata of AppRole)" || !strings.Contains(r.SuppressionProblems[0].Problem, "no reason") {
		t.Errorf("problems %+v", r.SuppressionProblems)
	}
}

func TestInlineTerraform(t *testing.T) {
	fakeCeilings(t, map[string]int{"PC201": 8, "PC202": 6})
	tf := `# policycheck:ignore PC201 Logs go to a bucket created by another stack.
resource "aws_iam_role_policy" "worker" {
  policy = jsonencode({
    Statement = [
      {
        Effect = "Allow"
        Action = "s3:PutObject"
        Resource = "*"
      },
      # policycheck:ignore wildcard-resource KMS keys are found by alias at run time.
      {
        Effect = "Allow"
        Action = "kms:Decrypt"
        Resource = "*"
      },
    ]
  })
}

# policycheck:ignore PC202
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
  }
}
`
	fs := []report.Finding{
		{ID: "w-1", Rule: "PC201", Category: report.WildcardResource, Document: "aws_iam_role_policy.worker (policy)", Statement: 0, Line: 5},
		{ID: "w-2", Rule: "PC202", Category: report.WildcardResource, Document: "aws_iam_role_policy.worker (policy)", Statement: 1, Line: 11},
		{ID: "w-3", Rule: "PC202", Category: report.WildcardResource, Document: "aws_iam_role_policy.worker (policy)", Statement: 0, Line: 5},
		{ID: "d-1", Rule: "PC202", Category: report.PassRole, Document: "data.aws_iam_policy_document.assume", Statement: 0, Line: 22},
	}
	r := &report.Report{File: "iam/main.tf", Score: 6, Findings: fs}
	(&Suppressor{}).Apply(r, []byte(tf))
	want := map[string]string{"w-1": "iam/main.tf:1", "w-2": "iam/main.tf:10", "w-3": "", "d-1": ""}
	for _, f := range r.Findings {
		got := ""
		if f.Suppressed != nil {
			got = f.Suppressed.Source
		}
		if got != want[f.ID] {
			t.Errorf("%s suppressed by %q, want %q", f.ID, got, want[f.ID])
		}
	}
	if len(r.SuppressionProblems) != 1 || r.SuppressionProblems[0].Source != "iam/main.tf:20" {
		t.Errorf("problems %+v", r.SuppressionProblems)
	}
}

func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	old := adminReport("iam/admin.json")
	path := filepath.Join(dir, "baseline.json")
	// JSON Lines with an error object among the reports.
	var b strings.Builder
	b.WriteString(`{"file": "x.json", "error": {"kind": "syntax", "message": "m"}}` + "\n")
	b.WriteString(`{"file": "y.txt", "skipped": "not a policy"}` + "\n")
	writeJSON(t, &b, old)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := LoadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	now := adminReport("iam/admin.json")
	now.Findings = append(now.Findings, report.Finding{ID: "pass-role-1", Rule: "PC150", Category: report.PassRole, Document: "iam/admin.json", Statement: 0, Sid: "Admin"})
	for i := range now.Findings {
		now.Findings[i].Line += 4 // lines moved
	}
	base.Mark(now)
	var states []string
	for _, f := range now.Findings {
		states = append(states, f.Baseline)
	}
	if got := strings.Join(states, ","); got != "unchanged,unchanged,unchanged,new" {
		t.Errorf("states %s", got)
	}
	if now.Documents[0].Findings[0].Baseline != report.BaselineUnchanged {
		t.Errorf("the document's copy is not marked")
	}
	if _, err := LoadBaseline(filepath.Join(dir, "none.json")); err == nil {
		t.Error("a missing baseline is not an error")
	}
	os.WriteFile(path, []byte("not json"), 0o644)
	if _, err := LoadBaseline(path); err == nil || !strings.Contains(err.Error(), "check --format json") {
		t.Errorf("a broken baseline: %v", err)
	}
}
