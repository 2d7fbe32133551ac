package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/store"
)

// request is one input to review and where to answer.
type request struct {
	kind      string // store.Kind*
	team      string
	user      string // who asked
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

// answer shows progress, reviews r, and replaces the progress message with
// the card or with the reason there is none.
func (b *Bot) answer(ctx context.Context, r request) {
	defer func() {
		if !r.received.IsZero() {
			b.metrics.latency.Observe(time.Since(r.received).Seconds())
		}
	}()
	progressTS, viaURL := "", false
	ts, err := b.post(ctx, r.channel, r.thread, card.Progress(r.user))
	switch {
	case err == nil:
		progressTS = ts
	case cannotPost(err) && r.responseURL != "":
		viaURL = true
	default:
		b.log.Warn("cannot post progress", "channel", r.channel, "err", err)
	}

	if r.file != nil {
		r.name = fileName(*r.file)
		r.text, r.problem = b.readFile(ctx, *r.file)
	}
	msg, saved := b.review(ctx, r, progressTS, viaURL)

	var cardTS string
	switch {
	case viaURL:
		err = b.respond(ctx, r.responseURL, inChannel, false, msg)
	case progressTS != "":
		cardTS = progressTS
		if err = b.update(ctx, r.channel, progressTS, msg); refused(err) {
			b.log.Error("Slack refused a card", "channel", r.channel, "err", err)
			err = b.update(ctx, r.channel, progressTS, card.Failure("The review card could not be shown",
				fmt.Sprintf("Slack refused it (%s). %s", errorCode(err), msg.Text)))
		}
	default:
		cardTS, err = b.post(ctx, r.channel, r.thread, msg)
		if cannotPost(err) && r.responseURL != "" {
			cardTS, err = "", b.respond(ctx, r.responseURL, inChannel, false, msg)
		}
	}
	if err != nil {
		b.log.Error("cannot show the answer", "kind", r.kind, "channel", r.channel, "err", err)
		return
	}
	if saved != nil && cardTS != "" && cardTS != progressTS {
		if err := b.st.SetCard(ctx, saved.ID, r.channel, cardTS); err != nil {
			b.log.Error("cannot record the card of a review", "review", saved.ID, "err", err)
		}
	}
	if msg.Snippet != nil && cardTS != "" {
		thread := r.thread
		if thread == "" {
			thread = cardTS
		}
		if err := b.upload(ctx, r.channel, thread, msg.Snippet); err != nil {
			b.log.Error("cannot upload the suggested policy", "channel", r.channel, "err", err)
		}
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

// review reviews r and stores the result, with the message that will show
// it (cardTS) when known, so that its button works as soon as it is seen.
// It returns the card to show, and the stored review (nil when there is
// none to re-evaluate).
func (b *Bot) review(ctx context.Context, r request, cardTS string, viaURL bool) (card.Message, *store.Review) {
	if r.problem != nil {
		b.metrics.reviews.Inc(outcomeInvalid)
		return card.Failure(r.problem.Title, r.problem.Detail), nil
	}
	rep := r.done
	if rep == nil {
		var err error
		if rep, err = b.check(ctx, r.name, r.text); err != nil {
			return b.failure(err), nil
		}
	}
	meta := card.Meta{RequesterID: r.user, At: time.Now()}
	rv := &store.Review{
		TeamID: r.team, ChannelID: r.channel, ThreadTS: r.thread, MessageTS: r.messageTS,
		CardTS: cardTS, UserID: r.user, Kind: r.kind, PolicyText: r.text, Score: rep.Score, ResponseURL: r.responseURL,
	}
	var err error
	rv.ReportJSON, err = json.Marshal(rep)
	if err == nil {
		err = b.st.Create(ctx, rv)
	}
	if err != nil {
		b.log.Error("cannot save a review", "err", err)
		meta.Notes = append(meta.Notes, "This review could not be saved, so it cannot be re-evaluated.")
		return card.Render(rep, meta), nil
	}
	meta.ReviewID = rv.ID
	msg := card.Render(rep, meta)
	if viaURL && msg.Snippet != nil {
		meta.Notes = append(meta.Notes, "The suggested policy is too long for a message, and I can upload it only where I am a member: invite me to this conversation to get it.")
		msg = card.Render(rep, meta)
	}
	return msg, rv
}

// check runs the review engine and counts the outcome.
func (b *Bot) check(ctx context.Context, name, text string) (*report.Report, error) {
	start := time.Now()
	// Text without a name is a message's, with Slack's markup.
	rep, err := b.rv.Review(ctx, review.Input{Name: name, Data: []byte(text), Chat: name == ""})
	b.metrics.duration.Observe(time.Since(start).Seconds())
	var pe *policy.Error
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
func (b *Bot) failure(err error) card.Message {
	var pe *policy.Error
	var un *review.Unavailable
	switch {
	case errors.As(err, &pe):
		return readFailure(pe)
	case errors.As(err, &un):
		return card.Failure("The model is unavailable", "The review could not be made: "+un.Cause+". Try again in a few minutes.")
	case errors.Is(err, context.DeadlineExceeded):
		return card.Failure("The review took too long", "Try again in a minute; a smaller policy is reviewed faster.")
	case errors.Is(err, context.Canceled):
		return card.Failure("The bot is restarting", "Your request was interrupted. Try again in a minute.")
	}
	return card.Failure("The review failed", "Something went wrong on my side; nothing is wrong with your request as far as I can tell. "+
		"Try again, and tell the people who run this bot if it keeps failing.")
}

// readFailure says why an input is not a policy the reviewer can read.
func readFailure(e *policy.Error) card.Message {
	switch e.Kind {
	case policy.ErrNoPolicy:
		return card.Failure("No policy found", e.Msg+"\n"+
			"Paste an IAM policy (JSON, YAML, a CloudFormation template or Terraform), best in a ```code block```, or attach it as a file.")
	case policy.ErrTooLarge:
		return card.Failure("The policy is too large", e.Msg+" Split it, or send only the policy you want reviewed.")
	}
	return card.SyntaxFailure(e.Msg, e.Pos.Line, e.Pos.Col, e.Line)
}

// Busy answers, when the queue is full.
const (
	busyTitle  = "I am busy"
	busyDetail = "Too many reviews are waiting. Try again in a minute."
)

func stack() string { return string(debug.Stack()) }
