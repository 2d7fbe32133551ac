package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/policycheck/policycheck/bot/store"
)

// FirstDelivery records key (a Slack event_id, an envelope id, or a
// channel and message ts) and reports whether it is the first time it is
// seen. Of concurrent calls with the same key exactly one gets true.
func (s *Store) FirstDelivery(ctx context.Context, key, holder string) (bool, error) {
	res, err := s.exec(ctx, s.w, "INSERT OR IGNORE INTO deliveries (key, seen_at, holder) VALUES (?, ?, ?)",
		key, formatTime(s.now()), holder)
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	if n == 1 || holder == "" {
		return n == 1, nil
	}
	var first string
	if err := s.queryRow(ctx, s.w, "SELECT holder FROM deliveries WHERE key = ?", key).Scan(&first); err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	return first == holder, nil
}

// Prune deletes the reviews not updated since olderThan, and the delivery
// keys, finished requests and post records older than olderThan or
// store.DeliveryTTL. It returns the number of reviews deleted. SQLite has
// one writer at a time: two prunes cannot overlap.
func (s *Store) Prune(ctx context.Context, olderThan time.Time) (int, error) {
	keysBefore := s.now().Add(-store.DeliveryTTL)
	if olderThan.After(keysBefore) {
		keysBefore = olderThan
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM reviews WHERE updated_at < ?", formatTime(olderThan))
	if err != nil {
		return 0, fmt.Errorf("prune reviews: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune reviews: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM deliveries WHERE seen_at < ?", formatTime(keysBefore)); err != nil {
		return 0, fmt.Errorf("prune deliveries: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM requests WHERE done_at <> '' AND done_at < ?", formatTime(keysBefore)); err != nil {
		return 0, fmt.Errorf("prune requests: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM posts WHERE posted_at < ?", formatTime(keysBefore)); err != nil {
		return 0, fmt.Errorf("prune posts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	return int(n), nil
}
