package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/internal/slackfake"
)

func TestReevaluateAfterEdit(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	d, err := s.Mention(ctx, general, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := waitMessage(t, ctx, s, general, d.TS, isCard)
	if err := s.EditMessage(general, d.TS, "<@"+s.Config().BotUserID+"> fixed:\n```\n"+tightPolicy+"\n```"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: general, MessageTS: c.TS, ActionID: "reevaluate", UserID: bob}); err != nil {
		t.Fatal(err)
	}
	change := fmt.Sprintf("%d → %d", score(t, widePolicy), score(t, tightPolicy))
	m := waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool {
		return m.TS == c.TS && strings.Contains(content(m), change)
	})
	if !strings.Contains(content(m), "Re-evaluated by <@"+bob+">") || !strings.Contains(content(m), "requested by <@"+alice+">") {
		t.Errorf("updated card does not name who asked:\n%s", content(m))
	}
	// A reply in the thread says it, and notifies.
	reply := waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool {
		return strings.Contains(m.Text, "Re-evaluated by <@"+bob+">: "+change)
	})
	if reply.TS == c.TS || reply.Updated != 0 {
		t.Errorf("the re-evaluation was not told in a new message")
	}
	checkProgress(t, ctx, s, general, c.TS, "")
	if reviewID(t, m) != reviewID(t, c) {
		t.Error("the re-evaluated card lost its review")
	}
	p.waitMetric(ctx, `policycheck_reviews_total{outcome="ok"}`, 2)
	if n := len(answers(s, general, d.TS)); n != 1 {
		t.Errorf("%d answers in the thread, want the one card updated in place", n)
	}

	// An edit that breaks the policy is answered in the thread; the card stays.
	if err := s.EditMessage(general, d.TS, "```\n{\"Statement\": [}\n```"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: general, MessageTS: c.TS, ActionID: "reevaluate", UserID: alice}); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool { return isFailure(m) && strings.Contains(content(m), "Line 1,") })
}

func TestReevaluateFileAndCommand(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	// A file is downloaded again.
	f := s.AddFile(slackfake.File{Name: "main.tf", User: alice, Content: []byte(tfPolicy)})
	d, err := s.FileShare(ctx, general, alice, "<@"+s.Config().BotUserID+">", []string{f}, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := waitMessage(t, ctx, s, general, d.TS, isCard)
	downloads := s.Calls("files.download")
	if _, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: general, MessageTS: c.TS, ActionID: "reevaluate", UserID: bob}); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool {
		return m.TS == c.TS && strings.Contains(content(m), "Re-evaluated by <@"+bob+">")
	})
	if s.Calls("files.download") <= downloads {
		t.Error("the file was not downloaded again")
	}

	// A command's policy is the one stored; a card posted through the
	// response_url (the bot is not in the channel) is replaced through
	// the action's response_url.
	if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: widePolicy, ChannelID: outside, UserID: alice}); err != nil {
		t.Fatal(err)
	}
	var cardTS string
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		if m.Channel == outside && isCard(m) {
			cardTS = m.TS
			return true
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: outside, MessageTS: cardTS, ActionID: "reevaluate", UserID: bob}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.TS == cardTS && strings.Contains(content(m), "Re-evaluated by <@"+bob+">")
	}); err != nil {
		t.Fatal(err)
	}
}

func TestReevaluateAfterRestart(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	dir := t.TempDir()
	p := start(t, s, dir, nil)
	ctx := ctxFor(t)

	d, err := s.Mention(ctx, general, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := waitMessage(t, ctx, s, general, d.TS, isCard)
	if code := p.stop(ctx); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}

	if err := s.EditMessage(general, d.TS, fenced(tightPolicy)); err != nil {
		t.Fatal(err)
	}
	start(t, s, dir, nil)
	if _, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: general, MessageTS: c.TS, ActionID: "reevaluate", UserID: alice}); err != nil {
		t.Fatal(err)
	}
	change := fmt.Sprintf("%d → %d", score(t, widePolicy), score(t, tightPolicy))
	waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool { return m.TS == c.TS && strings.Contains(content(m), change) })
}

// TestForgedButton sends block actions whose value is a review that does
// not belong to the message clicked.
func TestForgedButton(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	var cards []slackfake.Message
	for _, ch := range []string{general, general, chatter} {
		d, err := s.Mention(ctx, ch, alice, fenced(widePolicy), slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, waitMessage(t, ctx, s, ch, d.TS, isCard))
	}
	target := cards[0]
	for i, other := range cards[1:] {
		forged := map[string]any{
			"type":       "block_actions",
			"user":       map[string]any{"id": bob, "username": "bob", "team_id": s.Config().TeamID},
			"api_app_id": s.Config().AppID,
			"team":       map[string]any{"id": s.Config().TeamID},
			"container":  map[string]any{"type": "message", "message_ts": target.TS, "channel_id": general, "thread_ts": target.ThreadTS},
			"channel":    map[string]any{"id": general, "name": "general"},
			"trigger_id": fmt.Sprintf("forged-%d", i),
			"actions": []any{map[string]any{
				"action_id": "reevaluate", "block_id": "x", "type": "button", "value": reviewID(t, other), "action_ts": "1.1",
			}},
		}
		payload, _ := json.Marshal(forged)
		if _, err := s.Send(ctx, slackfake.Envelope{Type: "interactive", Payload: payload}); err != nil {
			t.Fatal(err)
		}
		// Without a response_url, the refusal is an ephemeral message.
		if err := poll(ctx, nil, func() bool {
			n := 0
			for _, m := range s.Ephemerals(general) {
				if m.EphemeralTo == bob && strings.Contains(content(m), "does not belong to this message") {
					n++
				}
			}
			return n == i+1
		}); err != nil {
			t.Fatalf("refusal %d: %v", i+1, err)
		}
	}
	for _, c := range cards {
		for _, m := range s.Messages(c.Channel) {
			if m.TS == c.TS && m.Updated != c.Updated {
				t.Errorf("card %s in %s was changed by a forged button", c.TS, c.Channel)
			}
		}
	}
}
