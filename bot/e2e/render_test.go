package e2e

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/internal/slackfake"
	"github.com/policycheck/policycheck/internal/slackhtml"
)

// renderDir, when set, makes TestRenderCards write the bot's payloads
// there, as JSON and as Slack-like HTML at 600 px (a thread pane) and
// 375 px (a phone): scripts/render-cards.sh turns them into PNG.
var renderDir = flag.String("render", "", "write the bot's cards as JSON and HTML into this directory (scripts/render-cards.sh)")

const escalationPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Deploy",
      "Effect": "Allow",
      "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
      "Resource": "*"
    }
  ]
}`

// TestRenderCards drives the real bot through the fake Slack and captures
// what it posts: the cards of Action "*" on "*", of a PassRole + Lambda
// escalation, of a long suggestion (a snippet) and of a clean policy; a
// slash command's summary; a re-evaluation's reply; a syntax error; pages
// of the details; the history.
func TestRenderCards(t *testing.T) {
	if *renderDir == "" {
		t.Skip("run with -render DIR (scripts/render-cards.sh)")
	}
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	var msgs []slackhtml.Message
	add := func(name string, m slackfake.Message) {
		msgs = append(msgs, slackhtml.Message{Title: name, Text: m.Text, Blocks: m.Blocks})
	}
	card := func(name, text string) slackfake.Message {
		d, err := s.Mention(ctx, general, alice, text, slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool { return isCard(m) || isFailure(m) })
		add(name, m)
		return m
	}
	admin := card("admin", "please review\n```\n"+starPolicy+"\n```")
	esc := card("escalation", "please review\n```\n"+escalationPolicy+"\n```")
	broad, err := os.ReadFile(filepath.Join("..", "..", "examples", "overly-broad.json"))
	if err != nil {
		t.Fatal(err)
	}
	card("overly-broad", "```\n"+string(broad)+"\n```")
	least, err := os.ReadFile(filepath.Join("..", "..", "examples", "least-privilege.json"))
	if err != nil {
		t.Fatal(err)
	}
	card("least-privilege", "```\n"+string(least)+"\n```")
	card("syntax-error", "please review\n```\n{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}\n```")

	// A slash command: the summary, and the card in its thread.
	if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: escalationPolicy, ChannelID: chatter, UserID: bob}); err != nil {
		t.Fatal(err)
	}
	add("command-summary", waitMessage(t, ctx, s, chatter, "", isSummary))

	// A re-evaluation after an edit: the reply in the thread.
	if err := s.EditMessage(general, esc.ThreadTS, "<@"+s.Config().BotUserID+"> fixed\n```\n"+tightPolicy+"\n```"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: general, MessageTS: esc.TS, ActionID: "reevaluate", UserID: bob}); err != nil {
		t.Fatal(err)
	}
	add("reevaluated-reply", waitMessage(t, ctx, s, general, esc.ThreadTS, func(m slackfake.Message) bool {
		return strings.Contains(m.Text, "Re-evaluated by")
	}))
	add("reevaluated-card", waitMessage(t, ctx, s, general, esc.ThreadTS, func(m slackfake.Message) bool {
		return m.TS == esc.TS && m.Updated > 0
	}))

	// The details of the admin card: its last page (the only one when its
	// findings fit in one).
	before := len(s.Views())
	pages := details(t, ctx, s, admin, bob)
	views := s.Views()[before:]
	if len(views) != 1 || len(pages) == 0 {
		t.Fatalf("%d views, %d pages", len(views), len(pages))
	}
	last := views[0]
	msgs = append(msgs, slackhtml.Message{Title: fmt.Sprintf("details-last-of-%d", len(pages)), Blocks: last.Blocks, ModalTitle: last.Title})

	// The history.
	if _, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: "history", ChannelID: general, UserID: alice}); err != nil {
		t.Fatal(err)
	}
	r, err := s.WaitResponse(ctx, func(r slackfake.Response) bool { return strings.Contains(string(r.Blocks), "Your recent reviews") })
	if err != nil {
		t.Fatal(err)
	}
	msgs = append(msgs, slackhtml.Message{Title: "history", Text: r.Text, Blocks: r.Blocks})

	for _, m := range msgs {
		data, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(filepath.Join(*renderDir, m.Title+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int{600, 375} {
			page, err := slackhtml.Page(width, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*renderDir, fmt.Sprintf("%s-%d.html", m.Title, width)), page, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
