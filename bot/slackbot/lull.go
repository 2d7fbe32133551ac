package slackbot

import (
	"sync/atomic"
	"time"
)

// lull holds new reviews back while Slack is delivering envelopes.
//
// slack-go's Socket Mode client reads and decodes envelopes one at a time,
// and the bot can acknowledge an envelope only once it has been decoded.
// In a burst, reviews started on the first envelopes take the processors
// from that decoding, and the last envelopes of the burst wait for their
// acks. So a worker about to start a request first waits until no envelope
// has arrived for a short while (quiet), but never longer than limit: the
// burst is acknowledged first, and the reviews it brings follow at once.
// When envelopes come one by one, nothing waits.
type lull struct {
	last         atomic.Int64 // when the latest envelope arrived, in Unix nanoseconds
	quiet, limit time.Duration
	now          func() time.Time
	sleep        func(time.Duration)
}

func newLull(quiet, limit time.Duration) *lull {
	return &lull{quiet: quiet, limit: limit, now: time.Now, sleep: time.Sleep}
}

// arrived records that an envelope arrived at t.
func (l *lull) arrived(t time.Time) { l.last.Store(t.UnixNano()) }

// wait returns once no envelope has arrived for l.quiet, or after l.limit.
func (l *lull) wait() {
	start := l.now()
	deadline := start.Add(l.limit)
	for now := start; now.Before(deadline); now = l.now() {
		calm := time.Unix(0, l.last.Load()).Add(l.quiet)
		if !now.Before(calm) {
			return
		}
		if deadline.Before(calm) {
			calm = deadline
		}
		l.sleep(calm.Sub(now))
	}
}
