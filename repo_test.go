package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/policycheck/policycheck/assistant/report"
)

// repoCopy copies the repository fixture testdata/repo to a temporary
// directory and adds what its .gitignore ignores (a build's output, which
// the project's own repository cannot hold).
func repoCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(filepath.Join("testdata", "repo"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "repo"), path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"generated/admin.json": adminPolicy})
	return dir
}

// line is one object of JSON Lines output: a report, an error or a
// skipped file.
type line struct {
	report.Report
	Skipped string          `json:"skipped"`
	Error   json.RawMessage `json:"error"`
}

// jsonLines decodes JSON Lines output, by file relative to dir.
func jsonLines(t *testing.T, dir, out string) map[string]line {
	t.Helper()
	got := map[string]line{}
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var l line
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("output is not JSON Lines: %v\n%s", err, out)
		}
		rel, err := filepath.Rel(dir, l.File)
		if err != nil {
			rel = l.File
		}
		got[filepath.ToSlash(rel)] = l
	}
	return got
}

func keys[V any](m map[string]V, keep func(V) bool) string {
	var out []string
	for k, v := range m {
		if keep(v) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestCheckRepository runs check over a repository with policies, files
// that are not policies, a configuration file, exclusions, a .gitignore
// and inline suppressions: the gates decide the exit status, and every
// suppression is honoured with its reason or reported.
func TestCheckRepository(t *testing.T) {
	offline(t)
	dir := repoCopy(t)
	code, out, errOut := runCLI(t, "", "check", "--format", "json", dir)
	if code != 0 {
		t.Fatalf("exit %d, want 0 (every high finding is suppressed): %s\n%s", code, errOut, out)
	}
	got := jsonLines(t, dir, out)
	reviewed := keys(got, func(l line) bool { return l.Skipped == "" && l.Error == nil })
	if want := "iam/deploy.json iam/logs.json iam/reader.json stacks/app.yaml tf/main.tf"; reviewed != want {
		t.Errorf("reviewed %s, want %s", reviewed, want)
	}
	skipped := keys(got, func(l line) bool { return l.Skipped != "" })
	if want := "docs/notes.txt k8s/deploy.yaml package.json stacks/bucket-only.yaml tf/vpc.tf tsconfig.json"; skipped != want {
		t.Errorf("skipped %s, want %s", skipped, want)
	}
	if errs := keys(got, func(l line) bool { return l.Error != nil }); errs != "" {
		t.Errorf("errors for %s", errs)
	}

	// Every suppression: where it was declared and why.
	type sup struct{ file, category, source, reason string }
	var sups []sup
	for file, l := range got {
		for _, f := range l.Findings {
			if f.Suppressed != nil {
				src := strings.TrimPrefix(filepath.ToSlash(f.Suppressed.Source), filepath.ToSlash(dir)+"/")
				sups = append(sups, sup{file, string(f.Category), src, f.Suppressed.Reason})
			}
		}
	}
	sort.Slice(sups, func(i, j int) bool { return sups[i].file+sups[i].category < sups[j].file+sups[j].category })
	want := []sup{
		{"iam/deploy.json", "pass-role", ".policycheck.yaml:6", "The deploy pipeline passes only roles named deploy-*, which an SCP enforces."},
		{"stacks/app.yaml", "data-exfiltration", "stacks/app.yaml:11 (Metadata of AppRole)", "The application serves every secret of its own account to its tenants, by design."},
		{"tf/main.tf", "wildcard-resource", "tf/main.tf:1", "Queue names are generated per tenant; an SCP pins the account."},
		{"tf/main.tf", "wildcard-resource", "tf/main.tf:1", "Queue names are generated per tenant; an SCP pins the account."},
	}
	if len(sups) != len(want) {
		t.Fatalf("suppressed %+v, want %+v", sups, want)
	}
	for i := range want {
		if sups[i] != want[i] {
			t.Errorf("suppression %d: %+v, want %+v", i, sups[i], want[i])
		}
	}
	// A suppressed finding does not lower the score.
	for _, f := range []string{"stacks/app.yaml", "tf/main.tf"} {
		if got[f].Score != 10 {
			t.Errorf("%s scored %d with its findings suppressed: %s", f, got[f].Score, got[f].Summary)
		}
	}
	// Suppressions without a reason or past their expiry are reported.
	problems := map[string]string{}
	for file, l := range got {
		for _, p := range l.SuppressionProblems {
			problems[file] += filepath.Base(p.Source) + ": " + p.Problem + "\n"
		}
	}
	if p := problems["iam/deploy.json"]; !strings.Contains(p, ".policycheck.yaml:9: no reason given") {
		t.Errorf("deploy.json: problems %q, want the suppression without a reason", p)
	}
	if p := problems["iam/logs.json"]; !strings.Contains(p, ".policycheck.yaml:11: expired on 2020-01-31") {
		t.Errorf("logs.json: problems %q, want the expired suppression", p)
	}
	if p := problems["iam/reader.json"]; p != "" {
		t.Errorf("reader.json: problems %q for suppressions that match none of its findings", p)
	}
}

// TestCheckRepositoryGates: the gates of the flags and of the
// configuration, exclusions and named files.
func TestCheckRepositoryGates(t *testing.T) {
	offline(t)
	dir := repoCopy(t)
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	writeFiles(t, filepath.Dir(empty), map[string]string{"empty.yaml": "# nothing accepted\n"})
	tests := []struct {
		name string
		args []string
		code int
		out  string // part of the text output
	}{
		{"configuration's gate", []string{dir}, 0, "5 files reviewed, 6 files skipped (not policies), 0 could not be read."},
		{"fail on medium", []string{"--fail-on", "medium", dir}, 1, "gate failed: a medium finding (fail on medium)"},
		{"fail under", []string{"--fail-under", "5", dir}, 1, "gate failed: score 4 under 5"},
		{"another configuration", []string{"--config", empty, "--fail-on", "high", dir}, 1, "gate failed: a high finding"},
		{"configuration without a gate", []string{"--config", empty, dir}, 0, ""},
		{"exclude", []string{"--exclude", "iam", "--fail-on", "medium", dir}, 0, "2 files reviewed"},
		{"exclude a file pattern", []string{"--exclude", "*.json", dir}, 0, "2 files reviewed, 4 files skipped"},
		{"named file that is not a policy", []string{filepath.Join(dir, "package.json")}, 2, ""},
		{"named file excluded from walks", []string{"--fail-on", "critical", filepath.Join(dir, "legacy", "admin.json")}, 1, "CRITICAL"},
		{"ignored by .gitignore when walking", []string{"--fail-on", "critical", dir}, 0, ""},
		{"bad configuration", []string{"--config", filepath.Join(dir, "package.json"), dir}, 2, ""},
		{"bad --fail-on", []string{"--fail-on", "severe", dir}, 2, ""},
		{"bad --exclude", []string{"--exclude", "[", dir}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"check"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out)
			}
			// The repository's configuration excludes legacy/.
			legacy := strings.Contains(tt.name, "named") || strings.Contains(strings.Join(tt.args, " "), empty)
			if strings.Contains(out, "generated/") || strings.Contains(out, "legacy/") && !legacy {
				t.Errorf("an ignored or excluded path was walked:\n%s", out)
			}
		})
	}
}

