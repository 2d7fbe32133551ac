package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/bedrock"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/store"
)

// Asker answers follow-up questions about a review; a Reviewer that is one
// too (review.Reviewer) answers the questions asked in a card's thread.
type Asker interface {
	Ask(ctx context.Context, q review.Question) (*review.Answer, error)
}

// answerBlock is the block_id of the first block of an answer, by which
// earlier answers are found in a thread.
const answerBlock = "policycheck-answer"

// maxTurns is how many earlier questions and answers of a thread are read.
const maxTurns = 10

// question answers a question asked in the thread of review rev: with the
// model when there is one, else with what the engine found. A policy the
// model rewrote is shown as a card of its own, once proven no broader.
func (b *Bot) question(ctx context.Context, rev store.Review, ev messageEvent, text string) {
	thread := ev.ThreadTS
	var rep report.Report
	if err := json.Unmarshal(rev.ReportJSON, &rep); err != nil {
		b.log.Error("cannot read a stored review", "review", rev.ID, "err", err)
		b.post(ctx, ev.Channel, thread, card.Failure("I cannot answer about this review", "Its record is damaged. Ask for a new review of the policy."))
		return
	}
	history := b.turns(ctx, ev.Channel, thread, ev.TS)
	ans, err := b.asker.Ask(ctx, review.Question{Policy: []byte(rev.PolicyText), Report: &rep, History: history, Text: text})
	if err != nil {
		b.log.Warn("follow-up question failed", "review", rev.ID, "err", err)
		b.post(ctx, ev.Channel, thread, b.failure(err))
		return
	}
	if _, err := b.post(ctx, ev.Channel, thread, answerMessage(ans, ev.User)); err != nil {
		b.log.Error("cannot post an answer", "channel", ev.Channel, "err", err)
		return
	}
	if ans.Policy == nil || ans.Review == nil {
		return
	}
	// The rewritten policy, proven no broader, gets a card that can be
	// re-evaluated like any other.
	b.answer(ctx, request{
		kind: store.KindFollowup, team: rev.TeamID, user: ev.User, channel: ev.Channel, thread: thread,
		name: ans.Review.File, text: string(ans.Policy), done: ans.Review,
	})
}

// turns reads the earlier questions and answers of a thread, oldest
// first: each message to the bot (mentioning it, or any in a DM) followed
// by an answer of the bot. The message being answered (ts) is left out.
func (b *Bot) turns(ctx context.Context, channel, thread, ts string) []bedrock.Turn {
	dm := strings.HasPrefix(channel, "D")
	msgs, _, _, err := b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
		ChannelID: channel, Timestamp: thread, Limit: 200,
	})
	if err != nil {
		b.log.Warn("cannot read a thread's earlier questions", "channel", channel, "err", b.apiError("conversations.replies", err))
		return nil
	}
	var turns []bedrock.Turn
	var q string
	for _, m := range msgs {
		switch {
		case m.Timestamp == ts || m.Timestamp == thread:
		case m.BotID == "" && m.User != b.self.UserID && (dm || mentions(m.Text, b.self.UserID)):
			q = strings.TrimSpace(stripMention(messageText(m.Text, m.Blocks), b.mention))
		case q != "" && (m.User == b.self.UserID || m.BotID == b.self.BotID) && isAnswer(m.Blocks):
			turns = append(turns, bedrock.Turn{Question: q, Answer: plainText(m.Blocks)})
			q = ""
		}
	}
	if len(turns) > maxTurns {
		turns = turns[len(turns)-maxTurns:]
	}
	return turns
}

func isAnswer(blocks slack.Blocks) bool {
	return len(blocks.BlockSet) > 0 && blocks.BlockSet[0].ID() == answerBlock
}

// plainText is the text of an answer's sections.
func plainText(blocks slack.Blocks) string {
	var parts []string
	for _, blk := range blocks.BlockSet {
		if s, ok := blk.(*slack.SectionBlock); ok && s.Text != nil && s.Text.Type == slack.PlainTextType {
			parts = append(parts, s.Text.Text)
		}
	}
	return strings.Join(parts, "")
}

// userID matches a Slack user ID, safe to put in a mention.
var userID = regexp.MustCompile(`^[UW][A-Z0-9]{2,40}$`)

// answerMessage shows an answer. Its text comes from the model: it is
// shown as plain_text, which Slack never turns into mentions, links or
// formatting, and escaped in the notification text.
func answerMessage(a *review.Answer, asker string) card.Message {
	var blocks []slack.Block
	for i, chunk := range chunks(a.Text, 2900) {
		id := ""
		if i == 0 {
			id = answerBlock
		}
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, chunk, false, false), nil, nil, slack.SectionBlockOptionBlockID(id)))
	}
	if len(blocks) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, "(no answer)", false, false), nil, nil, slack.SectionBlockOptionBlockID(answerBlock)))
	}
	var ctx []slack.MixedElement
	if a.Note != "" {
		ctx = append(ctx, slack.NewTextBlockObject(slack.PlainTextType, truncate(a.Note, 1900), false, false))
	}
	who := "Answered by the built-in engine"
	if a.Source == "model" {
		who = "Answered by the model"
	}
	if userID.MatchString(asker) {
		who += " for <@" + asker + ">"
	}
	ctx = append(ctx, slack.NewTextBlockObject(slack.MarkdownType, who, false, true))
	blocks = append(blocks, slack.NewContextBlock("", ctx...))
	return card.Message{Text: escapeText(truncate(a.Text, 3000)), Blocks: blocks}
}

// chunks cuts s into pieces of at most n characters, at line ends when it
// can.
func chunks(s string, n int) []string {
	s = strings.TrimSpace(s)
	var out []string
	for utf8.RuneCountInString(s) > n {
		cut := len(string([]rune(s)[:n]))
		if nl := strings.LastIndexByte(s[:cut], '\n'); nl > cut/2 {
			cut = nl + 1
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

var escapeText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// reviewOfThread is the latest review in a thread, if any.
func (b *Bot) reviewOfThread(ctx context.Context, channel, thread string) (store.Review, bool) {
	rev, err := b.st.ByThread(ctx, channel, thread)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			b.log.Error("cannot look up the review of a thread", "err", err)
		}
		return store.Review{}, false
	}
	return rev, true
}
