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
func (s *Store) FirstDelivery(ctx context.Context, key string) (bool, error) {
	res, err := s.w.ExecContext(ctx, "INSERT OR IGNORE INTO deliveries (key, seen_at) VALUES (?, ?)",
		key, formatTime(s.now()))
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	return n == 1, nil
}

// Prune deletes the reviews not updated since olderThan, and the delivery
// keys seen before olderThan or more than store.DeliveryTTL ago. It returns the
// number of reviews deleted.
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
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	return int(n), nil
}
