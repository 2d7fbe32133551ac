package review

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
)

// scripted is a model that proposes one rewrite, in reviews and answers.
type scripted struct{ rewrite string }

func (s scripted) ModelID() string { return "scripted" }

func (s scripted) Review(_ context.Context, req ModelRequest) (*ModelReview, error) {
	return &ModelReview{Score: req.EngineScore, Summary: "Scripted.", SuggestedPolicy: s.rewrite}, nil
}

func (s scripted) Ask(context.Context, AskRequest) (*ModelAnswer, error) {
	return &ModelAnswer{Text: "Here is a rewrite.", Policy: s.rewrite}, nil
}

const (
	widePolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`
	tightPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*"}]}`
	// branchedTemplate grants a bucket in dev and everything in prod.
	branchedTemplate = `{"Resources":{"P":{"Type":"AWS::IAM::ManagedPolicy","Properties":{"PolicyDocument":{"Version":"2012-10-17",
		"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":{"Fn::If":["IsProd","*","arn:aws:s3:::dev-bucket/*"]}}]}}}}}`
	// prodRewrite is proven no broader than the prod branch, and is new
	// access for the dev deployment.
	prodRewrite = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod-bucket/*"}]}`
)

// overQuota is within acme-reports and over the identity policy quota.
func overQuota() string {
	var parts []string
	for i := range 80 {
		parts = append(parts, fmt.Sprintf(`{"Sid":"Read%d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/team-%d/*"}`, i, i))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(parts, ",") + `]}`
}

// TestProducersUseGate: the model's suggestion in a review and its rewrite
// in a follow-up answer are withheld for the gate's reasons, in words the
// user reads.
func TestProducersUseGate(t *testing.T) {
	kb := iamref.Default()
	tests := []struct {
		name, policy, rewrite string
		want                  string // in the note; "" shown
	}{
		{"one branch of a template", branchedTemplate, prodRewrite, "Fn::If conditions were read as true"},
		{"over the quota", widePolicy, overQuota(), "over AWS's limit of 6144"},
		{"broader", tightPolicy, widePolicy, "outside the original's resources"},
		{"narrower", widePolicy, tightPolicy, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rv := New(kb, WithModel(scripted{tt.rewrite}))
			rep, err := rv.Review(context.Background(), Input{Name: "p.json", Data: []byte(tt.policy)})
			if err != nil {
				t.Fatal(err)
			}
			notes := strings.Join(rep.Notes, "\n")
			modelShown := rep.SuggestedPolicy != nil && rep.SuggestedPolicy.Source == "model"
			if tt.want == "" {
				// The engine's suggestion of widePolicy scores as high as
				// tightPolicy: a tie keeps the engine's.
				if modelShown || !strings.Contains(notes, "no higher than the built-in suggestion") {
					t.Errorf("review: model's suggestion shown %v; notes:\n%s", modelShown, notes)
				}
			} else if modelShown || !strings.Contains(notes, "The model's suggested policy was rejected: ") || !strings.Contains(notes, tt.want) {
				t.Errorf("review: model's suggestion shown %v; notes:\n%s", modelShown, notes)
			}

			a, err := rv.Ask(context.Background(), Question{Policy: []byte(tt.policy), Report: rep, Text: "rewrite it"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if a.Suggestion == nil || a.Suggestion.Source != "model" || a.Review == nil {
					t.Errorf("answer: no rewrite; note %q", a.Note)
				}
				return
			}
			if a.Suggestion != nil || !strings.Contains(a.Note, "The model's rewritten policy was withheld: ") || !strings.Contains(a.Note, tt.want) {
				t.Errorf("answer: rewrite shown %v; note %q", a.Suggestion != nil, a.Note)
			}
		})
	}
}
