// Package storetest checks that an implementation of store.Store keeps the
// contract the bot relies on, as testing/fstest does for file systems. An
// implementation's tests call Run:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
//			return openEmptyStoreReadingTheTimeFrom(t, now)
//		})
//	}
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/policycheck/policycheck/bot/store"
)

// Opener returns a new, empty store that reads the time from now. Run
// closes it at the end of the test.
type Opener func(t *testing.T, now func() time.Time) store.Store

// Run runs the contract tests, each on a store of its own.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store, c *clock)
	}{
		{"Ping", testPing},
		{"ReviewLifecycle", testReviewLifecycle},
		{"History", testHistory},
		{"FirstDeliveryConcurrent", testFirstDeliveryConcurrent},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Prune", testPrune},
		{"Queue", testQueue},
		{"ClaimConcurrent", testClaimConcurrent},
		{"EnqueueConcurrent", testEnqueueConcurrent},
		{"Posts", testPosts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: t0}
			s := open(t, c.Now)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s, c)
		})
	}
}

// t0 is the time the clock starts at: whole seconds, which every database
// keeps exactly.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func testPing(t *testing.T, s store.Store, _ *clock) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func testReviewLifecycle(t *testing.T, s store.Store, c *clock) {
	ctx := t.Context()
	r := store.Review{TeamID: "T1", ChannelID: "C1", ThreadTS: "100.1", MessageTS: "100.1", UserID: "U1",
		Kind: store.KindMention, PolicyText: `{"Version":"2012-10-17"} ✓`, ReportJSON: []byte(`{"score":4}`), Score: 4,
		ResponseURL: "https://hooks.slack.test/r/1"}
	if err := s.Create(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.ID) != 26 || r.CreatedAt != t0 || r.UpdatedAt != t0 || r.FirstScore != 4 {
		t.Fatalf("Create set ID %q, CreatedAt %v, UpdatedAt %v, FirstScore %d", r.ID, r.CreatedAt, r.UpdatedAt, r.FirstScore)
	}
	got, err := s.Get(ctx, r.ID)
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("Get = %+v, %v\nwant %+v", got, err, r)
	}

	// The card is posted in the thread, then re-evaluated.
	if err := s.SetCard(ctx, r.ID, "C1", "100.2"); err != nil {
		t.Fatal(err)
	}
	c.Set(t0.Add(time.Hour))
	if err := s.Update(ctx, r.ID, `{"Version":"2012-10-17","Statement":[]}`, []byte(`{"score":7}`), 7); err != nil {
		t.Fatal(err)
	}
	r.CardTS = "100.2"
	r.PolicyText = `{"Version":"2012-10-17","Statement":[]}`
	r.ReportJSON = []byte(`{"score":7}`)
	r.Score = 7 // FirstScore stays 4
	r.UpdatedAt = t0.Add(time.Hour)

	// A slash command review, with its card at the top of the channel.
	c.Set(t0.Add(2 * time.Hour))
	cmd := store.Review{TeamID: "T1", ChannelID: "C1", UserID: "U2", Kind: store.KindCommand, Score: 9}
	if err := s.Create(ctx, &cmd); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCard(ctx, cmd.ID, "C1", "200.1"); err != nil {
		t.Fatal(err)
	}
	cmd.CardTS, cmd.ThreadTS = "200.1", "200.1" // the card starts a thread

	lookups := []struct {
		name string
		get  func() (store.Review, error)
		want *store.Review // nil: ErrNotFound
	}{
		{"Get", func() (store.Review, error) { return s.Get(ctx, r.ID) }, &r},
		{"Get unknown", func() (store.Review, error) { return s.Get(ctx, "nope") }, nil},
		{"ByCard", func() (store.Review, error) { return s.ByCard(ctx, "C1", "100.2") }, &r},
		{"ByCard other channel", func() (store.Review, error) { return s.ByCard(ctx, "C2", "100.2") }, nil},
		{"ByCard source message", func() (store.Review, error) { return s.ByCard(ctx, "C1", "100.1") }, nil},
		{"ByCard empty ts", func() (store.Review, error) { return s.ByCard(ctx, "C1", "") }, nil},
		{"ByThread", func() (store.Review, error) { return s.ByThread(ctx, "C1", "100.1") }, &r},
		{"ByThread of a card", func() (store.Review, error) { return s.ByThread(ctx, "C1", "200.1") }, &cmd},
		{"ByThread other channel", func() (store.Review, error) { return s.ByThread(ctx, "C9", "100.1") }, nil},
		{"ByThread empty ts", func() (store.Review, error) { return s.ByThread(ctx, "C1", "") }, nil},
	}
	for _, tt := range lookups {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if tt.want == nil {
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("got %+v, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, *tt.want) {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, *tt.want)
			}
		})
	}

	// A second review in the same thread is the latest.
	c.Set(t0.Add(3 * time.Hour))
	follow := store.Review{TeamID: "T1", ChannelID: "C1", ThreadTS: "100.1", UserID: "U3", Kind: store.KindFollowup}
	if err := s.Create(ctx, &follow); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ByThread(ctx, "C1", "100.1"); err != nil || got.ID != follow.ID {
		t.Errorf("ByThread after a follow-up = %q, %v; want %q", got.ID, err, follow.ID)
	}

	for name, err := range map[string]error{
		"SetCard": s.SetCard(ctx, "nope", "C1", "1.1"),
		"Update":  s.Update(ctx, "nope", "", nil, 1),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of an unknown review: %v, want ErrNotFound", name, err)
		}
	}
	if err := s.Create(ctx, &store.Review{ID: r.ID}); err == nil {
		t.Errorf("Create with an existing ID succeeded")
	}
}

