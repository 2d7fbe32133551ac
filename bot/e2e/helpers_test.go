package e2e

import (
	"context"
	"encoding/json"
	"fmt"
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

// isCard, isSummary and isFailure tell the bot's messages apart.
func isCard(m slackfake.Message) bool {
	return strings.Contains(string(m.Blocks), `"policycheck-card"`)
}
func isSummary(m slackfake.Message) bool {
	return strings.Contains(string(m.Blocks), `"policycheck-summary"`)
}
func isFailure(m slackfake.Message) bool { return strings.Contains(string(m.Blocks), "⚠️") }

// scoreText is how a card's notification text gives score n.
func scoreText(n int) string           { return fmt.Sprintf("policycheck: %d/10 ", n) }
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

// answers are the bot's cards and failures in a thread (not the files it
// uploads nor the replies to a re-evaluation).
func answers(s *slackfake.Server, channel, thread string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range botMessages(s, channel, thread) {
		if isCard(m) || isFailure(m) {
			out = append(out, m)
		}
	}
	return out
}

// checkProgress checks that the bot put :eyes: on message ts while it
// worked on it, and took it off once its answer (answerTS) was posted.
func checkProgress(t testing.TB, ctx context.Context, s *slackfake.Server, channel, ts, answerTS string) {
	t.Helper()
	if _, err := s.WaitReaction(ctx, func(e slackfake.ReactionEvent) bool {
		return e.Channel == channel && e.TS == ts && !e.Added
	}); err != nil {
		t.Fatalf("the progress reaction was not removed: %v", err)
	}
	var added, removed int
	for i, e := range s.Reactions() {
		if e.Channel != channel || e.TS != ts || e.Name != "eyes" {
			continue
		}
		if e.Added {
			added = i + 1
		} else {
			removed = i + 1
		}
	}
	if added == 0 || removed < added {
		t.Errorf("reactions on %s: %+v; want :eyes: added, then removed", ts, s.Reactions())
	}
	for _, m := range s.Messages(channel) {
		if m.TS == ts && len(m.Reactions) != 0 {
			t.Errorf("the message keeps reactions %+v", m.Reactions)
		}
		if m.TS == answerTS && answerTS != "" && m.Updated != 0 {
			t.Errorf("the answer was an update, which does not notify")
		}
	}
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

// details clicks Show all findings on card c as user, walks every page of
// the modal with Next, and returns the mrkdwn texts of each page.
//
// The modal is the one opened with the trigger_id of this click: tests
// that share a Slack open other details for the same user meanwhile, and
// any new view of that user may be another card's.
func details(t testing.TB, ctx context.Context, s *slackfake.Server, c slackfake.Message, user string) [][]string {
	t.Helper()
	id, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: c.Channel, MessageTS: c.TS, ActionID: "show_findings", UserID: user})
	if err != nil {
		t.Fatal(err)
	}
	trigger := triggerOf(t, s, id)
	v, err := s.WaitView(ctx, func(v slackfake.View) bool {
		return v.TriggerID == trigger && v.CallbackID == "policycheck_details" && v.User == user
	})
	if err != nil {
		t.Fatalf("the details did not open: %v", err)
	}
	var pages [][]string
	for {
		var blocks []map[string]any
		if err := json.Unmarshal(v.Blocks, &blocks); err != nil {
			t.Fatal(err)
		}
		var texts []string
		next := false
		for _, b := range blocks {
			if text, ok := b["text"].(map[string]any); ok {
				texts = append(texts, text["text"].(string))
			}
			for _, e := range asList(b["elements"]) {
				if e["action_id"] == "details_next" {
					next = true
				}
				if e["type"] == "mrkdwn" {
					texts = append(texts, e["text"].(string))
				}
			}
		}
		pages = append(pages, texts)
		if !next {
			return pages
		}
		updated := v.Updated
		if _, err := s.BlockAction(ctx, slackfake.BlockAction{ViewID: v.ID, ActionID: "details_next"}); err != nil {
			t.Fatal(err)
		}
		viewID := v.ID
		if v, err = s.WaitView(ctx, func(w slackfake.View) bool { return w.ID == viewID && w.Updated > updated }); err != nil {
			t.Fatalf("Next did not turn the page: %v", err)
		}
	}
}

// triggerOf is the trigger_id of the interaction delivered in envelope id.
func triggerOf(t testing.TB, s *slackfake.Server, id string) string {
	t.Helper()
	env, ok := s.Envelope(id)
	if !ok {
		t.Fatalf("no envelope %s", id)
	}
	var p struct {
		TriggerID string `json:"trigger_id"`
	}
	if err := json.Unmarshal(env.Payload, &p); err != nil || p.TriggerID == "" {
		t.Fatalf("no trigger_id in envelope %s (%v): %s", id, err, env.Payload)
	}
	return p.TriggerID
}

func asList(v any) []map[string]any {
	arr, _ := v.([]any)
	var out []map[string]any
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
