package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/slackfake"
)

// Policies used by the tests.
const (
	widePolicy  = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`
	tightPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/reports/*"}]}`
	tfPolicy    = `resource "aws_iam_policy" "p" {
  name = "p"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b/*" }]
  })
}
`
)

// score is the score the built-in engine gives a policy.
func score(t testing.TB, text string) int {
	t.Helper()
	rep, err := review.New(iamref.Default()).Review(context.Background(), review.Input{Data: []byte(text)})
	if err != nil {
		t.Fatalf("review %q: %v", text, err)
	}
	return rep.Score
}

func fenced(policy string) string { return "please review\n```\n" + policy + "\n```" }

// content is everything a message shows, for substring checks.
func content(m slackfake.Message) string { return m.Text + "\n" + unescape(string(m.Blocks)) }

// unescape undoes the HTML escapes encoding/json writes in blocks.
var unescape = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace

func isCard(m slackfake.Message) bool    { return strings.Contains(string(m.Blocks), "Policy review: ") }
func isFailure(m slackfake.Message) bool { return strings.Contains(string(m.Blocks), "⚠️") }
func isProgress(m slackfake.Message) bool {
	return strings.Contains(string(m.Blocks), "Reviewing the policy")
}
func fromBot(m slackfake.Message) bool { return m.BotID != "" && m.EphemeralTo == "" }

// waitMessage waits for a bot message in channel (and thread, unless
// empty) that satisfies match.
func waitMessage(t testing.TB, ctx context.Context, s *slackfake.Server, channel, thread string, match func(slackfake.Message) bool) slackfake.Message {
	t.Helper()
	m, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.Channel == channel && fromBot(m) && (thread == "" || m.ThreadTS == thread) && match(m)
	})
	if err != nil {
		t.Fatalf("no matching message in %s (thread %q): %v\nmessages: %s", channel, thread, err, dump(s.Messages(channel)))
	}
	return m
}

// waitCount waits until n bot messages in channel (and thread, unless
// empty) satisfy match, and returns them.
func waitCount(t testing.TB, ctx context.Context, s *slackfake.Server, channel, thread string, match func(slackfake.Message) bool, n int) []slackfake.Message {
	t.Helper()
	var got []slackfake.Message
	err := poll(ctx, nil, func() bool {
		got = got[:0]
		for _, m := range botMessages(s, channel, thread) {
			if match(m) {
				got = append(got, m)
			}
		}
		return len(got) >= n
	})
	if err != nil {
		t.Fatalf("%d matching messages in %s (thread %q), want %d: %v\nmessages: %s", len(got), channel, thread, n, err, dump(s.Messages(channel)))
	}
	return got
}

// botMessages are the bot's messages in a channel and thread.
func botMessages(s *slackfake.Server, channel, thread string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range s.Messages(channel) {
		if fromBot(m) && (thread == "" || m.ThreadTS == thread) {
			out = append(out, m)
		}
	}
	return out
}

// answers are the bot's cards, failures and progress messages in a
// thread (not the files it uploads).
func answers(s *slackfake.Server, channel, thread string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range botMessages(s, channel, thread) {
		if isCard(m) || isFailure(m) || isProgress(m) {
			out = append(out, m)
		}
	}
	return out
}

func dump(ms []slackfake.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("\n- ts=" + m.TS + " thread=" + m.ThreadTS + " user=" + m.User + " text=" + m.Text)
	}
	return b.String()
}

// reviewID is the value of the Re-evaluate button of a card.
func reviewID(t testing.TB, m slackfake.Message) string {
	t.Helper()
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		for _, e := range b.Elements {
			if e.ActionID == "reevaluate" {
				return e.Value
			}
		}
	}
	t.Fatalf("card has no Re-evaluate button: %s", m.Blocks)
	return ""
}
