package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/internal/bedrockfake"
	"github.com/policycheck/policycheck/internal/slackfake"
)

func isAnswer(m slackfake.Message) bool {
	return strings.Contains(string(m.Blocks), "policycheck-answer")
}

// TestFollowUpEngine asks a question in a card's thread with no model: the
// engine answers from the findings, and says a model would do better.
func TestFollowUpEngine(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	d, err := s.Mention(ctx, general, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, general, d.TS, isCard)
	if _, err := s.Mention(ctx, general, bob, "why is s3:* flagged?", slackfake.MessageOptions{ThreadTS: d.TS}); err != nil {
		t.Fatal(err)
	}
	m := waitMessage(t, ctx, s, general, d.TS, isAnswer)
	c := content(m)
	if !strings.Contains(c, "Service wildcard") || !strings.Contains(c, "BEDROCK_MODEL_ID") || !strings.Contains(c, "built-in engine for <@"+bob+">") {
		t.Errorf("answer:\n%s", c)
	}
}

// TestModel runs the bot with a Bedrock model that refuses reviews and
// answers questions: the card falls back to the built-in review with the
// cause, and the answer to a question comes from the model, made inert.
func TestModel(t *testing.T) {
	t.Parallel()
	br := bedrockfake.Start(bedrockfake.Config{})
	t.Cleanup(br.Close)
	br.Handle(func(r *bedrockfake.Request) bedrockfake.Response {
		switch {
		case r.Tool(bedrockfake.AnswerTool) == nil:
			return bedrockfake.AccessDenied()
		case strings.Contains(r.UserText(), "rewrite"):
			return bedrockfake.Answer("Here is a narrower policy.", tightPolicy)
		}
		return bedrockfake.Answer("<!channel> s3:* grants every S3 action; list the ones you call.", "")
	})
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), map[string]string{
		"BEDROCK_MODEL_ID":                 "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": br.URL,
		"AWS_ACCESS_KEY_ID":                bedrockfake.DefaultAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":            bedrockfake.DefaultSecretAccessKey,
		"AWS_REGION":                       bedrockfake.DefaultRegion,
		"AWS_EC2_METADATA_DISABLED":        "true",
	})
	ctx := ctxFor(t)

	d, err := s.Mention(ctx, general, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := waitMessage(t, ctx, s, general, d.TS, isCard)
	if !strings.Contains(content(c), "Bedrock model unavailable") {
		t.Errorf("card does not say the model was unavailable:\n%s", content(c))
	}
	if _, err := s.Mention(ctx, general, alice, "what should I keep?", slackfake.MessageOptions{ThreadTS: d.TS}); err != nil {
		t.Fatal(err)
	}
	m := waitMessage(t, ctx, s, general, d.TS, isAnswer)
	if !strings.Contains(content(m), "Answered by the model") || !strings.Contains(content(m), "list the ones you call") {
		t.Errorf("answer:\n%s", content(m))
	}
	// The model's text is plain_text in the blocks and escaped in the
	// notification text: it can mention no one.
	var blocks []struct {
		Text *struct{ Type, Text string } `json:"text"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.Text != nil && strings.Contains(b.Text.Text, "<!channel>") && b.Text.Type != "plain_text" {
			t.Errorf("the model's text is %s: %q", b.Text.Type, b.Text.Text)
		}
	}
	if strings.Contains(m.Text, "<!channel>") {
		t.Errorf("the notification text can notify the channel: %q", m.Text)
	}

	// A rewritten policy, proven no broader, gets its own card.
	if _, err := s.Mention(ctx, general, alice, "please rewrite it for reading reports", slackfake.MessageOptions{ThreadTS: d.TS}); err != nil {
		t.Fatal(err)
	}
	rc := waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool {
		return isCard(m) && m.TS != c.TS && strings.Contains(content(m), "rewritten policy")
	})
	if !strings.Contains(content(rc), fmt.Sprintf("Policy review: %d/10", score(t, tightPolicy))) {
		t.Errorf("card of the rewritten policy:\n%s", content(rc))
	}
	reviewID(t, rc)
}

// TestFollowUpRewriteWithheld asks the model, in a card's thread, for
// rewrites that the review path would never show: one proven only for one
// branch of a template's Fn::If, and one over AWS's size quota. Both go
// through the same gate as every suggestion and are withheld, with the
// reason, in the answer.
func TestFollowUpRewriteWithheld(t *testing.T) {
	t.Parallel()
	const template = "AWSTemplateFormatVersion: '2010-09-09'\n" +
		"Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n" +
		"Parameters:\n  Env:\n    Type: String\n" +
		"Resources:\n  Reader:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n" +
		"        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n" +
		"            Resource: !If [IsProd, '*', 'arn:aws:s3:::dev-bucket/*']\n"
	prodOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod-bucket/*"}]}`
	var big []string
	for i := range 80 {
		big = append(big, fmt.Sprintf(`{"Sid":"Team%d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket/reports/team-%d/*"}`, i, i))
	}
	overQuota := `{"Version":"2012-10-17","Statement":[` + strings.Join(big, ",") + `]}`

	br := bedrockfake.Start(bedrockfake.Config{})
	t.Cleanup(br.Close)
	br.Handle(func(r *bedrockfake.Request) bedrockfake.Response {
		switch {
		case r.Tool(bedrockfake.AnswerTool) == nil:
			return bedrockfake.AccessDenied() // reviews fall back to the engine
		case strings.Contains(r.UserText(), "prod"):
			return bedrockfake.Answer("Scoped to the prod bucket.", prodOnly)
		}
		return bedrockfake.Answer("One statement per team.", overQuota)
	})
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), map[string]string{
		"BEDROCK_MODEL_ID":                 "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": br.URL,
		"AWS_ACCESS_KEY_ID":                bedrockfake.DefaultAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":            bedrockfake.DefaultSecretAccessKey,
		"AWS_REGION":                       bedrockfake.DefaultRegion,
		"AWS_EC2_METADATA_DISABLED":        "true",
	})
	ctx := ctxFor(t)

	for _, tt := range []struct {
		name, policy, question, reason string
	}{
		{"Fn::If", "```\n" + template + "```", "rewrite it for the prod bucket", "Fn::If conditions were read as true"},
		{"over the quota", fenced(tightPolicy), "split it per team", "over AWS's limit of 6144"},
	} {
		d, err := s.Mention(ctx, general, alice, tt.policy, slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		waitMessage(t, ctx, s, general, d.TS, isCard)
		if _, err := s.Mention(ctx, general, alice, tt.question, slackfake.MessageOptions{ThreadTS: d.TS}); err != nil {
			t.Fatal(err)
		}
		m := waitMessage(t, ctx, s, general, d.TS, isAnswer)
		c := content(m)
		if !strings.Contains(c, "rewritten policy was withheld") || !strings.Contains(c, tt.reason) {
			t.Errorf("%s: the answer does not withhold the rewrite with the reason %q:\n%s", tt.name, tt.reason, c)
		}
		if strings.Contains(c, "prod-bucket") || strings.Contains(c, "team-79") {
			t.Errorf("%s: the withheld rewrite is shown:\n%s", tt.name, c)
		}
	}
}
