package config

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/accessanalyzerfake"
	"github.com/policycheck/policycheck/internal/bedrockfake"
)

const (
	testModel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
	broad     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

var quiet = slog.New(slog.DiscardHandler)

// awsEnv keeps the AWS SDK's chain away from the machine's own
// configuration and points it at the given credentials and region.
func awsEnv(t *testing.T, region, keyID, secret, token string) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_REGION": region, "AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_DEFAULT_REGION": "", "AWS_BEARER_TOKEN_BEDROCK": "",
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "", "AWS_ENDPOINT_URL_ACCESSANALYZER": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
	} {
		t.Setenv(k, v)
	}
}

func reviewBroad(t *testing.T, rv *review.Reviewer) []string {
	t.Helper()
	rep, err := rv.Review(t.Context(), review.Input{Name: "p.json", Data: []byte(broad)})
	if err != nil {
		t.Fatal(err)
	}
	out := append([]string(nil), rep.Analyzers...)
	out = append(out, rep.Notes...)
	if rep.SuggestedPolicy != nil {
		out = append(out, rep.SuggestedPolicy.Verdicts...)
	}
	return out
}

// TestReviewerBedrock: the model is reached through the AWS SDK's chain,
// the endpoint from AWS_ENDPOINT_URL_BEDROCK_RUNTIME or AWS_ENDPOINT_URL.
func TestReviewerBedrock(t *testing.T) {
	for _, env := range []string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"} {
		t.Run(env, func(t *testing.T) {
			f := bedrockfake.Start(bedrockfake.Config{Region: "eu-central-1"})
			defer f.Close()
			f.Enqueue(bedrockfake.Review(map[string]any{"score": 3, "summary": "Every bucket.", "findings": []any{}, "suggested_policy": ""}))
			c := f.Credentials()
			awsEnv(t, "eu-central-1", c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
			t.Setenv(env, f.URL)
			rv, err := Review{ModelID: testModel, ModelConcurrency: 1}.Reviewer(t.Context(), iamref.Default(), quiet, false)
			if err != nil {
				t.Fatal(err)
			}
			if rv.ModelID() != testModel {
				t.Errorf("ModelID() = %q", rv.ModelID())
			}
			if got := reviewBroad(t, rv); !slices.Contains(got, "bedrock:"+testModel) {
				t.Errorf("analyzers %v do not list the model", got)
			}
			if reqs := f.Requests(); len(reqs) != 1 || reqs[0].AuthError != "" {
				t.Errorf("fake requests: %+v", reqs)
			}
		})
	}
}

// TestReviewerAccessAnalyzer: Access Analyzer confirms the suggestion
// through the same chain.
func TestReviewerAccessAnalyzer(t *testing.T) {
	f := accessanalyzerfake.Start(accessanalyzerfake.Config{})
	defer f.Close()
	f.Enqueue(accessanalyzerfake.Pass("no new access"))
	c := f.Credentials()
	awsEnv(t, f.Region(), c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	t.Setenv("AWS_ENDPOINT_URL_ACCESSANALYZER", f.URL)
	rv, err := Review{AccessAnalyzer: true, ModelConcurrency: 1}.Reviewer(t.Context(), iamref.Default(), quiet, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := reviewBroad(t, rv); !slices.Contains(got, "IAM Access Analyzer CheckNoNewAccess: PASS") {
		t.Errorf("verdicts %v do not hold Access Analyzer's pass", got)
	}
}

func TestReviewerErrors(t *testing.T) {
	awsEnv(t, "", "", "", "")
	tests := []struct {
		name string
		r    Review
		want string
	}{
		{"model without region", Review{ModelID: testModel, ModelConcurrency: 1}, "configure Bedrock model " + testModel + ": bedrock: no AWS region"},
		{"access analyzer without region", Review{AccessAnalyzer: true, ModelConcurrency: 1}, "IAM Access Analyzer: no region configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.r.Reviewer(t.Context(), iamref.Default(), quiet, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Reviewer: %v, want an error with %q", err, tt.want)
			}
			// Offline, nothing is loaded and nothing can fail.
			rv, err := tt.r.Reviewer(t.Context(), iamref.Default(), quiet, true)
			if err != nil || rv.ModelID() != "" {
				t.Errorf("offline Reviewer = model %q, %v", rv.ModelID(), err)
			}
		})
	}
	// A malformed shared configuration file is reported when a client needs it.
	t.Setenv("AWS_PROFILE", "missing")
	if _, err := (Review{ModelID: testModel, ModelConcurrency: 1}).Reviewer(t.Context(), iamref.Default(), quiet, false); err == nil ||
		!strings.Contains(err.Error(), "load AWS configuration") {
		t.Errorf("Reviewer with a missing profile: %v", err)
	}
}

func TestKB(t *testing.T) {
	kb, err := Review{}.KB(t.Context())
	if err != nil || kb == nil {
		t.Fatalf("embedded KB: %v, %v", kb, err)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err = Review{ServiceReferenceURL: srv.URL + "/"}.KB(context.Background())
	if err == nil || !strings.Contains(err.Error(), "POLICYCHECK_SERVICE_REFERENCE_URL") {
		t.Errorf("KB from a server with nothing: %v, want an error naming the variable", err)
	}
}