func testHistory(t *testing.T, s store.Store, c *clock) {
	ctx := t.Context()
	var mine []string // newest first
	for i := range 30 {
		c.Set(t0.Add(time.Duration(i) * time.Minute))
		r := store.Review{TeamID: "T1", UserID: "U1", Kind: store.KindDM, Score: i%10 + 1}
		switch i % 3 {
		case 1:
			r.UserID = "U2"
		case 2:
			r.TeamID = "T2"
		}
		if err := s.Create(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if r.TeamID == "T1" && r.UserID == "U1" {
			mine = append([]string{r.ID}, mine...)
		}
	}
	// Reviews made in the same instant keep their order of creation.
	for range 2 {
		r := store.Review{TeamID: "T1", UserID: "U1"}
		if err := s.Create(ctx, &r); err != nil {
			t.Fatal(err)
		}
		mine = append([]string{r.ID}, mine...)
	}

	tests := []struct {
		limit int
		want  []string
	}{
		{3, mine[:3]},
		{0, mine}, // 12 < DefaultHistory
		{-1, mine},
		{100, mine},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.limit), func(t *testing.T) {
			got, err := s.History(ctx, "T1", "U1", tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("History = %v\nwant %v", ids, tt.want)
			}
		})
	}
	if got, err := s.History(ctx, "T3", "U1", 10); err != nil || len(got) != 0 {
		t.Errorf("History of an unknown team = %d reviews, %v", len(got), err)
	}
}

func testFirstDeliveryConcurrent(t *testing.T, s store.Store, _ *clock) {
	ctx := t.Context()
	const goroutines, keys = 8, 50
	var mu sync.Mutex
	firsts := map[string]int{}
	errs := run(goroutines, func(g int) error {
		for k := range keys {
			// Every goroutine sees every key, starting at different places.
			key := fmt.Sprintf("Ev%03d", (k+g*7)%keys)
			first, err := s.FirstDelivery(ctx, key, "")
			if err != nil {
				return err
			}
			if first {
				mu.Lock()
				firsts[key]++
				mu.Unlock()
			}
		}
		return nil
	})
	for _, err := range errs {
		t.Fatal(err)
	}
	if len(firsts) != keys {
		t.Errorf("%d keys reported first, want %d", len(firsts), keys)
	}
	for key, n := range firsts {
		if n != 1 {
			t.Errorf("key %s reported first %d times", key, n)
		}
	}
	if first, err := s.FirstDelivery(ctx, "Ev000", ""); err != nil || first {
		t.Errorf("FirstDelivery of a seen key = %v, %v", first, err)
	}
	// A holder gets its own key again, and only its own.
	if first, err := s.FirstDelivery(ctx, "msg:1", "R1"); err != nil || !first {
		t.Errorf("FirstDelivery for R1 = %v, %v", first, err)
	}
	for _, tt := range []struct {
		holder string
		want   bool
	}{{"R1", true}, {"R2", false}, {"", false}} {
		if first, err := s.FirstDelivery(ctx, "msg:1", tt.holder); err != nil || first != tt.want {
			t.Errorf("FirstDelivery again for %q = %v, %v; want %v", tt.holder, first, err, tt.want)
		}
	}
}

