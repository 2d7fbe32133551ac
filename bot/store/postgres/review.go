package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/policycheck/policycheck/bot/store"
)

// Create stores a new review. It sets r.ID if it is empty, r.FirstScore to
// r.Score, and r.CreatedAt and r.UpdatedAt to the current time.
func (s *Store) Create(ctx context.Context, r *store.Review) error {
	if r.ID == "" {
		r.ID = store.NewID()
	}
	now := s.now().UTC()
	r.CreatedAt, r.UpdatedAt = now, now
	r.FirstScore = r.Score
	_, err := s.pool.Exec(ctx, `INSERT INTO reviews
		(id, team_id, channel_id, thread_ts, message_ts, card_ts, user_id, kind,
		 policy_text, report_json, score, first_score, created_at, updated_at, response_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.ID, r.TeamID, r.ChannelID, r.ThreadTS, r.MessageTS, r.CardTS, r.UserID, r.Kind,
		r.PolicyText, r.ReportJSON, r.Score, r.FirstScore, now, now, r.ResponseURL)
	if err != nil {
		return fmt.Errorf("create review: %w", err)
	}
	return nil
}

// SetCard records the message that shows review id.
func (s *Store) SetCard(ctx context.Context, id, channelID, cardTS string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE reviews SET channel_id = $1, card_ts = $2,
		thread_ts = CASE thread_ts WHEN '' THEN $2 ELSE thread_ts END WHERE id = $3`, channelID, cardTS, id)
	return affected(tag, err, "set card of review "+id, store.ErrNotFound)
}

// Update replaces the policy, report and score of review id.
func (s *Store) Update(ctx context.Context, id, policyText string, reportJSON []byte, score int) error {
	tag, err := s.pool.Exec(ctx, `UPDATE reviews SET policy_text = $1, report_json = $2, score = $3, updated_at = $4
		WHERE id = $5`, policyText, reportJSON, score, s.now().UTC(), id)
	return affected(tag, err, "update review "+id, store.ErrNotFound)
}

const reviewColumns = `id, team_id, channel_id, thread_ts, message_ts, card_ts, user_id, kind,
	policy_text, report_json, score, first_score, created_at, updated_at, response_url`

// Get returns review id.
func (s *Store) Get(ctx context.Context, id string) (store.Review, error) {
	r, err := scanReview(s.pool.QueryRow(ctx, "SELECT "+reviewColumns+" FROM reviews WHERE id = $1", id))
	if err != nil {
		return store.Review{}, fmt.Errorf("get review %s: %w", id, err)
	}
	return r, nil
}

// ByCard returns the latest review shown by the card message cardTS.
func (s *Store) ByCard(ctx context.Context, channelID, cardTS string) (store.Review, error) {
	if cardTS == "" {
		return store.Review{}, fmt.Errorf("review by card: %w", store.ErrNotFound)
	}
	r, err := scanReview(s.pool.QueryRow(ctx, "SELECT "+reviewColumns+` FROM reviews
		WHERE channel_id = $1 AND card_ts = $2 ORDER BY created_at DESC, seq DESC LIMIT 1`, channelID, cardTS))
	if err != nil {
		return store.Review{}, fmt.Errorf("review by card %s/%s: %w", channelID, cardTS, err)
	}
	return r, nil
}

// ByThread returns the latest review in the thread threadTS of channelID.
func (s *Store) ByThread(ctx context.Context, channelID, threadTS string) (store.Review, error) {
	if threadTS == "" {
		return store.Review{}, fmt.Errorf("review by thread: %w", store.ErrNotFound)
	}
	r, err := scanReview(s.pool.QueryRow(ctx, "SELECT "+reviewColumns+` FROM reviews
		WHERE channel_id = $1 AND thread_ts = $2 ORDER BY created_at DESC, seq DESC LIMIT 1`, channelID, threadTS))
	if err != nil {
		return store.Review{}, fmt.Errorf("review by thread %s/%s: %w", channelID, threadTS, err)
	}
	return r, nil
}

// History returns the latest reviews asked for by userID in teamID.
func (s *Store) History(ctx context.Context, teamID, userID string, limit int) ([]store.Review, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+reviewColumns+` FROM reviews
		WHERE team_id = $1 AND user_id = $2 ORDER BY created_at DESC, seq DESC LIMIT $3`, teamID, userID, store.HistoryLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("history of %s/%s: %w", teamID, userID, err)
	}
	defer rows.Close()
	var out []store.Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, fmt.Errorf("history of %s/%s: %w", teamID, userID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of %s/%s: %w", teamID, userID, err)
	}
	return out, nil
}

func scanReview(row pgx.Row) (store.Review, error) {
	var r store.Review
	err := row.Scan(&r.ID, &r.TeamID, &r.ChannelID, &r.ThreadTS, &r.MessageTS, &r.CardTS, &r.UserID, &r.Kind,
		&r.PolicyText, &r.ReportJSON, &r.Score, &r.FirstScore, &r.CreatedAt, &r.UpdatedAt, &r.ResponseURL)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Review{}, store.ErrNotFound
	}
	if err != nil {
		return store.Review{}, err
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}
