package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/policycheck/policycheck/bot/store"
	"github.com/policycheck/policycheck/bot/store/sqlite"
)

// TestPruneOnce: reviews older than the retention are deleted, others
// kept; a retention of 0 keeps everything.
func TestPruneOnce(t *testing.T) {
	for _, tt := range []struct {
		name      string
		retention time.Duration
		kept      bool
	}{
		{"expired", time.Millisecond, false},
		{"kept forever", 0, true},
		{"within retention", 24 * time.Hour, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			r := &store.Review{TeamID: "T1", ChannelID: "C1", UserID: "U1", Kind: store.KindCommand, PolicyText: "{}", ReportJSON: []byte("{}")}
			if err := st.Create(ctx, r); err != nil {
				t.Fatal(err)
			}
			// Let the clock pass the review's time, so that "older than
			// 1 ms" holds; this waits, it asserts no duration.
			for time.Since(r.UpdatedAt) < 5*time.Millisecond {
				time.Sleep(time.Millisecond)
			}
			if err := pruneOnce(ctx, st, tt.retention, slog.New(slog.DiscardHandler)); err != nil {
				t.Fatal(err)
			}
			_, err = st.Get(ctx, r.ID)
			if gone := errors.Is(err, store.ErrNotFound); gone == tt.kept {
				t.Errorf("review deleted: %v, want %v (%v)", gone, !tt.kept, err)
			}
		})
	}
}