func testConcurrentWriters(t *testing.T, s store.Store, _ *clock) {
	ctx := t.Context()
	const goroutines, writes = 8, 25
	errs := run(goroutines, func(g int) error {
		user := fmt.Sprintf("U%d", g)
		for i := range writes {
			r := store.Review{TeamID: "T1", ChannelID: "C1", UserID: user, Kind: store.KindWatched, Score: 3}
			if err := s.Create(ctx, &r); err != nil {
				return err
			}
			card := fmt.Sprintf("%d.%d", g, i)
			if err := s.SetCard(ctx, r.ID, "C1", card); err != nil {
				return err
			}
			if err := s.Update(ctx, r.ID, "p", []byte("{}"), 8); err != nil {
				return err
			}
			// Reads run alongside the writes.
			if got, err := s.ByCard(ctx, "C1", card); err != nil || got.ID != r.ID || got.Score != 8 {
				return fmt.Errorf("ByCard(%s) = %q (score %d), %v; want %q (score 8)", card, got.ID, got.Score, err, r.ID)
			}
			if _, err := s.History(ctx, "T1", user, 5); err != nil {
				return err
			}
		}
		return nil
	})
	for _, err := range errs {
		t.Fatal(err)
	}
	for g := range goroutines {
		h, err := s.History(ctx, "T1", fmt.Sprintf("U%d", g), store.MaxHistory)
		if err != nil || len(h) != writes {
			t.Fatalf("History of U%d = %d reviews, %v; want %d", g, len(h), err, writes)
		}
		for _, r := range h {
			if r.Score != 8 || r.CardTS == "" {
				t.Errorf("review %s lost a write: score %d, card %q", r.ID, r.Score, r.CardTS)
			}
		}
	}
}

// run calls fn(0) ... fn(n-1) at once and returns their errors.
func run(n int, fn func(g int) error) []error {
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for g := range n {
		wg.Go(func() {
			if err := fn(g); err != nil {
				errc <- err
			}
		})
	}
	wg.Wait()
	close(errc)
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errs
}

