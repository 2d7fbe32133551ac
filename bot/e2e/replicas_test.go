package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/policycheck/policycheck/internal/pgtest"
	"github.com/policycheck/policycheck/internal/slackfake"
)

// kill stops the bot at once, as SIGKILL or a lost node does: nothing in
// hand is finished or released.
func (p *proc) kill(ctx context.Context) {
	p.t.Helper()
	p.cmd.Process.Kill()
	p.wait(ctx)
}

// mentions sends n mentions with a policy in channel and returns them.
func mentions(t testing.TB, ctx context.Context, s *slackfake.Server, channel string, n int) []slackfake.Delivery {
	t.Helper()
	var ds []slackfake.Delivery
	for range n {
		d, err := s.Mention(ctx, channel, alice, fenced(widePolicy), slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	return ds
}

// answeredOnce waits until every mention has a card, then checks that
// none has another answer.
func answeredOnce(t testing.TB, ctx context.Context, s *slackfake.Server, channel string, ds []slackfake.Delivery) {
	t.Helper()
	for _, d := range ds {
		waitMessage(t, ctx, s, channel, d.TS, isCard)
	}
	for _, d := range ds {
		if as := answers(s, channel, d.TS); len(as) != 1 {
			t.Errorf("mention %s answered %d times:\n%s", d.TS, len(as), dump(as))
		}
	}
}

// TestKilledAndRestarted kills the one SQLite process while it posts an
// answer, with more requests waiting: the process started again on the
// same file answers every one, once.
func TestKilledAndRestarted(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	dir := t.TempDir()
	extra := map[string]string{"POLICYCHECK_WORKERS": "1"}
	p := start(t, s, dir, extra)
	ctx := ctxFor(t)

	// The first card waits out a long rate limit: the worker is busy
	// posting it when the process dies, the other requests are queued.
	s.RateLimitNext("chat.postMessage", 20*time.Second)
	ds := mentions(t, ctx, s, general, 5)
	if err := s.WaitCalls(ctx, "chat.postMessage", 1); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, env := range d.Envelopes {
			if _, err := s.WaitAck(ctx, env); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.kill(ctx)

	p = start(t, s, dir, extra)
	answeredOnce(t, ctx, s, general, ds)
	p.waitMetric(ctx, "policycheck_leases_taken_over_total", 1)
}

// TestTwoReplicas runs two bots on one PostgreSQL database behind one
// Slack app, which spreads envelopes over their two connections. Some
// envelopes are delivered again (to the other connection), the Web API
// fails some posts, Re-evaluate is clicked on each replica, and one
// replica is killed halfway: every request is answered, once.
func TestTwoReplicas(t *testing.T) {
	t.Parallel()
	db := pgtest.URL(t)
	s := newSlack(t, slackfake.Options{RedeliverAfter: 2 * time.Second})
	ctx := ctxFor(t)
	extra := map[string]string{"POLICYCHECK_DATABASE_URL": db, "POLICYCHECK_LEASE": "3s", "POLICYCHECK_WORKERS": "2"}
	p1 := start(t, s, t.TempDir(), extra)
	p2 := start(t, s, t.TempDir(), extra)
	if err := s.WaitConnections(ctx, 2); err != nil {
		t.Fatal(err)
	}

	for range 3 {
		s.FailNextStatus("chat.postMessage", 500)
		s.FailNext("chat.postMessage", "internal_error")
	}
	first := mentions(t, ctx, s, general, 12)
	for _, d := range first[:3] {
		if _, err := s.Redeliver(ctx, d.Envelopes[0]); err != nil {
			t.Fatal(err)
		}
	}
	answeredOnce(t, ctx, s, general, first)
	for id, n := range s.LinkDeliveries() {
		if n == 0 {
			t.Errorf("link %d received no envelope", id)
		}
	}
	// Re-evaluate twice: the clicks go to each connection in turn.
	c := answers(s, general, first[0].TS)[0]
	for i := range 2 {
		if _, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: general, MessageTS: c.TS, ActionID: "reevaluate", UserID: bob}); err != nil {
			t.Fatal(err)
		}
		waitCount(t, ctx, s, general, first[0].TS, func(m slackfake.Message) bool {
			return strings.Contains(m.Text, "Re-evaluated by <@"+bob+">")
		}, i+1)
	}

	// One replica dies while requests come; the other takes over what
	// it held and what Slack delivers again.
	s.RateLimitNext("chat.postMessage", 5*time.Second)
	second := mentions(t, ctx, s, general, 6)
	p1.kill(ctx)
	third := mentions(t, ctx, s, general, 6)
	answeredOnce(t, ctx, s, general, append(second, third...))
	if dup := p2.metric("policycheck_duplicate_deliveries_total{kind=\"mention\"}"); dup == 0 {
		t.Log("no duplicate counted on the surviving replica")
	}
	if n := len(answers(s, general, first[0].TS)); n != 1 {
		t.Errorf("%d answers to the re-evaluated mention, want its card", n)
	}
}
