package suggest

import (
	"context"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
)

// refuseAll is an Access Analyzer that finds new access in everything.
type refuseAll struct{ calls int }

func (r *refuseAll) NoNewAccess(context.Context, string, string, string) (bool, string, error) {
	r.calls++
	return false, "new access", nil
}

// TestSuggestGoesThroughGate: every attempt of the engine's suggestion is
// a candidate for the gate, whose refusal is the reason shown.
func TestSuggestGoesThroughGate(t *testing.T) {
	kb := iamref.Default()
	doc := read(t, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), "")
	res := analysis.Analyze(kb, doc)
	aa := &refuseAll{}
	s := Suggest(context.Background(), gate.New(kb, aa), kb, doc, res)
	if s.Suggestion != nil || aa.calls == 0 || !strings.Contains(s.Reason, "IAM Access Analyzer found new access") {
		t.Errorf("suggestion %v after %d calls, reason %q", s.Suggestion != nil, aa.calls, s.Reason)
	}

	branched := read(t, []byte(`{"Resources":{"P":{"Type":"AWS::IAM::ManagedPolicy","Properties":{"PolicyDocument":{"Version":"2012-10-17",
		"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":{"Fn::If":["IsProd","*","arn:aws:s3:::dev-bucket/*"]}}]}}}}}`), "")
	s = Suggest(context.Background(), gate.New(kb, nil), kb, branched, analysis.Analyze(kb, branched))
	if s.Suggestion != nil || !strings.Contains(s.Reason, "Fn::If") {
		t.Errorf("suggestion for one branch of a template: %v, reason %q", s.Suggestion != nil, s.Reason)
	}
}
