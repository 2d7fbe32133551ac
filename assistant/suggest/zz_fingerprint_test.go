package suggest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/internal/corpus"
)

// TestZZFingerprint writes every suggestion of the corpus to a file, to
// compare before and after a change.
func TestZZFingerprint(t *testing.T) {
	out := os.Getenv("SUGGEST_FINGERPRINT")
	if out == "" {
		t.Skip()
	}
	docs, err := corpus.Load(corpus.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	slices.Sort(names)
	extra := []string{`{"Version": "2012-10-17", "Statement": [
 {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]},
 {"Sid": "Table", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
 {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
]}`}
	ins, _ := os.ReadDir("testdata/in")
	for _, e := range ins {
		data, _ := os.ReadFile("testdata/in/" + e.Name())
		extra = append(extra, string(data))
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kb := iamref.Default()
	run := func(name string, data []byte) {
		for _, typ := range []policy.Type{"", policy.Identity, policy.Resource, policy.Trust} {
			rr, err := policy.Read(data, policy.Options{Name: name, Type: typ})
			if err != nil {
				fmt.Fprintf(f, "%s %s: %v\n", name, typ, err)
				continue
			}
			for _, doc := range rr.Documents {
				res := analysis.Analyze(kb, doc)
				s := Suggest(kb, doc, res)
				var js []byte
				if s.Doc != nil {
					js = s.Doc.JSON()
				}
				ch, _ := json.Marshal(s.Changes)
				h := sha256.Sum256(append(append(js, ch...), s.Reason...))
				fmt.Fprintf(f, "%s %s %d %d %x\n", name, typ, res.Score, s.Score, h[:8])
			}
		}
	}
	for i, e := range extra {
		run(fmt.Sprintf("extra%d", i), []byte(e))
	}
	for _, n := range names {
		if len(docs[n]) > policy.MaxInputBytes {
			continue
		}
		run(n, docs[n])
	}
}
