package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/policycheck/policycheck/internal/slackfake"
)

func TestMentionFenced(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	d, err := s.Mention(ctx, general, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Envelopes) != 2 {
		t.Fatalf("the mention came as %d envelopes, want app_mention and message", len(d.Envelopes))
	}
	m := waitMessage(t, ctx, s, general, d.TS, isCard)
	if !strings.Contains(content(m), scoreText(score(t, widePolicy))) || m.Updated != 0 {
		t.Errorf("card (updated %d): want a new message with the score in its text:\n%s", m.Updated, content(m))
	}
	// The request showed :eyes: while it was reviewed, before the card.
	checkProgress(t, ctx, s, general, d.TS, m.TS)
	if strings.Contains(content(m), "mention") {
		t.Errorf("the card shows a note about the bot's mention:\n%s", content(m))
	}

	// Both deliveries are handled; one answer.
	for _, env := range d.Envelopes {
		if _, err := s.WaitAck(ctx, env); err != nil {
			t.Fatal(err)
		}
	}
	p.waitMetric(ctx, `policycheck_duplicate_deliveries_total{kind="mention"}`, 1)
	if n := len(answers(s, general, d.TS)); n != 1 {
		t.Errorf("%d answers in the thread, want 1: %s", n, dump(s.Messages(general)))
	}

	// A mention in an existing thread answers in that thread.
	reply, err := s.Mention(ctx, general, bob, "and this one? `"+tightPolicy+"`", slackfake.MessageOptions{ThreadTS: d.TS})
	if err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool {
		return isCard(m) && strings.Contains(content(m), "<@"+bob+">")
	})
	_ = reply
}

