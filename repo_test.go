package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/xeipuuv/gojsonschema"
	"gopkg.in/yaml.v3"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/internal/corpus"
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
		{"fail under", []string{"--fail-under", "7", dir}, 1, "gate failed: score 6 under 7"},
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
		"5 files reviewed, 6 files skipped (not policies), 0 could not be read.\nFindings: 0 critical, 0 high, 2 medium, 0 low, 0 info; 4 suppressed.\nWorst files:\n   6/10  iam/deploy.json\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// actionStep is a step of a composite action.
type actionStep struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
}

// readAction reads action.yml: its inputs' defaults and its steps.
func readAction(t *testing.T) (inputs map[string]string, steps []actionStep) {
	t.Helper()
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string       `yaml:"using"`
			Steps []actionStep `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs %q, want a composite action", a.Runs.Using)
	}
	inputs = map[string]string{}
	for name, in := range a.Inputs {
		inputs[name] = in.Default
	}
	return inputs, a.Runs.Steps
}

var expression = regexp.MustCompile(`\$\{\{\s*([a-z_.-]+)\s*\}\}`)

// runStep runs a step of the action as a runner would (bash -eo
// pipefail), with its env's expressions filled from vars, in dir.
func runStep(t *testing.T, s actionStep, vars map[string]string, dir string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RUNNER_TEMP="+vars["runner.temp"], "GITHUB_ACTION_PATH="+vars["github.action_path"])
	for k, v := range s.Env {
		v = expression.ReplaceAllStringFunc(v, func(e string) string {
			name := expression.FindStringSubmatch(e)[1]
			got, ok := vars[name]
			if !ok {
				t.Fatalf("step %q: no value for ${{ %s }}", s.Name, name)
			}
			return got
		})
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		t.Fatalf("step %q: %v", s.Name, err)
	}
	return 0, string(out)
}

func step(t *testing.T, steps []actionStep, name string) actionStep {
	t.Helper()
	for _, s := range steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", name)
	return actionStep{}
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binary builds policycheck once, with the action's own build step (so
// that the test exercises it), stamped with the version v9.9.9-test as
// the action stamps its ref. It returns the binary's directory.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		_, steps := readAction(t)
		binDir, buildErr = os.MkdirTemp("", "policycheck-bin")
		if buildErr != nil {
			return
		}
		wd, _ := os.Getwd()
		vars := map[string]string{"runner.temp": binDir, "github.action_path": wd, "github.action_ref": "v9.9.9-test"}
		if code, out := runStep(t, step(t, steps, "Build policycheck"), vars, wd); code != 0 {
			buildErr = fmt.Errorf("the action's build step: exit %d\n%s", code, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// TestAction runs the action's check step, as the runner runs it, on the
// repository fixture: the gates decide its status and the SARIF log it
// writes for the upload is valid.
func TestAction(t *testing.T) {
	offline(t)
	bin := binary(t)
	defaults, steps := readAction(t)
	check := step(t, steps, "Check")
	tests := []struct {
		name   string
		inputs map[string]string
		code   int
	}{
		{"defaults", nil, 0},
		{"fail on medium", map[string]string{"fail-on": "medium"}, 1},
		{"fail under", map[string]string{"fail-under": "7"}, 1},
		{"two paths", map[string]string{"paths": "iam stacks", "fail-on": "critical"}, 0},
		{"config", map[string]string{"config": "package.json"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := repoCopy(t)
			vars := map[string]string{"runner.temp": bin}
			for k, v := range defaults {
				vars["inputs."+k] = v
			}
			for k, v := range tt.inputs {
				vars["inputs."+k] = v
			}
			code, out := runStep(t, check, vars, dir)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, out)
			}
			log, err := os.ReadFile(filepath.Join(dir, vars["inputs.sarif-file"]))
			if tt.name == "config" {
				if err == nil {
					t.Errorf("a run that could not start left a log to upload: %q", log)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			validateSarif(t, log)
			if tt.code < 2 && !strings.Contains(string(log), `"uri": "iam/deploy.json"`) {
				t.Errorf("the log does not name the files relative to the repository:\n%.2000s", log)
			}
		})
	}
}

// TestPreCommitHook runs the hook's command as pre-commit runs it, in the
// repository fixture, and checks that it fires for every kind of file
// policycheck reads.
func TestPreCommitHook(t *testing.T) {
	offline(t)
	bin := binary(t)
	data, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID, Entry, Language, Files string
		Args                       []string
		PassFilenames              *bool `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil || len(hooks) != 1 {
		t.Fatalf(".pre-commit-hooks.yaml: %v (%d hooks)", err, len(hooks))
	}
	h := hooks[0]
	files := regexp.MustCompile(h.Files)
	for _, ext := range policy.Extensions() {
		if !files.MatchString("dir/policy" + ext) {
			t.Errorf("the hook does not fire for %s files", ext)
		}
	}
	if files.MatchString("README.md") {
		t.Error("the hook fires for README.md")
	}
	entry := strings.Fields(h.Entry)
	if entry[0] != "policycheck" || h.Language != "golang" {
		t.Fatalf("entry %q in %s", h.Entry, h.Language)
	}
	for _, tt := range []struct {
		userArgs []string // a user's args: in .pre-commit-config.yaml
		code     int
	}{
		{nil, 0},
		{[]string{"--fail-on", "medium"}, 1},
	} {
		dir := repoCopy(t)
		args := append(append(append([]string(nil), entry[1:]...), h.Args...), tt.userArgs...)
		if h.PassFilenames == nil || *h.PassFilenames {
			t.Fatal("the hook takes file names: it would name files that are not policies")
		}
		cmd := exec.Command(filepath.Join(bin, "policycheck"), args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, tt.code, out)
		}
	}
}

