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
		want time.Duration // how long the worker waits
	}{
		{"no envelope yet", none, none, 0, 0},
		{"the last envelope is old", time.Second, time.Second, 0, 0},
		{"an envelope just now", 0, 0, 0, quiet},
		{"an envelope 1.5 ms ago", 1500 * time.Microsecond, 1500 * time.Microsecond, 0, 500 * time.Microsecond},
		{"a burst that goes on for 10 ms", 0, 0, 10 * time.Millisecond, 10*time.Millisecond + quiet},
		{"envelopes that keep coming", 0, 0, time.Hour, limit},
		{"a stream that began 40 ms ago", 40 * time.Millisecond, 0, time.Hour, limit - 40*time.Millisecond},
		{"a stream that began 60 ms ago", 60 * time.Millisecond, 0, time.Hour, 0},
		{"a burst that ended 5 ms ago", 60 * time.Millisecond, 5 * time.Millisecond, 0, 0},
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
			l.sleep = func(d time.Duration) {
				if d <= 0 {
					t.Fatalf("sleep(%v)", d)
				}
				for end := now.Add(d); now.Before(end); {
					now = now.Add(min(time.Millisecond, end.Sub(now)))
					if now.Sub(start) <= tt.more {
						l.arrived(now)
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
