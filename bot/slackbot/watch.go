package slackbot

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// watchList is the set of watched channels, given as IDs or names. Names
// are matched by looking up the name of a channel a message comes from
// (conversations.info), remembered for a while since channels get renamed.
type watchList struct {
	ids   map[string]bool
	names map[string]bool

	mu   sync.Mutex
	seen map[string]watchedAt // by channel ID
}

type watchedAt struct {
	watched bool
	at      time.Time
}

// watchTTL is how long the name of a channel is trusted.
const watchTTL = 10 * time.Minute

var channelID = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)

func newWatchList(entries []string) *watchList {
	w := &watchList{ids: map[string]bool{}, names: map[string]bool{}, seen: map[string]watchedAt{}}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch {
		case channelID.MatchString(e):
			w.ids[e] = true
		case e != "":
			w.names[strings.ToLower(strings.TrimPrefix(e, "#"))] = true
		}
	}
	return w
}

// quick tells without I/O whether a channel is watched, when it can.
func (w *watchList) quick(channel string) (watched, known bool) {
	if w.ids[channel] {
		return true, true
	}
	if len(w.names) == 0 {
		return false, true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if s, ok := w.seen[channel]; ok && time.Since(s.at) < watchTTL {
		return s.watched, true
	}
	return false, false
}

// remember records whether a channel with this name is watched.
func (w *watchList) remember(channel, name string) bool {
	watched := w.names[strings.ToLower(name)]
	w.mu.Lock()
	w.seen[channel] = watchedAt{watched: watched, at: time.Now()}
	w.mu.Unlock()
	return watched
}

// watched reports whether a channel is watched, looking up its name if
// need be.
func (b *Bot) watched(ctx context.Context, channel string) bool {
	if watched, known := b.watch.quick(channel); known {
		return watched
	}
	info, err := b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	if err != nil {
		b.log.Warn("cannot look up a channel's name", "channel", channel, "err", b.apiError("conversations.info", err))
		return false
	}
	return b.watch.remember(channel, info.Name)
}
