package gate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

const (
	wide  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`
	tight = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*"}]}`
	// branched is a template whose Resource depends on a condition.
	branched = `{"Resources":{"P":{"Type":"AWS::IAM::ManagedPolicy","Properties":{"PolicyDocument":{"Version":"2012-10-17",
		"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":{"Fn::If":["IsProd","*","arn:aws:s3:::dev-bucket/*"]}}]}}}}}`
)

func read(t *testing.T, text string) *policy.Document {
	t.Helper()
	res, err := policy.Read([]byte(text), policy.Options{Name: "p.json"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Documents[0]
}

// bigTight is a policy over the identity quota, every statement within
// acme-reports.
func bigTight(statements int) string {
	var parts []string
	for i := range statements {
		parts = append(parts, fmt.Sprintf(`{"Sid":"Read%d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/team-%d/*"}`, i, i))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(parts, ",") + `]}`
}

type accessAnswer struct {
	pass   bool
	reason string
	err    error
}

func (a accessAnswer) NoNewAccess(context.Context, string, string, string) (bool, string, error) {
	return a.pass, a.reason, a.err
}

func TestAccept(t *testing.T) {
	kb := iamref.Default()
	engine := &report.Suggestion{Source: Engine, Score: 10}
	tests := []struct {
		name    string
		orig    string
		score   int
		rival   *report.Suggestion
		cand    string
		access  NoNewAccessChecker
		refuse  string // "" accepted
		verdict string
	}{
		{name: "narrower", orig: wide, score: 6, cand: tight, verdict: BuiltinProof},
		{name: "broader", orig: tight, score: 10, cand: wide, refuse: "the suggestion allows"},
		{name: "not a policy", orig: wide, score: 6, cand: `{"hello": "world"}`, refuse: "does not read as a policy"},
		{name: "not JSON", orig: wide, score: 6, cand: `{"Version": `, refuse: "does not read as a policy"},
		{name: "two documents", orig: wide, score: 6, cand: "[" + tight + "," + tight + "]", refuse: "2 policy documents"},
		{name: "Fn::If original", orig: branched, score: 10, cand: tight, refuse: "Fn::If"},
		{name: "over the quota", orig: wide, score: 6, cand: bigTight(80), refuse: "over AWS's limit of 6144"},
		{name: "scores lower", orig: tight, score: 10, cand: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*"}]}`, refuse: "below the original's 10"},
		{name: "tie with the engine's", orig: wide, score: 6, rival: engine, cand: tight, refuse: "no higher than the built-in suggestion (10)"},
		{name: "above the rival", orig: wide, score: 6, rival: &report.Suggestion{Source: Engine, Score: 8}, cand: tight, verdict: BuiltinProof},
		{name: "Access Analyzer passes", orig: wide, score: 6, cand: tight, access: accessAnswer{pass: true}, verdict: "CheckNoNewAccess: PASS"},
		{name: "Access Analyzer finds new access", orig: wide, score: 6, cand: tight, access: accessAnswer{reason: "grants s3:PutObject"}, refuse: "IAM Access Analyzer found new access: grants s3:PutObject"},
		{name: "Access Analyzer unavailable", orig: wide, score: 6, cand: tight, access: accessAnswer{err: errors.New("no credentials")}, verdict: "CheckNoNewAccess unavailable: no credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accept := func(c Candidate) (*report.Suggestion, *policy.Document, error) {
				return New(kb, tt.access).Accept(context.Background(), Original{Doc: read(t, tt.orig), Score: tt.score, Rival: tt.rival}, c)
			}
			sug, doc, err := accept(Candidate{Source: Model, Text: []byte(tt.cand)})
			if tt.refuse != "" {
				var r *Refusal
				if !errors.As(err, &r) || !strings.Contains(r.Reason, tt.refuse) {
					t.Fatalf("err = %v, want a refusal containing %q", err, tt.refuse)
				}
				if sug != nil || doc != nil {
					t.Errorf("a refused candidate came back")
				}
			} else {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if sug.Source != Model || doc == nil || sug.Diff == "" || sug.Changes == nil {
					t.Errorf("suggestion %+v, doc %v", sug, doc)
				}
				if v := strings.Join(sug.Verdicts, "; "); !strings.Contains(v, tt.verdict) || !strings.HasPrefix(v, BuiltinProof) {
					t.Errorf("verdicts %q, want the built-in proof and %q", v, tt.verdict)
				}
			}
			// The same candidate handed over as a document, as the
			// engine does, is judged and shown the same.
			rr, rerr := policy.Read([]byte(tt.cand), policy.Options{Name: "p.json"})
			if rerr != nil || len(rr.Documents) != 1 {
				return
			}
			built := *rr.Documents[0]
			built.Text, built.Size = "", 0
			sug2, doc2, err2 := accept(Candidate{Source: Model, Doc: &built})
			if fmt.Sprint(err2) != fmt.Sprint(err) || (sug == nil) != (sug2 == nil) || (doc == nil) != (doc2 == nil) {
				t.Fatalf("as a document: %v, %v; as text: %v, %v", sug2, err2, sug, err)
			}
			if sug != nil && (string(sug2.Policy) != string(sug.Policy) || sug2.Score != sug.Score || sug2.Diff != sug.Diff || doc2.Size != doc.Size) {
				t.Errorf("as a document: %s (score %d, size %d); as text: %s (score %d, size %d)", sug2.Policy, sug2.Score, doc2.Size, sug.Policy, sug.Score, doc.Size)
			}
			if built.Text != "" {
				t.Errorf("the gate changed the candidate document")
			}
		})
	}
}

// TestAcceptCanceled: a canceled review is not a refusal.
func TestAcceptCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := New(iamref.Default(), nil).Accept(ctx, Original{Doc: read(t, wide), Score: 6}, Candidate{Source: Engine, Text: []byte(tight)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestAcceptGenerated: a generated policy is held to the same criteria
// against the policy its intent denotes, and to AWS's quota whatever the
// size of that policy.
func TestAcceptGenerated(t *testing.T) {
	g := New(iamref.Default(), nil)
	denoted := read(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::acme-reports/*"}]}`)
	sug, _, err := g.AcceptGenerated(context.Background(), denoted, Candidate{Source: Engine, Text: []byte(tight)})
	if err != nil || sug.Score != 10 || sug.Verdicts[0] != BuiltinProof {
		t.Fatalf("a policy within the denoted one: %+v, %v", sug, err)
	}
	_, _, err = g.AcceptGenerated(context.Background(), denoted, Candidate{Source: Engine, Text: []byte(wide)})
	var r *Refusal
	if !errors.As(err, &r) || !strings.Contains(r.Reason, "the suggestion allows") {
		t.Errorf("a policy broader than the denoted one: %v", err)
	}
	// Over the quota, even though the denoted policy is larger still.
	big := read(t, bigTight(200))
	_, _, err = g.AcceptGenerated(context.Background(), big, Candidate{Source: Engine, Text: []byte(bigTight(80))})
	if !errors.As(err, &r) || !strings.Contains(r.Reason, "over AWS's limit") {
		t.Errorf("a generated policy over the quota: %v", err)
	}
}
