package card

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Progress is the card shown while a review runs.
func Progress(requesterID string) Message {
	text := "⏳ *Reviewing the policy…*"
	if requesterID != "" {
		text += "\nRequested by " + mention(requesterID)
	}
	return Message{Text: "Reviewing the policy…", Blocks: []slack.Block{section(text)}}
}

// Failure is a card saying in plain words what went wrong and what to do.
// Both title and detail may hold untrusted text: they are made inert, but
// `code` and ```code blocks``` in detail are kept as code.
func Failure(title, detail string) Message {
	return failure(title, detail, "")
}

// failure is Failure with an optional excerpt of the input, shown as code.
func failure(title, detail, excerpt string) Message {
	title = or(line(title, 200), "Something went wrong")
	blocks := []slack.Block{section("⚠️ *" + title + "*")}
	if d := mrkdwn(detail, maxSection); d != "" {
		blocks = append(blocks, section(d))
	}
	if excerpt != "" {
		blocks = append(blocks, section("```\n"+codeBody(excerpt)+"\n```"))
	}
	return Message{Text: "⚠️ " + title, Blocks: blocks}
}

// SyntaxFailure is the Failure card for a policy that could not be parsed:
// msg says why in plain words, line and column (from 1, in characters; 0
// when unknown) where, and text is the offending line, shown with a caret
// under the column.
func SyntaxFailure(msg string, line, column int, text string) Message {
	detail := msg
	if line > 0 {
		detail = fmt.Sprintf("Line %d, column %d: %s", line, column, msg)
	}
	excerpt := ""
	if line > 0 && strings.TrimSpace(text) != "" {
		excerpt = pointAt(text, column)
	}
	return failure("The policy could not be read", detail, excerpt)
}

// pointAt is line cut to a window around column col, and a caret under
// col on the next line.
func pointAt(line string, col int) string {
	const width = 80
	rs := []rune(strings.Join(strings.Split(clean(line), "\n"), " "))
	start := 0
	if col-1 > width/2 {
		start = min(col-1-width/2, max(len(rs)-width, 0))
	}
	end := min(len(rs), start+width)
	text, offset := string(rs[start:end]), col-1-start
	if start > 0 {
		text, offset = "…"+text, offset+1
	}
	if end < len(rs) {
		text += "…"
	}
	if col < 1 || col-1 > len(rs) {
		return text
	}
	return text + "\n" + strings.Repeat(" ", offset) + "^"
}

// Help explains how to use the bot.
func Help() Message {
	return Message{
		Text: "How to use policycheck",
		Blocks: []slack.Block{
			header("policycheck: least-privilege review of IAM policies"),
			section("I score an AWS IAM policy from 1 (dangerous) to 10 (least privilege), explain each finding " +
				"with the statement it comes from and how to fix it, and suggest a tightened policy proven to grant nothing more."),
			section("*Ask for a review*\n" +
				"• `/policycheck` opens a dialog to paste a policy; `/policycheck` followed by a policy reviews it at once.\n" +
				"• Mention me in a message with a policy, or in the thread of a message that has one.\n" +
				"• Attach a policy file (JSON, YAML, CloudFormation, Terraform) and mention me.\n" +
				"• Send me a policy in a direct message.\n" +
				"• In a watched channel, I review every policy posted there.\n" +
				"• `/policycheck generate` followed by what a workload needs writes a least-privilege policy for it (alone, it opens a dialog)."),
			section("*Then*\n" +
				"• *Re-evaluate* on a card reviews the policy again, after you edit it.\n" +
				"• Ask a question in the thread of a card for more detail.\n" +
				"• `/policycheck history` lists your recent reviews; `/policycheck help` shows this message."),
			contextBlock("Policies can be raw JSON, YAML, a CloudFormation template or Terraform. " +
				"Put them in a ```code block``` so Slack leaves them as they are."),
		},
	}
}

// HistoryRow is one past review in a History card.
type HistoryRow struct {
	ReviewID  string
	Score     int
	At        time.Time
	ChannelID string // where the card is
	Kind      string // how the review was asked for: command, mention, dm...
}

// History lists past reviews, newest first as given.
func History(rows []HistoryRow) Message {
	blocks := []slack.Block{header("Your recent reviews")}
	if len(rows) == 0 {
		blocks = append(blocks, section("You have no reviews yet. Try `/policycheck` or mention me with a policy."))
		return Message{Text: "You have no reviews yet.", Blocks: blocks}
	}
	const max = maxTotal - 1000
	used, text, more := textLen(blocks...), "", 0
	for i, r := range rows {
		item := historyItem(r)
		if used+runes(text)+1+runes(item) > max || len(blocks) >= maxBlocks-3 {
			more = len(rows) - i
			break
		}
		if text != "" && runes(text)+1+runes(item) > maxSection {
			blocks = append(blocks, section(text))
			used += runes(text)
			text = ""
		}
		if text != "" {
			text += "\n"
		}
		text += item
	}
	if text != "" {
		blocks = append(blocks, section(text))
	}
	if more > 0 {
		blocks = append(blocks, contextBlock(fmt.Sprintf("…and %d older reviews", more)))
	}
	return Message{Text: fmt.Sprintf("Your %d most recent reviews", len(rows)), Blocks: blocks}
}

func historyItem(r HistoryRow) string {
	parts := []string{"—"}
	if s := validScore(r.Score); s != 0 {
		parts[0] = fmt.Sprintf("%s *%d/10*", band(s), s)
	}
	if d := date(r.At); d != "" {
		parts = append(parts, d)
	}
	if w := where(r.ChannelID); w != "" {
		parts = append(parts, w)
	}
	if k := line(r.Kind, 30); k != "" {
		parts = append(parts, k)
	}
	if id := code(r.ReviewID, 40); id != "" {
		parts = append(parts, id)
	}
	return "• " + strings.Join(parts, " · ")
}

// where names a conversation: a channel link, or "direct message".
func where(channelID string) string {
	switch {
	case channelID == "":
		return ""
	case !slackID.MatchString(channelID) || strings.IndexByte("CDG", channelID[0]) < 0:
		return code(channelID, 40)
	case channelID[0] == 'D':
		return "direct message"
	}
	return "<#" + channelID + ">"
}
