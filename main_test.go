package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/internal/bedrockfake"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCLI runs policycheck in-process and returns its exit status and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "check", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// offline makes sure no model is configured for a test.
func offline(t *testing.T) {
	t.Setenv("BEDROCK_MODEL_ID", "")
	t.Setenv("POLICYCHECK_ACCESS_ANALYZER", "false")
	t.Setenv("POLICYCHECK_LANG", "en") // whatever the machine's locale
}

func TestCheckGolden(t *testing.T) {
	offline(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		golden string
	}{
		{"text", []string{"check", "examples/overly-broad.json"}, 0, "overly-broad.txt"},
		{"json", []string{"check", "--format", "json", "examples/overly-broad.json"}, 0, "overly-broad.json.golden"},
		{"least privilege", []string{"check", "--format", "json", "examples/least-privilege.json"}, 0, "least-privilege.json.golden"},
		{"template", []string{"check", "--format", "json", "examples/template.yaml"}, 0, "template.json.golden"},
		{"terraform", []string{"check", "--format", "json", "examples/main.tf"}, 0, "main.tf.json.golden"},
		{"trust", []string{"check", "examples/github-trust.json", "--format", "json"}, 0, "github-trust.json.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			golden(t, tt.golden, out)
		})
	}
}

func TestCheckExitStatus(t *testing.T) {
	offline(t)
	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},`, 1500) + `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	tests := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		stderr  string // part of the error output
		jsonErr string // kind of the JSON error object, if any
	}{
		{"fail under", "", []string{"check", "--fail-under", "5", "examples/overly-broad.json"}, 1, "", ""},
		{"pass fail-under", "", []string{"check", "--fail-under", "9", "examples/least-privilege.json"}, 0, "", ""},
		{"invalid json", "", []string{"check", "testdata/check/invalid.json"}, 2, "line 4, column", ""},
		{"invalid json as json", "", []string{"check", "--format", "json", "testdata/check/invalid.json"}, 2, "line 4", "syntax"},
		{"not a policy", "", []string{"check", "testdata/check/package.json"}, 2, "testdata/check/package.json", ""},
		{"missing file", "", []string{"check", "nope.json"}, 2, "nope.json", ""},
		{"too large", big, []string{"check", "--format", "json", "--max-size", "100KB", "-"}, 2, "limit is 100 KB", "too-large"},
		{"large but under the default", big, []string{"check", "--format", "json", "-"}, 0, "", ""},
		{"stdin", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, []string{"check", "--fail-under", "2", "-"}, 1, "", ""},
		{"bad format", "", []string{"check", "--format", "xml", "examples/least-privilege.json"}, 2, "--format", ""},
		{"bad type", "", []string{"check", "--type", "group", "examples/least-privilege.json"}, 2, "--type", ""},
		{"no input", "", []string{"check"}, 2, "name a file", ""},
		{"unknown command", "", []string{"frobnicate"}, 2, "unknown command", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout: %.300s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q does not mention %q", errOut, tt.stderr)
			}
			if tt.jsonErr != "" {
				var v struct {
					Error struct{ Kind string } `json:"error"`
				}
				if err := json.Unmarshal([]byte(out), &v); err != nil || v.Error.Kind != tt.jsonErr {
					t.Errorf("stdout %q: want an error object of kind %s (%v)", out, tt.jsonErr, err)
				}
			}
		})
	}
}

// TestCheckDirectory: a directory gives one JSON object per line, each
// with its file; files that are not policies make the status 2.
func TestCheckDirectory(t *testing.T) {
	offline(t)
	code, out, errOut := runCLI(t, "", "check", "--format", "json", "examples")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	files := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r report.Report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line is not a report: %v", err)
		}
		if r.Score < 1 || r.Score > 10 {
			t.Errorf("%s: score %d", r.File, r.Score)
		}
		files[r.File] = true
	}
	entries, _ := os.ReadDir("examples")
	if len(files) != len(entries) {
		t.Errorf("%d reports for %d files: %v", len(files), len(entries), files)
	}
}

