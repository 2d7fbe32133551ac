package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/store"
)

// request is one input to review and where to answer.
type request struct {
	kind string // store.Kind*
	team string
	user string // who asked
	// lang is the language of everything said about the request: the
	// requester's.
	lang      lang.Tag
	channel   string
	thread    string // the thread to answer in; empty for the channel itself
	messageTS string // the message the input comes from, if any
	// responseURL answers when the bot cannot post in channel (a slash
	// command's).
	responseURL string

	name    string      // the input's name: a file name, or empty for text
	text    string      // the input, once read
	file    *slack.File // a file to read first
	problem *fileProblem
	// done is the review of text when it is already made (a policy
	// rewritten in an answer).
	done *report.Report

	received time.Time
}

// answer reviews r and posts the result as a new message, which notifies:
// the card in the request's thread; for a slash command or the dialog, a
// short summary at the top of the channel with the card in its thread. A
// failure is posted in the thread, or told to the requester alone for a
// command. Where the bot cannot post, a command's answer goes through its
// response_url.
func (b *Bot) answer(ctx context.Context, r request) {
	defer func() {
		if !r.received.IsZero() {
			b.metrics.latency.Observe(time.Since(r.received).Seconds())
		}
	}()
	r.lang = b.lang(ctx, r.user)
	ctx = lang.NewContext(ctx, r.lang)
	if r.file != nil {
		r.name = fileName(*r.file)
		r.text, r.problem = b.readFile(ctx, *r.file)
	}
	rep, failure := b.review(ctx, r)
	command := r.kind == store.KindCommand || r.kind == store.KindModal
	if rep == nil {
		b.fail(ctx, r, command, failure)
		return
	}
	meta := card.Meta{RequesterID: r.user, Lang: r.lang}
	meta.Principal, meta.Sid = subject(r.name, r.text)

	viaURL := false
	if command && r.thread == "" {
		ts, err := b.post(ctx, r.channel, "", card.Summary(rep, meta))
		switch {
		case err == nil:
			r.thread = ts
		case cannotPost(err) && r.responseURL != "":
			viaURL = true
		default:
			b.log.Error("cannot post the summary of a review", "kind", r.kind, "channel", r.channel, "err", err)
			b.notPosted(ctx, r, command, err)
			return
		}
	}
	saved := b.save(ctx, r, rep, &meta)
	msg := card.Render(rep, meta)
	if viaURL {
		if msg.Snippet != nil {
			meta.Notes = append(meta.Notes, "The suggested policy is too long for a message, and I can upload it only where I am a member: invite me to this conversation to get it.")
			msg = card.Render(rep, meta)
		}
		if err := b.respond(ctx, r.responseURL, inChannel, false, msg); err != nil {
			b.log.Error("cannot show the answer", "kind", r.kind, "channel", r.channel, "err", err)
		}
		return
	}
	cardTS, err := b.post(ctx, r.channel, r.thread, msg)
	if refused(err) {
		b.log.Error("Slack refused a card", "channel", r.channel, "err", err)
		lg := r.lang
		cardTS, err = b.post(ctx, r.channel, r.thread, card.Failure(lg, lg.Sprintf("The review card could not be shown"),
			lg.Sprintf("Slack refused it (%s). %s", errorCode(err), msg.Text)))
	}
	if cannotPost(err) && r.responseURL != "" {
		cardTS, err = "", b.respond(ctx, r.responseURL, inChannel, false, msg)
	}
	if err != nil {
		b.log.Error("cannot show the answer", "kind", r.kind, "channel", r.channel, "err", err)
		b.notPosted(ctx, r, command, err)
		return
	}
	if saved != nil && cardTS != "" {
		if err := b.st.SetCard(ctx, saved.ID, r.channel, cardTS); err != nil {
			b.log.Error("cannot record the card of a review", "review", saved.ID, "err", err)
		}
	}
	if msg.Snippet != nil && cardTS != "" {
		if err := b.upload(ctx, r.channel, threadOf(cardTS, r.thread), msg.Snippet); err != nil {
			b.log.Error("cannot upload the suggested policy", "channel", r.channel, "err", err)
		}
	}
}

// notPosted tells the requester that the answer could not be posted, when
// Slack kept failing until the post deadline. The request's own context
// may be over: the notice gets a little time of its own.
func (b *Bot) notPosted(ctx context.Context, r request, command bool, err error) {
	if !transient(err) || (runOf(ctx) != nil && runOf(ctx).retry.Load()) {
		return // refused for good (reported above), or run again later
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notPostedTimeout)
	defer cancel()
	b.fail(ctx, r, command, notPostedNotice(r.lang))
}

// fail tells why there is no review: in the thread of the request, or for
// a command, to the requester alone (their policy does not read; the
// channel need not know), in the channel when that cannot be done.
func (b *Bot) fail(ctx context.Context, r request, command bool, m card.Message) {
	if command && r.responseURL != "" {
		if err := b.respond(ctx, r.responseURL, ephemeral, false, m); err == nil {
			return
		}
	}
	if _, err := b.post(ctx, r.channel, r.thread, m); err != nil {
		b.log.Error("cannot show why there is no review", "kind", r.kind, "channel", r.channel, "err", err)
	}
}