func TestMentionInThreadReviewsItsStart(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	top, err := s.Message(ctx, chatter, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mention(ctx, chatter, bob, "what do you think?", slackfake.MessageOptions{ThreadTS: top.TS}); err != nil {
		t.Fatal(err)
	}
	m := waitMessage(t, ctx, s, chatter, top.TS, func(m slackfake.Message) bool { return isCard(m) || isFailure(m) })
	if !strings.Contains(content(m), scoreText(score(t, widePolicy))) {
		t.Errorf("answer:\n%s", content(m))
	}
}

func TestInvalidJSON(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	broken := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}"
	d, err := s.Mention(ctx, general, alice, "```\n"+broken+"\n```", slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := waitMessage(t, ctx, s, general, d.TS, isFailure)
	c := content(m)
	// Line 4 of the policy as pasted, as the CLI says for it in a file
	// (line 5 of the message: the mention and the fence are line 1).
	if !strings.Contains(c, "Line 4, column 24") || !strings.Contains(m.Text, "Line 4, column 24") || !strings.Contains(c, `{\"Effect\": \"Allow\" \"Action\"`) {
		t.Errorf("failure does not name the line, column and offending line:\n%s", c)
	}

	// Chatter that mentions the bot is answered too: no policy found.
	d, err = s.Mention(ctx, general, alice, "hello there", slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m = waitMessage(t, ctx, s, general, d.TS, isFailure)
	if !strings.Contains(content(m), "No policy found") {
		t.Errorf("answer to chatter:\n%s", content(m))
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	js := s.AddFile(slackfake.File{Name: "role.json", User: alice, Content: []byte(widePolicy)})
	tf := s.AddFile(slackfake.File{Name: "main.tf", User: alice, Content: []byte(tfPolicy)})
	d, err := s.FileShare(ctx, general, alice, "<@"+s.Config().BotUserID+"> please check these", []string{js, tf}, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cards := waitCount(t, ctx, s, general, d.TS, isCard, 2)
	names := content(cards[0]) + content(cards[1])
	for _, want := range []string{"role.json", "main.tf", scoreText(score(t, widePolicy)), scoreText(score(t, tfPolicy))} {
		if !strings.Contains(names, want) {
			t.Errorf("the cards do not show %q", want)
		}
	}
	if n := s.Calls("files.info"); n < 2 {
		t.Errorf("files.info called %d times, want once per file", n)
	}

	big := s.AddFile(slackfake.File{Name: "huge.json", User: alice, Content: bytes.Repeat([]byte(" "), 150*1024)})
	bin := s.AddFile(slackfake.File{Name: "policy.json", User: alice, Content: []byte("{\"Version\":\x00\x01\x02}")})
	png := s.AddFile(slackfake.File{Name: "diagram.png", User: alice, Content: []byte("\x89PNG")})
	d, err = s.FileShare(ctx, general, alice, "<@"+s.Config().BotUserID+">", []string{big, bin, png}, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fails := waitCount(t, ctx, s, general, d.TS, isFailure, 3)
	all := ""
	for _, m := range fails {
		all += content(m)
	}
	for _, want := range []string{"huge.json is 150 KB; the limit for a policy is 100 KB", "policy.json looks like a binary file", "diagram.png is not a kind of file I read"} {
		if !strings.Contains(all, want) {
			t.Errorf("the answers do not say %q:\n%s", want, all)
		}
	}
}

func TestDirectMessage(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	d, err := s.DirectMessage(ctx, alice, fenced(tightPolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dm, _ := s.DMChannel(alice)
	m := waitMessage(t, ctx, s, dm, d.TS, isCard)
	if !strings.Contains(content(m), scoreText(score(t, tightPolicy))) {
		t.Errorf("card:\n%s", content(m))
	}
	file := s.AddFile(slackfake.File{Name: "p.yaml", User: alice, Content: []byte("Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Action: s3:*\n    Resource: '*'\n")})
	d, err = s.FileShare(ctx, dm, alice, "", []string{file}, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, dm, d.TS, func(m slackfake.Message) bool { return isCard(m) && strings.Contains(content(m), "p.yaml") })
}

func TestWatchedChannels(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	// One worker: requests are answered in order, so that when the last
	// is answered the ones before it were handled.
	p := start(t, s, t.TempDir(), map[string]string{"POLICYCHECK_WORKERS": "1"})
	ctx := ctxFor(t)

	var quiet []string
	for _, ch := range []string{watched, named} {
		chat, err := s.Message(ctx, ch, alice, "lunch at noon? see example.com", slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		quiet = append(quiet, ch+"/"+chat.TS)
		d, err := s.Message(ctx, ch, bob, fenced(widePolicy), slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		waitMessage(t, ctx, s, ch, d.TS, isCard)
	}
	// Elsewhere, a policy without a mention gets no answer.
	d, err := s.Message(ctx, chatter, bob, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	quiet = append(quiet, chatter+"/"+d.TS)
	last, err := s.Mention(ctx, chatter, bob, fenced(tightPolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, chatter, last.TS, isCard)
	for _, q := range quiet {
		ch, ts, _ := strings.Cut(q, "/")
		if n := len(answers(s, ch, ts)); n != 0 {
			t.Errorf("the bot answered %s in %s: %s", ts, ch, dump(botMessages(s, ch, ts)))
		}
	}
	// The bot's own posts and edits are ignored (the fake echoes them when
	// asked; here, a bot message sent by hand).
	if v := p.metric(`policycheck_reviews_total{outcome="ok"}`); v != 3 {
		t.Errorf("%v reviews, want 3", v)
	}
}

// TestUndecodableEnvelope sends mentions the bot cannot fully read: one
// whose blocks cannot be decoded (answered from its text), and one that
// slack-go cannot decode at all (a field of the wrong type; answered from
// the rest). Each envelope is acknowledged once.
func TestUndecodableEnvelope(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)
	cfg := s.Config()

	tests := []struct {
		name, ts, field string
		value           any
	}{
		{"blocks that cannot be read", "1800000000.000001", "blocks", []any{map[string]any{"type": "rich_text", "elements": "not a list"}}},
		{"files of the wrong type", "1800000000.000002", "files", "not a list"},
	}
	for i, tt := range tests {
		ev := map[string]any{
			"type": "app_mention", "user": alice, "ts": tt.ts, "channel": general, "event_ts": tt.ts,
			"text": "<@" + cfg.BotUserID + "> ```" + tightPolicy + "```",
		}
		ev[tt.field] = tt.value
		payload, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": cfg.TeamID, "event_id": fmt.Sprintf("EvBAD%d", i), "event": ev})
		env, err := s.Send(ctx, slackfake.Envelope{Type: "events_api", Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
		waitMessage(t, ctx, s, general, tt.ts, isCard)
		// The card can be posted before the ack of an envelope read on
		// the bad-message path is recorded: wait for the ack, not a time.
		for s.AckCount(env) == 0 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		if n := s.AckCount(env); n != 1 {
			t.Errorf("%s: envelope acked %d times, want 1", tt.name, n)
		}
	}
	p.waitMetric(ctx, `policycheck_envelopes_acked_total{type="events_api"}`, float64(len(tests)))
	if !strings.Contains(p.logs.String(), "slack-go cannot read") {
		t.Error("no envelope took the path of undecodable envelopes")
	}
}

// TestIgnored checks that the bot ignores edits, other bots and its own
// posts (which Slack echoes to it), even in a watched channel.
func TestIgnored(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{EchoBotMessages: true})
	p := start(t, s, t.TempDir(), map[string]string{"POLICYCHECK_WORKERS": "1"})
	ctx := ctxFor(t)
	cfg := s.Config()

	send := func(ev map[string]any) {
		t.Helper()
		ev["channel"], ev["channel_type"] = watched, "channel"
		payload, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": cfg.TeamID, "event_id": "Ev" + ev["ts"].(string), "event": ev})
		if _, err := s.Send(ctx, slackfake.Envelope{Type: "events_api", Payload: payload}); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "message", "subtype": "message_changed", "ts": "1800000000.000001",
		"message": map[string]any{"type": "message", "user": alice, "text": fenced(widePolicy), "ts": "1800000000.000000"}})
	send(map[string]any{"type": "message", "subtype": "bot_message", "bot_id": "B0OTHER01", "text": fenced(widePolicy), "ts": "1800000000.000002"})
	send(map[string]any{"type": "message", "user": "U0OTHERAPP", "bot_id": "B0OTHER01", "text": fenced(widePolicy), "ts": "1800000000.000003"})

	// A policy from a person is reviewed; the echo of the bot's card (which
	// quotes statements) is not.
	d, err := s.Message(ctx, watched, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, watched, d.TS, isCard)
	last, err := s.Message(ctx, watched, bob, fenced(tightPolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, watched, last.TS, isCard)
	if v := p.metric(`policycheck_reviews_total{outcome="ok"}`); v != 2 {
		t.Errorf("%v reviews, want 2", v)
	}
	for _, ts := range []string{"1800000000.000000", "1800000000.000001", "1800000000.000002", "1800000000.000003"} {
		if n := len(answers(s, watched, ts)); n != 0 {
			t.Errorf("the bot answered %s", ts)
		}
	}
}
