package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"time"
)

// ErrNotFound is returned, wrapped, when no review matches.
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
	Score      int
	// CreatedAt is when the review was first made, UpdatedAt when it was
	// last re-evaluated; both in UTC.
	CreatedAt, UpdatedAt time.Time
	// ResponseURL is the response_url of a slash command, if any.
	ResponseURL string
}

// DefaultHistory is the number of reviews History returns when asked for
// none or fewer; MaxHistory is the most it returns.
const (
	DefaultHistory = 20
	MaxHistory     = 200
)

// HistoryLimit is the number of reviews History returns when asked for
// limit.
func HistoryLimit(limit int) int {
	if limit <= 0 {
		return DefaultHistory
	}
	return min(limit, MaxHistory)
}

// DeliveryTTL is the longest a delivery key is remembered. Slack re-sends an
// unacknowledged event within minutes, so a day is plenty whatever the
// retention of reviews.
const DeliveryTTL = 24 * time.Hour

// NewID returns a random, URL-safe identifier for a review: 16 bytes in
// lowercase base32, 26 characters.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never returns an error
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// Store is the contract of a database of reviews; package storetest checks
// it. Its methods are safe for concurrent use. Times come from the store's
// clock, in UTC. A lookup that finds no review, and SetCard or Update of a
// review that does not exist, return an error wrapping ErrNotFound.
type Store interface {
	// Create stores a new review. It sets r.ID if it is empty (to NewID()),
	// and r.CreatedAt and r.UpdatedAt to the current time. An ID already
	// used is an error.
	Create(ctx context.Context, r *Review) error
	// SetCard records the message that shows review id: its channel and
	// ts. A card posted outside a thread starts one: an empty ThreadTS
	// becomes cardTS, so that ByThread finds the review from the replies to
	// its card.
	SetCard(ctx context.Context, id, channelID, cardTS string) error
	// Update replaces the policy, report and score of review id after a
	// re-evaluation, and sets its UpdatedAt.
	Update(ctx context.Context, id, policyText string, reportJSON []byte, score int) error
	// Get returns review id.
	Get(ctx context.Context, id string) (Review, error)
	// ByCard returns the latest review shown by the card message cardTS in
	// channelID.
	ByCard(ctx context.Context, channelID, cardTS string) (Review, error)
	// ByThread returns the latest review in the thread threadTS of
	// channelID, for follow-up questions asked there.
	ByThread(ctx context.Context, channelID, threadTS string) (Review, error)
	// History returns the latest HistoryLimit(limit) reviews asked for by
	// userID in teamID, newest first; reviews created in the same instant
	// come in the reverse order of their creation.
	History(ctx context.Context, teamID, userID string, limit int) ([]Review, error)

	// FirstDelivery records key (a Slack event_id, an envelope id, or a
	// channel and message ts) and reports whether it is the first time it
	// is seen. Of concurrent calls with the same key exactly one gets true.
	FirstDelivery(ctx context.Context, key string) (bool, error)
	// Prune deletes the reviews not updated since olderThan, and the
	// delivery keys seen before olderThan or more than DeliveryTTL ago. It
	// returns the number of reviews deleted.
	Prune(ctx context.Context, olderThan time.Time) (int, error)

	// Ping reports whether the database can be read and written, for
	// readiness checks.
	Ping(ctx context.Context) error
	// Close closes the database.
	Close() error
}