// TestVersion: "version" and "--version" print the same line on
// standard output; a binary built as the action and the Dockerfile build
// it reports the version it was stamped with.
func TestVersion(t *testing.T) {
	code1, out1, _ := runCLI(t, "", "version")
	code2, out2, _ := runCLI(t, "", "--version")
	if code1 != 0 || code2 != 0 || out1 != out2 || !strings.HasPrefix(out1, "policycheck ") {
		t.Errorf("version: %d %q; --version: %d %q", code1, out1, code2, out2)
	}
	docker, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(docker), "-X main.buildVersion=${VERSION}") {
		t.Error("the Dockerfile does not stamp the version")
	}
	out, err := exec.Command(filepath.Join(binary(t), "policycheck"), "--version").Output()
	if err != nil || string(out) != "policycheck v9.9.9-test\n" {
		t.Errorf("the built binary says %q (%v)", out, err)
	}
}

// TestCheckHelp: check --help lists every flag, a line each, on standard
// output.
func TestCheckHelp(t *testing.T) {
	code, out, errOut := runCLI(t, "", "check", "--help")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, flag := range []string{"format", "fail-on", "fail-under", "config", "baseline", "exclude", "max-size", "type", "offline", "diff", "suggestion"} {
		if !regexp.MustCompile(`(?m)^  --` + flag + `\b.* [a-z]`).MatchString(out) {
			t.Errorf("no line for --%s:\n%s", flag, out)
		}
	}
	if code, _, errOut := runCLI(t, "", "check", "--frobnicate", "x.json"); code != 2 || !strings.Contains(errOut, "--fail-on") {
		t.Errorf("a bad flag: exit %d, usage not on stderr: %q", code, errOut)
	}
}

