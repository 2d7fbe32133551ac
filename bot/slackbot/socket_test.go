package slackbot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/store"
	"github.com/policycheck/policycheck/internal/slackfake"
)

// mention sends a mention with a policy and waits for its card.
func mention(t *testing.T, ctx context.Context, s *slackfake.Server) {
	t.Helper()
	d, err := s.Message(ctx, channel, user, "<@"+s.Config().BotUserID+"> "+fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), "Policy review: ")
	}); err != nil {
		t.Fatal(err)
	}
}

// TestSocketAcksEverything sends envelopes the bot cannot read or does not
// know: each is acknowledged once, without a payload, and the bot keeps
// serving.
func TestSocketAcksEverything(t *testing.T) {
	s, b := testBot(t, review.New(iamref.Default()), 2, 10, slackfake.Options{OmitMessageEvents: true})
	ctx := waitCtx(t)
	envs := []slackfake.Envelope{
		{Type: "events_api", Payload: json.RawMessage(`5`)},
		{Type: "events_api", Payload: json.RawMessage(`{"type":"event_callback","event":{"type":"app_mention","files":"none"}}`)},
		{Type: "slash_commands", Payload: json.RawMessage(`"x"`)},
		{Type: "interactive", Payload: json.RawMessage(`[]`)},
		{Type: "no_such_type", Payload: json.RawMessage(`{}`)},
	}
	for _, env := range envs {
		id, err := s.Send(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		ack, err := s.WaitAck(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ack.Payload != nil {
			t.Errorf("%s envelope acked with %s", env.Type, ack.Payload)
		}
	}
	mention(t, ctx, s)
	for _, e := range s.Envelopes() {
		if n := s.AckCount(e.ID); n != 1 {
			t.Errorf("%s envelope acked %d times", e.Type, n)
		}
	}
	if n := b.metrics.acked.Value("no_such_type"); n != 1 {
		t.Errorf("%v acks of the unknown type counted, want 1", n)
	}
}

// TestSocketReconnects checks that the bot opens a new link when Slack
// asks, when the connection drops and when pings stop, and serves on it.
func TestSocketReconnects(t *testing.T) {
	s, b := testBot(t, review.New(iamref.Default()), 2, 10, slackfake.Options{OmitMessageEvents: true})
	ctx := waitCtx(t)
	for i, fault := range []func() error{
		func() error { return s.Disconnect("refresh_requested") },
		s.DropConnection,
	} {
		if err := fault(); err != nil {
			t.Fatal(err)
		}
		if err := s.WaitConnections(ctx, i+2); err != nil {
			t.Fatal(err)
		}
		mention(t, ctx, s)
	}
	if n := b.metrics.reconnects.Value(); n != 2 {
		t.Errorf("%v reconnections counted, want 2", n)
	}
}

func TestSocketPingTimeout(t *testing.T) {
	s, _ := testBot(t, review.New(iamref.Default()), 1, 10, slackfake.Options{PingInterval: -1, OmitMessageEvents: true},
		func(b *Bot) { b.pingTimeout = 50 * time.Millisecond })
	ctx := waitCtx(t)
	// With no pings the bot gives up on each link in turn.
	if err := s.WaitConnections(ctx, 3); err != nil {
		t.Fatal(err)
	}
}

// TestSocketRefusedToken checks that Run stops, saying why, when Slack
// refuses the app-level token.
func TestSocketRefusedToken(t *testing.T) {
	s := slackfake.New(slackfake.Options{})
	t.Cleanup(s.Close)
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := s.Config()
	b, err := New(context.Background(), review.New(iamref.Default()), st, Options{
		BotToken: cfg.BotToken, AppToken: "xapp-wrong", APIURL: s.APIURL(), ShutdownTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(waitCtx(t))
	if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("Run = %v, want the refused SLACK_APP_TOKEN explained", err)
	}
}

func TestEncodeAck(t *testing.T) {
	data, err := encodeAck("e1", nil)
	if err != nil || string(data) != `{"envelope_id":"e1"}` {
		t.Errorf("bare ack = %s, %v", data, err)
	}
	data, err = encodeAck("e2", commandResponse{ResponseType: ephemeral, Text: "hi"})
	if err != nil || string(data) != `{"envelope_id":"e2","payload":{"response_type":"ephemeral","text":"hi"}}` {
		t.Errorf("ack with a payload = %s, %v", data, err)
	}
	if _, err := encodeAck("e3", commandResponse{Text: strings.Repeat("x", maxAckBytes)}); err == nil {
		t.Error("an ack Slack would drop was encoded")
	}
}
