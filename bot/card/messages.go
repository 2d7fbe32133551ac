package card

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
)

// Progress says, to the requester alone, that a review is under way and
// where its result will be posted (a slash command's answer). It never
// changes: the result is a message of its own, which notifies.
func Progress(lg lang.Tag) Message {
	return Message{
		Text:   lg.Sprintf("Reviewing your policy…"),
		Blocks: []slack.Block{contextBlock(lg.Sprintf("⏳ Reviewing your policy… The result will be posted in this conversation."))},
	}
}

// Failure is a card saying in plain words what went wrong and what to do.
// Both title and detail may hold untrusted text: they are made inert, but
// `code` and ```code blocks``` in detail are kept as code.
func Failure(lg lang.Tag, title, detail string) Message {
	return failure(lg, title, detail, "")
}

// failure is Failure with an optional excerpt of the input, shown as code.
func failure(lg lang.Tag, title, detail, excerpt string) Message {
	title = or(line(lg.Text(title), 200), lg.Sprintf("Something went wrong"))
	detail = lg.Text(detail)
	blocks := []slack.Block{section("⚠️ *" + title + "*")}
	text := "policycheck: " + title
	if d := mrkdwn(detail, maxSection); d != "" {
		blocks = append(blocks, section(d))
		first, _, _ := strings.Cut(strings.TrimSpace(detail), "\n")
		if f, _ := sentences(first, 300); f != "" {
			text += " - " + f
		}
	}
	if excerpt != "" {
		blocks = append(blocks, section("```\n"+blockBody(excerpt)+"\n```"))
	}
	return Message{Text: text, Blocks: blocks}
}

