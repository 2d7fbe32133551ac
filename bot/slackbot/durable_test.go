package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/store"
	"github.com/policycheck/policycheck/bot/store/sqlite"
	"github.com/policycheck/policycheck/internal/slackfake"
)

// flaky is a real store whose writes fail while broken is set, as a
// read-only file or a full disk makes them.
type flaky struct {
	*sqlite.Store
	broken   atomic.Bool
	failKeys atomic.Int32 // FirstDelivery calls to fail
	noRecord atomic.Bool  // RecordPost fails
}

func (f *flaky) RecordPost(ctx context.Context, key, ts string) error {
	if f.noRecord.Load() {
		return errBroken
	}
	return f.Store.RecordPost(ctx, key, ts)
}

var errBroken = errors.New("attempt to write a readonly database")

func (f *flaky) fail() error {
	if f.broken.Load() {
		return errBroken
	}
	return nil
}

func (f *flaky) Enqueue(ctx context.Context, reqs []*store.Request) ([]bool, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.Enqueue(ctx, reqs)
}

func (f *flaky) Claim(ctx context.Context, owner string, lease time.Duration) (store.Request, bool, error) {
	if err := f.fail(); err != nil {
		return store.Request{}, false, err
	}
	return f.Store.Claim(ctx, owner, lease)
}

func (f *flaky) FirstDelivery(ctx context.Context, key, holder string) (bool, error) {
	if f.failKeys.Load() > 0 {
		f.failKeys.Add(-1)
		return false, errBroken
	}
	if err := f.fail(); err != nil {
		return false, err
	}
	return f.Store.FirstDelivery(ctx, key, holder)
}

func openFlaky(t *testing.T) *flaky {
	st, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &flaky{Store: st}
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}

func isCard(m slackfake.Message) bool { return strings.Contains(string(m.Blocks), card.CardBlockID) }

// TestStoreNotWritable: while the store cannot be written the bot does not
// acknowledge (Slack delivers again) and is not ready; once it can, the
// re-delivered request is answered, once.
func TestStoreNotWritable(t *testing.T) {
	s := slackfake.New(slackfake.Options{})
	t.Cleanup(s.Close)
	st := openFlaky(t)
	b := runBot(t, s, review.New(iamref.Default()), st, Options{Workers: 2})
	ctx := waitCtx(t)

	st.broken.Store(true)
	d, err := s.Mention(ctx, channel, user, fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "envelopes left unacknowledged", func() bool {
		return b.metrics.unacked.Value("store_failed") >= float64(len(d.Envelopes))
	})
	for _, env := range d.Envelopes {
		if n := s.AckCount(env); n != 0 {
			t.Errorf("envelope acknowledged %d times while the store was broken", n)
		}
	}
	// A claim that began before the store broke may still succeed: the
	// next ones fail, and the bot stays not ready.
	waitFor(t, ctx, "not ready while the store cannot be written", func() bool { return b.Ready(ctx) != nil })

	st.broken.Store(false)
	for _, env := range d.Envelopes {
		if _, err := s.Redeliver(ctx, env); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool { return m.ThreadTS == d.TS && isCard(m) }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "ready again", func() bool { return b.Ready(ctx) == nil })
	// Both events of the mention were handled: one answer.
	waitFor(t, ctx, "requests finished", func() bool { n, _ := st.Pending(ctx); return n == 0 })
	if n := countReplies(s, d.TS); n != 1 {
		t.Errorf("%d answers, want 1", n)
	}
}

// TestDeliveryKeyNotWritable: a store that fails while a request runs
// (its de-duplication key cannot be written) makes the request run again
// later: answered once, neither twice nor never.
func TestDeliveryKeyNotWritable(t *testing.T) {
	s := slackfake.New(slackfake.Options{OmitMessageEvents: true})
	t.Cleanup(s.Close)
	st := openFlaky(t)
	st.failKeys.Store(1)
	runBot(t, s, review.New(iamref.Default()), st, Options{Workers: 1})
	ctx := waitCtx(t)

	d, err := s.Mention(ctx, channel, user, fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool { return m.ThreadTS == d.TS && isCard(m) }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "requests finished", func() bool { n, _ := st.Pending(ctx); return n == 0 })
	if n := countReplies(s, d.TS); n != 1 {
		t.Errorf("%d answers, want 1", n)
	}
}

