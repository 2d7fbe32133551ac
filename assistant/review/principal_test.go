package review_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/managed"
	"github.com/policycheck/policycheck/assistant/review"
)

// TestPrincipals reviews templates and configurations whose risk is only
// visible across the policies attached to one user or role: the score is
// what the principal really gets, and its worst finding names where.
func TestPrincipals(t *testing.T) {
	tests := []struct {
		file      string
		score     int
		principal string
		rule      string // the principal's worst finding; "" for none
		line      int
		managed   bool // an AWS managed policy was resolved
	}{
		// AdministratorAccess attached by ARN (through !Sub and
		// ${AWS::Partition}) or by a Terraform attachment: full admin,
		// at the line that attaches it.
		{"admin-managed.yaml", 1, "AppRole", "PC101", 13, true},
		{"admin-attachment.tf", 1, "aws_iam_role.app", "PC101", 7, true},
		// ec2:RunInstances inline and iam:PassRole in an attached
		// managed policy: an escalation neither has alone.
		{"split-escalation.tf", 2, "aws_iam_user.dev", "PC201", 11, false},
		// Allow everything, deny everything: nothing is granted.
		{"deny-cancels.yaml", 10, "Locked", "", 0, false},
		// A customer managed policy the input does not hold.
		{"unknown-customer.tf", 7, "aws_iam_role.worker", "PC601", 11, false},
	}
	rv := review.New(iamref.Default())
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "principals", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := rv.Review(context.Background(), review.Input{Name: tt.file, Data: data})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Score != tt.score {
				t.Errorf("score %d, want %d: %s", rep.Score, tt.score, rep.Summary)
			}
			var found bool
			for _, p := range rep.Principals {
				if p.Name != tt.principal {
					continue
				}
				found = true
				if p.Score != tt.score {
					t.Errorf("%s scores %d, want %d", p.Name, p.Score, tt.score)
				}
				var worst string
				line := 0
				for _, f := range p.Findings {
					if f.Severity.Rank() <= 2 { // low and info findings do not decide
						worst, line = f.Rule, f.Line
						break
					}
				}
				if worst != tt.rule || line != tt.line {
					t.Errorf("%s: worst finding %s at line %d, want %s at line %d", p.Name, worst, line, tt.rule, tt.line)
				}
				for _, f := range p.Findings {
					if f.Principal != p.Name {
						t.Errorf("finding %s of %s names principal %q", f.ID, p.Name, f.Principal)
					}
				}
			}
			if !found {
				t.Errorf("no principal %s in %d principals", tt.principal, len(rep.Principals))
			}
			if got := rep.ManagedPoliciesVersion != ""; got != tt.managed {
				t.Errorf("managed policies version %q, want it set: %v", rep.ManagedPoliciesVersion, tt.managed)
			} else if got && rep.ManagedPoliciesVersion != managed.Version() {
				t.Errorf("managed policies version %q, want %q", rep.ManagedPoliciesVersion, managed.Version())
			}
		})
	}
}

// TestAccountExport reviews the output of aws iam get-account-authorization-details:
// every user, role and group is a principal, and a customer managed
// policy attached to nothing is listed apart.
func TestAccountExport(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "principals", "account.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := review.New(iamref.Default()).Review(context.Background(), review.Input{Name: "account.json", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"alice": 8, "bob": 1, "developers": 8, "app": 7, "deployer": 1, "auditor": 8}
	got := map[string]int{}
	for _, p := range rep.Principals {
		got[p.Kind+" "+p.Name] = p.Score
		if w, ok := want[p.Name]; !ok || w != p.Score {
			t.Errorf("%s %s scores %d, want %d", p.Kind, p.Name, p.Score, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("principals %v, want %v", got, want)
	}
	if rep.Score != 1 {
		t.Errorf("score %d, want 1 (bob and deployer have AdministratorAccess)", rep.Score)
	}
	if len(rep.UnusedPolicies) != 1 || rep.UnusedPolicies[0] != "legacy-admin (customer managed policy, v1)" {
		t.Errorf("unused policies %q, want legacy-admin", rep.UnusedPolicies)
	}
}
