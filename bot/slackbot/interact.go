package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/store"
)

// routeInteraction decides what to do with a button click or a dialog
// submission.
func (b *Bot) routeInteraction(received time.Time, cb slack.InteractionCallback) decision {
	if !b.ours(cb) {
		return decision{}
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			if a == nil {
				continue
			}
			value := a.Value
			switch a.ActionID {
			case card.DetailsAction:
				// Its trigger expires in 3 s: opened at once, outside the
				// queue.
				return decision{kind: "details", side: func(ctx context.Context) { b.openDetails(ctx, cb, value) }}
			case card.PreviousAction, card.NextAction:
				if cb.View.CallbackID == card.DetailsCallback {
					return decision{kind: "details", side: func(ctx context.Context) { b.turnPage(ctx, cb, value) }}
				}
				continue
			case card.ReevaluateAction:
			default:
				continue
			}
			id := value
			return decision{
				kind: "reevaluate",
				job: func(ctx context.Context) {
					if b.claim(ctx, "act:"+cb.TriggerID, "reevaluate") {
						b.reevaluate(ctx, cb, id)
					}
				},
				fail: func(ctx context.Context, err error) { b.tell(ctx, cb, b.failure(b.lang(ctx, cb.User.ID), err)) },
			}
		}
	case slack.InteractionTypeViewSubmission:
		switch cb.View.CallbackID {
		case dialogCallback:
			return b.routeSubmission(received, cb)
		case generateCallback:
			return b.routeGenerateSubmission(received, cb)
		}
	}
	return decision{}
}

// viewErrors is a view_submission ack that keeps the dialog open with an
// error under an input.
type viewErrors struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
}

func inputError(block, msg string) viewErrors {
	return viewErrors{ResponseAction: "errors", Errors: map[string]string{block: msg}}
}

// routeSubmission handles the review dialog: an empty one stays open with
// a hint; otherwise the dialog closes and the review is queued.
func (b *Bot) routeSubmission(received time.Time, cb slack.InteractionCallback) decision {
	var meta dialogMeta
	lg := b.lang(b.workCtx, cb.User.ID)
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Channel == "" {
		return decision{ack: inputError(dialogTextBlock, lg.Sprintf("This dialog is out of date. Close it and run %s again.", Command))}
	}
	text := cb.View.State.Values[dialogTextBlock][dialogTextAction].Value
	files := cb.View.State.Values[dialogFileBlock][dialogFileAction].Files
	if strings.TrimSpace(text) == "" && len(files) == 0 {
		return decision{ack: inputError(dialogTextBlock, lg.Sprintf("Paste a policy here, or attach a file below."))}
	}
	base := request{
		kind: store.KindModal, team: cb.Team.ID, user: cb.User.ID, channel: meta.Channel,
		responseURL: meta.ResponseURL, received: received,
	}
	return decision{
		kind:    store.KindModal,
		busyAck: inputError(dialogTextBlock, lg.Sprintf("I am busy with other reviews. Submit again in a minute.")),
		job: func(ctx context.Context) {
			if !b.claim(ctx, "view:"+cb.View.ID+":"+cb.TriggerID, store.KindModal) {
				return
			}
			if strings.TrimSpace(text) != "" {
				r := base
				r.text = text
				b.answer(ctx, r)
			}
			for i := range files {
				r := base
				r.file = &files[i]
				b.answer(ctx, r)
			}
		},
		fail: func(ctx context.Context, cause error) {
			m := b.failure(lg, cause)
			if _, err := b.post(ctx, meta.Channel, "", m); err != nil && meta.ResponseURL != "" {
				b.respond(ctx, meta.ResponseURL, ephemeral, false, m)
			}
		},
	}
}

// tell answers the user who clicked, to them only.
func (b *Bot) tell(ctx context.Context, cb slack.InteractionCallback, m card.Message) {
	if err := b.respond(ctx, cb.ResponseURL, ephemeral, false, m); err == nil {
		return
	}
	channel := cb.Container.ChannelID
	if channel == "" {
		channel = cb.Channel.ID
	}
	if err := b.ephemeral(ctx, channel, cb.Container.ThreadTs, cb.User.ID, m); err != nil {
		b.log.Warn("cannot answer a click", "err", err)
	}
}

