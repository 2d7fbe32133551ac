package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func TestMentionDeliversAppMentionAndMessage(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}

	d, err := srv.Mention(ctx, "C1", "U1", "please review", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Envelopes) != 2 {
		t.Fatalf("envelopes = %v, want app_mention and message", d.Envelopes)
	}

	first := c.next(t)
	ev := first.Data.(slackevents.EventsAPIEvent)
	mention, ok := ev.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok {
		t.Fatalf("first event is %T, want *AppMentionEvent", ev.InnerEvent.Data)
	}
	if want := "<@U0FAKEBOT1> please review"; mention.Text != want || mention.Channel != "C1" || mention.User != "U1" || mention.TimeStamp != d.TS {
		t.Errorf("app_mention = %+v, want text %q in C1 by U1 at %s", mention, want, d.TS)
	}
	if first.Request.EnvelopeID != d.Envelopes[0] || first.Request.RetryAttempt != 0 {
		t.Errorf("request = %+v", first.Request)
	}
	cb := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if cb.EventID == "" || cb.EventTime != 1700000000 || len(cb.Authorizations) != 1 || cb.Authorizations[0].UserID != "U0FAKEBOT1" {
		t.Errorf("callback = %+v", cb)
	}
	c.ack(t, first)

	second := c.next(t)
	msg, ok := second.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		t.Fatalf("second event is %T, want *MessageEvent", second.Data.(slackevents.EventsAPIEvent).InnerEvent.Data)
	}
	if msg.TimeStamp != d.TS || msg.ChannelType != "channel" || msg.Text != mention.Text {
		t.Errorf("message = %+v, want same ts %s in a channel", msg, d.TS)
	}
	secondID := second.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent).EventID
	if secondID == cb.EventID {
		t.Errorf("both events have event_id %s", secondID)
	}
	c.ack(t, second)

	for _, id := range d.Envelopes {
		if _, err := srv.WaitAck(ctx, id); err != nil {
			t.Fatal(err)
		}
		if n := srv.AckCount(id); n != 1 {
			t.Errorf("AckCount(%s) = %d, want 1", id, n)
		}
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("Connections = %d, want 1", n)
	}
}

func TestMessageVisibility(t *testing.T) {
	ctx := testContext(t)
	tests := []struct {
		name      string
		opts      Options
		post      func(*Server) (Delivery, error)
		wantTypes []string
	}{
		{"member channel, no mention", Options{},
			func(s *Server) (Delivery, error) { return s.Message(ctx, "C1", "U1", "hello", MessageOptions{}) },
			[]string{"message"}},
		{"non-member channel", Options{},
			func(s *Server) (Delivery, error) { return s.Mention(ctx, "C2", "U1", "hello", MessageOptions{}) },
			nil},
		{"DM with mention", Options{},
			func(s *Server) (Delivery, error) {
				return s.DirectMessage(ctx, "U1", "<@U0FAKEBOT1> hi", MessageOptions{})
			},
			[]string{"message"}},
		{"mention without message events", Options{OmitMessageEvents: true},
			func(s *Server) (Delivery, error) { return s.Mention(ctx, "C1", "U1", "hello", MessageOptions{}) },
			[]string{"app_mention"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.opts)
			// No client: a delivery would block, so connect one first.
			startClient(t, srv)
			d, err := tt.post(srv)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, id := range d.Envelopes {
				env, _ := srv.Envelope(id)
				var p struct {
					Event struct {
						Type string `json:"type"`
					} `json:"event"`
				}
				json.Unmarshal(env.Payload, &p)
				got = append(got, p.Event.Type)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantTypes, ",") {
				t.Errorf("events = %v, want %v", got, tt.wantTypes)
			}
		})
	}
}

