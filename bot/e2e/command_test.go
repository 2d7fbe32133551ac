package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/internal/slackfake"
)

func TestSlashCommandWithPolicy(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	env, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: widePolicy, ChannelID: general, UserID: alice})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	// The requester alone is told at once that the review is under way.
	ack, err := s.WaitAck(ctx, env)
	if err != nil || !strings.Contains(string(ack.Payload), "Reviewing your policy") || !strings.Contains(string(ack.Payload), `"ephemeral"`) || ack.Problem != "" {
		t.Errorf("ack = %s (%q), %v; want an ephemeral progress note", ack.Payload, ack.Problem, err)
	}
	// The channel gets a short summary that names the result and the
	// requester; the card is in its thread.
	m := waitMessage(t, ctx, s, general, "", isCard)
	want := scoreText(score(t, widePolicy))
	if !strings.Contains(content(m), want) || !strings.Contains(content(m), "<@"+alice+">") {
		t.Errorf("card does not show %q and the requester:\n%s", want, content(m))
	}
	var top []slackfake.Message
	for _, b := range botMessages(s, general, "") {
		if b.ThreadTS == "" || b.ThreadTS == b.TS {
			top = append(top, b)
		}
	}
	if len(top) != 1 || !isSummary(top[0]) || m.ThreadTS != top[0].TS || m.Updated != 0 {
		t.Fatalf("want one summary at the top of the channel with the card in its thread: %s", dump(s.Messages(general)))
	}
	if sum := top[0]; !strings.HasPrefix(sum.Text, want) || !strings.Contains(sum.Text, "<@"+alice+">") || !strings.Contains(sum.Text, "1 high") {
		t.Errorf("summary text %q does not name score, counts and requester", sum.Text)
	}
	reviewID(t, m)
	p.waitMetric(ctx, `policycheck_reviews_total{outcome="ok"}`, 1)
	p.waitMetric(ctx, `policycheck_envelopes_acked_total{type="slash_commands"}`, 1)
}

func TestHelpAndHistory(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	env, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: "help", ChannelID: general, UserID: alice})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := s.WaitAck(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Problem != "" || !strings.Contains(string(ack.Payload), "How to use policycheck") || !strings.Contains(string(ack.Payload), `"ephemeral"`) {
		t.Errorf("help ack = %s (problem %q); want the help card, ephemeral", ack.Payload, ack.Problem)
	}

	// Two reviews, then the history lists them to their author only.
	for _, pol := range []string{widePolicy, tightPolicy} {
		if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: pol, ChannelID: general, UserID: alice}); err != nil {
			t.Fatal(err)
		}
	}
	waitCount(t, ctx, s, general, "", isCard, 2)
	// A card's message is recorded just after it is posted: ask again
	// until both rows link to their cards.
	var r slackfake.Response
	for asked := 1; ; asked++ {
		if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: "history", ChannelID: general, UserID: alice}); err != nil {
			t.Fatal(err)
		}
		if err := poll(ctx, nil, func() bool {
			n := 0
			for _, x := range s.Responses() {
				if strings.Contains(string(x.Blocks), "Your recent reviews") {
					n++
					r = x
				}
			}
			return n == asked
		}); err != nil {
			t.Fatal(err)
		}
		if strings.Count(unescape(string(r.Blocks)), "|open the card>") == 2 {
			break
		}
		if asked == 50 {
			t.Fatalf("history rows do not link to their cards: %s", r.Blocks)
		}
	}
	body := string(r.Blocks)
	if !strings.Contains(body, "/archives/"+general+"/p") {
		t.Errorf("history rows do not link to their cards: %s", body)
	}
	if r.ResponseType != "ephemeral" || !strings.Contains(body, fmt.Sprintf("*%d/10*", score(t, widePolicy))) ||
		!strings.Contains(body, fmt.Sprintf("*%d/10*", score(t, tightPolicy))) {
		t.Errorf("history (%s) = %s; want both reviews, ephemeral", r.ResponseType, body)
	}
	// Bob has none.
	if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: "history", ChannelID: general, UserID: bob}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitResponse(ctx, func(r slackfake.Response) bool { return strings.Contains(r.Text, "no reviews yet") }); err != nil {
		t.Fatal(err)
	}
}

