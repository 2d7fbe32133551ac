package sarif

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/assistant/rules"
)

// Validate checks a SARIF log against the official SARIF 2.1.0 schema
// (OASIS, errata 01), shipped in testdata as the go-sarif module ships it.
func Validate(t *testing.T, log []byte) {
	t.Helper()
	for _, e := range schemaErrors(t, log) {
		t.Errorf("not valid SARIF 2.1.0: %s", e)
	}
}

func schemaErrors(t *testing.T, log []byte) []string {
	t.Helper()
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+filepath.ToSlash(schema)), gojsonschema.NewBytesLoader(log))
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	var out []string
	for _, e := range res.Errors() {
		out = append(out, e.String())
	}
	return out
}

// schema is the schema's file, found before a test changes directory.
var schema, _ = filepath.Abs(filepath.Join("testdata", "sarif-schema-2.1.0.json"))

// sarifLog is the part of a log the tests look at.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name, Version, InformationURI string
				Rules                         []struct {
					ID, Name, HelpURI string
					ShortDescription  struct{ Text string }
					Help              struct{ Text, Markdown string }
					DefaultConfig     struct{ Level string } `json:"defaultConfiguration"`
				}
			}
		}
		Invocations []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct {
				Level   string
				Message struct{ Text string }
			}
			ToolConfigurationNotifications []struct{ Message struct{ Text string } }
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string } `json:"artifactLocation"`
					Region           struct{ StartLine, StartColumn int }
				}
			}
			PartialFingerprints map[string]string
			BaselineState       string
			Suppressions        []struct{ Kind, Status, Justification string }
			Fixes               []struct {
				Description     struct{ Text string }
				ArtifactChanges []struct {
					ArtifactLocation struct{ URI string }
					Replacements     []struct {
						DeletedRegion   struct{ StartLine, StartColumn, EndLine, EndColumn int }
						InsertedContent struct{ Text string }
					}
				}
			}
		}
	}
}

