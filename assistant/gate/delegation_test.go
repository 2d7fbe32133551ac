package gate

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
)

// keyPolicy is a KMS key policy whose first statement delegates to the
// account, written as principal; the second lets a role use the key.
func keyPolicy(principal, rootActions string) string {
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":` + principal + `},"Action":` + rootActions + `,"Resource":"*"},
 {"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}`
}

func TestDelegationKept(t *testing.T) {
	kb := iamref.Default()
	g := New(kb, nil)
	roots := []string{
		`"arn:aws:iam::111122223333:root"`,
		`"111122223333"`,
		`"arn:${AWS::Partition}:iam::${AWS::AccountId}:root"`,
		`"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"`,
		`"arn:aws:iam::${var.trusted_account}:root"`,
		`["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]`,
	}
	for _, root := range roots {
		orig := keyPolicy(root, `"kms:*"`)
		tests := []struct {
			name, cand, refuse string
		}{
			{"unchanged", orig, ""},
			{"root narrowed to reads", keyPolicy(root, `["kms:Describe*","kms:Get*","kms:List*"]`), "delegates to"},
			{"root removed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}`, "delegates to"},
			{"other statement narrowed", strings.Replace(orig, `["kms:Decrypt","kms:Encrypt"]`, `"kms:Decrypt"`, 1), ""},
		}
		for _, tt := range tests {
			t.Run(root+"/"+tt.name, func(t *testing.T) {
				d := read(t, orig)
				d.Type = policy.Resource
				_, _, err := g.Accept(context.Background(), Original{Doc: d, Score: 1}, Candidate{Source: Model, Text: []byte(tt.cand)})
				var r *Refusal
				switch {
				case tt.refuse == "" && err != nil:
					t.Fatalf("refused: %v", err)
				case tt.refuse != "" && (!errors.As(err, &r) || !strings.Contains(r.Reason, tt.refuse)):
					t.Fatalf("got %v, want a refusal saying %q", err, tt.refuse)
				}
			})
		}
	}
}
