package review_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/policycheck/policycheck/assistant/bedrock"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/bedrockfake"
)

const broadPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Data","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`

func modelFor(t *testing.T, f *bedrockfake.Server) *bedrock.Client {
	t.Helper()
	c, err := bedrock.New(aws.Config{
		Region:      f.Region(),
		Credentials: aws.NewCredentialsCache(credentialsOf(f)),
	}, bedrock.Config{ModelID: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", Endpoint: f.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type staticCreds aws.Credentials

func (s staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials(s), nil
}

func credentialsOf(f *bedrockfake.Server) aws.CredentialsProvider {
	return staticCreds(f.Credentials())
}

func TestAsk(t *testing.T) {
	kb := iamref.Default()
	base, err := review.New(kb).Review(context.Background(), review.Input{Name: "p.json", Data: []byte(broadPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	narrower := `{"Version":"2012-10-17","Statement":[{"Sid":"Data","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-logs/*"}]}`
	broader := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	tests := []struct {
		name       string
		model      []bedrockfake.Response // nil: no model configured
		source     string
		policy     bool
		note, text string
	}{
		{"narrower rewrite", []bedrockfake.Response{bedrockfake.Answer("Scoped to acme-logs.", narrower)}, "model", true, "", "acme-logs"},
		{"broader rewrite", []bedrockfake.Response{bedrockfake.Answer("Here you go.", broader)}, "model", false, "withheld", "Here you go"},
		{"model down", []bedrockfake.Response{bedrockfake.AccessDenied()}, "engine", false, "unavailable", "s3:GetObject"},
		{"no model", nil, "engine", false, "need the Bedrock model", "s3:GetObject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rv := review.New(kb)
			if tt.model != nil {
				f := bedrockfake.Start(bedrockfake.Config{})
				defer f.Close()
				f.Enqueue(tt.model...)
				rv = review.New(kb, review.WithModel(modelFor(t, f)))
			}
			a, err := rv.Ask(context.Background(), review.Question{Policy: []byte(broadPolicy), Report: base, Text: "why is s3:GetObject flagged?"})
			if err != nil {
				t.Fatal(err)
			}
			if a.Source != tt.source || (a.Suggestion != nil) != tt.policy {
				t.Errorf("source %s, policy %v; want %s, %v (note %q)", a.Source, a.Suggestion != nil, tt.source, tt.policy, a.Note)
			}
			if !strings.Contains(a.Note, tt.note) || !strings.Contains(a.Text, tt.text) {
				t.Errorf("note %q text %q; want %q and %q", a.Note, a.Text, tt.note, tt.text)
			}
			if tt.policy && (a.Review == nil || a.Review.Score < base.Score) {
				t.Errorf("the rewritten policy has no review of its own, or scores lower")
			}
		})
	}
}
