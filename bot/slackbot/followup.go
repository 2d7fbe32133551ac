package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/store"
)

// Asker answers follow-up questions about a review; a Reviewer that is one
// too (review.Reviewer) answers the questions asked in a card's thread.
type Asker interface {
	Ask(ctx context.Context, q review.Question) (*review.Answer, error)
	// ModelID names the model that answers, "" when the engine does.
	ModelID() string
}

// maxTurns is how many earlier questions and answers of a thread are read.
const maxTurns = 10

// question answers a question asked in the thread of review rev: with the
// model when there is one, else with what the engine found. The answer is
// a message of its own, which notifies (the question has the progress
// reaction meanwhile, see message). A policy the model rewrote is shown in
// the answer and as a card of its own, once proven no broader.
func (b *Bot) question(ctx context.Context, rev store.Review, ev messageEvent, text string) {
	thread := ev.ThreadTS
	lg := b.lang(ctx, ev.User)
	ctx = lang.NewContext(ctx, lg)
	var rep report.Report
	if err := json.Unmarshal(rev.ReportJSON, &rep); err != nil {
		b.log.Error("cannot read a stored review", "review", rev.ID, "err", err)
		b.post(ctx, ev.Channel, thread, card.Failure(lg, lg.Sprintf("I cannot answer about this review"), lg.Sprintf("Its record is damaged. Ask for a new review of the policy.")))
		return
	}
	show := func(m card.Message) error {
		_, err := b.post(ctx, ev.Channel, thread, m)
		return err
	}
	history := b.turns(ctx, ev.Channel, thread, ev.TS)
	ans, err := b.asker.Ask(ctx, review.Question{Policy: []byte(rev.PolicyText), Report: &rep, History: history, Text: text})
	if err != nil {
		b.log.Warn("follow-up question failed", "review", rev.ID, "err", err)
		show(b.failure(lg, err))
		return
	}
	b.metrics.countUsage(&ans.Usage)
	msg := answerMessage(lg, ans, ev.User)
	if err := show(msg); err != nil {
		b.log.Error("cannot post an answer", "channel", ev.Channel, "err", err)
		return
	}
	if msg.Snippet != nil {
		if err := b.upload(ctx, ev.Channel, thread, msg.Snippet); err != nil {
			b.log.Error("cannot upload the rewritten policy", "channel", ev.Channel, "err", err)
		}
	}
	if ans.Suggestion == nil || ans.Review == nil {
		return
	}
	// The rewritten policy, proven no broader, gets a card that can be
	// re-evaluated like any other.
	b.answer(ctx, request{
		kind: store.KindFollowup, team: rev.TeamID, user: ev.User, channel: ev.Channel, thread: thread,
		name: ans.Review.File, text: string(ans.Suggestion.Policy), done: ans.Review,
	})
}

// turns reads the earlier questions and answers of a thread, oldest
// first: each message to the bot (mentioning it, or any in a DM) followed
// by an answer of the bot. The message being answered (ts) is left out.
func (b *Bot) turns(ctx context.Context, channel, thread, ts string) []review.Turn {
	dm := strings.HasPrefix(channel, "D")
	msgs, _, _, err := b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
		ChannelID: channel, Timestamp: thread, Limit: 200,
	})
	if err != nil {
		b.log.Warn("cannot read a thread's earlier questions", "channel", channel, "err", b.apiError("conversations.replies", err))
		return nil
	}
	var turns []review.Turn
	var q string
	for _, m := range msgs {
		switch {
		case m.Timestamp == ts || m.Timestamp == thread:
		case m.BotID == "" && m.User != b.self.UserID && (dm || mentions(m.Text, b.self.UserID)):
			q = strings.TrimSpace(stripMention(messageText(m.Text, m.Blocks), b.mention))
		case q != "" && (m.User == b.self.UserID || m.BotID == b.self.BotID) && isAnswer(m.Blocks):
			turns = append(turns, review.Turn{Question: q, Answer: card.AnswerText(m.Blocks)})
			q = ""
		}
	}
	if len(turns) > maxTurns {
		turns = turns[len(turns)-maxTurns:]
	}
	return turns
}

func isAnswer(blocks slack.Blocks) bool {
	return len(blocks.BlockSet) > 0 && blocks.BlockSet[0].ID() == card.AnswerBlockID
}

// answerMessage shows an answer with card.Answer, which makes the model's
// text inert.
func answerMessage(lg lang.Tag, a *review.Answer, asker string) card.Message {
	v := card.AnswerView{Text: lg.Text(a.Text), Source: a.Source, Note: lg.Text(a.Note), AskedBy: asker, Lang: lg}
	if a.Suggestion != nil && a.Review != nil {
		v.Policy, v.PolicyScore = a.Suggestion.Policy, a.Review.Score
	}
	return card.Answer(v)
}

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
