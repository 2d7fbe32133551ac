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
	Score      int // after the latest re-evaluation
	FirstScore int // when first reviewed; Create sets it to Score
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

// Request is a Slack envelope the bot accepted and has not yet finished,
// kept so that it outlives the process that received it: another process,
// or the same one after a restart, takes it over.
type Request struct {
	// ID is the delivery key: the same for every delivery of one request
	// (an event_id, a trigger_id...), so that a re-delivery is not queued
	// twice.
	ID      string
	Type    string // the envelope type: "events_api", "slash_commands", "interactive"
	Payload []byte // the envelope's payload as Slack sent it
	// ReceivedAt is when it was first queued (the store's clock).
	ReceivedAt time.Time
	// Attempts counts the claims, this one included.
	Attempts int
	// TakenOver is set by Claim when the request was held by an owner
	// whose lease ran out (a process that died or hung).
	TakenOver bool
}

// ErrLeaseLost is returned, wrapped, when an owner extends, releases or
// finishes a request whose lease it no longer holds.
var ErrLeaseLost = errors.New("lease lost")

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
	// channel and message ts) for holder and reports whether it is the
	// first time it is seen, or was first seen for the same holder (a
	// request run again after its first run died). An empty holder
	// matches none. Of concurrent calls with the same key and different
	// holders exactly one gets true.
	FirstDelivery(ctx context.Context, key, holder string) (bool, error)
	// Prune deletes the reviews not updated since olderThan, and the
	// delivery keys, finished requests and post records seen before
	// olderThan or more than DeliveryTTL ago. It returns the number of
	// reviews deleted. When several processes share the database, one
	// prunes at a time; the others return at once.
	Prune(ctx context.Context, olderThan time.Time) (int, error)

	// Enqueue records the requests not recorded yet, all in one
	// transaction, and reports for each whether it was new (false: a
	// re-delivery of a request queued or finished before). It sets their
	// ReceivedAt. Of concurrent calls with the same ID exactly one gets
	// true.
	Enqueue(ctx context.Context, reqs []*Request) ([]bool, error)
	// Claim takes the oldest unfinished request that no owner holds, or
	// whose lease has run out, for owner until lease from now; ok is false
	// when there is none. Concurrent claims never get the same request.
	Claim(ctx context.Context, owner string, lease time.Duration) (r Request, ok bool, err error)
	// Extend renews owner's lease of request id for lease from now.
	Extend(ctx context.Context, id, owner string, lease time.Duration) error
	// Release gives up owner's lease of request id, unfinished: it can be
	// claimed again after delay.
	Release(ctx context.Context, id, owner string, delay time.Duration) error
	// Finish marks request id done and drops its payload; its ID is kept
	// for DeliveryTTL so that a re-delivery is recognised.
	Finish(ctx context.Context, id, owner string) error
	// Pending is the number of unfinished requests.
	Pending(ctx context.Context) (int, error)

	// RecordPost records that the message of key (a request and the rank
	// of the message in its answer) was posted as ts; Posted finds it, so
	// that a request run again does not post it twice.
	RecordPost(ctx context.Context, key, ts string) error
	Posted(ctx context.Context, key string) (ts string, ok bool, err error)

	// Ping reports whether the database can be read and written, for
	// readiness checks.
	Ping(ctx context.Context) error
	// Close closes the database.
	Close() error
}