// reevaluate reviews the source of review id again, after checking that
// the button belongs to the card it was clicked in, updates the card in
// place and replies in its thread with the change, which notifies.
func (b *Bot) reevaluate(ctx context.Context, cb slack.InteractionCallback, id string) {
	channel := cb.Container.ChannelID
	if channel == "" {
		channel = cb.Channel.ID
	}
	clicker := b.lang(ctx, cb.User.ID)
	rev, err := b.st.Get(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.tell(ctx, cb, card.Failure(clicker, clicker.Sprintf("This review is no longer kept"), clicker.Sprintf("Ask for a new review of the policy.")))
		return
	case err != nil:
		b.log.Error("cannot read a review", "review", id, "err", err)
		b.tell(ctx, cb, card.Failure(clicker, clicker.Sprintf("Re-evaluation is not available"), clicker.Sprintf("I could not read this review just now. Try again in a minute.")))
		return
	}
	if !b.belongs(ctx, cb, &rev, "Re-evaluate", clicker.Sprintf("I re-evaluate a review only from its own card.")) {
		return
	}
	// The card and the reply in its thread are about the request: in the
	// requester's language.
	lg := b.lang(ctx, rev.UserID)
	ctx = lang.NewContext(ctx, lg)
	// The card shows the bot at work; the result is a reply, which
	// notifies.
	defer b.react(ctx, channel, rev.CardTS)()

	r, note := b.reread(ctx, rev)
	if r.file != nil {
		r.name = fileName(*r.file)
		r.text, r.problem = b.readFile(ctx, *r.file)
	}
	thread := rev.ThreadTS
	if thread == "" {
		thread = rev.CardTS
	}
	if r.problem != nil {
		b.metrics.reviews.Inc(outcomeInvalid)
		b.reply(ctx, cb, channel, thread, card.Failure(lg, r.problem.Title, r.problem.Detail))
		return
	}
	rep, err := b.check(ctx, r.name, r.text)
	if err != nil {
		b.reply(ctx, cb, channel, thread, b.failure(lg, err))
		return
	}
	meta := card.Meta{
		ReviewID: rev.ID, RequesterID: rev.UserID, ReevaluatedBy: cb.User.ID, PreviousScore: rev.Score, Lang: lg,
	}
	meta.Principal, meta.Sid = subject(r.name, r.text)
	if note != "" {
		meta.Notes = []string{note}
	}
	msg := card.Render(rep, meta)
	// The store first: the next click compares with this result.
	data, err := json.Marshal(rep)
	if err == nil {
		err = b.st.Update(ctx, rev.ID, r.text, data, rep.Score)
	}
	if err != nil {
		b.log.Error("cannot save a re-evaluation", "review", rev.ID, "err", err)
	}
	if err := b.update(ctx, channel, rev.CardTS, msg); err != nil {
		// A card posted through a command's response_url is replaced
		// through the action's.
		if err := b.respond(ctx, cb.ResponseURL, inChannel, true, msg); err != nil {
			b.log.Error("cannot update a card", "review", rev.ID, "err", err)
			b.tell(ctx, cb, card.Failure(clicker, clicker.Sprintf("The card could not be updated"), clicker.Sprintf("Slack did not accept the new card (%s). Try again in a minute.", errorCode(err))))
			return
		}
	}
	// A command's summary at the top of the channel says the new score too.
	if (rev.Kind == store.KindCommand || rev.Kind == store.KindModal) && rev.ThreadTS != "" && rev.ThreadTS != rev.CardTS {
		if err := b.update(ctx, channel, rev.ThreadTS, card.Summary(rep, meta)); err != nil {
			b.log.Warn("cannot update the summary of a review", "review", rev.ID, "err", err)
		}
	}
	b.reply(ctx, cb, channel, thread, card.Reevaluated(lg, cb.User.ID, rev.Score, rep))
	if msg.Snippet != nil {
		if err := b.upload(ctx, channel, thread, msg.Snippet); err != nil {
			b.log.Error("cannot upload the suggested policy", "review", rev.ID, "err", err)
		}
	}
	b.log.Info("re-evaluated", "review", rev.ID, "from", rev.Score, "to", rep.Score)
}

// belongs checks that a button's review is the one shown by the very
// message it was clicked in, and tells the clicker when it is not. A card
// posted through a response_url has no ts the bot knows: its first click
// in the right channel records it.
func (b *Bot) belongs(ctx context.Context, cb slack.InteractionCallback, rev *store.Review, button, why string) bool {
	channel, cardTS := cb.Container.ChannelID, cb.Container.MessageTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	// A card is recorded right after Slack has it: a click may come
	// first (a test's, not a person's). Wait for it, briefly.
	for i := 0; rev.CardTS == "" && rev.ResponseURL == "" && rev.ChannelID == channel && cardTS != "" && i < 20; i++ {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
		if r, err := b.st.Get(ctx, rev.ID); err == nil {
			*rev = r
		}
	}
	unbound := rev.CardTS == "" && rev.ResponseURL != ""
	if rev.ChannelID != channel || (rev.CardTS != cardTS && !unbound) || cardTS == "" {
		b.log.Warn("refused a button that does not belong to its message", "button", button,
			"review", rev.ID, "channel", channel, "message", cardTS, "user", cb.User.ID)
		lg := b.lang(ctx, cb.User.ID)
		b.tell(ctx, cb, card.Failure(lg, lg.Sprintf("This button does not belong to this message"), why))
		return false
	}
	if unbound {
		if err := b.st.SetCard(ctx, rev.ID, channel, cardTS); err != nil {
			b.log.Error("cannot record the card of a review", "review", rev.ID, "err", err)
		}
		rev.CardTS = cardTS
	}
	return true
}

