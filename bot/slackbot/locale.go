package slackbot

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
)

// How long a user's language is remembered: a user who changes their
// Slack language is answered in it within localeTTL; a failed look-up is
// tried again after localeRetry.
const (
	localeTTL     = 10 * time.Minute
	localeRetry   = time.Minute
	localeTimeout = time.Second // users.info may be on the way to an ack
	maxLocales    = 10000
)

// locales caches the language of each user, from users.info.
type locales struct {
	mu sync.Mutex
	m  map[string]localeEntry
}

type localeEntry struct {
	tag     lang.Tag
	expires time.Time
}

// lang is the language to speak to user: their Slack locale, from
// users.info with include_locale (es-* Spanish, pt-* Portuguese, anything
// else English), remembered for a while. It is English when the user is
// unknown or Slack does not answer in time.
func (b *Bot) lang(ctx context.Context, user string) lang.Tag {
	if user == "" {
		return lang.English
	}
	now := time.Now()
	b.locales.mu.Lock()
	e, ok := b.locales.m[user]
	b.locales.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.tag
	}
	ctx, cancel := context.WithTimeout(ctx, localeTimeout)
	defer cancel()
	e = localeEntry{tag: lang.English, expires: now.Add(localeRetry)}
	u, err := b.api.GetUserInfoContext(ctx, user, slack.GetUserInfoOptionIncludeLocale(true))
	if err != nil {
		b.log.Warn("cannot read the locale of a user", "user", user, "err", b.apiError("users.info", err))
	} else {
		e = localeEntry{tag: lang.Parse(u.Locale), expires: now.Add(localeTTL)}
	}
	b.locales.mu.Lock()
	defer b.locales.mu.Unlock()
	if b.locales.m == nil || len(b.locales.m) >= maxLocales {
		b.locales.m = map[string]localeEntry{}
	}
	b.locales.m[user] = e
	return e.tag
}