// TestCheckBaseline: with a baseline, only new findings count for the
// gates.
func TestCheckBaseline(t *testing.T) {
	offline(t)
	dir := repoCopy(t)
	_, out, _ := runCLI(t, "", "check", "--format", "json", dir)
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	writeFiles(t, filepath.Dir(baseline), map[string]string{"baseline.json": out})

	if code, out, errOut := runCLI(t, "", "check", "--fail-on", "medium", "--fail-under", "9", "--baseline", baseline, dir); code != 0 {
		t.Fatalf("exit %d with every finding in the baseline\n%s\n%s", code, out, errOut)
	}
	writeFiles(t, dir, map[string]string{"iam/new.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:DeleteMessage", "Resource": "*"}]}`})
	code, out, errOut := runCLI(t, "", "check", "--format", "json", "--fail-on", "medium", "--baseline", baseline, dir)
	if code != 1 {
		t.Fatalf("exit %d with a new finding, want 1\n%s", code, errOut)
	}
	got := jsonLines(t, dir, out)
	for file, l := range got {
		for _, f := range l.Findings {
			want := report.BaselineUnchanged
			if file == "iam/new.json" {
				want = report.BaselineNew
			}
			if f.Baseline != want {
				t.Errorf("%s: %s is %q, want %q", file, f.ID, f.Baseline, want)
			}
		}
	}
	if code, _, errOut := runCLI(t, "", "check", "--baseline", filepath.Join(dir, "none.json"), dir); code != 2 || !strings.Contains(errOut, "baseline") {
		t.Errorf("a missing baseline: exit %d: %s", code, errOut)
	}
}

// TestCheckSarif: a repository as SARIF, valid against the SARIF 2.1.0
// schema, with the suppressed findings carried as suppressions.
func TestCheckSarif(t *testing.T) {
	offline(t)
	dir := repoCopy(t)
	code, out, errOut := runCLI(t, "", "check", "--format", "sarif", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	validateSarif(t, []byte(out))
	if !strings.Contains(errOut, "5 files reviewed") {
		t.Errorf("the summary is not on standard error: %q", errOut)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string
				Suppressions []struct{ Kind, Justification string }
				Locations    []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range log.Runs[0].Results {
		for _, s := range r.Suppressions {
			kinds[s.Kind]++
			if s.Justification == "" {
				t.Errorf("suppression of %s without its reason", r.RuleID)
			}
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %s not located: %+v", r.RuleID, r.Locations)
		}
	}
	if kinds["external"] != 1 || kinds["inSource"] != 3 {
		t.Errorf("suppressions by kind %v, want 1 external and 3 in source", kinds)
	}

	// An input that cannot be read is a notification, and status 2.
	code, out, _ = runCLI(t, "", "check", "--format", "sarif", "testdata/check/invalid.json")
	if code != 2 || !strings.Contains(out, `"executionSuccessful": false`) {
		t.Errorf("exit %d, log %s", code, out)
	}
	validateSarif(t, []byte(out))
}

// validateSarif checks a log against the OASIS SARIF 2.1.0 schema.
func validateSarif(t *testing.T, log []byte) {
	t.Helper()
	schema, err := filepath.Abs(filepath.Join("assistant", "report", "sarif", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+filepath.ToSlash(schema)), gojsonschema.NewBytesLoader(log))
	if err != nil {
		t.Fatalf("validate: %v\n%.500s", err, log)
	}
	for _, e := range res.Errors() {
		t.Errorf("not valid SARIF 2.1.0: %s", e)
	}
}

// TestCheckRepositoryText: a repository in text lists the skipped files
// together and closes with the summary.
func TestCheckRepositoryText(t *testing.T) {
	offline(t)
	dir := repoCopy(t)
	code, out, errOut := runCLI(t, "", "check", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	out = strings.ReplaceAll(out, dir+string(filepath.Separator), "")
	for _, want := range []string{
		"Skipped, not policies:\n  docs/notes.txt: ",
		"  package.json: this JSON has no Statement element",
		"SUPPRESSED (1)\n  [",
		"suppression not applied: privilege-escalation (",
		"5 files reviewed, 6 files skipped (not policies), 0 could not be read.\nFindings: 0 critical, 0 high, 2 medium, 0 low, 0 info; 4 suppressed.\nWorst files:\n   4/10  iam/deploy.json\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