// TestPostRetried: Slack fails the card's post in each way it does (HTTP
// 500 and 503, ok:false internal_error and ratelimited, a 429): the card
// is posted once, after retries.
func TestPostRetried(t *testing.T) {
	s := slackfake.New(slackfake.Options{})
	t.Cleanup(s.Close)
	st := openFlaky(t)
	b := runBot(t, s, review.New(iamref.Default()), st, Options{Workers: 2})
	ctx := waitCtx(t)

	s.FailNextStatus("chat.postMessage", 500)
	s.FailNext("chat.postMessage", "internal_error")
	s.FailNextStatus("chat.postMessage", 503)
	s.FailNext("chat.postMessage", "ratelimited")
	s.RateLimitNext("chat.postMessage", time.Second)
	d, err := s.Mention(ctx, channel, user, fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool { return m.ThreadTS == d.TS && isCard(m) }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "requests finished", func() bool { n, _ := st.Pending(ctx); return n == 0 })
	if n := countReplies(s, d.TS); n != 1 {
		t.Errorf("%d answers, want 1", n)
	}
	if n := b.metrics.postRetries.Value("chat.postMessage"); n != 5 {
		t.Errorf("posts retried = %v, want 5", n)
	}
}

// TestPostDeadline: when Slack asks to wait beyond the post deadline, the
// card is given up and the requester told so, in the thread.
func TestPostDeadline(t *testing.T) {
	s := slackfake.New(slackfake.Options{})
	t.Cleanup(s.Close)
	st := openFlaky(t)
	runBot(t, s, review.New(iamref.Default()), st, Options{Workers: 1, PostDeadline: 5 * time.Second})
	ctx := waitCtx(t)

	s.RateLimitNext("chat.postMessage", time.Minute)
	d, err := s.Mention(ctx, channel, user, fencedPolicy, slackfake.MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool {
		return m.ThreadTS == d.TS && strings.Contains(string(m.Blocks), "The review could not be posted")
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "requests finished", func() bool { n, _ := st.Pending(ctx); return n == 0 })
	if n := countReplies(s, d.TS); n != 1 {
		t.Errorf("%d answers, want 1 (the notice)", n)
	}
}

// TestRunAgainPostsOnce: a request run again (as by a process that took
// it over after the first died before finishing it) keeps its delivery
// keys and finds its card instead of posting it again: in the store, or,
// when the first run died before recording it, in Slack.
func TestRunAgainPostsOnce(t *testing.T) {
	for _, recorded := range []bool{true, false} {
		t.Run(map[bool]string{true: "recorded", false: "not recorded"}[recorded], func(t *testing.T) {
			s := slackfake.New(slackfake.Options{OmitMessageEvents: true})
			t.Cleanup(s.Close)
			st := openFlaky(t)
			st.noRecord.Store(!recorded)
			b := runBot(t, s, review.New(iamref.Default()), st, Options{Workers: 1})
			ctx := waitCtx(t)

			d, err := s.Mention(ctx, channel, user, fencedPolicy, slackfake.MessageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.WaitMessage(ctx, func(m slackfake.Message) bool { return m.ThreadTS == d.TS && isCard(m) }); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, "requests finished", func() bool { n, _ := st.Pending(ctx); return n == 0 })
			st.noRecord.Store(false)

			var payload struct {
				EventID string `json:"event_id"`
			}
			env := s.Envelopes()[0]
			if err := json.Unmarshal(env.Payload, &payload); err != nil || payload.EventID == "" {
				t.Fatalf("no event_id in %s: %v", env.Payload, err)
			}
			r := store.Request{ID: "evt:" + payload.EventID, Type: env.Type, Payload: env.Payload, ReceivedAt: time.Now(), Attempts: 2}
			dec := b.decide(r)
			if dec.job == nil {
				t.Fatal("the request has no work")
			}
			before := s.Calls("chat.postMessage")
			b.runJob(context.WithValue(ctx, runKey{}, &run{id: r.ID, again: true}), dec.kind, dec.job, dec.fail)
			if n := countReplies(s, d.TS); n != 1 {
				t.Errorf("%d answers after the request ran again, want 1", n)
			}
			if n := s.Calls("chat.postMessage"); n != before {
				t.Errorf("chat.postMessage called %d more times", n-before)
			}
		})
	}
}
