package suggest

import (
	"time"
	"os"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/subset"
)

const zzBurst = `{"Version": "2012-10-17", "Statement": [
 {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]},
 {"Sid": "Table", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
 {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
]}`

func BenchmarkZZBurst(b *testing.B) {
	kb := iamref.Default()
	rr, _ := policy.Read([]byte(zzBurst), policy.Options{Name: "x"})
	doc := rr.Documents[0]
	res := analysis.Analyze(kb, doc)
	s := Suggest(kb, doc, res)
	b.Logf("score %d -> %d; %d changes", res.Score, s.Score, len(s.Changes))
	b.Run("Suggest", func(b *testing.B) {
		for b.Loop() {
			Suggest(kb, doc, res)
		}
	})
	b.Run("AnalyzeOrig", func(b *testing.B) {
		for b.Loop() {
			analysis.Analyze(kb, doc)
		}
	})
	f := &shared{kb: kb, doc: doc, res: res, arn: factsOf(doc), read: readLevels(kb), remove: escalationRemovals(kb, res.Findings), services: passRoleServices(kb, doc), passRole: kb.Action("iam:PassRole")}
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			build(f, attempts[0])
		}
	})
	d, _ := build(f, attempts[0])
	b.Run("JSON", func(b *testing.B) {
		for b.Loop() {
			d.JSON()
		}
	})
	data := d.JSON()
	b.Run("Read", func(b *testing.B) {
		for b.Loop() {
			policy.Read(data, policy.Options{Name: doc.Name, Type: doc.Type})
		}
	})
	rr2, _ := policy.Read(data, policy.Options{Name: doc.Name, Type: doc.Type})
	got := rr2.Documents[0]
	b.Run("subset", func(b *testing.B) {
		for b.Loop() {
			subset.Check(kb, doc, got)
		}
	})
	b.Run("Analyze", func(b *testing.B) {
		for b.Loop() {
			analysis.Analyze(kb, got)
		}
	})
}

func BenchmarkZZExamples(b *testing.B) {
	kb := iamref.Default()
	for _, name := range []string{"least-privilege.json", "overly-broad.json"} {
		data, err := os.ReadFile("../../examples/" + name)
		if err != nil {
			b.Fatal(err)
		}
		rr, _ := policy.Read(data, policy.Options{Name: "x"})
		doc := rr.Documents[0]
		res := analysis.Analyze(kb, doc)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Suggest(kb, doc, res)
			}
		})
	}
}

func TestZZTrace(t *testing.T) {
	kb := iamref.Default()
	for _, name := range []string{"least-privilege.json", "overly-broad.json"} {
		data, _ := os.ReadFile("../../examples/" + name)
		rr, _ := policy.Read(data, policy.Options{Name: "x"})
		doc := rr.Documents[0]
		res := analysis.Analyze(kb, doc)
		f := &shared{kb: kb, doc: doc, res: res, arn: factsOf(doc), read: readLevels(kb), remove: escalationRemovals(kb, res.Findings), services: passRoleServices(kb, doc), passRole: kb.Action("iam:PassRole")}
		for k, o := range attempts {
			t0 := time.Now()
			d, ch := build(f, o)
			el := time.Since(t0)
			if len(ch) == 0 {
				t.Logf("%s attempt %d: empty (%v)", name, k, el)
				continue
			}
			got, score, why := verify(kb, doc, res, d)
			t.Logf("%s attempt %d: %d changes, build %v, verify %v score %d %q", name, k, len(ch), el, got != nil, score, why)
			if got != nil {
				break
			}
		}
	}
}
