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
func testBot(t *testing.T, rv Reviewer, workers, queue int, opts slackfake.Options) (*slackfake.Server, *Bot) {
	t.Helper()
	s := slackfake.New(opts)
	t.Cleanup(s.Close)
	s.AddUser(user, "alice")
	s.AddChannel(channel, "general", true)
	st, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg := health.NewRegistry()
	cfg := s.Config()
	b, err := New(context.Background(), rv, st, Options{
		BotToken: cfg.BotToken, AppToken: cfg.AppToken, APIURL: s.APIURL(),
		Workers: workers, QueueSize: queue, ShutdownTimeout: 10 * time.Second, Registry: reg,
	})
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
	return s, b
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

// TestBusy fills the one worker and the queue of one, and checks that the
// next request is answered "busy" at once while the loop keeps acking.
func TestBusy(t *testing.T) {
	g := &gated{rv: review.New(iamref.Default()), entered: make(chan struct{}, 10), gate: make(chan struct{})}
	// One envelope per message: the app_mention.
	s, b := testBot(t, g, 1, 1, slackfake.Options{OmitMessageEvents: true})
	ctx := waitCtx(t)

	first, err := s.Message(ctx, channel, user, "<@"+s.Config().BotUserID+"> "+fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	<-g.entered // the worker holds the first request
	second, err := s.Message(ctx, channel, user, "<@"+s.Config().BotUserID+"> "+fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	third, err := s.Message(ctx, channel, user, "<@"+s.Config().BotUserID+"> "+fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The third is refused, with a notice in its thread; every envelope
	// is acked although the worker is stuck.
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.ThreadTS == third.TS && strings.Contains(string(m.Blocks), busyTitle)
	}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []slackfake.Delivery{first, second, third} {
		for _, env := range d.Envelopes {
			if _, err := s.WaitAck(ctx, env); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := b.metrics.busy.Value("mention"); n == 0 {
		t.Error("busy not counted")
	}
	close(g.gate)
	for _, d := range []slackfake.Delivery{first, second} {
		if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
			return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), "Policy review: ")
		}); err != nil {
			t.Fatal(err)
		}
	}
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
	s, b := testBot(t, &panicky{rv: review.New(iamref.Default())}, 2, 10, slackfake.Options{})
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
		return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), "Policy review: ")
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
	s, b := testBot(t, failing{}, 1, 10, slackfake.Options{})
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
	if strings.Contains(string(m.Blocks), "exploded") || strings.Contains(string(m.Blocks), "Policy review: ") {
		t.Errorf("failure card shows the internal error or a result: %s", m.Blocks)
	}
	if b.metrics.reviews.Value(outcomeFailed) != 1 {
		t.Error("failed review not counted")
	}
}
