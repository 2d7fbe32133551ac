package store

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source for tests.
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

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// open opens a fresh database in t.TempDir(), closed at the end of the test.
func open(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nested", "dir", "policycheck.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// withClock makes s read the time from a clock set to t0.
func withClock(s *Store) *clock {
	c := &clock{t: t0}
	s.now = c.Now
	return c
}

func TestOpen(t *testing.T) {
	ctx := t.Context()
	s, path := open(t)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := schemaVersion(ctx, s.w); err != nil || v != len(ms) {
		t.Fatalf("schema version = %d, %v; want %d", v, err, len(ms))
	}
	var mode string
	if err := s.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if _, err := s.r.ExecContext(ctx, "DELETE FROM reviews"); err == nil {
		t.Errorf("the read-only pool accepted a write")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Opening again applies nothing new.
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	var n int
	if err := s2.r.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
		t.Errorf("schema_migrations has %d rows, %v; want %d", n, err, len(ms))
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.db")
	s, err := Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, "INSERT INTO schema_migrations VALUES (999, 'future', '')"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	for _, path := range []string{"", filepath.Join(dir, "a?b.db"), newer} {
		if s, err := Open(ctx, path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d migrations; the upgrade test needs at least 2", len(ms))
	}
	for i, m := range ms {
		if m.version != i+1 || m.name == "" || m.sql == "" {
			t.Errorf("migration %d = %+v", i, m)
		}
	}
}

// TestMigrateFromVersion1 builds a database as the first release left it,
// with a review in it, and checks that Open brings it up to date.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v1.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(ctx, db, ms[:1], time.Now); err != nil {
		t.Fatalf("migrate to version 1: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO reviews VALUES
		('old', 'T1', 'C1', '1.1', '1.1', '1.2', 'U1', 'mention', '{}', CAST('{"score":3}' AS BLOB), 3,
		 '2025-01-01T00:00:00.000000000Z', '2025-01-01T00:00:00.000000000Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open a version 1 database: %v", err)
	}
	defer s.Close()
	if v, _ := schemaVersion(ctx, s.w); v != len(ms) {
		t.Errorf("schema version = %d, want %d", v, len(ms))
	}
	got, err := s.Get(ctx, "old")
	if err != nil {
		t.Fatalf("Get after migration: %v", err)
	}
	want := Review{ID: "old", TeamID: "T1", ChannelID: "C1", ThreadTS: "1.1", MessageTS: "1.1", CardTS: "1.2",
		UserID: "U1", Kind: KindMention, PolicyText: "{}", ReportJSON: []byte(`{"score":3}`), Score: 3, FirstScore: 3, // from migration 3
		CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after migration\n got %+v\nwant %+v", got, want)
	}
	if r, err := s.ByCard(ctx, "C1", "1.2"); err != nil || r.ID != "old" {
		t.Errorf("ByCard after migration = %q, %v", r.ID, err)
	}
}

func TestInMemory(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := Review{TeamID: "T1", UserID: "U1", Kind: KindDM}
	if err := s.Create(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestReviewLifecycle(t *testing.T) {
	ctx := t.Context()
	s, _ := open(t)
	c := withClock(s)

	r := Review{TeamID: "T1", ChannelID: "C1", ThreadTS: "100.1", MessageTS: "100.1", UserID: "U1",
		Kind: KindMention, PolicyText: `{"Version":"2012-10-17"}`, ReportJSON: []byte(`{"score":4}`), Score: 4,
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
	cmd := Review{TeamID: "T1", ChannelID: "C1", UserID: "U2", Kind: KindCommand, Score: 9}
	if err := s.Create(ctx, &cmd); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCard(ctx, cmd.ID, "C1", "200.1"); err != nil {
		t.Fatal(err)
	}
	cmd.CardTS, cmd.ThreadTS = "200.1", "200.1" // the card starts a thread

	lookups := []struct {
		name string
		get  func() (Review, error)
		want *Review // nil: ErrNotFound
	}{
		{"Get", func() (Review, error) { return s.Get(ctx, r.ID) }, &r},
		{"Get unknown", func() (Review, error) { return s.Get(ctx, "nope") }, nil},
		{"ByCard", func() (Review, error) { return s.ByCard(ctx, "C1", "100.2") }, &r},
		{"ByCard other channel", func() (Review, error) { return s.ByCard(ctx, "C2", "100.2") }, nil},
		{"ByCard source message", func() (Review, error) { return s.ByCard(ctx, "C1", "100.1") }, nil},
		{"ByCard empty ts", func() (Review, error) { return s.ByCard(ctx, "C1", "") }, nil},
		{"ByThread", func() (Review, error) { return s.ByThread(ctx, "C1", "100.1") }, &r},
		{"ByThread of a card", func() (Review, error) { return s.ByThread(ctx, "C1", "200.1") }, &cmd},
		{"ByThread other channel", func() (Review, error) { return s.ByThread(ctx, "C9", "100.1") }, nil},
		{"ByThread empty ts", func() (Review, error) { return s.ByThread(ctx, "C1", "") }, nil},
	}
	for _, tt := range lookups {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if tt.want == nil {
				if !errors.Is(err, ErrNotFound) {
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
	follow := Review{TeamID: "T1", ChannelID: "C1", ThreadTS: "100.1", UserID: "U3", Kind: KindFollowup}
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
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of an unknown review: %v, want ErrNotFound", name, err)
		}
	}
	if err := s.Create(ctx, &Review{ID: r.ID}); err == nil {
		t.Errorf("Create with an existing ID succeeded")
	}
}

func TestHistory(t *testing.T) {
	ctx := t.Context()
	s, _ := open(t)
	c := withClock(s)
	var mine []string // newest first
	for i := range 30 {
		c.Set(t0.Add(time.Duration(i) * time.Minute))
		r := Review{TeamID: "T1", UserID: "U1", Kind: KindDM, Score: i%10 + 1}
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
		r := Review{TeamID: "T1", UserID: "U1"}
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

func TestFirstDeliveryConcurrent(t *testing.T) {
	ctx := t.Context()
	s, _ := open(t)
	const goroutines, keys = 8, 50
	var mu sync.Mutex
	firsts := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for k := range keys {
				// Every goroutine sees every key, starting at different places.
				key := fmt.Sprintf("Ev%03d", (k+g*7)%keys)
				first, err := s.FirstDelivery(ctx, key)
				if err != nil {
					errs <- err
					return
				}
				if first {
					mu.Lock()
					firsts[key]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
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
	if first, err := s.FirstDelivery(ctx, "Ev000"); err != nil || first {
		t.Errorf("FirstDelivery of a seen key = %v, %v", first, err)
	}
}

func TestConcurrentWriters(t *testing.T) {
	ctx := t.Context()
	s, path := open(t)
	const goroutines, writes = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range writes {
				r := Review{TeamID: "T1", ChannelID: "C1", UserID: fmt.Sprintf("U%d", g), Kind: KindWatched, Score: 3}
				if err := s.Create(ctx, &r); err != nil {
					errs <- err
					return
				}
				if err := s.SetCard(ctx, r.ID, "C1", fmt.Sprintf("%d.%d", g, i)); err != nil {
					errs <- err
					return
				}
				if err := s.Update(ctx, r.ID, "p", []byte("{}"), 8); err != nil {
					errs <- err
					return
				}
				// Reads run alongside the writes.
				if _, err := s.ByCard(ctx, "C1", fmt.Sprintf("%d.%d", g, i)); err != nil {
					errs <- err
					return
				}
				if _, err := s.History(ctx, "T1", r.UserID, 5); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n, eight int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*), count(*) FILTER (WHERE score = 8) FROM reviews").Scan(&n, &eight); err != nil {
		t.Fatal(err)
	}
	if n != goroutines*writes || eight != n {
		t.Errorf("%d reviews, %d updated; want %d", n, eight, goroutines*writes)
	}

	// Everything survives a restart.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if h, err := s2.History(ctx, "T1", "U3", MaxHistory); err != nil || len(h) != writes {
		t.Errorf("after reopening, History of U3 = %d reviews, %v; want %d", len(h), err, writes)
	}
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	s, path := open(t)
	r := Review{TeamID: "T1", ChannelID: "D1", UserID: "U1", Kind: KindDM, PolicyText: "policy ✓",
		ReportJSON: []byte(`{"score":10}`), Score: 10}
	if err := s.Create(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FirstDelivery(ctx, "Ev1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Times come back in UTC with their nanoseconds.
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if !reflect.DeepEqual(got, r) {
		t.Errorf("after reopening\n got %+v\nwant %+v", got, r)
	}
	if first, err := s2.FirstDelivery(ctx, "Ev1"); err != nil || first {
		t.Errorf("a key seen before the restart is new again: %v, %v", first, err)
	}
}

func TestPrune(t *testing.T) {
	ctx := t.Context()
	s, _ := open(t)
	c := withClock(s)
	const day = 24 * time.Hour

	create := func(at time.Time) string {
		c.Set(at)
		r := Review{TeamID: "T1", UserID: "U1"}
		if err := s.Create(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	seen := func(at time.Time, key string) {
		c.Set(at)
		if _, err := s.FirstDelivery(ctx, key); err != nil {
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
		first, err := s.FirstDelivery(ctx, tt.key)
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

func BenchmarkCreate(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	report := []byte(strings.Repeat("x", 4000))
	for b.Loop() {
		r := Review{TeamID: "T1", ChannelID: "C1", UserID: "U1", Kind: KindMention, PolicyText: string(report[:2000]), ReportJSON: report}
		if err := s.Create(b.Context(), &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFirstDelivery(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	i := 0
	for b.Loop() {
		i++
		if _, err := s.FirstDelivery(b.Context(), fmt.Sprintf("Ev%d", i)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkByThread(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range 10000 {
		r := Review{TeamID: "T1", ChannelID: "C1", ThreadTS: fmt.Sprintf("%d.1", i), UserID: "U1"}
		if err := s.Create(b.Context(), &r); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, err := s.ByThread(b.Context(), "C1", "5000.1"); err != nil {
			b.Fatal(err)
		}
	}
}
