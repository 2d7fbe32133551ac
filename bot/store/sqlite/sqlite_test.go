package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/policycheck/policycheck/bot/store"
	"github.com/policycheck/policycheck/bot/store/storetest"
)

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

// TestContract runs the contract of package store against SQLite, on a
// file as the bot uses it, and in memory as tests do.
func TestContract(t *testing.T) {
	for _, name := range []string{"policycheck.db", ":memory:"} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
				path := name
				if name != ":memory:" {
					path = filepath.Join(t.TempDir(), name)
				}
				s, err := Open(t.Context(), path)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				s.now = now
				return s
			})
		})
	}
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
		if m.Version != i+1 || m.Name == "" || m.SQL == "" {
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
	want := store.Review{ID: "old", TeamID: "T1", ChannelID: "C1", ThreadTS: "1.1", MessageTS: "1.1", CardTS: "1.2",
		UserID: "U1", Kind: store.KindMention, PolicyText: "{}", ReportJSON: []byte(`{"score":3}`), Score: 3, FirstScore: 3, // from migration 3
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
	r := store.Review{TeamID: "T1", UserID: "U1", Kind: store.KindDM}
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

func TestReopen(t *testing.T) {
	ctx := t.Context()
	s, path := open(t)
	r := store.Review{TeamID: "T1", ChannelID: "D1", UserID: "U1", Kind: store.KindDM, PolicyText: "policy ✓",
		ReportJSON: []byte(`{"score":10}`), Score: 10}
	if err := s.Create(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FirstDelivery(ctx, "Ev1", ""); err != nil {
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
	if first, err := s2.FirstDelivery(ctx, "Ev1", ""); err != nil || first {
		t.Errorf("a key seen before the restart is new again: %v, %v", first, err)
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
		r := store.Review{TeamID: "T1", ChannelID: "C1", UserID: "U1", Kind: store.KindMention, PolicyText: string(report[:2000]), ReportJSON: report}
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
		if _, err := s.FirstDelivery(b.Context(), fmt.Sprintf("Ev%d", i), ""); err != nil {
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
		r := store.Review{TeamID: "T1", ChannelID: "C1", ThreadTS: fmt.Sprintf("%d.1", i), UserID: "U1"}
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