// TestCheckManagedPolicyFiles: the largest AWS managed policies, saved as
// people save them (pretty-printed, or as the AWS CLI prints a policy
// version), are read under the default limit for files; --max-size
// lowers it.
func TestCheckManagedPolicyFiles(t *testing.T) {
	offline(t)
	docs, err := corpus.Load(corpus.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"ReadOnlyAccess", "AWSSupportServiceRolePolicy"} {
		var doc any
		if err := json.Unmarshal(docs[name], &doc); err != nil {
			t.Fatal(err)
		}
		two, _ := json.MarshalIndent(doc, "", "  ")
		four, _ := json.MarshalIndent(doc, "", "    ")
		cli, _ := json.MarshalIndent(map[string]any{"PolicyVersion": map[string]any{
			"Document": doc, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2015-02-06T18:39:46+00:00"}}, "", "    ")
		files[name+".json"] = string(two)
		files[name+".4.json"] = string(four)
		files[name+".cli.json"] = string(cli)
	}
	writeFiles(t, dir, files)
	if n := len(files["AWSSupportServiceRolePolicy.json"]); n < 190_000 {
		t.Fatalf("AWSSupportServiceRolePolicy pretty-printed is %d bytes, expected about 190 KB", n)
	}
	code, out, errOut := runCLI(t, "", "check", "--format", "json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := jsonLines(t, dir, out)
	if reviewed := keys(got, func(l line) bool { return l.Error == nil && l.Skipped == "" && l.Score >= 1 }); len(strings.Fields(reviewed)) != len(files) {
		t.Errorf("reviewed %s of %d files", reviewed, len(files))
	}
	code, out, _ = runCLI(t, "", "check", "--format", "json", "--max-size", "100KB", dir)
	if code != 2 || !strings.Contains(out, `"kind":"too-large"`) {
		t.Errorf("--max-size 100KB: exit %d\n%.500s", code, out)
	}
}

// TestCheckModule: the .tf files of a directory are one Terraform module:
// a policy in main.tf is read with the variables of variables.tf and the
// locals of locals.tf, which are not policies themselves.
func TestCheckModule(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"iam/variables.tf": "variable \"actions\" {\n  default = [\"sqs:SendMessage\"]\n}\n",
		"iam/locals.tf":    "locals {\n  queue = \"arn:aws:sqs:eu-west-1:111122223333:orders\"\n}\n",
		"iam/main.tf": `resource "aws_iam_policy" "sender" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = local.queue }]
  })
}
`,
		// Another module: its variables are not this one's. iam/other.tf
		// uses one only other/ declares, so it stays unresolved there.
		"other/variables.tf": "variable \"actions\" {\n  default = [\"*\"]\n}\nvariable \"others_only\" {\n  default = [\"sqs:SendMessage\"]\n}\n",
		"iam/other.tf": `resource "aws_iam_policy" "other" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.others_only, Resource = local.queue }]
  })
}
`,
	})
	code, out, errOut := runCLI(t, "", "check", "--format", "json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	got := jsonLines(t, dir, out)
	m := got["iam/main.tf"]
	if m.Score != 10 || len(m.Findings) != 0 {
		t.Errorf("iam/main.tf: %d/10 %s, findings %+v", m.Score, m.Summary, m.Findings)
	}
	if s := keys(got, func(l line) bool { return l.Skipped != "" }); s != "iam/locals.tf iam/variables.tf other/variables.tf" {
		t.Errorf("skipped %q", s)
	}
	unresolved := func(l line) bool {
		for _, f := range l.Findings {
			if f.Rule == "PC701" {
				return true
			}
		}
		return false
	}
	if o := got["iam/other.tf"]; !unresolved(o) {
		t.Errorf("iam/other.tf read another module's variable: %d/10 %+v", o.Score, o.Findings)
	}

	// Named alone, as pre-commit names a file that changed: the same.
	code, out, errOut = runCLI(t, "", "check", "--format", "json", filepath.Join(dir, "iam", "main.tf"), filepath.Join(dir, "iam", "other.tf"))
	got = jsonLines(t, dir, out)
	if m := got["iam/main.tf"]; code != 0 || m.Score != 10 {
		t.Errorf("iam/main.tf alone: exit %d, %d/10 %s: %s", code, m.Score, m.Summary, errOut)
	}
	if o := got["iam/other.tf"]; !unresolved(o) {
		t.Errorf("iam/other.tf alone read another module's variable: %d/10 %+v", o.Score, o.Findings)
	}
}
