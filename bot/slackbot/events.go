package slackbot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/bot/store"
)

// Event types and the bot events the manifest subscribes to.
const (
	eventAppMention = "app_mention"
	eventMessage    = "message"
)

// routeEvent decides what to do with an events_api envelope. It does no
// I/O and decodes nothing: messages the bot must not answer are dropped
// here, without taking a place in the queue.
func (b *Bot) routeEvent(received time.Time, api slackevents.EventsAPIEvent) decision {
	if api.Type != slackevents.CallbackEvent {
		return decision{}
	}
	ev, ok := innerMessage(api.InnerEvent.Data)
	if !ok {
		return decision{}
	}
	return b.routeMessage(received, api.TeamID, ev)
}

// routeMessage decides what to do with a message event.
func (b *Bot) routeMessage(received time.Time, team string, ev messageEvent) decision {
	if ev.Type != eventAppMention && ev.Type != eventMessage {
		return decision{}
	}
	// Edits, deletions, joins, the bot's own posts and other bots.
	if !ev.newMessage() || ev.User == b.self.UserID || ev.Channel == "" || ev.TS == "" {
		return decision{}
	}
	m := incoming{team: team, ev: ev, received: received}
	switch {
	case ev.ChannelType == "im":
		m.kind, m.addressed = store.KindDM, true
	case ev.Type == eventAppMention || mentions(ev.Text, b.self.UserID):
		m.kind, m.addressed = store.KindMention, true
	default:
		if watched, known := b.watch.quick(ev.Channel); known && !watched {
			return decision{}
		}
		m.kind = store.KindWatched
	}
	d := decision{
		kind: m.kind,
		job:  func(ctx context.Context) { b.message(ctx, m) },
		fail: func(ctx context.Context, err error) {
			b.post(ctx, ev.Channel, threadOf(ev.TS, ev.ThreadTS), b.failure(b.lang(ctx, ev.User), err))
		},
	}
	return d
}

// incoming is a message for the bot.
type incoming struct {
	team      string
	ev        messageEvent
	kind      string // store.KindMention, KindDM or KindWatched
	addressed bool   // a mention or a DM; otherwise a watched channel
	received  time.Time
}

// message answers a message: a review per policy it holds (its text and
// each file), or, when the bot was addressed, why there is none.
func (b *Bot) message(ctx context.Context, m incoming) {
	ev := m.ev
	if !m.addressed && !b.watched(ctx, ev.Channel) {
		return
	}
	text := stripMention(ev.text(), b.mention)
	files, skipped := capFiles(ev.Files)
	srcs := sources(text, files, !m.addressed)
	if len(srcs) == 0 && !m.addressed {
		return // chatter in a watched channel
	}
	// One answer per message, whatever the number of deliveries.
	if !b.claim(ctx, "msg:"+ev.Channel+":"+ev.TS, m.kind) {
		return
	}
	// The message shows the bot at work until its answers are posted.
	defer b.react(ctx, ev.Channel, ev.TS)()
	base := request{
		kind: m.kind, team: m.team, user: ev.User, channel: ev.Channel,
		thread: threadOf(ev.TS, ev.ThreadTS), messageTS: ev.TS, received: m.received,
	}
	if m.addressed && len(ev.Files) == 0 && !looksLikePolicy(text) && ev.ThreadTS != "" && ev.ThreadTS != ev.TS {
		// Addressed in a thread without a policy: a question about the
		// review of the thread, or else a request to review the policy
		// the thread starts with.
		if b.asker != nil && strings.TrimSpace(text) != "" {
			if rev, ok := b.reviewOfThread(ctx, ev.Channel, ev.ThreadTS); ok {
				b.question(ctx, rev, ev, text)
				return
			}
		}
		parent, err := b.fetchMessage(ctx, ev.Channel, ev.ThreadTS, "")
		if err != nil {
			b.log.Warn("cannot read the start of a thread", "channel", ev.Channel, "err", err)
		} else {
			pfiles, pskipped := capFiles(parent.Files)
			if ps := sources(stripMention(messageText(parent.Text, parent.Blocks), b.mention), pfiles, true); len(ps) > 0 {
				srcs, base.messageTS, skipped = ps, parent.Timestamp, pskipped
			}
		}
	}
	if len(srcs) == 0 {
		lg := b.lang(ctx, ev.User)
		b.post(ctx, ev.Channel, base.thread, readFailure(lg, &policy.Error{Kind: policy.ErrNoPolicy,
			Msg: lg.Sprintf("I found no IAM policy in your message.")}))
		return
	}
	for _, s := range srcs {
		r := base
		r.text, r.file = s.text, s.file
		if s.file != nil {
			r.kind = store.KindFile
		}
		b.answer(ctx, r)
	}
	if skipped > 0 {
		b.post(ctx, ev.Channel, base.thread, tooManyFilesNotice(b.lang(ctx, ev.User), maxFiles, skipped))
	}
}

// capFiles keeps the first maxFiles files and counts the others.
func capFiles(files []slack.File) ([]slack.File, int) {
	if len(files) <= maxFiles {
		return files, 0
	}
	return files[:maxFiles], len(files) - maxFiles
}

// source is one thing to review in a message: its text or one of its files.
type source struct {
	text string
	file *slack.File
}

// sources lists what to review in a message: every file the bot reads, and
// the text when there are no files or it holds a policy too. quiet (a
// watched channel, not addressed) keeps only what looks like a policy.
func sources(text string, files []slack.File, quiet bool) []source {
	var out []source
	for i := range files {
		if quiet && !supportedFile(files[i]) {
			continue
		}
		out = append(out, source{file: &files[i]})
	}
	hasText := strings.TrimSpace(text) != ""
	if hasText && (looksLikePolicy(text) || (!quiet && len(files) == 0)) {
		out = append([]source{{text: text}}, out...)
	}
	return out
}

// claim records a delivery key and reports whether this is its first
// delivery. When the store fails it answers false, and the request is run
// again later: better to answer late than twice.
func (b *Bot) claim(ctx context.Context, key, kind string) bool {
	holder := ""
	if r := runOf(ctx); r != nil {
		holder = r.id // a request run again keeps the keys it took
	}
	first, err := b.st.FirstDelivery(ctx, key, holder)
	b.storeState.set(err)
	if err != nil {
		b.log.Error("cannot record a delivery; the request will be run again", "err", err)
		if r := runOf(ctx); r != nil {
			r.retry.Store(true)
		}
		return false
	}
	if !first {
		b.metrics.duplicates.Inc(kind)
		b.log.Debug("delivery already handled", "kind", kind)
	}
	return first
}

// errMessageGone is returned when a message cannot be found.
var errMessageGone = errors.New("message not found")

// fetchMessage reads the current state of message ts in channel: from the
// thread threadTS when it is a reply there, from the channel's history
// otherwise.
func (b *Bot) fetchMessage(ctx context.Context, channel, ts, threadTS string) (*slack.Message, error) {
	var msgs []slack.Message
	if threadTS != "" && threadTS != ts {
		replies, _, _, err := b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: threadTS, Oldest: ts, Latest: ts, Inclusive: true, Limit: 10,
		})
		if err != nil {
			return nil, b.apiError("conversations.replies", err)
		}
		msgs = replies
	} else {
		hist, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Oldest: ts, Latest: ts, Inclusive: true, Limit: 1,
		})
		if err != nil {
			return nil, b.apiError("conversations.history", err)
		}
		msgs = hist.Messages
	}
	for i := range msgs {
		if msgs[i].Timestamp == ts {
			return &msgs[i], nil
		}
	}
	return nil, errMessageGone
}
