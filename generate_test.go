package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/internal/bedrockfake"
)

const reportsSpec = `mode: crud
name: reports-reader
read:
- 'arn:aws:s3:::acme-reports/*'
list:
- 'arn:aws:s3:::acme-reports'
exclude-actions:
- 's3:GetObjectVersion*'
`

// generated is the JSON output of policycheck generate.
type generated struct {
	Policy      json.RawMessage `json:"policy"`
	Score       int             `json:"score"`
	Findings    []any           `json:"findings"`
	Assumptions []string        `json:"assumptions"`
	Source      string          `json:"source"`
	Spec        map[string]any  `json:"spec"`
	Verdicts    []string        `json:"verdicts"`
	Notes       []string        `json:"notes"`
	Usage       *struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

func decodeGenerated(t *testing.T, out string) generated {
	t.Helper()
	var g generated
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return g
}

// TestGenerateFromSpec: a spec is compiled offline; the JSON has the
// contract's fields.
func TestGenerateFromSpec(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte(reportsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "generate", "--format", "json", "--from", spec)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	g := decodeGenerated(t, out)
	if g.Source != "spec" || g.Score < 1 || g.Findings == nil || g.Assumptions == nil || g.Spec["name"] != "reports-reader" ||
		!strings.Contains(string(g.Policy), "arn:aws:s3:::acme-reports/*") || len(g.Verdicts) == 0 || g.Usage != nil {
		t.Errorf("generated:\n%s", out)
	}
	for _, key := range []string{`"policy"`, `"score"`, `"findings"`, `"assumptions"`, `"source"`} {
		if !strings.Contains(out, key) {
			t.Errorf("the JSON lacks %s", key)
		}
	}

	code, out, _ = runCLI(t, "", "generate", "--from", spec)
	if code != 0 || !strings.Contains(out, "Generated policy (from the spec)") || !strings.Contains(out, "mode: crud") {
		t.Errorf("text output, exit %d:\n%s", code, out)
	}
}

// TestGenerateUsageErrors: without Bedrock and without --from, a clear
// error and exit 2; the same for a bad spec.
func TestGenerateUsageErrors(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("mode: crud\nreads:\n- x\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"generate", "Lambda that reads s3://acme-reports"}, "needs the Bedrock model (BEDROCK_MODEL_ID)"},
		{[]string{"generate"}, "describe what the policy is for"},
		{[]string{"generate", "--from", bad}, "field reads not found"},
		{[]string{"generate", "--from", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"generate", "--from", bad, "and a description"}, "not both"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, "", tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

func intentFor() map[string]any {
	empty := []any{}
	return map[string]any{
		"name": "reports-to-orders", "read": []any{"arn:aws:s3:::acme-reports/*"}, "write": empty, "list": []any{"arn:aws:s3:::acme-reports"},
		"tagging": empty, "permissions-management": empty,
		"wildcard-only": map[string]any{"single-actions": empty, "service-read": empty, "service-write": empty, "service-list": empty,
			"service-tagging": empty, "service-permissions-management": empty},
		"skip-resource-constraints": empty, "exclude-actions": []any{"s3:GetObjectVersion*"},
		"sts":        map[string]any{"assume-role": empty, "assume-role-with-saml": empty, "assume-role-with-web-identity": empty},
		"actions":    []any{"dynamodb:PutItem", "dynamodb:UpdateItem", "logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:Frobnicate"},
		"conditions": empty, "assumptions": []any{"The orders table is in the function's account."},
	}
}

// TestGenerateWithBedrock: a description goes to the model, whose intent
// the engine compiles; the saved spec compiles again offline to the same
// policy.
func TestGenerateWithBedrock(t *testing.T) {
	f := bedrockfake.Start(bedrockfake.Config{})
	defer f.Close()
	f.Enqueue(bedrockfake.ToolUse("submit_intent", intentFor()))
	bedrockEnv(t, f)
	saved := filepath.Join(t.TempDir(), "intent.yaml")
	code, out, errOut := runCLI(t, "", "generate", "--format", "json", "--save-spec", saved,
		"Lambda that reads s3://acme-reports and writes the orders DynamoDB table")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	g := decodeGenerated(t, out)
	if g.Source != "model" || g.Usage == nil || g.Usage.InputTokens == 0 || strings.Contains(string(g.Policy), "Frobnicate") ||
		!strings.Contains(strings.Join(g.Notes, "\n"), "dynamodb:Frobnicate") {
		t.Errorf("generated:\n%s", out)
	}
	if !strings.Contains(strings.Join(g.Assumptions, "\n"), "<table-name>") {
		t.Errorf("assumptions do not name the placeholders: %q", g.Assumptions)
	}
	if !strings.Contains(f.Requests()[0].UserText(), "writes the orders DynamoDB table") {
		t.Errorf("the description did not reach the model")
	}

	t.Setenv("BEDROCK_MODEL_ID", "")
	code, again, errOut := runCLI(t, "", "generate", "--format", "json", "--from", saved)
	if code != 0 {
		t.Fatalf("from the saved spec: exit %d: %s", code, errOut)
	}
	if a := decodeGenerated(t, again); string(a.Policy) != string(g.Policy) || a.Source != "spec" {
		t.Errorf("the saved spec compiles to another policy:\n%s\nwant\n%s", a.Policy, g.Policy)
	}
}

// TestGenerateModelFails: a model that cannot answer gives exit 2 with
// the cause.
func TestGenerateModelFails(t *testing.T) {
	f := bedrockfake.Start(bedrockfake.Config{})
	defer f.Close()
	f.Handle(func(*bedrockfake.Request) bedrockfake.Response { return bedrockfake.AccessDenied() })
	bedrockEnv(t, f)
	code, _, errOut := runCLI(t, "", "generate", "a Lambda that reads a bucket")
	if code != 2 || !strings.Contains(errOut, "the model could not write the intent: access denied to the model") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