func TestSlashCommandAckWithPayload(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)

	id, err := srv.SlashCommand(ctx, SlashCommand{Command: "/policycheck", Text: "help", ChannelID: "C2", UserID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	cmd := evt.Data.(slack.SlashCommand)
	if cmd.Command != "/policycheck" || cmd.Text != "help" || cmd.ChannelID != "C2" || cmd.ChannelName != "random" ||
		cmd.UserID != "U1" || cmd.UserName != "alice" || cmd.APIAppID != "A0FAKEAPP1" || cmd.TeamID != "T0FAKE0001" {
		t.Errorf("slash command = %+v", cmd)
	}
	if !strings.HasPrefix(cmd.ResponseURL, srv.URL()+"/response/") || cmd.TriggerID == "" {
		t.Errorf("response_url %q, trigger_id %q", cmd.ResponseURL, cmd.TriggerID)
	}
	if !evt.Request.AcceptsResponsePayload {
		t.Error("accepts_response_payload = false, want true")
	}
	c.ack(t, evt, map[string]any{"text": "Working on it"})

	ack, err := srv.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Problem != "" || !strings.Contains(string(ack.Payload), "Working on it") {
		t.Errorf("ack = %+v", ack)
	}
	m, err := srv.WaitMessage(ctx, func(m Message) bool { return m.EphemeralTo == "U1" })
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Working on it" || m.Channel != "C2" {
		t.Errorf("ephemeral = %+v", m)
	}
	if r := srv.Responses(); len(r) != 1 || !r[0].FromAck {
		t.Errorf("responses = %+v", r)
	}
}

func TestSlashCommandAckWithInvalidBlocks(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	id, err := srv.SlashCommand(ctx, SlashCommand{Command: "/policycheck", ChannelID: "C1", UserID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	c.ack(t, c.next(t), map[string]any{"blocks": []any{map[string]any{"type": "bogus"}}})
	ack, err := srv.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ack.Problem, "invalid_blocks") {
		t.Errorf("ack problem = %q, want invalid_blocks", ack.Problem)
	}
}

func TestPingsKeepTheLinkAlive(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{PingInterval: 25 * time.Millisecond})
	startClient(t, srv, socketmode.OptionPingInterval(1500*time.Millisecond))
	// 80 pings span at least 2s, longer than the client's ping timeout.
	if err := srv.WaitPongs(ctx, 80); err != nil {
		t.Fatal(err)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("Connections = %d, want 1 (the client reconnected)", n)
	}
}

func TestNoPingsMakeTheClientReconnect(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{PingInterval: -1})
	startClient(t, srv, socketmode.OptionPingInterval(200*time.Millisecond))
	if err := srv.WaitConnections(ctx, 2); err != nil {
		t.Fatal(err)
	}
}

func TestDisconnectAndReconnect(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*Server) error
	}{
		{"refresh_requested", func(s *Server) error { return s.Disconnect("refresh_requested") }},
		{"warning", func(s *Server) error { return s.Disconnect("warning") }},
		{"link_disabled", func(s *Server) error { return s.Disconnect("link_disabled") }},
		{"dropped", (*Server).DropConnection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			srv := newServer(t, Options{})
			c := startClient(t, srv)
			if err := srv.WaitConnected(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tt.fault(srv); err != nil {
				t.Fatal(err)
			}
			// The envelope waits for the new link.
			d, err := srv.Message(ctx, "C1", "U1", "after reconnect", MessageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			evt := c.next(t)
			if evt.Request.EnvelopeID != d.Envelopes[0] {
				t.Errorf("got envelope %s, want %s", evt.Request.EnvelopeID, d.Envelopes[0])
			}
			c.ack(t, evt)
			if _, err := srv.WaitAck(ctx, d.Envelopes[0]); err != nil {
				t.Fatal(err)
			}
			if n := srv.Connections(); n < 2 {
				t.Errorf("Connections = %d, want >= 2", n)
			}
			if n := srv.Calls("apps.connections.open"); n < 2 {
				t.Errorf("apps.connections.open calls = %d, want >= 2", n)
			}
		})
	}
}