func TestLog(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(wd, "..", "..", "..", "examples", "overly-broad.json"))
	if err != nil {
		t.Fatal(err)
	}
	name := "iam/overly broad.json" // a space, escaped in the URI
	rv := review.New(iamref.Default())
	r, err := rv.Review(context.Background(), review.Input{Name: name, Data: data, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	r.Renumber()
	if len(r.Findings) < 3 || r.SuggestedPolicy == nil {
		t.Fatalf("the example gives %d findings and suggestion %v", len(r.Findings), r.SuggestedPolicy)
	}
	r.Findings[1].Suppressed = &report.Suppression{Rule: "x", Reason: "accepted risk", Source: ".policycheck.yaml:3"}
	r.Findings[2].Suppressed = &report.Suppression{Rule: "x", Reason: "known", Source: name + ":5"}
	r.Findings[0].Baseline = report.BaselineNew
	r.SuppressionProblems = []report.Suppression{{Rule: "PC999", Source: ".policycheck.yaml:9", Problem: "expired on 2020-01-01"}}
	model := report.Finding{ID: "model-1", Category: report.PublicAccess, Severity: report.High, Document: name, Statement: 0, Line: 4, Title: "From the model", Source: "model"}
	r.Findings = append(r.Findings, model)

	l := New(Tool{Name: "policycheck", Version: "v1.2.3", InformationURI: "https://github.com/policycheck/policycheck",
		RulesURI: "https://github.com/policycheck/policycheck/blob/main/docs/rules.md"})
	l.Add(r, data)
	l.AddError("broken.json", &policy.Error{Kind: policy.ErrSyntax, Pos: policy.Pos{Line: 3, Col: 7}, Msg: "expected ','"})
	var b strings.Builder
	if err := l.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := []byte(b.String())
	Validate(t, out)

	var got sarifLog
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	run := got.Runs[0]
	if d := run.Tool.Driver; d.Name != "policycheck" || d.Version != "v1.2.3" || d.InformationURI == "" {
		t.Errorf("driver %+v", d)
	}
	registered := rules.All()
	if len(registered) == 0 {
		t.Fatal("no rule is registered")
	}
	if len(run.Tool.Driver.Rules) < len(registered) {
		t.Errorf("%d rules in the driver, %d registered", len(run.Tool.Driver.Rules), len(registered))
	}
	byID := map[string]int{}
	for i, rl := range run.Tool.Driver.Rules {
		byID[rl.ID] = i
		if rl.ShortDescription.Text == "" || rl.DefaultConfig.Level == "" {
			t.Errorf("rule %s lacks a description or a level: %+v", rl.ID, rl)
		}
		if reg, ok := rules.Lookup(rl.ID); ok {
			if rl.HelpURI != "https://github.com/policycheck/policycheck/blob/main/docs/rules.md#"+strings.ToLower(reg.ID+"-"+reg.Name) || rl.Help.Text == "" || rl.Name == "" {
				t.Errorf("rule %s: help %q at %q", rl.ID, rl.Help.Text, rl.HelpURI)
			}
		}
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(r.Findings))
	}
	fps := map[string]bool{}
	fixes := 0
	for i, res := range run.Results {
		f := r.Findings[i]
		want := f.Rule
		if want == "" {
			want = string(f.Category)
		}
		if res.RuleID != want || byID[res.RuleID] != res.RuleIndex {
			t.Errorf("result %d: rule %s at %d, want %s at %d", i, res.RuleID, res.RuleIndex, want, byID[want])
		}
		if !strings.HasPrefix(res.Message.Text, f.Title) || res.Level == "" {
			t.Errorf("result %d: message %q, level %q", i, res.Message.Text, res.Level)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "iam/overly%20broad.json" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.Region.StartLine != f.Line {
			t.Errorf("result %d: location %+v, want line %d", i, loc, f.Line)
		}
		if loc.Region.StartColumn != 5 {
			t.Errorf("result %d: column %d, want 5 (the statement's brace)", i, loc.Region.StartColumn)
		}
		fp := res.PartialFingerprints[FingerprintKey]
		if fp == "" || fps[fp] {
			t.Errorf("result %d: fingerprint %q missing or repeated", i, fp)
		}
		fps[fp] = true
		fixes += len(res.Fixes)
	}
	if s := run.Results[1].Suppressions; len(s) != 1 || s[0].Kind != "external" || s[0].Status != "accepted" || !strings.Contains(s[0].Justification, "accepted risk") {
		t.Errorf("suppression %+v", s)
	}
	if s := run.Results[2].Suppressions; len(s) != 1 || s[0].Kind != "inSource" {
		t.Errorf("inline suppression %+v", s)
	}
	if run.Results[0].BaselineState != "new" || run.Results[3].BaselineState != "" {
		t.Errorf("baseline states %q %q", run.Results[0].BaselineState, run.Results[3].BaselineState)
	}
	if fixes != 1 {
		t.Fatalf("%d fixes, want 1", fixes)
	}
	fix := run.Results[0].Fixes[0]
	rep := fix.ArtifactChanges[0].Replacements[0]
	lines := strings.Count(string(data), "\n")
	if rep.DeletedRegion.StartLine != 1 || rep.DeletedRegion.EndLine != lines+1 || rep.DeletedRegion.EndColumn != 1 {
		t.Errorf("the fix replaces %+v, want the whole file (%d lines)", rep.DeletedRegion, lines)
	}
	var suggested any
	if err := json.Unmarshal([]byte(rep.InsertedContent.Text), &suggested); err != nil {
		t.Errorf("the fix is not the suggested policy: %v", err)
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 || inv.ToolExecutionNotifications[0].Level != "error" ||
		!strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "broken.json: line 3, column 7") {
		t.Errorf("invocation %+v", inv)
	}
	if len(inv.ToolConfigurationNotifications) != 1 || !strings.Contains(inv.ToolConfigurationNotifications[0].Message.Text, "expired") {
		t.Errorf("configuration notifications %+v", inv.ToolConfigurationNotifications)
	}
}

// TestLogEmpty: a run with nothing found is still a valid log, with its
// rules, for code scanning to close the alerts of fixed findings.
func TestLogEmpty(t *testing.T) {
	var b strings.Builder
	if err := New(Tool{Name: "policycheck", Version: "devel"}).Write(&b); err != nil {
		t.Fatal(err)
	}
	Validate(t, []byte(b.String()))
	// The validator is not lenient: a driver without a name is refused.
	if errs := schemaErrors(t, []byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}`)); len(errs) == 0 {
		t.Error("a log whose driver has no name passes the schema")
	}
	if !strings.Contains(b.String(), `"results": []`) {
		t.Errorf("no results array:\n%s", b.String())
	}
}

// TestHelpAnchors: every rule's help link points at a section of
// docs/rules.md.
func TestHelpAnchors(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.All() {
		heading := "\n## " + r.ID + " " + r.Name + "\n"
		if !strings.Contains(string(doc), heading) {
			t.Errorf("%s: docs/rules.md has no heading %q for the anchor %s", r.ID, strings.TrimSpace(heading), anchor(r))
		}
	}
}
