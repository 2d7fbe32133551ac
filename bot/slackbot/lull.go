package slackbot

import (
	"sync/atomic"
	"time"
)

// lull holds new reviews back while Slack is delivering a burst of
// envelopes.
//
// slack-go's Socket Mode client reads and decodes envelopes one at a time,
// and the bot can acknowledge an envelope only once it has been decoded
// and recorded (see record). In a burst, reviews started on the first
// envelopes take the processors, and the database, from that decoding and
// recording, and the last envelopes of the burst wait for their acks. So
// a worker about to claim a request first waits until no envelope has
// arrived for a short while (quiet) and every envelope that brings a
// request has been acknowledged: the burst is acknowledged first, and the
// reviews it brings follow at once. A burst holds work back for limit at
// most, counted from its first envelope, so that a steady stream of
// envelopes delays reviews once, not each of them. When envelopes come one
// by one, a request waits quiet.
type lull struct {
	// When the latest envelope, and the first of its burst, arrived, in
	// Unix nanoseconds. Only the event loop writes them.
	last, first atomic.Int64
	// unacked counts the envelopes received and not yet acknowledged
	// (being recorded).
	unacked      atomic.Int64
	quiet, limit time.Duration
	now          func() time.Time
	sleep        func(time.Duration)
}

func newLull(quiet, limit time.Duration) *lull {
	return &lull{quiet: quiet, limit: limit, now: time.Now, sleep: time.Sleep}
}

// arrived records that an envelope arrived at t. A burst begins with an
// envelope that finds the bot idle: none for quiet, and none waiting for
// its ack.
func (l *lull) arrived(t time.Time) {
	n := t.UnixNano()
	if n-l.last.Load() >= int64(l.quiet) && l.unacked.Load() == 0 {
		l.first.Store(n)
	}
	l.last.Store(n)
}

// wait returns once no envelope has arrived for l.quiet and none is
// waiting for its ack, or once the burst has lasted l.limit.
func (l *lull) wait() {
	for {
		now := l.now()
		calm := time.Unix(0, l.last.Load()).Add(l.quiet)
		deadline := time.Unix(0, l.first.Load()).Add(l.limit)
		if !now.Before(deadline) {
			return
		}
		if !now.Before(calm) {
			if l.unacked.Load() == 0 {
				return
			}
			calm = now.Add(l.quiet) // look again
		}
		if deadline.Before(calm) {
			calm = deadline
		}
		l.sleep(calm.Sub(now))
	}
}
