package slackbot

import (
	"testing"
	"time"
)

func TestLull(t *testing.T) {
	const quiet, limit = 2 * time.Millisecond, 50 * time.Millisecond
	const never = -1
	tests := []struct {
		name string
		ago  time.Duration // the latest envelope came this long before the wait; never: none has
		// more: envelopes keep coming, one a millisecond, for this long
		// after the wait begins.
		more time.Duration
		want time.Duration // how long the worker waits
	}{
		{"no envelope yet", never, 0, 0},
		{"the last envelope is old", time.Second, 0, 0},
		{"the last envelope came just now", 0, 0, quiet},
		{"the last envelope came 1.5 ms ago", 1500 * time.Microsecond, 0, 500 * time.Microsecond},
		{"a burst that goes on for 10 ms", 0, 10 * time.Millisecond, 10*time.Millisecond + quiet},
		{"envelopes that keep coming", 0, time.Hour, limit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Unix(1_800_000_000, 0)
			now := start
			l := newLull(quiet, limit)
			l.now = func() time.Time { return now }
			if tt.ago != never {
				l.arrived(start.Add(-tt.ago))
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
