package slackbot

import (
	"testing"
	"time"
)

func TestLull(t *testing.T) {
	const quiet, limit = 2 * time.Millisecond, 50 * time.Millisecond
	const none = -1
	tests := []struct {
		name string
		// Envelopes came one a millisecond from began to ago before the
		// wait (none: no envelope yet).
		began, ago time.Duration
		// more: they keep coming, one a millisecond, for this long after
		// the wait begins.
		more time.Duration
		// unacked envelopes wait for their acks when the wait begins,
		// acknowledged acked after it begins (none: never).
		unacked int64
		acked   time.Duration
		want    time.Duration // how long the worker waits
	}{
		{"no envelope yet", none, none, 0, 0, 0, 0},
		{"the last envelope is old", time.Second, time.Second, 0, 0, 0, 0},
		{"an envelope just now", 0, 0, 0, 0, 0, quiet},
		{"an envelope 1.5 ms ago", 1500 * time.Microsecond, 1500 * time.Microsecond, 0, 0, 0, 500 * time.Microsecond},
		{"a burst that goes on for 10 ms", 0, 0, 10 * time.Millisecond, 0, 0, 10*time.Millisecond + quiet},
		{"envelopes that keep coming", 0, 0, time.Hour, 0, 0, limit},
		{"a stream that began 40 ms ago", 40 * time.Millisecond, 0, time.Hour, 0, 0, limit - 40*time.Millisecond},
		{"a stream that began 60 ms ago", 60 * time.Millisecond, 0, time.Hour, 0, 0, 0},
		{"a burst that ended 5 ms ago", 60 * time.Millisecond, 5 * time.Millisecond, 0, 0, 0, 0},
		{"a burst waiting for its acks", 0, 0, 0, 3, 7 * time.Millisecond, 8 * time.Millisecond},
		{"acks that come before the burst ends", 0, 0, 10 * time.Millisecond, 3, 5 * time.Millisecond, 10*time.Millisecond + quiet},
		{"acks that never come", 0, 0, 0, 3, none, limit},
		{"a burst that began 60 ms ago, acks pending", 60 * time.Millisecond, 5 * time.Millisecond, 0, 3, none, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Unix(1_800_000_000, 0)
			now := start
			l := newLull(quiet, limit)
			l.now = func() time.Time { return now }
			if tt.began != none {
				for d := tt.began; d >= tt.ago; d -= time.Millisecond {
					l.arrived(start.Add(-d))
				}
			}
			l.unacked.Store(tt.unacked)
			l.sleep = func(d time.Duration) {
				if d <= 0 {
					t.Fatalf("sleep(%v)", d)
				}
				for end := now.Add(d); now.Before(end); {
					now = now.Add(min(time.Millisecond, end.Sub(now)))
					if now.Sub(start) <= tt.more {
						l.arrived(now)
					}
					if tt.acked != none && now.Sub(start) >= tt.acked {
						l.unacked.Store(0)
					}
				}
			}
			l.wait()
			if got := now.Sub(start); got != tt.want {
				t.Errorf("waited %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLullBurstBeginsIdle: envelopes that keep coming while earlier ones
// wait for their acks are one burst, even with gaps longer than quiet, so
// that the burst's limit still holds.
func TestLullBurstBeginsIdle(t *testing.T) {
	const quiet, limit = 2 * time.Millisecond, 50 * time.Millisecond
	start := time.Unix(1_800_000_000, 0)
	l := newLull(quiet, limit)
	l.now = func() time.Time { return start }
	l.sleep = func(d time.Duration) { t.Fatalf("waited %v past the burst's limit", d) }
	l.unacked.Store(1)
	for d := 60 * time.Millisecond; d >= 0; d -= 3 * time.Millisecond {
		l.arrived(start.Add(-d))
	}
	l.wait()
}
