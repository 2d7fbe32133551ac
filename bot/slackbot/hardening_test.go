package slackbot

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/slackfake"
)

// TestKeepTokenToOrigin follows redirects from a file host: the token
// goes on to the same origin only, not to another port of the same host.
func TestKeepTokenToOrigin(t *testing.T) {
	seen := make(chan string, 4)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- "other:" + r.Header.Get("Authorization")
	}))
	defer other.Close()
	var origin *httptest.Server
	origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, origin.URL+"/end", http.StatusFound)
		case "/away":
			http.Redirect(w, r, other.URL+"/end", http.StatusFound)
		case "/end":
			seen <- "origin:" + r.Header.Get("Authorization")
		}
	}))
	defer origin.Close()

	c := keepTokenToOrigin(&http.Client{Timeout: 10 * time.Second})
	for path, want := range map[string]string{"/same": "origin:Bearer xoxb-1", "/away": "other:"} {
		req, _ := http.NewRequest(http.MethodGet, origin.URL+path, nil)
		req.Header.Set("Authorization", "Bearer xoxb-1")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := <-seen; got != want {
			t.Errorf("redirect %s: got %q, want %q", path, got, want)
		}
	}
}

// TestOversizedEnvelope: an envelope over the cap is refused while it is
// read, and the next request is answered.
func TestOversizedEnvelope(t *testing.T) {
	s, _ := testBot(t, review.New(iamref.Default()), 2, slackfake.Options{RedeliverAfter: time.Second, MaxRedeliveries: 5})
	ctx := waitCtx(t)
	huge := `{"type":"event_callback","event_id":"EvHUGE","event":{"type":"app_mention","text":"` + strings.Repeat("a", 2*maxEnvelope) + `"}}`
	links := s.Connections()
	if _, err := s.Send(ctx, slackfake.Envelope{Type: "events_api", Payload: []byte(huge)}); err != nil {
		t.Fatal(err)
	}
	// The read limit drops the link and the client opens others; an
	// envelope written to a link while it closes is lost, and Slack sends
	// it again, as the fake does here.
	if err := s.WaitConnections(ctx, links+1); err != nil {
		t.Fatal(err)
	}
	d, err := s.Mention(ctx, channel, user, fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool { return m.ThreadTS == d.TS && isCard(m) }); err != nil {
		t.Fatal(err)
	}
}

// TestTooManyFiles: the files past the cap are not reviewed, and the
// requester is told.
func TestTooManyFiles(t *testing.T) {
	s, _ := testBot(t, review.New(iamref.Default()), 2, slackfake.Options{OmitMessageEvents: true})
	ctx := waitCtx(t)
	var ids []string
	for i := range maxFiles + 2 {
		ids = append(ids, s.AddFile(slackfake.File{Name: fmt.Sprintf("p%d.json", i), User: user,
			Content: []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`)}))
	}
	d, err := s.FileShare(ctx, channel, user, "<@"+s.Config().BotUserID+">", ids, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), "Some files were not reviewed")
	}); err != nil {
		t.Fatal(err)
	}
	cards := 0
	for _, m := range s.Messages(channel) {
		if m.ThreadTS == d.TS && isCard(m) {
			cards++
		}
	}
	if cards != maxFiles {
		t.Errorf("%d cards, want %d", cards, maxFiles)
	}
}

// TestForeignInteraction: a button click from another team or for another
// app does nothing.
func TestForeignInteraction(t *testing.T) {
	s, b := testBot(t, review.New(iamref.Default()), 1, slackfake.Options{})
	ctx := waitCtx(t)
	for b.appID.Load() == nil {
		if err := ctx.Err(); err != nil {
			t.Fatal("no hello with the app's ID")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cfg := s.Config()
	click := func(team, app string) slack.InteractionCallback {
		var cb slack.InteractionCallback
		cb.Type = slack.InteractionTypeBlockActions
		cb.Team.ID, cb.APIAppID, cb.TriggerID = team, app, "t1"
		cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: "reevaluate", Value: "r1"}}
		return cb
	}
	tests := []struct {
		name, team, app string
		ours            bool
	}{
		{"own", cfg.TeamID, cfg.AppID, true},
		{"another team", "T0OTHER01", cfg.AppID, false},
		{"another app", cfg.TeamID, "A0OTHER01", false},
	}
	for _, tt := range tests {
		if d := b.routeInteraction(time.Now(), click(tt.team, tt.app)); (d.job != nil) != tt.ours {
			t.Errorf("%s: routed = %v, want %v", tt.name, d.job != nil, tt.ours)
		}
	}
}
