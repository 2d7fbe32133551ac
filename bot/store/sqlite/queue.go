package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/policycheck/policycheck/bot/store"
)

const (
	enqueueSQL = `INSERT INTO requests (id, type, payload, received_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`
	claimSQL = `SELECT id, type, payload, received_at, attempts, owner FROM requests
		WHERE done_at = '' AND lease_until <= ? ORDER BY rowid LIMIT 1`
	claimUpdateSQL = `UPDATE requests SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?`
)

// Enqueue records the requests not recorded yet, in one transaction, and
// reports for each whether it was new.
func (s *Store) Enqueue(ctx context.Context, reqs []*store.Request) ([]bool, error) {
	now := s.now().UTC()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("enqueue: %w", err)
	}
	defer tx.Rollback()
	stmt, err := s.txStmt(ctx, tx, enqueueSQL)
	if err != nil {
		return nil, fmt.Errorf("enqueue: %w", err)
	}
	fresh := make([]bool, len(reqs))
	for i, r := range reqs {
		res, err := stmt.ExecContext(ctx, r.ID, r.Type, r.Payload, formatTime(now))
		if err != nil {
			return nil, fmt.Errorf("enqueue %s: %w", r.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("enqueue %s: %w", r.ID, err)
		}
		fresh[i] = n == 1
		r.ReceivedAt = now
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("enqueue: %w", err)
	}
	return fresh, nil
}

// Claim takes the oldest unfinished request that is free or whose lease
// has run out. SQLite has one writer at a time, so the select and the
// update in one transaction cannot race with another claim.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration) (store.Request, bool, error) {
	now := s.now().UTC()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return store.Request{}, false, fmt.Errorf("claim: %w", err)
	}
	defer tx.Rollback()
	var r store.Request
	var prev, received string
	sel, err := s.txStmt(ctx, tx, claimSQL)
	if err != nil {
		return store.Request{}, false, fmt.Errorf("claim: %w", err)
	}
	err = sel.QueryRowContext(ctx, formatTime(now)).Scan(&r.ID, &r.Type, &r.Payload, &received, &r.Attempts, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Request{}, false, nil
	}
	if err != nil {
		return store.Request{}, false, fmt.Errorf("claim: %w", err)
	}
	upd, err := s.txStmt(ctx, tx, claimUpdateSQL)
	if err != nil {
		return store.Request{}, false, fmt.Errorf("claim %s: %w", r.ID, err)
	}
	if _, err := upd.ExecContext(ctx, owner, formatTime(now.Add(lease)), r.ID); err != nil {
		return store.Request{}, false, fmt.Errorf("claim %s: %w", r.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return store.Request{}, false, fmt.Errorf("claim %s: %w", r.ID, err)
	}
	r.Attempts++
	r.TakenOver = prev != ""
	if r.ReceivedAt, err = parseTime(received); err != nil {
		return store.Request{}, false, fmt.Errorf("claim %s: received_at: %w", r.ID, err)
	}
	return r, true, nil
}

// Extend renews owner's lease of request id.
func (s *Store) Extend(ctx context.Context, id, owner string, lease time.Duration) error {
	res, err := s.exec(ctx, s.w, `UPDATE requests SET lease_until = ? WHERE id = ? AND owner = ? AND done_at = ''`,
		formatTime(s.now().Add(lease)), id, owner)
	return leaseResult("extend", id, res, err)
}

// Release gives up owner's lease of request id: it can be claimed again
// after delay.
func (s *Store) Release(ctx context.Context, id, owner string, delay time.Duration) error {
	res, err := s.exec(ctx, s.w, `UPDATE requests SET owner = '', lease_until = ? WHERE id = ? AND owner = ? AND done_at = ''`,
		formatTime(s.now().Add(delay)), id, owner)
	return leaseResult("release", id, res, err)
}

// Finish marks request id done and drops its payload.
func (s *Store) Finish(ctx context.Context, id, owner string) error {
	res, err := s.exec(ctx, s.w, `UPDATE requests SET done_at = ?, owner = '', payload = NULL WHERE id = ? AND owner = ? AND done_at = ''`,
		formatTime(s.now()), id, owner)
	return leaseResult("finish", id, res, err)
}

func leaseResult(what, id string, res sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("%s request %s: %w", what, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s request %s: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("%s request %s: %w", what, id, store.ErrLeaseLost)
	}
	return nil
}

// Pending is the number of unfinished requests.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, s.r, "SELECT count(*) FROM requests WHERE done_at = ''").Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending requests: %w", err)
	}
	return n, nil
}

// RecordPost records that the message of key was posted as ts.
func (s *Store) RecordPost(ctx context.Context, key, ts string) error {
	if _, err := s.exec(ctx, s.w, `INSERT INTO posts (key, ts, posted_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET ts = excluded.ts`, key, ts, formatTime(s.now())); err != nil {
		return fmt.Errorf("record post %s: %w", key, err)
	}
	return nil
}

// Posted returns the ts recorded for key.
func (s *Store) Posted(ctx context.Context, key string) (string, bool, error) {
	var ts string
	err := s.queryRow(ctx, s.w, "SELECT ts FROM posts WHERE key = ?", key).Scan(&ts)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find post %s: %w", key, err)
	}
	return ts, true, nil
}

// releaseAll ends every lease (Claim then counts the requests as taken
// over): called when this store is the only one
// open on its file, so that a process that restarts after a crash takes
// up its unfinished requests at once instead of waiting for their leases.
func (s *Store) releaseAll(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE requests SET lease_until = '' WHERE done_at = '' AND owner <> ''`); err != nil {
		return fmt.Errorf("release leases: %w", err)
	}
	return nil
}