// bedrockEnv points the CLI at a Bedrock fake.
func bedrockEnv(t *testing.T, f *bedrockfake.Server) {
	t.Setenv("BEDROCK_MODEL_ID", "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
	t.Setenv("BEDROCK_TIMEOUT", "5s")
	t.Setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", f.URL)
	t.Setenv("AWS_REGION", f.Region())
	creds := f.Credentials()
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", creds.SessionToken)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_BEARER_TOKEN_BEDROCK", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("POLICYCHECK_ACCESS_ANALYZER", "false")
}

const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}]}`
const bucketPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`

// TestCheckWithBedrock runs `policycheck check` against the Bedrock fake
// for every behaviour of the model: the engine bounds the score, a bad
// suggestion is replaced by the engine's, and every failure falls back to
// the built-in review with the cause named.
func TestCheckWithBedrock(t *testing.T) {
	good := bedrockfake.Review(map[string]any{
		"score":   5,
		"summary": "Reads and writes every bucket.",
		"findings": []any{map[string]any{
			"severity": "medium", "category": "wildcard-resource", "statement": 0,
			"title": "Every bucket", "detail": "Resource is *.", "recommendation": "Name the bucket.",
		}, map[string]any{
			"severity": "high", "category": "wildcard-resource", "statement": 7,
			"title": "Out of range", "detail": "", "recommendation": "",
		}},
		"suggested_policy": `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::acme-data/*"}]}`,
	})
	tests := []struct {
		name      string
		policy    string
		responses []bedrockfake.Response
		offline   bool
		maxScore  int
		note      string // part of a note on the report
		model     bool   // the model is listed among the analyzers
		source    string // source of the suggested policy
	}{
		{"good review", bucketPolicy, []bedrockfake.Response{good}, false, 5, "no higher than the built-in suggestion", true, "engine"},
		{"admin scored 10", adminPolicy, []bedrockfake.Response{bedrockfake.AdminScore10()}, false, 1, "cap the score at 1", true, "engine"},
		// The model's lower scores have no checked finding behind them:
		// the engine's score stands.
		{"broader suggestion", bucketPolicy, []bedrockfake.Response{bedrockfake.BroaderSuggestion()}, false, 5, "suggested policy was rejected", true, "engine"},
		{"invalid suggestion", bucketPolicy, []bedrockfake.Response{bedrockfake.InvalidSuggestionJSON()}, false, 5, "suggested policy was rejected", true, "engine"},
		{"unknown tool", bucketPolicy, []bedrockfake.Response{bedrockfake.UnknownTool()}, false, 6, "unknown tool", false, "engine"},
		{"text instead", bucketPolicy, []bedrockfake.Response{bedrockfake.Text("Looks fine to me!")}, false, 6, "text instead", false, "engine"},
		{"max tokens", bucketPolicy, []bedrockfake.Response{bedrockfake.MaxTokens()}, false, 6, "max_tokens", false, "engine"},
		{"throttled then ok", bucketPolicy, []bedrockfake.Response{bedrockfake.Throttling(), good}, false, 5, "", true, "engine"},
		{"throttled always", bucketPolicy, []bedrockfake.Response{bedrockfake.Throttling(), bedrockfake.Throttling(), bedrockfake.Throttling(), bedrockfake.Throttling()}, false, 6, "throttl", false, "engine"},
		{"access denied", bucketPolicy, []bedrockfake.Response{bedrockfake.AccessDenied()}, false, 6, "access denied", false, "engine"},
		{"hang", bucketPolicy, []bedrockfake.Response{bedrockfake.Hang()}, false, 6, "timed out", false, "engine"},
		{"offline", bucketPolicy, nil, true, 6, "", false, "engine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := bedrockfake.Start(bedrockfake.Config{})
			defer f.Close()
			f.Enqueue(tt.responses...)
			bedrockEnv(t, f)
			if tt.name == "hang" {
				t.Setenv("BEDROCK_TIMEOUT", "1s")
			}
			args := []string{"check", "--format", "json", "-"}
			if tt.offline {
				args = append(args, "--offline")
			}
			code, out, errOut := runCLI(t, tt.policy, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var r report.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			if r.Score > tt.maxScore || r.Score < 1 {
				t.Errorf("score %d, want 1..%d: %s", r.Score, tt.maxScore, r.Summary)
			}
			notes := strings.Join(r.Notes, "\n")
			if tt.note != "" && !strings.Contains(notes, tt.note) {
				t.Errorf("notes %q do not mention %q", notes, tt.note)
			}
			ran := strings.Contains(strings.Join(r.Analyzers, ","), "bedrock:")
			if ran != tt.model {
				t.Errorf("analyzers %v, model listed: %v, want %v", r.Analyzers, ran, tt.model)
			}
			if r.SuggestedPolicy == nil || r.SuggestedPolicy.Source != tt.source {
				t.Errorf("suggested policy %+v, want one from %s", r.SuggestedPolicy, tt.source)
			}
			if tt.offline && len(f.Requests()) != 0 {
				t.Errorf("--offline still called the model")
			}
			engine := 0
			for _, fd := range r.Findings {
				if fd.Source == "engine" {
					engine++
				}
				if fd.Statement >= 1 {
					t.Errorf("a finding points at statement %d, which does not exist", fd.Statement)
				}
			}
			if engine == 0 {
				t.Errorf("the engine's findings are missing")
			}
		})
	}
}

