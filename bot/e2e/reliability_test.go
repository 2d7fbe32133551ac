package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/policycheck/policycheck/internal/slackfake"
)

func TestRetriedEnvelopeAnsweredOnce(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	d, err := s.DirectMessage(ctx, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dm, _ := s.DMChannel(alice)
	waitMessage(t, ctx, s, dm, d.TS, isCard)
	retry, err := s.Redeliver(ctx, d.Envelopes[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitAck(ctx, retry); err != nil {
		t.Fatal(err)
	}
	p.waitMetric(ctx, `policycheck_duplicate_deliveries_total{kind="dm"}`, 1)

	// A slash command redelivered before the first was handled.
	env, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: tightPolicy, ChannelID: general, UserID: bob})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Redeliver(ctx, env); err != nil {
		t.Fatal(err)
	}
	p.waitMetric(ctx, `policycheck_duplicate_deliveries_total{kind="command"}`, 1)
	waitCount(t, ctx, s, general, "", isCard, 1)

	if n := len(answers(s, dm, d.TS)); n != 1 {
		t.Errorf("%d answers to the redelivered message, want 1", n)
	}
	if n := len(answers(s, general, "")); n != 1 {
		t.Errorf("%d answers to the redelivered command, want 1", n)
	}
	for _, e := range s.Envelopes() {
		if n := s.AckCount(e.ID); n != 1 {
			t.Errorf("envelope %s (%s) acked %d times", e.ID, e.Type, n)
		}
	}
}

func TestReconnect(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	for i, fault := range []func() error{
		func() error { return s.Disconnect("refresh_requested") },
		s.DropConnection,
		func() error { return s.Disconnect("warning") },
	} {
		before := s.Connections()
		if err := fault(); err != nil {
			t.Fatal(err)
		}
		if err := s.WaitConnections(ctx, before+1); err != nil {
			t.Fatalf("fault %d: no new connection: %v", i, err)
		}
		p.waitReady(ctx)
		d, err := s.Mention(ctx, general, alice, fenced(widePolicy), slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		waitMessage(t, ctx, s, general, d.TS, isCard)
	}
	p.waitMetric(ctx, "policycheck_socket_reconnects_total", 3)
}

func TestRateLimited(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	const retryAfter = time.Second
	s.RateLimitNext("reactions.add", retryAfter)
	s.RateLimitNext("chat.postMessage", retryAfter)
	began := time.Now()
	d, err := s.Mention(ctx, general, alice, fenced(tightPolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, s, general, d.TS, isCard)
	// The bot waited Retry-After twice: a lower bound, never a deadline.
	if waited := time.Since(began); waited < 2*retryAfter {
		t.Errorf("card shown %v after the request; the bot did not wait Retry-After", waited)
	}
	for _, method := range []string{"reactions.add", "chat.postMessage"} {
		if n := s.Calls(method); n != 2 {
			t.Errorf("%s called %d times, want 2 (one refused, one retried)", method, n)
		}
		p.waitMetric(ctx, fmt.Sprintf(`policycheck_slack_rate_limited_total{method=%q}`, method), 1)
	}
}

func TestSlackErrorsAnswered(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	// A file Slack will not give: answered, not silent.
	f := s.AddFile(slackfake.File{Name: "secret.json", User: alice, Content: []byte(widePolicy), Hidden: true})
	d, err := s.FileShare(ctx, general, alice, "<@"+s.Config().BotUserID+">", []string{f}, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := waitMessage(t, ctx, s, general, d.TS, isFailure)
	if !strings.Contains(content(m), "secret.json") {
		t.Errorf("failure does not name the file:\n%s", content(m))
	}
	// A card Slack refuses is replaced by a failure that still gives the score.
	s.FailNext("chat.postMessage", "invalid_blocks")
	d, err = s.Mention(ctx, general, alice, fenced(tightPolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m = waitMessage(t, ctx, s, general, d.TS, isFailure)
	if !strings.Contains(content(m), fmt.Sprintf("%d/10", score(t, tightPolicy))) {
		t.Errorf("failure does not give the score:\n%s", content(m))
	}
	p.waitMetric(ctx, `policycheck_slack_api_errors_total{method="chat.postMessage",error="invalid_blocks"}`, 1)
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	ctx := ctxFor(t)
	tests := []struct {
		name  string
		extra map[string]string
		want  []string
	}{
		{"wrong bot token", map[string]string{"SLACK_BOT_TOKEN": "xoxb-wrong"}, []string{"SLACK_BOT_TOKEN", "invalid_auth", "OAuth & Permissions"}},
		{"wrong app token", map[string]string{"SLACK_APP_TOKEN": "xapp-wrong"}, []string{"SLACK_APP_TOKEN", "invalid_auth", "connections:write"}},
		{"missing bot token", map[string]string{"SLACK_BOT_TOKEN": ""}, []string{"SLACK_BOT_TOKEN is not set"}},
		{"app token in place of the bot token", map[string]string{"SLACK_BOT_TOKEN": s.Config().AppToken}, []string{"SLACK_BOT_TOKEN must start with \"xoxb-\""}},
		{"bad duration", map[string]string{"POLICYCHECK_SHUTDOWN_TIMEOUT": "soon"}, []string{"POLICYCHECK_SHUTDOWN_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := launch(t, env(s, t.TempDir(), tt.extra))
			if code := p.wait(ctx); code == 0 {
				t.Fatal("exit code 0")
			}
			out := p.logs.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not say %q:\n%s", w, out)
				}
			}
			for _, secret := range []string{s.Config().BotToken, s.Config().AppToken, "xoxb-wrong", "xapp-wrong"} {
				if strings.Contains(out, secret) {
					t.Errorf("output shows a token")
				}
			}
		})
	}
}

func TestShutdown(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	p := start(t, s, t.TempDir(), nil)
	ctx := ctxFor(t)

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ok", "/metrics": "policycheck_queue_depth 0"} {
		if code, body := p.get(path); code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d %q", path, code, body)
		}
	}

	// A review in flight when SIGTERM comes is finished: its progress
	// message is rate limited, so it is still waiting when the signal
	// arrives.
	s.RateLimitNext("chat.postMessage", 2*time.Second)
	d, err := s.Mention(ctx, general, alice, fenced(widePolicy), slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitCalls(ctx, "chat.postMessage", 1); err != nil {
		t.Fatal(err)
	}
	if code := p.stop(ctx); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	if n := len(answers(s, general, d.TS)); n != 1 || !isCard(answers(s, general, d.TS)[0]) {
		t.Errorf("the review in flight was not finished: %s", dump(s.Messages(general)))
	}
	if !strings.Contains(p.logs.String(), `"msg":"stopped"`) {
		t.Error("no log of a clean stop")
	}
	// No policy text and no token in the logs at info level.
	for _, r := range p.logs.records() {
		if r["level"] == "DEBUG" {
			continue
		}
		line := fmt.Sprint(r)
		if strings.Contains(line, "s3:*") || strings.Contains(line, s.Config().BotToken) || strings.Contains(line, s.Config().AppToken) {
			t.Errorf("log record shows a policy or a token: %s", line)
		}
	}
}