// refused reports whether Slack refused a message for its content.
func refused(err error) bool {
	switch errorCode(err) {
	case "invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long", "too_many_blocks":
		return true
	}
	return false
}

// review reviews r: the report, or the card that says why there is none.
func (b *Bot) review(ctx context.Context, r request) (*report.Report, card.Message) {
	if r.problem != nil {
		b.metrics.reviews.Inc(outcomeInvalid)
		return nil, card.Failure(r.lang, r.problem.Title, r.problem.Detail)
	}
	if r.done != nil {
		return r.done, card.Message{}
	}
	rep, err := b.check(ctx, r.name, r.text)
	if err != nil {
		return nil, b.failure(r.lang, err)
	}
	return rep, card.Message{}
}

// save stores the review of r, so that its buttons work once its card is
// posted, and sets meta's review ID. It returns the stored review, or nil
// when it could not be saved (meta then says so).
func (b *Bot) save(ctx context.Context, r request, rep *report.Report, meta *card.Meta) *store.Review {
	rv := &store.Review{
		TeamID: r.team, ChannelID: r.channel, ThreadTS: r.thread, MessageTS: r.messageTS,
		UserID: r.user, Kind: r.kind, PolicyText: r.text, Score: rep.Score, ResponseURL: r.responseURL,
	}
	var err error
	rv.ReportJSON, err = json.Marshal(rep)
	if err == nil {
		err = b.st.Create(ctx, rv)
	}
	if err != nil {
		b.log.Error("cannot save a review", "err", err)
		meta.Notes = append(meta.Notes, "This review could not be saved, so it cannot be re-evaluated.")
		return nil
	}
	meta.ReviewID = rv.ID
	return rv
}

// check runs the review engine and counts the outcome.
func (b *Bot) check(ctx context.Context, name, text string) (*report.Report, error) {
	start := time.Now()
	// Text without a name is a message's, with Slack's markup; its
	// positions are mapped to the policy it holds.
	rep, err := b.rv.Review(ctx, review.Input{Name: name, Data: []byte(text), Chat: name == ""})
	b.metrics.duration.Observe(time.Since(start).Seconds())
	var pe *policy.Error
	if name == "" {
		lines := newChatLines(text)
		lines.report(rep)
		if errors.As(err, &pe) {
			lines.error(pe)
		}
	}
	switch {
	case err == nil && rep == nil:
		err = errors.New("the review engine returned no report")
		fallthrough
	case err != nil && !errors.As(err, &pe):
		b.metrics.reviews.Inc(outcomeFailed)
		b.log.Warn("review failed", "err", err)
	case err != nil:
		b.metrics.reviews.Inc(outcomeInvalid)
	default:
		b.metrics.reviews.Inc(outcomeOK)
		b.metrics.countUsage(rep.Usage)
	}
	return rep, err
}

// failure is the card that says why a review failed, in plain words.
func (b *Bot) failure(lg lang.Tag, err error) card.Message {
	var pe *policy.Error
	var un *review.Unavailable
	switch {
	case errors.As(err, &pe):
		return readFailure(lg, pe)
	case errors.As(err, &un):
		return card.Failure(lg, lg.Sprintf("The model is unavailable"), lg.Sprintf("The review could not be made: %s. Try again in a few minutes.", lg.Text(un.Cause)))
	case errors.Is(err, context.DeadlineExceeded):
		return card.Failure(lg, lg.Sprintf("The review took too long"), lg.Sprintf("Try again in a minute; a smaller policy is reviewed faster."))
	case errors.Is(err, context.Canceled):
		return card.Failure(lg, lg.Sprintf("The bot is restarting"), lg.Sprintf("Your request was interrupted. Try again in a minute."))
	}
	return card.Failure(lg, lg.Sprintf("The review failed"), lg.Sprintf("Something went wrong on my side; nothing is wrong with your request as far as I can tell. "+
		"Try again, and tell the people who run this bot if it keeps failing."))
}

// readFailure says why an input is not a policy the reviewer can read.
func readFailure(lg lang.Tag, e *policy.Error) card.Message {
	switch e.Kind {
	case policy.ErrNoPolicy:
		return card.Failure(lg, lg.Sprintf("No policy found"), lg.Text(e.Msg)+"\n"+
			lg.Sprintf("Paste an IAM policy (JSON, YAML, a CloudFormation template or Terraform), best in a ```code block```, or attach it as a file."))
	case policy.ErrTooLarge:
		return card.Failure(lg, lg.Sprintf("The policy is too large"), lg.Text(e.Msg)+" "+lg.Sprintf("Split it, or send only the policy you want reviewed."))
	}
	return card.SyntaxFailure(lg, e.Msg, e.Pos.Line, e.Pos.Col, e.Line)
}

// Busy answers, when a dialog cannot be opened now (too many side tasks).
const (
	busyTitle  = "I am busy"
	busyDetail = "Too many reviews are waiting. Try again in a minute."
)

func stack() string { return string(debug.Stack()) }
