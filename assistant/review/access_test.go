package review_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/policycheck/policycheck/assistant/accessanalyzer"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/accessanalyzerfake"
)

// TestAccessAnalyzerVerdict: with Access Analyzer configured, its verdict
// is shown next to the built-in proof; a FAIL withholds the suggestion and
// an unavailable service is noted, never taken as a pass.
func TestAccessAnalyzerVerdict(t *testing.T) {
	tests := []struct {
		name    string
		answer  accessanalyzerfake.Response
		shown   bool
		verdict string
	}{
		{"pass", accessanalyzerfake.Pass("no new access"), true, "CheckNoNewAccess: PASS"},
		{"fail", accessanalyzerfake.Fail("new access"), false, ""},
		{"unavailable", accessanalyzerfake.AccessDenied(), true, "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := accessanalyzerfake.Start(accessanalyzerfake.Config{})
			defer f.Close()
			// Every call gets the same answer: a FAIL on the boldest
			// suggestion makes the gate try the more conservative ones.
			f.Handle(func(*accessanalyzerfake.Request) accessanalyzerfake.Response { return tt.answer })
			aa, err := accessanalyzer.New(aws.Config{
				Region:      f.Region(),
				Credentials: staticCreds(f.Credentials()),
			}, accessanalyzer.Config{Endpoint: f.URL})
			if err != nil {
				t.Fatal(err)
			}
			rv := review.New(iamref.Default(), review.WithAccessAnalyzer(aa))
			rep, err := rv.Review(context.Background(), review.Input{Name: "p.json", Data: []byte(broadPolicy)})
			if err != nil {
				t.Fatal(err)
			}
			if (rep.SuggestedPolicy != nil) != tt.shown {
				t.Fatalf("suggestion shown %v, want %v (%s)", rep.SuggestedPolicy != nil, tt.shown, rep.NoSuggestionReason)
			}
			if !tt.shown {
				if !strings.Contains(rep.NoSuggestionReason, "Access Analyzer") {
					t.Errorf("reason %q does not name Access Analyzer", rep.NoSuggestionReason)
				}
				return
			}
			if v := strings.Join(rep.SuggestedPolicy.Verdicts, "; "); !strings.Contains(v, tt.verdict) || !strings.Contains(v, gate.BuiltinProof) {
				t.Errorf("verdicts %q, want the built-in proof and %q", v, tt.verdict)
			}
		})
	}
}
