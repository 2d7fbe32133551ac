package review_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/policycheck/policycheck/assistant/accessanalyzer"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
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

// TestAccessAnalyzerValidate: ValidatePolicy's findings are shown beside
// the engine's, labelled, on their statement, without moving the score;
// none, a failure and an unsupported type are each stated in a note.
func TestAccessAnalyzerValidate(t *testing.T) {
	passRole := accessanalyzerfake.Finding{
		Type: "SECURITY_WARNING", IssueCode: "PASS_ROLE_WITH_STAR_IN_RESOURCE",
		Details:   "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive.",
		Locations: []accessanalyzerfake.Location{{Path: []accessanalyzerfake.PathElement{accessanalyzerfake.Key("Statement"), accessanalyzerfake.Index(0)}}},
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`
	tests := []struct {
		name     string
		answer   func(*accessanalyzerfake.Request) accessanalyzerfake.Response
		typ      policy.Type
		findings int
		note     string
	}{
		{"findings", accessanalyzerfake.Paginate(10, passRole), "", 1, ""},
		{"none", accessanalyzerfake.Paginate(10), "", 0, "ValidatePolicy found nothing"},
		{"failure", func(*accessanalyzerfake.Request) accessanalyzerfake.Response {
			return accessanalyzerfake.AccessDenied()
		}, "", 0,
			"ValidatePolicy is unavailable"},
		{"unsupported type", accessanalyzerfake.Paginate(10), policy.RCP, 0, "does not check rcp policies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := accessanalyzerfake.Start(accessanalyzerfake.Config{})
			defer f.Close()
			f.Handle(tt.answer)
			aa, err := accessanalyzer.New(aws.Config{Region: f.Region(), Credentials: staticCreds(f.Credentials())},
				accessanalyzer.Config{Endpoint: f.URL})
			if err != nil {
				t.Fatal(err)
			}
			engine, err := review.New(iamref.Default()).Review(context.Background(), review.Input{Name: "p.json", Data: []byte(pol), Type: tt.typ})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := review.New(iamref.Default(), review.WithAccessAnalyzer(aa)).Review(context.Background(),
				review.Input{Name: "p.json", Data: []byte(pol), Type: tt.typ})
			if err != nil {
				t.Fatal(err)
			}
			var got []report.Finding
			for _, f := range rep.Findings {
				if f.Source == review.AccessAnalyzerSource {
					got = append(got, f)
				}
			}
			if len(got) != tt.findings {
				t.Fatalf("%d Access Analyzer findings, want %d: %+v", len(got), tt.findings, rep.Findings)
			}
			if rep.Score != engine.Score {
				t.Errorf("score %d, want the engine's %d", rep.Score, engine.Score)
			}
			if tt.findings > 0 {
				f := got[0]
				if f.Statement != 0 || f.Sid != "Pass" || f.Category != "pass-role" || f.Severity != "high" || !strings.Contains(f.Detail, "iam:PassRole") {
					t.Errorf("finding %+v", f)
				}
				if !slices.Contains(rep.Analyzers, review.AccessAnalyzer) {
					t.Errorf("analyzers %v", rep.Analyzers)
				}
			}
			if notes := strings.Join(rep.Notes, "\n"); !strings.Contains(notes, tt.note) {
				t.Errorf("notes %q lack %q", notes, tt.note)
			}
		})
	}
}