// SyntaxFailure is the Failure card for a policy that could not be parsed:
// msg says why in plain words, line and column (from 1, in characters; 0
// when unknown) where, and text is the offending line, shown with a caret
// under the column.
func SyntaxFailure(lg lang.Tag, msg string, line, column int, text string) Message {
	detail := lg.Text(msg)
	if line > 0 {
		detail = lg.Sprintf("Line %d, column %d: %s", line, column, detail)
	}
	excerpt := ""
	if line > 0 && strings.TrimSpace(text) != "" {
		excerpt = pointAt(text, column)
	}
	return failure(lg, lg.Sprintf("The policy could not be read"), detail, excerpt)
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
func Help(lg lang.Tag) Message {
	return Message{
		Text: lg.Sprintf("How to use policycheck"),
		Blocks: []slack.Block{
			header(lg.Sprintf("policycheck: least-privilege review of IAM policies")),
			section(lg.Sprintf("I score an AWS IAM policy from 1 (dangerous) to 10 (least privilege), explain each finding " +
				"with the statement it comes from and how to fix it, and suggest a tightened policy proven to grant nothing more.")),
			section(lg.Sprintf("*Ask for a review*\n" +
				"• `/policycheck` opens a dialog to paste a policy; `/policycheck` followed by a policy reviews it at once.\n" +
				"• Mention me in a message with a policy, or in the thread of a message that has one.\n" +
				"• Attach a policy file (JSON, YAML, CloudFormation, Terraform) and mention me.\n" +
				"• Send me a policy in a direct message.\n" +
				"• In a watched channel, I review every policy posted there.\n" +
				"• `/policycheck generate` followed by what a workload needs writes a least-privilege policy for it (alone, it opens a dialog).")),
			section(lg.Sprintf("*Then*\n" +
				"• *Re-evaluate* on a card reviews the policy again, after you edit it.\n" +
				"• Ask a question in the thread of a card for more detail.\n" +
				"• `/policycheck history` lists your recent reviews; `/policycheck help` shows this message.")),
			contextBlock(lg.Sprintf("Policies can be raw JSON, YAML, a CloudFormation template or Terraform. " +
				"Put them in a ```code block``` so Slack leaves them as they are.")),
		},
	}
}

// HistoryRow is one past review in a History card.
type HistoryRow struct {
	Score      int // now, after the latest re-evaluation
	FirstScore int // when first reviewed; 0 when unknown
	At         time.Time
	ChannelID  string // where the card is
	// File, Principal and Sid say what was reviewed (see Meta).
	File, Principal, Sid string
	// Permalink is the card's link (chat.getPermalink); "" when unknown.
	Permalink string
}

// History lists past reviews, newest first as given.
func History(lg lang.Tag, rows []HistoryRow) Message {
	blocks := []slack.Block{header(lg.Sprintf("Your recent reviews"))}
	if len(rows) == 0 {
		blocks = append(blocks, section(lg.Sprintf("You have no reviews yet. Try `/policycheck` or mention me with a policy.")))
		return Message{Text: lg.Sprintf("You have no reviews yet."), Blocks: blocks}
	}
	const max = maxTotal - 1000
	used, text, more := textLen(blocks...), "", 0
	for i, r := range rows {
		item := historyItem(lg, r)
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
		blocks = append(blocks, contextBlock(lg.Plural(more, "…and %d older reviews", more)))
	}
	return Message{Text: lg.Plural(len(rows), "Your %d most recent reviews", len(rows)), Blocks: blocks}
}

// historyItem is one review: its score then and now, what was reviewed,
// when, and a link to its card.
func historyItem(lg lang.Tag, r HistoryRow) string {
	score := "—"
	if s := validScore(r.Score); s != 0 {
		score = fmt.Sprintf("%s *%d/10*", band(s), s)
		if first := validScore(r.FirstScore); first != 0 && first != s {
			score = fmt.Sprintf("%s *%d/10* → %s", band(first), first, score)
		}
	}
	parts := []string{score}
	what := code(r.File, 60)
	if p := code(r.Principal, 60); p != "" {
		what = strings.TrimSpace(what + " " + lg.Sprintf("principal %s", p))
	} else if sid := code(r.Sid, 50); sid != "" {
		what = strings.TrimSpace(what + " Sid " + sid)
	}
	parts = append(parts, or(what, lg.Sprintf("pasted policy")))
	if d := date(r.At); d != "" {
		parts = append(parts, d)
	}
	if w := conversation(lg, r.ChannelID); w != "" {
		parts = append(parts, w)
	}
	if link := permalink(r.Permalink); link != "" {
		parts = append(parts, "<"+escape(link)+"|"+lg.Sprintf("open the card")+">")
	}
	return "• " + strings.Join(parts, " · ")
}

// slackLink matches a link Slack gave: https, with nothing that would end
// or split the link markup (its & are escaped when written).
var slackLink = regexp.MustCompile(`^https://[^\s<>|]+$`)

// permalink is link when it is safe to write in link markup, else "".
func permalink(link string) string {
	if !slackLink.MatchString(link) || runes(link) > 500 {
		return ""
	}
	return link
}

// conversation names a conversation: "in <#C123>", "in a direct message".
func conversation(lg lang.Tag, channelID string) string {
	switch {
	case channelID == "":
		return ""
	case !slackID.MatchString(channelID) || strings.IndexByte("CDG", channelID[0]) < 0:
		return lg.Sprintf("in %s", code(channelID, 40))
	case channelID[0] == 'D':
		return lg.Sprintf("in a direct message")
	}
	return lg.Sprintf("in %s", "<#"+channelID+">")
}

// date is t as a Slack date token, shown in the reader's time zone.
func date(t time.Time) string {
	if t.IsZero() || t.Unix() <= 0 {
		return ""
	}
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// SummaryBlockID is the block_id of a Summary message.
const SummaryBlockID = "policycheck-summary"

// Summary is the short message a review asked for with the slash command
// posts in the channel, its card in the thread under it: the verdict, what
// was reviewed, the counts and who asked. Its text notifies like a card's
// and mentions the requester.
func Summary(r *report.Report, m Meta) Message {
	if r == nil {
		r = &report.Report{}
	}
	lg := m.Lang
	r = lg.Report(r)
	score := validScore(r.Score)
	text := "*" + lg.Sprintf("Policy review") + "*"
	if score != 0 {
		text = band(score) + " *" + title(lg, score) + "*"
	}
	if s, _ := sentences(summaryText(r.Summary), 300); s != "" {
		text += " — " + s
	}
	var about []string
	if f := code(r.File, 80); f != "" {
		about = append(about, f)
	}
	if p := code(m.Principal, 80); p != "" {
		about = append(about, lg.Sprintf("principal %s", p))
	} else if sid := code(m.Sid, 60); sid != "" {
		about = append(about, "Sid "+sid)
	}
	n := counts(sortedFindings(r))
	found := false
	for rank, k := range n {
		if k > 0 {
			about = append(about, severityEmojis[rank]+" "+severityCount(lg, rank, k))
			found = true
		}
	}
	if !found {
		about = append(about, lg.Sprintf("no findings"))
	}
	if m.RequesterID != "" {
		about = append(about, lg.Sprintf("requested by %s", mention(m.RequesterID)))
	}
	text += "\n" + strings.Join(about, " · ") + "\n" + lg.Sprintf("_Every finding, the suggested policy and Re-evaluate are in the thread._")
	notify := notification(lg, r)
	if m.RequesterID != "" {
		notify += ", " + lg.Sprintf("for %s", mention(m.RequesterID))
	}
	return Message{
		Text:   notify,
		Blocks: []slack.Block{slack.NewSectionBlock(md(text), nil, nil, slack.SectionBlockOptionBlockID(SummaryBlockID))},
	}
}

// Reevaluated is the reply posted in a card's thread when someone
// re-evaluates it, so that the change notifies: "Re-evaluated by @bob:
// 4 → 7".
func Reevaluated(lg lang.Tag, by string, previous int, r *report.Report) Message {
	if r == nil {
		r = &report.Report{}
	}
	score := validScore(r.Score)
	text := lg.Sprintf("Re-evaluated by %s", mention(by))
	if prev := validScore(previous); prev != 0 && score != 0 {
		text += fmt.Sprintf(": %d → %d", prev, score)
	}
	if score != 0 {
		text += ", " + verdict(lg, score)
	}
	if c := countList(lg, counts(sortedFindings(r))); c != "" {
		text += " (" + c + ")"
	} else {
		text += " (" + lg.Sprintf("no findings") + ")"
	}
	return Message{
		Text:   "policycheck: " + text,
		Blocks: []slack.Block{section("🔁 " + text + ". " + lg.Sprintf("The card above is up to date."))},
	}
}