// TestCheckServiceReference: POLICYCHECK_SERVICE_REFERENCE_URL loads the
// IAM data from AWS's Service Reference format instead of the embedded copy.
func TestCheckServiceReference(t *testing.T) {
	offline(t)
	dir := filepath.Join("assistant", "iamref", "testdata", "servicereference")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			fmt.Fprintf(w, `[{"service":"s3","url":"/s3.json"},{"service":"iam","url":"/iam.json"},{"service":"sts","url":"/sts.json"}]`)
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, filepath.Base(r.URL.Path)))
	}))
	defer srv.Close()
	t.Setenv("POLICYCHECK_SERVICE_REFERENCE_URL", srv.URL+"/")
	code, out, errOut := runCLI(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","ec2:DescribeInstances"],"Resource":"*"}]}`, "check", "--format", "json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// ec2 is not in the three services served: it is unknown here.
	found := false
	for _, f := range r.Findings {
		found = found || (f.Category == report.UnknownAction && strings.Contains(f.Title, "ec2"))
	}
	if !found || strings.HasPrefix(r.DataVersion, "@cloud-copilot") {
		t.Errorf("the Service Reference was not used: data %q, findings %+v", r.DataVersion, r.Findings)
	}
}

// leastPolicy is a policy with nothing to tighten.
const leastPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-data/*"}]}`

// sized is leastPolicy padded with spaces to n bytes.
func sized(n int) string {
	return leastPolicy + strings.Repeat(" ", n-len(leastPolicy))
}

// writeFiles creates files (name: content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// symlink makes link point at target, or skips the test where links
// cannot be made.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// unreadableTo makes path unreadable for the test's duration. Root reads
// anything, so the test is skipped as root.
func unreadableTo(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() <= 0 {
		t.Skip("permissions do not stop root (and are not Unix ones here)")
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	// Runs before t.TempDir's removal, which needs the permissions back.
	t.Cleanup(func() { os.Chmod(path, info.Mode().Perm()) })
}

// pipe gives the name of a pipe (as a process substitution <(...) does)
// from which data can be read, or skips the test where there is none.
func pipe(t *testing.T, data string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("/dev/fd/%d", r.Fd())
	if _, err := os.Stat(name); err != nil {
		r.Close()
		w.Close()
		t.Skipf("no /dev/fd here: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Fails once the reader has stopped and r is closed: what is left
		// is more than the limit and need not be read.
		w.WriteString(data)
		w.Close()
	}()
	t.Cleanup(func() { r.Close(); <-done })
	return name
}

// transcript is what the golden files of TestCheckInputs hold: the exit
// status, the shape of the JSON output with each object reduced to its
// file and its error (so that they do not change with the engine's
// findings), and the standard error. dir and the number of a pipe are
// replaced by fixed names.
func transcript(t *testing.T, dir string, code int, out, errOut string) string {
	t.Helper()
	fixed := func(s string) string {
		s = strings.ReplaceAll(s, dir, "$DIR")
		return regexp.MustCompile(`/dev/fd/\d+`).ReplaceAllString(s, "/dev/fd/N")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "exit %d\nstdout: %s\n", code, jsonShape(out))
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var v struct {
			File  string
			Score int
			Error *struct{ Kind, Message string }
		}
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, out)
		}
		if v.Error != nil {
			fmt.Fprintf(&b, "  %s: %s: %s\n", fixed(v.File), v.Error.Kind, v.Error.Message)
		} else {
			fmt.Fprintf(&b, "  %s: reviewed, score 1-10: %v\n", fixed(v.File), v.Score >= 1 && v.Score <= 10)
		}
	}
	fmt.Fprintf(&b, "stderr:\n%s", fixed(errOut))
	return b.String()
}

// jsonShape tells how JSON output is laid out: one compact object per
// line, or one indented object.
func jsonShape(out string) string {
	if out == "" {
		return "nothing"
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "{") || !json.Valid([]byte(l)) {
			if json.Valid([]byte(out)) && strings.HasPrefix(out, "{\n  ") {
				return "one indented object"
			}
			return "neither JSON Lines nor one object"
		}
	}
	return fmt.Sprintf("JSON Lines, %d", len(lines))
}

// TestCheckInputs: every named input gives one result in its place, also
// when it cannot be read (a bad entry does not stop a directory search, a
// directory with nothing to review is an error), and the JSON shape
// depends on what was named, not on how many files were found.
func TestCheckInputs(t *testing.T) {
	offline(t)
	tests := []struct {
		name   string
		stdin  string
		setup  func(t *testing.T, dir string) []string // makes the inputs, gives the arguments after check
		code   int
		golden string
	}{
		{"unreadable entries", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"a.json": leastPolicy, "sub/e.json": leastPolicy, "z.json": leastPolicy})
			symlink(t, "nowhere.json", filepath.Join(dir, "b.json"))
			symlink(t, "sub", filepath.Join(dir, "c.json"))
			symlink(t, os.DevNull, filepath.Join(dir, "n.json"))
			return []string{dir}
		}, 2, "inputs-unreadable-entries.golden"},
		{"permission denied", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"a.json": leastPolicy, "b.json": leastPolicy, "locked/l.json": leastPolicy, "z.json": leastPolicy})
			unreadableTo(t, filepath.Join(dir, "b.json"))
			unreadableTo(t, filepath.Join(dir, "locked"))
			return []string{dir}
		}, 2, "inputs-permission-denied.golden"},
		{"missing file", "", func(t *testing.T, dir string) []string {
			return []string{filepath.Join(dir, "nope.json")}
		}, 2, "inputs-missing-file.golden"},
		{"missing file among others", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"a.json": leastPolicy})
			return []string{filepath.Join(dir, "a.json"), filepath.Join(dir, "nope.json"), "-"}
		}, 2, "inputs-missing-among-others.golden"},
		{"directory of one policy", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"a.json": leastPolicy, "readme.md": "# not a policy"})
			return []string{dir}
		}, 0, "inputs-directory-of-one.golden"},
		{"one file", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"a.json": leastPolicy})
			return []string{filepath.Join(dir, "a.json")}
		}, 0, "inputs-one-file.golden"},
		{"link to a directory", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"policies/a.json": leastPolicy})
			symlink(t, "policies", filepath.Join(dir, "link"))
			return []string{filepath.Join(dir, "link")}
		}, 0, "inputs-link-to-directory.golden"},
		{"file too large", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"big.json": sized(103000)})
			return []string{"--max-size", "100KB", filepath.Join(dir, "big.json")}
		}, 2, "inputs-file-too-large.golden"},
		{"stdin too large", sized(103000), func(t *testing.T, dir string) []string {
			return []string{"--max-size", "100KB", "-"}
		}, 2, "inputs-stdin-too-large.golden"},
		{"pipe too large", "", func(t *testing.T, dir string) []string {
			return []string{"--max-size", "100KB", pipe(t, sized(150000))}
		}, 2, "inputs-pipe-too-large.golden"},
		{"pipe at the limit", "", func(t *testing.T, dir string) []string {
			return []string{"--max-size", "100KB", pipe(t, sized(100*1024))}
		}, 0, "inputs-pipe-at-limit.golden"},
		{"empty directory", "", func(t *testing.T, dir string) []string {
			return []string{"--fail-under", "5", dir}
		}, 2, "inputs-empty-directory.golden"},
		{"nothing to review in a directory", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"readme.md": "# policies", ".hidden/h.json": leastPolicy,
				"node_modules/n.json": leastPolicy, "testdata/t.json": leastPolicy})
			return []string{dir}
		}, 2, "inputs-nothing-to-review.golden"},
		{"empty directory among files", "", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"a.json": leastPolicy})
			if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
				t.Fatal(err)
			}
			return []string{filepath.Join(dir, "empty"), filepath.Join(dir, "a.json")}
		}, 2, "inputs-empty-directory-among-files.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"check", "--format", "json"}, tt.setup(t, dir)...)
			code, out, errOut := runCLI(t, tt.stdin, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stdout: %.300s\nstderr: %s", code, tt.code, out, errOut)
			}
			golden(t, tt.golden, transcript(t, dir, code, out, errOut))
		})
	}
}

// TestTooLargeMessage: the message is worded the same whether the size of
// the input is known or not, and claims a size only when it is known.
func TestTooLargeMessage(t *testing.T) {
	tests := []struct {
		size, limit int64
		want        string
	}{
		{-1, 100 << 10, "the input is more than 100 KB; the limit is 100 KB (102,400 bytes): raise it with --max-size"},
		{102401, 100 << 10, "the input is 102,401 bytes (101 KB); the limit is 100 KB (102,400 bytes): raise it with --max-size"},
		{5 << 20, 512 << 10, "the input is 5,242,880 bytes (5,120 KB); the limit is 512 KB (524,288 bytes): raise it with --max-size"},
		{-1, 300000, "the input is more than 300,000 bytes; the limit is 300,000 bytes (300,000 bytes): raise it with --max-size"},
	}
	for _, tt := range tests {
		w := &walker{maxSize: tt.limit}
		if got := w.tooLarge(tt.size).Error(); got != tt.want {
			t.Errorf("tooLarge(%d) = %q, want %q", tt.size, got, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"300000": 300000, "512KB": 512 << 10, "512k": 512 << 10, "1MB": 1 << 20, "2 MiB": 2 << 20, "100B": 100} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "1GB", "KB", "1.5MB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) is no error", in)
		}
	}
}

// TestCheckErrorLineEscaped checks that the line echoed with a syntax error
// shows control characters escaped, with the caret still under the error.
func TestCheckErrorLineEscaped(t *testing.T) {
	offline(t)
	code, _, errOut := runCLI(t, "{\"Sid\":\"\x1b[2J\", \"Statement\": [ , ]}", "check", "-")
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if strings.Contains(errOut, "\x1b") {
		t.Errorf("a raw escape reached the terminal: %q", errOut)
	}
	line := `    {"Sid":"\x1b[2J", "Statement": [ , ]}`
	caret := strings.Repeat(" ", strings.Index(line, " , ]")+1) + "^"
	if !strings.Contains(errOut, line+"\n"+caret+"\n") {
		t.Errorf("stderr does not show the escaped line with the caret under the comma:\n%s", errOut)
	}
}
