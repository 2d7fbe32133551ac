package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/report"
)

// checked is one line of `check --format json`.
type checked struct {
	File       string             `json:"file"`
	PolicyType string             `json:"policy_type"`
	Score      int                `json:"score"`
	Findings   []report.Finding   `json:"findings"`
	Documents  []report.Document  `json:"documents"`
	Suggested  *report.Suggestion `json:"suggested_policy"`
	Reason     string             `json:"no_suggestion_reason"`
	Skipped    string             `json:"skipped"`
}

// outline is what a golden file keeps of a review: the documents with
// their type and score, the findings with rule, place and note, and the
// suggestion's changes.
func outline(c checked) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d/10\n", c.File, c.Score)
	docs := c.Documents
	if len(docs) == 0 {
		docs = []report.Document{{Name: c.File, PolicyType: c.PolicyType, Score: c.Score, Findings: c.Findings}}
	}
	for _, d := range docs {
		fmt.Fprintf(&b, "  %s (%s): %d/10\n", d.Name, d.PolicyType, d.Score)
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "    %s %s statement %d: %s\n", f.Rule, f.Severity, f.Statement, f.Title)
			if f.Note != "" {
				fmt.Fprintf(&b, "      note: %s\n", f.Note)
			}
		}
	}
	if s := c.Suggested; s != nil {
		fmt.Fprintf(&b, "  suggestion for %s: %d/10\n", s.Document, s.Score)
		for _, ch := range s.Changes {
			fmt.Fprintf(&b, "    statement %d: %s\n", ch.Statement, ch.What)
		}
	} else if c.Reason != "" {
		fmt.Fprintf(&b, "  %s\n", c.Reason)
	}
	return b.String()
}

