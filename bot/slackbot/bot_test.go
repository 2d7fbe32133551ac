package slackbot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/health"
	"github.com/policycheck/policycheck/bot/store/sqlite"
	"github.com/policycheck/policycheck/internal/slackfake"
)

const (
	channel      = "C0GENERAL"
	user         = "U0ALICE01"
	fencedPolicy = "```\n{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]}\n```"
)

// testBot runs a Bot with rv against a fake Slack, in this process.
func testBot(t *testing.T, rv Reviewer, workers int, opts slackfake.Options) (*slackfake.Server, *Bot) {
	t.Helper()
	s := slackfake.New(opts)
	t.Cleanup(s.Close)
	st, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return s, runBot(t, s, rv, st, Options{Workers: workers})
}

// runBot runs a Bot with rv and st against s, with opts completed.
func runBot(t *testing.T, s *slackfake.Server, rv Reviewer, st Store, opts Options) *Bot {
	t.Helper()
	s.AddUser(user, "alice")
	s.AddChannel(channel, "general", true)
	reg := health.NewRegistry()
	cfg := s.Config()
	opts.BotToken, opts.AppToken, opts.APIURL = cfg.BotToken, cfg.AppToken, s.APIURL()
	opts.ShutdownTimeout, opts.Registry = 10*time.Second, reg
	b, err := New(context.Background(), rv, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	wctx, wcancel := context.WithTimeout(context.Background(), time.Minute)
	defer wcancel()
	if err := s.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	return b
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// gated is a Reviewer that waits for the gate to open.
type gated struct {
	rv      *review.Reviewer
	entered chan struct{}
	gate    chan struct{}
}

func (g *gated) Review(ctx context.Context, in review.Input) (*report.Report, error) {
	g.entered <- struct{}{}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.rv.Review(ctx, in)
}

// TestNothingDropped keeps the one worker busy while many requests come:
// every one is acknowledged at once, none is refused, and every one is
// answered once the worker is free.
func TestNothingDropped(t *testing.T) {
	g := &gated{rv: review.New(iamref.Default()), entered: make(chan struct{}, 100), gate: make(chan struct{})}
	s, b := testBot(t, g, 1, slackfake.Options{})
	ctx := waitCtx(t)
	const n = 40
	var ds []slackfake.Delivery
	for range n {
		d, err := s.Message(ctx, channel, user, "<@"+s.Config().BotUserID+"> "+fencedPolicy, slackfake.MessageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	for _, d := range ds {
		for _, env := range d.Envelopes {
			if _, err := s.WaitAck(ctx, env); err != nil {
				t.Fatal(err)
			}
		}
	}
	<-g.entered
	if pending, err := b.st.Pending(ctx); err != nil || pending < n {
		t.Errorf("Pending = %d, %v while the worker is held; want at least %d", pending, err, n)
	}
	close(g.gate)
	for _, d := range ds {
		if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
			return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), card.CardBlockID)
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range ds {
		if n := countReplies(s, d.TS); n != 1 {
			t.Errorf("message %s answered %d times", d.TS, n)
		}
	}
}

// countReplies counts the bot's messages in the thread of ts.
func countReplies(s *slackfake.Server, ts string) int {
	n := 0
	for _, m := range s.Messages(channel) {
		if m.ThreadTS == ts && m.TS != ts {
			n++
		}
	}
	return n
}

// panicky panics on its first review, then reviews normally.
type panicky struct {
	once sync.Once
	rv   *review.Reviewer
}

func (p *panicky) Review(ctx context.Context, in review.Input) (*report.Report, error) {
	p.once.Do(func() { panic("boom") })
	return p.rv.Review(ctx, in)
}

func TestPanicRecovered(t *testing.T) {
	s, b := testBot(t, &panicky{rv: review.New(iamref.Default())}, 2, slackfake.Options{})
	ctx := waitCtx(t)

	d, err := s.Message(ctx, channel, user, "<@"+s.Config().BotUserID+"> "+fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), "The review failed")
	}); err != nil {
		t.Fatal(err)
	}
	if b.metrics.panics.Value() != 1 {
		t.Errorf("panics = %v, want 1", b.metrics.panics.Value())
	}
	// The bot keeps serving.
	d, err = s.Message(ctx, channel, user, "<@"+s.Config().BotUserID+"> "+fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), card.CardBlockID)
	}); err != nil {
		t.Fatal(err)
	}
}

// failing fails every review with an error that is not the user's.
type failing struct{}

func (failing) Review(context.Context, review.Input) (*report.Report, error) {
	return nil, errors.New("engine exploded")
}

func TestReviewErrorAnswered(t *testing.T) {
	s, b := testBot(t, failing{}, 1, slackfake.Options{})
	ctx := waitCtx(t)
	d, err := s.Message(ctx, channel, user, "<@"+s.Config().BotUserID+"> "+fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), "The review failed")
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(m.Blocks), "exploded") || strings.Contains(string(m.Blocks), card.CardBlockID) {
		t.Errorf("failure card shows the internal error or a result: %s", m.Blocks)
	}
	if b.metrics.reviews.Value(outcomeFailed) != 1 {
		t.Error("failed review not counted")
	}
}