func TestRedeliveryAfterTimeout(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{RedeliverAfter: 50 * time.Millisecond})
	c := startClient(t, srv)
	id, err := srv.SlashCommand(ctx, SlashCommand{Command: "/policycheck", ChannelID: "C1", UserID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	first := c.next(t) // not acknowledged
	retry := c.next(t)
	if retry.Request.RetryAttempt != 1 || retry.Request.RetryReason != "timeout" {
		t.Errorf("retry_attempt %d, retry_reason %q", retry.Request.RetryAttempt, retry.Request.RetryReason)
	}
	if retry.Request.EnvelopeID == id || string(retry.Request.Payload) != string(first.Request.Payload) {
		t.Errorf("redelivery %s of %s should have a new envelope ID and the same payload", retry.Request.EnvelopeID, id)
	}
	c.ack(t, retry)
	if _, err := srv.WaitAck(ctx, retry.Request.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	env, _ := srv.Envelope(retry.Request.EnvelopeID)
	if env.RetryOf != id {
		t.Errorf("RetryOf = %q, want %q", env.RetryOf, id)
	}
	if n := srv.AckCount(id); n != 0 {
		t.Errorf("AckCount(original) = %d, want 0", n)
	}
}

func TestExplicitRedeliver(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	d, err := srv.Message(ctx, "C1", "U1", "hello", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orig := c.next(t)
	c.ack(t, orig)
	newID, err := srv.Redeliver(ctx, d.Envelopes[0])
	if err != nil {
		t.Fatal(err)
	}
	again := c.next(t)
	if again.Request.EnvelopeID != newID || again.Request.RetryAttempt != 1 {
		t.Errorf("redelivered request = %+v", again.Request)
	}
	e1 := orig.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent).EventID
	e2 := again.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent).EventID
	if e1 != e2 {
		t.Errorf("event_id changed on redelivery: %s, %s", e1, e2)
	}
}

func TestSendRawEnvelope(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	payload := `{"type":"event_callback","team_id":"T0FAKE0001","event_id":"EvRAW","event_time":1700000000,` +
		`"event":{"type":"app_mention","user":"U1","text":"<@U0FAKEBOT1> raw","ts":"1700000001.000100","channel":"C1","event_ts":"1700000001.000100"}}`
	id, err := srv.Send(ctx, Envelope{Type: "events_api", Payload: json.RawMessage(payload)})
	if err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	if evt.Request.EnvelopeID != id {
		t.Errorf("envelope %s, want %s", evt.Request.EnvelopeID, id)
	}
	if m, ok := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppMentionEvent); !ok || m.Text != "<@U0FAKEBOT1> raw" {
		t.Errorf("event = %+v", evt.Data)
	}
}

func TestWrongAppTokenIsFatal(t *testing.T) {
	srv := newServer(t, Options{})
	api := slack.New(srv.Config().BotToken, slack.OptionAppLevelToken("xapp-wrong"), slack.OptionAPIURL(srv.APIURL()))
	sm := socketmode.New(api)
	go func() {
		for range sm.Events {
		}
	}()
	err := sm.RunContext(testContext(t))
	if err == nil || err.Error() != "invalid_auth" {
		t.Errorf("RunContext = %v, want invalid_auth", err)
	}
}

func TestConnectionsOpenRateLimited(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	srv.RateLimitNext("apps.connections.open", time.Second)
	startClient(t, srv)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("apps.connections.open"); n != 2 {
		t.Errorf("apps.connections.open calls = %d, want 2 (one refused)", n)
	}
}

func TestDeliveryWithoutClientHonoursContext(t *testing.T) {
	srv := newServer(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := srv.Message(ctx, "C1", "U1", "nobody listens", MessageOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Message without a client = %v, want context canceled", err)
	}
	if n := len(srv.Messages("C1")); n != 1 {
		t.Errorf("stored messages = %d, want 1", n)
	}
}
