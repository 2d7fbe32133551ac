package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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

// TestServeChecksConfigFirst: every setting, the review's included, is
// checked before anything is opened: a bad one stops serve with status 2
// and no database created.
func TestServeChecksConfigFirst(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "policycheck.db")
	for k, v := range map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": "http://127.0.0.1:1/api/",
		"POLICYCHECK_DB_PATH": db, "POLICYCHECK_HTTP_ADDR": "-", "BEDROCK_MODEL_ID": "", "BEDROCK_MAX_CONCURRENCY": "0",
	} {
		t.Setenv(k, v)
	}
	var stderr bytes.Buffer
	if code := serve(context.Background(), nil, &stderr); code != 2 {
		t.Errorf("serve = %d, want 2; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "BEDROCK_MAX_CONCURRENCY") {
		t.Errorf("stderr does not name the variable:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Dir(db)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the database directory was created before the configuration was checked: %v", err)
	}
}