// storedReview reads review id and its report, telling the clicker when
// it cannot.
func (b *Bot) storedReview(ctx context.Context, cb slack.InteractionCallback, id string) (store.Review, *report.Report, bool) {
	lg := b.lang(ctx, cb.User.ID)
	rev, err := b.st.Get(ctx, id)
	var rep report.Report
	if err == nil {
		err = json.Unmarshal(rev.ReportJSON, &rep)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.tell(ctx, cb, card.Failure(lg, lg.Sprintf("This review is no longer kept"), lg.Sprintf("Ask for a new review of the policy.")))
		return rev, nil, false
	case err != nil:
		b.log.Error("cannot read a review", "review", id, "err", err)
		b.tell(ctx, cb, card.Failure(lg, lg.Sprintf("The details are not available"), lg.Sprintf("I could not read this review just now. Try again in a minute.")))
		return rev, nil, false
	}
	return rev, &rep, true
}

// detailsMeta is what the details of a stored review show besides its
// report, in the language lg: the clicker's, whom the modal is for.
func detailsMeta(lg lang.Tag, rev store.Review, rep *report.Report) card.Meta {
	m := card.Meta{ReviewID: rev.ID, RequesterID: rev.UserID, Lang: lg}
	m.Principal, m.Sid = subject(rep.File, rev.PolicyText)
	return m
}

// openDetails opens the details of a card's review, its first page, for
// the clicker (Show all findings).
func (b *Bot) openDetails(ctx context.Context, cb slack.InteractionCallback, id string) {
	lg := b.lang(ctx, cb.User.ID)
	rev, rep, ok := b.storedReview(ctx, cb, id)
	if !ok || !b.belongs(ctx, cb, &rev, "Show all findings", lg.Sprintf("I show the details of a review only from its own card.")) {
		return
	}
	view, _ := card.Details(rep, detailsMeta(lg, rev, rep), 1)
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		err = b.apiError("views.open", err)
		b.log.Warn("cannot open the details of a review", "review", id, "err", err)
		b.tell(ctx, cb, card.Failure(lg, lg.Sprintf("The details could not be opened"), lg.Sprintf("Slack did not open them (%s). Click the button again.", errorCode(err))))
	}
}

// turnPage shows another page of the details in the same modal: the
// review is the view's private_metadata, the page the button's value.
func (b *Bot) turnPage(ctx context.Context, cb slack.InteractionCallback, value string) {
	page, err := strconv.Atoi(value)
	if err != nil {
		return
	}
	rev, err := b.st.Get(ctx, cb.View.PrivateMetadata)
	var rep report.Report
	if err == nil {
		err = json.Unmarshal(rev.ReportJSON, &rep)
	}
	if err != nil {
		b.log.Warn("cannot show a page of details", "review", cb.View.PrivateMetadata, "err", err)
		return
	}
	view, _ := card.Details(&rep, detailsMeta(b.lang(ctx, cb.User.ID), rev, &rep), page)
	// The hash refuses an update made on a view changed since the click
	// (a double click): the later page is shown.
	if _, err := b.api.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID); err != nil && errorCode(err) != "hash_conflict" {
		b.log.Warn("cannot show a page of details", "review", rev.ID, "err", b.apiError("views.update", err))
	}
}

// reply answers in the thread of a card, or to the clicker alone when the
// bot cannot post there.
func (b *Bot) reply(ctx context.Context, cb slack.InteractionCallback, channel, thread string, m card.Message) {
	if _, err := b.post(ctx, channel, thread, m); err != nil {
		b.tell(ctx, cb, m)
	}
}

// reread finds the current source of a review: the message it came from,
// as edited since, with its file downloaded again; or the policy as
// stored, for a command or a dialog, or when the message is gone. note
// says when the stored policy stands in for a message.
func (b *Bot) reread(ctx context.Context, rev store.Review) (request, string) {
	stored := request{text: rev.PolicyText, name: reportFile(rev.ReportJSON)}
	if rev.MessageTS == "" {
		return stored, ""
	}
	msg, err := b.fetchMessage(ctx, rev.ChannelID, rev.MessageTS, rev.ThreadTS)
	if err != nil {
		b.log.Warn("cannot read the source of a review", "review", rev.ID, "err", err)
		return stored, "The original message could not be read (" + errorCode(err) + "), so the policy as first reviewed was used."
	}
	if rev.Kind == store.KindFile {
		for i := range msg.Files {
			if fileName(msg.Files[i]) == stored.name || len(msg.Files) == 1 {
				return request{file: &msg.Files[i]}, ""
			}
		}
		return stored, "The file is no longer attached to the message, so the policy as first reviewed was used."
	}
	return request{text: stripMention(messageText(msg.Text, msg.Blocks), b.mention)}, ""
}

// reportFile is the input name of a stored report.
func reportFile(data []byte) string {
	var rep report.Report
	if json.Unmarshal(data, &rep) != nil {
		return ""
	}
	return rep.File
}