func testPrune(t *testing.T, s store.Store, c *clock) {
	ctx := t.Context()
	const day = 24 * time.Hour

	create := func(at time.Time) string {
		c.Set(at)
		r := store.Review{TeamID: "T1", UserID: "U1"}
		if err := s.Create(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	seen := func(at time.Time, key string) {
		c.Set(at)
		if _, err := s.FirstDelivery(ctx, key, ""); err != nil {
			t.Fatal(err)
		}
	}
	old := create(t0)
	reevaluated := create(t0)
	c.Set(t0.Add(95 * day))
	if err := s.Update(ctx, reevaluated, "", nil, 5); err != nil {
		t.Fatal(err)
	}
	recent := create(t0.Add(60 * day))
	seen(t0, "ancient")
	seen(t0.Add(98*day), "two days ago")
	seen(t0.Add(100*day-time.Hour), "an hour ago")

	now := t0.Add(100 * day)
	c.Set(now)
	n, err := s.Prune(ctx, now.Add(-90*day))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("Prune deleted %d reviews, want 1", n)
	}
	tests := []struct {
		id   string
		kept bool
	}{{old, false}, {reevaluated, true}, {recent, true}}
	for _, tt := range tests {
		_, err := s.Get(ctx, tt.id)
		if kept := err == nil; kept != tt.kept {
			t.Errorf("review %s kept = %v (%v), want %v", tt.id, kept, err, tt.kept)
		}
	}
	keys := []struct {
		key  string
		kept bool
	}{{"ancient", false}, {"two days ago", false}, {"an hour ago", true}}
	for _, tt := range keys {
		first, err := s.FirstDelivery(ctx, tt.key, "")
		if err != nil {
			t.Fatal(err)
		}
		if kept := !first; kept != tt.kept {
			t.Errorf("key %q kept = %v, want %v", tt.key, kept, tt.kept)
		}
	}

	// A retention in the future deletes everything.
	if n, err := s.Prune(ctx, now.Add(day)); err != nil || n != 2 {
		t.Errorf("Prune everything = %d, %v; want 2", n, err)
	}
}

func testQueue(t *testing.T, s store.Store, c *clock) {
	ctx := t.Context()
	const lease = 30 * time.Second
	a := &store.Request{ID: "Ev1", Type: "events_api", Payload: []byte(`{"a":1}`)}
	b := &store.Request{ID: "Ev2", Type: "slash_commands", Payload: []byte(`{"b":2}`)}
	fresh, err := s.Enqueue(ctx, []*store.Request{a, b})
	if err != nil || !reflect.DeepEqual(fresh, []bool{true, true}) {
		t.Fatalf("Enqueue = %v, %v; want both new", fresh, err)
	}
	if a.ReceivedAt != t0 {
		t.Errorf("ReceivedAt = %v, want %v", a.ReceivedAt, t0)
	}
	// A re-delivery, in a batch with a new request.
	c.Set(t0.Add(time.Second))
	fresh, err = s.Enqueue(ctx, []*store.Request{{ID: "Ev1", Type: "events_api"}, {ID: "Ev3", Type: "interactive"}, {ID: "Ev3", Type: "interactive"}})
	if err != nil || !reflect.DeepEqual(fresh, []bool{false, true, false}) {
		t.Fatalf("Enqueue again = %v, %v; want [false true false]", fresh, err)
	}
	if n, err := s.Pending(ctx); err != nil || n != 3 {
		t.Errorf("Pending = %d, %v; want 3", n, err)
	}

	// Oldest first; a held request is not claimed again.
	got, ok, err := s.Claim(ctx, "w1", lease)
	if err != nil || !ok || got.ID != "Ev1" || got.Type != "events_api" || string(got.Payload) != `{"a":1}` ||
		got.Attempts != 1 || got.TakenOver || got.ReceivedAt != t0 {
		t.Fatalf("Claim = %+v, %v, %v", got, ok, err)
	}
	if got, _, _ := s.Claim(ctx, "w2", lease); got.ID != "Ev2" {
		t.Fatalf("second Claim = %q, want Ev2", got.ID)
	}
	if got, _, _ := s.Claim(ctx, "w2", lease); got.ID != "Ev3" {
		t.Fatalf("third Claim = %q, want Ev3", got.ID)
	}
	if _, ok, err := s.Claim(ctx, "w3", lease); ok || err != nil {
		t.Fatalf("Claim with everything held = %v, %v", ok, err)
	}

	// w1 finishes Ev1; w2 releases Ev2 for later and extends Ev3.
	if err := s.Finish(ctx, "Ev1", "w1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(ctx, "Ev1", "w1"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Finish twice = %v, want ErrLeaseLost", err)
	}
	if err := s.Release(ctx, "Ev2", "w2", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Extend(ctx, "Ev3", "w1", lease); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Extend by another owner = %v, want ErrLeaseLost", err)
	}
	c.Set(t0.Add(20 * time.Second))
	if err := s.Extend(ctx, "Ev3", "w2", lease); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := s.Enqueue(ctx, []*store.Request{{ID: "Ev1", Type: "events_api"}}); fresh[0] {
		t.Error("a finished request was queued again")
	}
	if n, _ := s.Pending(ctx); n != 2 {
		t.Errorf("Pending = %d, want 2", n)
	}
	// Ev2 is free again after its delay, not taken over.
	got, ok, err = s.Claim(ctx, "w3", lease)
	if err != nil || !ok || got.ID != "Ev2" || got.Attempts != 2 || got.TakenOver {
		t.Fatalf("Claim after release = %+v, %v, %v", got, ok, err)
	}
	if err := s.Finish(ctx, "Ev2", "w3"); err != nil {
		t.Fatal(err)
	}
	// w2 dies: Ev3's lease runs out (extended at +20 s to +50 s) and w3
	// takes it over; w2 can no longer finish it.
	c.Set(t0.Add(49 * time.Second))
	if _, ok, _ := s.Claim(ctx, "w3", lease); ok {
		t.Fatal("a request claimed before its lease ran out")
	}
	c.Set(t0.Add(51 * time.Second))
	got, ok, err = s.Claim(ctx, "w3", lease)
	if err != nil || !ok || got.ID != "Ev3" || !got.TakenOver || got.Attempts != 2 {
		t.Fatalf("Claim after the lease ran out = %+v, %v, %v", got, ok, err)
	}
	if err := s.Finish(ctx, "Ev3", "w2"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Finish by the dead owner = %v, want ErrLeaseLost", err)
	}
	if err := s.Finish(ctx, "Ev3", "w3"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Pending(ctx); n != 0 {
		t.Errorf("Pending = %d, want 0", n)
	}

	// Finished requests are kept for DeliveryTTL, then pruned.
	c.Set(t0.Add(store.DeliveryTTL + time.Minute))
	if _, err := s.Prune(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := s.Enqueue(ctx, []*store.Request{{ID: "Ev1", Type: "events_api"}}); !fresh[0] {
		t.Error("a request finished more than DeliveryTTL ago is still known")
	}
}

// testEnqueueConcurrent records batches that share requests, in
// different orders, at once, as replicas and an intake writing several
// batches do with re-delivered envelopes: none fails, and each request is
// new for exactly one of them.
func testEnqueueConcurrent(t *testing.T, s store.Store, _ *clock) {
	ctx := t.Context()
	const writers, rounds, ids = 8, 20, 12
	var mu sync.Mutex
	fresh := map[string]int{}
	errs := run(writers, func(g int) error {
		for r := range rounds {
			var batch []*store.Request
			for i := range ids {
				k := i
				if g%2 == 1 {
					k = ids - 1 - i // the other order
				}
				batch = append(batch, &store.Request{ID: fmt.Sprintf("Ev%02d-%02d", r, k), Type: "events_api", Payload: []byte("{}")})
			}
			got, err := s.Enqueue(ctx, batch)
			if err != nil {
				return err
			}
			mu.Lock()
			for i, f := range got {
				if f {
					fresh[batch[i].ID]++
				}
			}
			mu.Unlock()
		}
		return nil
	})
	for _, err := range errs {
		t.Fatal(err)
	}
	if len(fresh) != rounds*ids {
		t.Errorf("%d requests new, want %d", len(fresh), rounds*ids)
	}
	for id, n := range fresh {
		if n != 1 {
			t.Errorf("request %s new %d times", id, n)
		}
	}
}

func testClaimConcurrent(t *testing.T, s store.Store, _ *clock) {
	ctx := t.Context()
	const n, workers = 60, 6
	var reqs []*store.Request
	for i := range n {
		reqs = append(reqs, &store.Request{ID: fmt.Sprintf("R%03d", i), Type: "events_api", Payload: []byte("{}")})
	}
	if _, err := s.Enqueue(ctx, reqs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	claimed := map[string]int{}
	errs := run(workers, func(g int) error {
		owner := fmt.Sprintf("w%d", g)
		for {
			r, ok, err := s.Claim(ctx, owner, time.Minute)
			if err != nil || !ok {
				return err
			}
			mu.Lock()
			claimed[r.ID]++
			mu.Unlock()
			if err := s.Finish(ctx, r.ID, owner); err != nil {
				return err
			}
		}
	})
	for _, err := range errs {
		t.Fatal(err)
	}
	if len(claimed) != n {
		t.Errorf("%d requests claimed, want %d", len(claimed), n)
	}
	for id, k := range claimed {
		if k != 1 {
			t.Errorf("request %s claimed %d times", id, k)
		}
	}
}

func testPosts(t *testing.T, s store.Store, c *clock) {
	ctx := t.Context()
	if _, ok, err := s.Posted(ctx, "Ev1/1"); ok || err != nil {
		t.Fatalf("Posted of an unknown key = %v, %v", ok, err)
	}
	if err := s.RecordPost(ctx, "Ev1/1", "100.5"); err != nil {
		t.Fatal(err)
	}
	if ts, ok, err := s.Posted(ctx, "Ev1/1"); !ok || err != nil || ts != "100.5" {
		t.Errorf("Posted = %q, %v, %v; want 100.5", ts, ok, err)
	}
	c.Set(t0.Add(store.DeliveryTTL + time.Minute))
	if _, err := s.Prune(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Posted(ctx, "Ev1/1"); ok {
		t.Error("a post record older than DeliveryTTL was kept")
	}
}
