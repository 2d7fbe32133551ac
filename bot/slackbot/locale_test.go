package slackbot

import (
	"context"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/internal/slackfake"
)

// TestLocale checks that a user's language comes from users.info, is
// remembered, and is read again once expired; an unknown user is spoken
// to in English.
func TestLocale(t *testing.T) {
	s, b := testBot(t, failing{}, 1, slackfake.Options{})
	ctx := context.Background()
	if err := s.SetLocale(user, "pt-BR"); err != nil {
		t.Fatal(err)
	}
	before := s.Calls("users.info")
	if got := b.lang(ctx, user); got != lang.Portuguese {
		t.Errorf("lang(pt-BR) = %q", got)
	}
	if got := b.lang(ctx, user); got != lang.Portuguese || s.Calls("users.info") != before+1 {
		t.Errorf("second lang = %q after %d calls of users.info, want 1", got, s.Calls("users.info")-before)
	}

	// Expired, it is read again: the user changed their Slack's language.
	if err := s.SetLocale(user, "es-419"); err != nil {
		t.Fatal(err)
	}
	b.locales.mu.Lock()
	e := b.locales.m[user]
	e.expires = time.Now().Add(-time.Second)
	b.locales.m[user] = e
	b.locales.mu.Unlock()
	if got := b.lang(ctx, user); got != lang.Spanish {
		t.Errorf("lang after expiry = %q, want Spanish", got)
	}

	// Unknown to Slack: English, not asked again at once.
	n := s.Calls("users.info")
	if got := b.lang(ctx, "U0NOBODY1"); got != lang.English {
		t.Errorf("lang(unknown) = %q", got)
	}
	b.lang(ctx, "U0NOBODY1")
	if got := s.Calls("users.info") - n; got != 1 {
		t.Errorf("%d calls of users.info for an unknown user, want 1", got)
	}
	if got := b.lang(ctx, ""); got != lang.English {
		t.Errorf("lang(\"\") = %q", got)
	}
}