func checkJSON(t *testing.T, args ...string) []checked {
	t.Helper()
	code, out, errOut := runCLI(t, "", append([]string{"check", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res []checked
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var c checked
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
		res = append(res, c)
	}
	return res
}

// TestReferencesGolden reviews realistic templates and Terraform whose
// principals, resources and conditions are references, and endpoint and
// organization policies, against golden outlines.
func TestReferencesGolden(t *testing.T) {
	offline(t)
	files, _ := filepath.Glob("testdata/references/*.*")
	if len(files) < 6 {
		t.Fatalf("%d inputs in testdata/references", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var b strings.Builder
			for _, c := range checkJSON(t, f) {
				b.WriteString(outline(c))
			}
			golden(t, "references-"+filepath.Base(f)+".golden", b.String())
		})
	}
}

// docScore finds a document's review by a part of its name.
func docScore(t *testing.T, c checked, name string) report.Document {
	t.Helper()
	for _, d := range c.Documents {
		if strings.Contains(d.Name, name) {
			return d
		}
	}
	t.Fatalf("%s: no document %q", c.File, name)
	return report.Document{}
}

func rulesOf(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// TestReferencesSemantics states what AWS makes of each input, apart
// from the wording the golden files hold.
func TestReferencesSemantics(t *testing.T) {
	offline(t)
	tests := []struct {
		file, doc string
		score     int      // the document's score
		want      []string // rules it must report
		not       []string // rules it must not report
	}{
		// The account root however it is written is a delegation, never
		// "kms:* on every resource"; a principal from the template itself
		// is specific; a parameter in the account of a root ARN still
		// names one account (AWS refuses wildcards there).
		{"kms-replication.yaml", "SourceKey", 10, []string{"PC330"}, []string{"PC130", "PC303", "PC701"}},
		// A dynamic statement over a for_each the input does not give may
		// grant anything; those over a local's map and a local's list are
		// read as written (no unknown action, no malformed one).
		{"dynamic.tf", "aws_iam_role_policy.worker", 1, []string{"PC101", "PC701"}, []string{"PC030", "PC031", "PC032"}},
		{"kms-replication.yaml", "ReplicaKeyGrant", 10, []string{"PC330"}, []string{"PC130", "PC303"}},
		// A bucket named by a parameter may be any bucket.
		{"kms-replication.yaml", "ReplicationRole.Policies", 6, []string{"PC140", "PC701"}, nil},
		// The root through locals and aws_caller_identity; key users
		// from a variable with an empty default may be anyone.
		{"kms-key.tf", "aws_kms_key.this", 2, []string{"PC330", "PC303", "PC701"}, []string{"PC130"}},
		{"kms-key.tf", "aws_kms_key.logs", 8, []string{"PC330"}, []string{"PC130", "PC701"}},
		// A principal from a variable may be "*"; one whose default names
		// a role is read as that role.
		{"bucket-policy.tf", "aws_s3_bucket_policy.reports", 4, []string{"PC302", "PC701"}, []string{"PC303"}},
		// iam:PassRole on a variable is not "the named roles"; on the
		// module's own role it is.
		{"passrole.tf", "aws_iam_policy.deployer", 6, []string{"PC241"}, []string{"PC242"}},
		// The ELB account of the region, through Fn::FindInMap: one of the
		// accounts the template maps, not anyone.
		{"alb-logs.yaml", "LogsBucketPolicy", 10, nil, []string{"PC303", "PC701"}},
		// AWS's recommended endpoint policies are private; the default
		// full-access one is not, but it grants nothing by itself.
		{"endpoints.yaml", "S3GatewayEndpoint", 10, nil, []string{"PC303", "PC302", "PC101", "PC710"}},
		{"endpoints.yaml", "StsEndpoint", 9, []string{"PC711"}, []string{"PC710", "PC303"}},
		{"endpoints.yaml", "DefaultEndpoint", 6, []string{"PC710"}, []string{"PC303", "PC101"}},
		{"endpoints.tf", "aws_vpc_endpoint.s3", 10, nil, []string{"PC710", "PC303", "PC701"}},
		{"endpoints.tf", "ecr_api", 6, []string{"PC710"}, []string{"PC303"}},
		{"endpoints.tf", "s3_ecr_layers", 10, nil, []string{"PC710"}},
	}
	byFile := map[string]checked{}
	for _, tt := range tests {
		c, ok := byFile[tt.file]
		if !ok {
			c = checkJSON(t, filepath.Join("testdata", "references", tt.file))[0]
			byFile[tt.file] = c
		}
		d := docScore(t, c, tt.doc)
		got := rulesOf(d.Findings)
		if d.Score != tt.score {
			t.Errorf("%s %s: score %d, want %d (%v)", tt.file, tt.doc, d.Score, tt.score, got)
		}
		for _, r := range tt.want {
			if !slices.Contains(got, r) {
				t.Errorf("%s %s: no %s in %v", tt.file, tt.doc, r, got)
			}
		}
		for _, r := range tt.not {
			if slices.Contains(got, r) {
				t.Errorf("%s %s: %s reported (%v)", tt.file, tt.doc, r, got)
			}
		}
	}
	for _, d := range byFile["endpoints.yaml"].Documents {
		if d.PolicyType != "endpoint" {
			t.Errorf("%s: type %s, want endpoint", d.Name, d.PolicyType)
		}
	}
}

// TestTypeFallback: --type applies to the documents whose source does not
// say their type; an organization policy of a template or Terraform keeps
// the type its resource gives it, and so does a JSON file that a
// Terraform file of the run loads as one (content = file("...")).
func TestTypeFallback(t *testing.T) {
	offline(t)
	want := map[string]string{
		"testdata/references/org/deny-regions.json":         "scp",
		"testdata/references/org/rcps/confused-deputy.json": "rcp",
		"testdata/references/org/unattached.json":           "", // the type given, or identity
		"aws_organizations_policy.rcp (content)":            "rcp",
		"aws_organizations_policy.scp (content)":            "scp",
		"DenyLeaveOrg.Content (AWS::Organizations::Policy)": "scp",
		"Rcp.Content (AWS::Organizations::Policy)":          "rcp",
	}
	for _, forced := range []string{"", "scp", "identity", "endpoint"} {
		args := []string{filepath.Join("testdata", "references", "org")}
		if forced != "" {
			args = append([]string{"--type", forced}, args...)
		}
		got := map[string]string{}
		for _, c := range checkJSON(t, args...) {
			for _, d := range c.Documents {
				got[filepath.ToSlash(d.Name)] = d.PolicyType
			}
		}
		for name, typ := range want {
			if typ == "" {
				typ = cmp.Or(forced, "identity")
			}
			if got[name] != typ {
				t.Errorf("--type %q: %s is %q, want %q (all: %v)", forced, name, got[name], typ, got)
			}
		}
	}
}
