package compose

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/subset"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func read(t *testing.T, kb *iamref.KB, text []byte) *policy.Document {
	t.Helper()
	res, err := policy.Read(text, policy.Options{Name: "p.json"})
	if err != nil {
		t.Fatalf("%v:\n%s", err, text)
	}
	return res.Documents[0]
}

// TestCompileGolden compiles every spec of testdata and compares the
// policy, the assumptions and the problems with its golden file. Each
// compiled policy reads back and is proven no broader than the policy its
// spec denotes.
func TestCompileGolden(t *testing.T) {
	kb := iamref.Default()
	specs, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil || len(specs) == 0 {
		t.Fatalf("no specs: %v", err)
	}
	for _, path := range specs {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := ParseSpec(data)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Compile(kb, spec)
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			got.Write(res.Policy)
			got.WriteString("\n")
			for _, a := range res.Assumptions {
				got.WriteString("assumed: " + a + "\n")
			}
			for _, p := range res.Problems {
				got.WriteString("problem: " + p + "\n")
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got.String() != string(want) {
				t.Errorf("compiled %s:\n%s\nwant:\n%s", name, got.String(), want)
			}

			if v := subset.Check(kb, read(t, kb, res.Denoted), read(t, kb, res.Policy)); !v.Proven {
				t.Errorf("the policy is not within the policy its spec denotes: %s", v.Reason)
			}
			// Nothing the knowledge base does not know is granted.
			var doc struct{ Statement []struct{ Action []string } }
			json.Unmarshal(res.Policy, &doc)
			for _, st := range doc.Statement {
				for _, a := range st.Action {
					if kb.Action(a) == nil {
						t.Errorf("the policy grants %s, which is not an action", a)
					}
				}
			}
		})
	}
}

// TestSpecRoundTrip: the YAML a spec writes reads back as the same spec.
func TestSpecRoundTrip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "lambda-reports-orders.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := ParseSpec(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseSpec(spec.YAML())
	if err != nil {
		t.Fatalf("%v:\n%s", err, spec.YAML())
	}
	a, _ := json.Marshal(spec)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Errorf("round trip changed the spec:\n%s\n%s", a, b)
	}
}

func TestParseSpecRefuses(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unknown key", "mode: crud\nreads:\n- arn:aws:s3:::x\n", "field reads not found"},
		{"other mode", "mode: sql\n", `mode "sql"`},
		{"empty", "", "empty"},
		{"two documents", "mode: crud\n---\nmode: crud\n", "more than one"},
		{"too large", "mode: crud\n#" + strings.Repeat("x", MaxSpecBytes), "limit"},
		{"not a list", "mode: crud\nread: arn:aws:s3:::x\n", "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSpec([]byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// JSON is YAML.
	if _, err := ParseSpec([]byte(`{"mode": "crud", "read": ["arn:aws:s3:::x/*"]}`)); err != nil {
		t.Errorf("JSON spec: %v", err)
	}
}

func TestCompileNothing(t *testing.T) {
	res, err := Compile(iamref.Default(), &Spec{Mode: "crud", Read: []string{"arn:aws:nosuch:::x"}})
	if !errors.Is(err, ErrNothing) || len(res.Problems) != 1 {
		t.Errorf("err = %v, problems %v", err, res.Problems)
	}
}
