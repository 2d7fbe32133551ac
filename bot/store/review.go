package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound is returned when no review matches.
var ErrNotFound = errors.New("review not found")

// Kinds of review: how the policy reached the bot.
const (
	KindCommand  = "command"  // the /policycheck slash command
	KindModal    = "modal"    // pasted into the review dialog
	KindMention  = "mention"  // a message mentioning the bot
	KindDM       = "dm"       // a direct message to the bot
	KindWatched  = "watched"  // a message in a watched channel
	KindFile     = "file"     // an uploaded file
	KindFollowup = "followup" // a follow-up question in a review's thread
)

// Review is one review the bot made and the Slack messages it belongs to.
type Review struct {
	ID        string
	TeamID    string
	ChannelID string
	ThreadTS  string // the thread the card is in; the card's own ts if it starts one
	MessageTS string // the source message, if any
	CardTS    string // the card message, once posted
	UserID    string // who asked
	Kind      string // one of the Kind constants
	// PolicyText is the policy as reviewed, kept for re-evaluation.
	PolicyText string
	// ReportJSON is the report.Report as JSON.
	ReportJSON []byte
	Score      int // after the latest re-evaluation
	FirstScore int // when first reviewed; Create sets it to Score
	// CreatedAt is when the review was first made, UpdatedAt when it was
	// last re-evaluated; both in UTC.
	CreatedAt, UpdatedAt time.Time
	// ResponseURL is the response_url of a slash command, if any.
	ResponseURL string
}

// newID returns a random, URL-safe identifier: 16 bytes in lowercase
// base32, 26 characters.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never returns an error
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// Create stores a new review. It sets r.ID if it is empty, r.FirstScore to
// r.Score, and r.CreatedAt and r.UpdatedAt to the current time.
func (s *Store) Create(ctx context.Context, r *Review) error {
	if r.ID == "" {
		r.ID = newID()
	}
	now := s.now().UTC()
	r.CreatedAt, r.UpdatedAt = now, now
	r.FirstScore = r.Score
	_, err := s.w.ExecContext(ctx, `INSERT INTO reviews
		(id, team_id, channel_id, thread_ts, message_ts, card_ts, user_id, kind,
		 policy_text, report_json, score, created_at, updated_at, response_url, first_score)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.TeamID, r.ChannelID, r.ThreadTS, r.MessageTS, r.CardTS, r.UserID, r.Kind,
		r.PolicyText, r.ReportJSON, r.Score, formatTime(now), formatTime(now), r.ResponseURL, r.FirstScore)
	if err != nil {
		return fmt.Errorf("create review: %w", err)
	}
	return nil
}

// SetCard records the message that shows review id: its channel and ts. A
// card posted outside a thread starts one: ThreadTS becomes cardTS, so that
// ByThread finds the review from the replies to its card.
func (s *Store) SetCard(ctx context.Context, id, channelID, cardTS string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE reviews SET channel_id = ?1, card_ts = ?2,
		thread_ts = CASE thread_ts WHEN '' THEN ?2 ELSE thread_ts END WHERE id = ?3`, channelID, cardTS, id)
	if err != nil {
		return fmt.Errorf("set card of review %s: %w", id, err)
	}
	return mustAffect(res, id)
}

// Update replaces the policy, report and score of review id after a
// re-evaluation, and sets its UpdatedAt.
func (s *Store) Update(ctx context.Context, id, policyText string, reportJSON []byte, score int) error {
	res, err := s.w.ExecContext(ctx, `UPDATE reviews SET policy_text = ?, report_json = ?, score = ?, updated_at = ?
		WHERE id = ?`, policyText, reportJSON, score, formatTime(s.now()), id)
	if err != nil {
		return fmt.Errorf("update review %s: %w", id, err)
	}
	return mustAffect(res, id)
}

func mustAffect(res sql.Result, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("review %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("review %s: %w", id, ErrNotFound)
	}
	return nil
}

const reviewColumns = `id, team_id, channel_id, thread_ts, message_ts, card_ts, user_id, kind,
	policy_text, report_json, score, created_at, updated_at, response_url, first_score`

// Get returns review id.
func (s *Store) Get(ctx context.Context, id string) (Review, error) {
	row := s.r.QueryRowContext(ctx, "SELECT "+reviewColumns+" FROM reviews WHERE id = ?", id)
	r, err := scanReview(row)
	if err != nil {
		return Review{}, fmt.Errorf("get review %s: %w", id, err)
	}
	return r, nil
}

// ByCard returns the review shown by the card message cardTS in channelID.
// The bot uses it to check that a button belongs to the message it was
// clicked in.
func (s *Store) ByCard(ctx context.Context, channelID, cardTS string) (Review, error) {
	if cardTS == "" {
		return Review{}, fmt.Errorf("review by card: %w", ErrNotFound)
	}
	row := s.r.QueryRowContext(ctx, "SELECT "+reviewColumns+` FROM reviews
		WHERE channel_id = ? AND card_ts = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`, channelID, cardTS)
	r, err := scanReview(row)
	if err != nil {
		return Review{}, fmt.Errorf("review by card %s/%s: %w", channelID, cardTS, err)
	}
	return r, nil
}

// ByThread returns the latest review in the thread threadTS of channelID,
// for follow-up questions asked there.
func (s *Store) ByThread(ctx context.Context, channelID, threadTS string) (Review, error) {
	if threadTS == "" {
		return Review{}, fmt.Errorf("review by thread: %w", ErrNotFound)
	}
	row := s.r.QueryRowContext(ctx, "SELECT "+reviewColumns+` FROM reviews
		WHERE channel_id = ? AND thread_ts = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`, channelID, threadTS)
	r, err := scanReview(row)
	if err != nil {
		return Review{}, fmt.Errorf("review by thread %s/%s: %w", channelID, threadTS, err)
	}
	return r, nil
}

// DefaultHistory is the number of reviews History returns when asked for
// none or fewer; MaxHistory is the most it returns.
const (
	DefaultHistory = 20
	MaxHistory     = 200
)

// History returns the latest reviews asked for by userID in teamID, newest
// first.
func (s *Store) History(ctx context.Context, teamID, userID string, limit int) ([]Review, error) {
	if limit <= 0 {
		limit = DefaultHistory
	}
	limit = min(limit, MaxHistory)
	rows, err := s.r.QueryContext(ctx, "SELECT "+reviewColumns+` FROM reviews
		WHERE team_id = ? AND user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`, teamID, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("history of %s/%s: %w", teamID, userID, err)
	}
	defer rows.Close()
	var out []Review
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

func scanReview(row interface{ Scan(...any) error }) (Review, error) {
	var r Review
	var created, updated string
	err := row.Scan(&r.ID, &r.TeamID, &r.ChannelID, &r.ThreadTS, &r.MessageTS, &r.CardTS, &r.UserID, &r.Kind,
		&r.PolicyText, &r.ReportJSON, &r.Score, &created, &updated, &r.ResponseURL, &r.FirstScore)
	if errors.Is(err, sql.ErrNoRows) {
		return Review{}, ErrNotFound
	}
	if err != nil {
		return Review{}, err
	}
	if r.CreatedAt, err = parseTime(created); err != nil {
		return Review{}, fmt.Errorf("created_at: %w", err)
	}
	if r.UpdatedAt, err = parseTime(updated); err != nil {
		return Review{}, fmt.Errorf("updated_at: %w", err)
	}
	return r, nil
}
