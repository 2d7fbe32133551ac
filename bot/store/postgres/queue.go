package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/policycheck/policycheck/bot/store"
)

// FirstDelivery records key for holder and reports whether it is new, or
// was first seen for the same holder.
func (s *Store) FirstDelivery(ctx context.Context, key, holder string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO deliveries (key, seen_at, holder) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO NOTHING`, key, s.now().UTC(), holder)
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	if tag.RowsAffected() == 1 || holder == "" {
		return tag.RowsAffected() == 1, nil
	}
	var first string
	if err := s.pool.QueryRow(ctx, `SELECT holder FROM deliveries WHERE key = $1`, key).Scan(&first); err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	return first == holder, nil
}

// enqueueSQL inserts the requests of arrays of IDs, types and payloads,
// received at $4, that are not recorded yet, and returns the IDs of those
// it inserted. One statement, whatever the number of requests: one round
// trip, its transaction committed at once. Rows go in in the order of
// their IDs, so that two batches being written at once that share
// requests (a re-delivery to another replica) wait for each other in the
// same order, never in a deadlock.
const enqueueSQL = `INSERT INTO requests (id, type, payload, received_at)
	SELECT id, type, payload, $4 FROM unnest($1::text[], $2::text[], $3::bytea[]) AS t (id, type, payload)
	ORDER BY id
	ON CONFLICT (id) DO NOTHING RETURNING id`

// Enqueue records the requests not recorded yet, in one statement on a
// connection of its own (see IntakeConns), and reports for each whether
// it was new. A request twice in reqs is new once at most.
func (s *Store) Enqueue(ctx context.Context, reqs []*store.Request) ([]bool, error) {
	now := s.now().UTC()
	ids := make([]string, len(reqs))
	types := make([]string, len(reqs))
	payloads := make([][]byte, len(reqs))
	for i, r := range reqs {
		ids[i], types[i], payloads[i] = r.ID, r.Type, r.Payload
	}
	rows, err := s.intake.Query(ctx, enqueueSQL, ids, types, payloads, now)
	if err != nil {
		return nil, fmt.Errorf("enqueue: %w", err)
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("enqueue: %w", err)
	}
	isNew := make(map[string]bool, len(inserted))
	for _, id := range inserted {
		isNew[id] = true
	}
	fresh := make([]bool, len(reqs))
	for i, r := range reqs {
		fresh[i] = isNew[r.ID]
		delete(isNew, r.ID) // a second copy in the batch is a duplicate
		r.ReceivedAt = now
	}
	return fresh, nil
}

// Claim takes the oldest unfinished request that is free or whose lease
// has run out; rows other workers are claiming are skipped, not waited
// for.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration) (store.Request, bool, error) {
	now := s.now().UTC()
	var r store.Request
	var prev string
	err := s.pool.QueryRow(ctx, `WITH c AS (
			SELECT id, owner FROM requests
			WHERE done_at IS NULL AND lease_until <= $3
			ORDER BY seq LIMIT 1
			FOR UPDATE SKIP LOCKED)
		UPDATE requests r SET owner = $1, lease_until = $2, attempts = r.attempts + 1
		FROM c WHERE r.id = c.id
		RETURNING r.id, r.type, r.payload, r.received_at, r.attempts, c.owner`,
		owner, now.Add(lease), now).Scan(&r.ID, &r.Type, &r.Payload, &r.ReceivedAt, &r.Attempts, &prev)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Request{}, false, nil
	}
	if err != nil {
		return store.Request{}, false, fmt.Errorf("claim: %w", err)
	}
	r.ReceivedAt = r.ReceivedAt.UTC()
	r.TakenOver = prev != ""
	return r, true, nil
}

// Extend renews owner's lease of request id.
func (s *Store) Extend(ctx context.Context, id, owner string, lease time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE requests SET lease_until = $1 WHERE id = $2 AND owner = $3 AND done_at IS NULL`,
		s.now().UTC().Add(lease), id, owner)
	return affected(tag, err, "extend request "+id, store.ErrLeaseLost)
}

// Release gives up owner's lease of request id.
func (s *Store) Release(ctx context.Context, id, owner string, delay time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE requests SET owner = '', lease_until = $1 WHERE id = $2 AND owner = $3 AND done_at IS NULL`,
		s.now().UTC().Add(delay), id, owner)
	return affected(tag, err, "release request "+id, store.ErrLeaseLost)
}

// Finish marks request id done and drops its payload.
func (s *Store) Finish(ctx context.Context, id, owner string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE requests SET done_at = $1, owner = '', payload = NULL WHERE id = $2 AND owner = $3 AND done_at IS NULL`,
		s.now().UTC(), id, owner)
	return affected(tag, err, "finish request "+id, store.ErrLeaseLost)
}

// Pending is the number of unfinished requests.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM requests WHERE done_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending requests: %w", err)
	}
	return n, nil
}

// RecordPost records that the message of key was posted as ts.
func (s *Store) RecordPost(ctx context.Context, key, ts string) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO posts (key, ts, posted_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET ts = excluded.ts`, key, ts, s.now().UTC()); err != nil {
		return fmt.Errorf("record post %s: %w", key, err)
	}
	return nil
}

// Posted returns the ts recorded for key.
func (s *Store) Posted(ctx context.Context, key string) (string, bool, error) {
	var ts string
	err := s.pool.QueryRow(ctx, `SELECT ts FROM posts WHERE key = $1`, key).Scan(&ts)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find post %s: %w", key, err)
	}
	return ts, true, nil
}

// Prune deletes the reviews not updated since olderThan, and the delivery
// keys, finished requests and post records older than olderThan or
// store.DeliveryTTL. One replica prunes at a time: while another holds
// the lock, Prune returns 0 at once.
func (s *Store) Prune(ctx context.Context, olderThan time.Time) (int, error) {
	keysBefore := s.now().UTC().Add(-store.DeliveryTTL)
	if olderThan.After(keysBefore) {
		keysBefore = olderThan
	}
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(`+lockKey+`)`, "prune").Scan(&locked); err != nil {
			return err
		}
		if !locked {
			return nil
		}
		tag, err := tx.Exec(ctx, `DELETE FROM reviews WHERE updated_at < $1`, olderThan.UTC())
		if err != nil {
			return fmt.Errorf("reviews: %w", err)
		}
		n = tag.RowsAffected()
		for _, q := range []string{
			`DELETE FROM deliveries WHERE seen_at < $1`,
			`DELETE FROM requests WHERE done_at < $1`,
			`DELETE FROM posts WHERE posted_at < $1`,
		} {
			if _, err := tx.Exec(ctx, q, keysBefore); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	return int(n), nil
}
