package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/internal/slackfake"
)

const starPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`

// manyPolicy gives administrator access through each of 40 VPC
// endpoints: 40 critical findings, one a statement (what each implies is
// folded into it).
var manyPolicy = func() string {
	stmts := make([]string, 40)
	for i := range stmts {
		stmts[i] = fmt.Sprintf(`{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0abc%04d"}}}`, i)
	}
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ", ") + `]}`
}()

// cliFindings are the titles of the findings `policycheck check` reports
// for policy.
func cliFindings(t *testing.T, policy string) []string {
	t.Helper()
	cmd := exec.Command(binary, "check", "--format", "json", "--offline", "-")
	cmd.Stdin = strings.NewReader(policy)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("policycheck check: %v", err)
	}
	var rep struct {
		Findings []struct{ Title string } `json:"findings"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, f := range rep.Findings {
		titles = append(titles, f.Title)
	}
	return titles
}

// plainText is mrkdwn as read: without code markers and escapes.
func plainText(s string) string {
	return strings.NewReplacer("`", "", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// TestCardDetails reviews manyPolicy (40 findings): the card, a new
// message in the thread, names score, verdict and counts in its text and
// lists three findings; Show all findings opens the details, whose pages,
// turned with Next, hold every finding the CLI reports for the same
// policy, each once.
func TestCardDetails(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	d, err := s.Mention(ctx, general, alice, fenced(manyPolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := waitMessage(t, ctx, s, general, d.TS, isCard)
	want := cliFindings(t, manyPolicy)
	if c.Text != "policycheck: 2/10 high risk - all actions on all resources (40 critical)" || len(want) != 40 {
		t.Errorf("card text %q, %d findings from the CLI", c.Text, len(want))
	}
	var blocks []any
	json.Unmarshal(c.Blocks, &blocks)
	if len(blocks) > 20 || strings.Count(content(c), "🔴 *Critical* ") != 3 || !strings.Contains(content(c), "Show all findings (40)") {
		t.Errorf("card of %d blocks:\n%s", len(blocks), content(c))
	}

	pages := details(t, ctx, s, c, bob)
	if len(pages) < 2 {
		t.Fatalf("%d pages of details for 40 findings", len(pages))
	}
	var shown []string
	for _, page := range pages {
		for _, text := range page {
			if strings.HasPrefix(text, "🔴 *Critical* · ") {
				shown = append(shown, plainText(text))
			}
		}
	}
	if len(shown) != len(want) {
		t.Errorf("the details show %d findings, the CLI reports %d", len(shown), len(want))
	}
	seen := map[int]bool{}
	for _, title := range want {
		found := false
		for i, text := range shown {
			if !seen[i] && strings.HasPrefix(text, "🔴 *Critical* · "+title+"\n") {
				seen[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("the details do not show %q", title)
		}
	}
	// Bob's modal was his: nothing was posted for it (the suggested
	// policy, long, is attached to the card as a file).
	if n := len(answers(s, general, d.TS)); n != 1 {
		t.Errorf("%d answers in the thread, want the card", n)
	}
}

// TestDetailsForgedButton clicks Show all findings with the review of
// another card: refused, no modal.
func TestDetailsForgedButton(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)
	var cards []slackfake.Message
	for range 2 {
		d, err := s.Mention(ctx, general, alice, fenced(widePolicy), slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, waitMessage(t, ctx, s, general, d.TS, isCard))
	}
	// Swap the buttons' value: the fake clicks what the message holds.
	forged := bytes.ReplaceAll(cards[0].Blocks, []byte(reviewID(t, cards[0])), []byte(reviewID(t, cards[1])))
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": bob}, "team": map[string]any{"id": s.Config().TeamID},
		"container": map[string]any{"type": "message", "message_ts": cards[0].TS, "channel_id": general},
		"channel":   map[string]any{"id": general}, "trigger_id": "forged-1",
		"message": map[string]any{"ts": cards[0].TS, "blocks": json.RawMessage(forged)},
		"actions": []any{map[string]any{"action_id": "show_findings", "block_id": "x", "type": "button", "value": reviewID(t, cards[1])}},
	})
	if _, err := s.Send(ctx, slackfake.Envelope{Type: "interactive", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	if err := poll(ctx, nil, func() bool {
		for _, m := range s.Ephemerals(general) {
			if m.EphemeralTo == bob && strings.Contains(content(m), "does not belong to this message") {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Views()); n != 0 {
		t.Errorf("%d views opened for a forged button", n)
	}
}