func TestDialog(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", ChannelID: general, UserID: alice}); err != nil {
		t.Fatal(err)
	}
	v, err := s.WaitView(ctx, func(v slackfake.View) bool { return v.CallbackID == "policycheck_review" })
	if err != nil {
		t.Fatal(err)
	}

	// Submitted empty, the dialog stays open with a hint.
	env, err := s.ViewSubmission(ctx, slackfake.ViewSubmission{ViewID: v.ID})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := s.WaitAck(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), `"response_action":"errors"`) || ack.Problem != "" {
		t.Errorf("empty submission ack = %s (%s); want errors", ack.Payload, ack.Problem)
	}

	// With a policy and a file, one card each in the channel of the command.
	file := s.AddFile(slackfake.File{Name: "main.tf", User: alice, Content: []byte(tfPolicy)})
	if _, err := s.ViewSubmission(ctx, slackfake.ViewSubmission{ViewID: v.ID, Inputs: []slackfake.Input{
		{BlockID: "policy", ActionID: "policy_text", Value: widePolicy},
		{BlockID: "files", ActionID: "policy_files", Files: []string{file}},
	}}); err != nil {
		t.Fatal(err)
	}
	wide := waitMessage(t, ctx, s, general, "", func(m slackfake.Message) bool {
		return isCard(m) && strings.Contains(content(m), scoreText(score(t, widePolicy)))
	})
	tf := waitMessage(t, ctx, s, general, "", func(m slackfake.Message) bool {
		return isCard(m) && strings.Contains(content(m), "main.tf")
	})
	for _, m := range []slackfake.Message{wide, tf} {
		if m.ThreadTS == "" || !strings.Contains(content(m), "<@"+alice+">") {
			t.Errorf("card %s: want it in the thread of a summary, naming the requester", m.TS)
		}
		waitMessage(t, ctx, s, general, "", func(s slackfake.Message) bool { return isSummary(s) && s.TS == m.ThreadTS })
	}

	// When Slack refuses to open the dialog, the user is told.
	s.FailNext("views.open", "expired_trigger_id")
	if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", ChannelID: general, UserID: bob}); err != nil {
		t.Fatal(err)
	}
	r, err := s.WaitResponse(ctx, func(r slackfake.Response) bool { return strings.Contains(r.Text, "dialog could not be opened") })
	if err != nil {
		t.Fatal(err)
	}
	if r.ResponseType != "ephemeral" {
		t.Errorf("response type %q, want ephemeral", r.ResponseType)
	}
}

func TestNotInChannel(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	s.AddChannel("D0OTHERS1", "", false) // a conversation the bot is not part of
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	for _, ch := range []string{outside, "D0OTHERS1"} {
		if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: widePolicy, ChannelID: ch, UserID: alice}); err != nil {
			t.Fatal(err)
		}
		r, err := s.WaitResponse(ctx, func(r slackfake.Response) bool {
			return r.Channel == ch && !r.FromAck && strings.Contains(string(r.Blocks), "policycheck-card")
		})
		if err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
		if r.ResponseType != "in_channel" || r.Error != "" {
			t.Errorf("%s: response %q, error %q; want the card in the channel", ch, r.ResponseType, r.Error)
		}
	}
	// channel_not_found (a DM between other people in real Slack) falls
	// back the same way.
	s.FailNext("chat.postMessage", "channel_not_found")
	if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: tightPolicy, ChannelID: general, UserID: bob}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitResponse(ctx, func(r slackfake.Response) bool {
		return r.Channel == general && strings.Contains(unescape(string(r.Blocks)), "<@"+bob+">") && strings.Contains(string(r.Blocks), "policycheck-card")
	}); err != nil {
		t.Fatal(err)
	}
}
