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
		{"too large", big, []string{"check", "--format", "json", "-"}, 2, "limit is 100 KB", "too-large"},
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
		{"good review", bucketPolicy, []bedrockfake.Response{good}, false, 5, "", true, "model"},
		{"admin scored 10", adminPolicy, []bedrockfake.Response{bedrockfake.AdminScore10()}, false, 1, "cap the score at 1", true, "engine"},
		{"broader suggestion", bucketPolicy, []bedrockfake.Response{bedrockfake.BroaderSuggestion()}, false, 4, "suggested policy was rejected", true, "engine"},
		{"invalid suggestion", bucketPolicy, []bedrockfake.Response{bedrockfake.InvalidSuggestionJSON()}, false, 3, "suggested policy was rejected", true, "engine"},
		{"unknown tool", bucketPolicy, []bedrockfake.Response{bedrockfake.UnknownTool()}, false, 6, "unknown tool", false, "engine"},
		{"text instead", bucketPolicy, []bedrockfake.Response{bedrockfake.Text("Looks fine to me!")}, false, 6, "text instead", false, "engine"},
		{"max tokens", bucketPolicy, []bedrockfake.Response{bedrockfake.MaxTokens()}, false, 6, "max_tokens", false, "engine"},
		{"throttled then ok", bucketPolicy, []bedrockfake.Response{bedrockfake.Throttling(), good}, false, 5, "", true, "model"},
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
