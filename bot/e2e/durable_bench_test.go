package e2e

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/policycheck/policycheck/internal/pgtest"
	"github.com/policycheck/policycheck/internal/slackfake"
)

// durableBurst is the size of the bursts of BenchmarkDurable.
const durableBurst = 500

// BenchmarkDurable sends a burst of 500 app_mention envelopes with a
// policy (the same as BenchmarkBurst's) and checks that every one is
// answered exactly once, none lost:
//
//   - sqlite-killed: one process on SQLite, killed with SIGKILL when half
//     the burst is sent and started again on the same file;
//   - postgres-1: one replica on PostgreSQL, no faults;
//   - postgres-2: two replicas on PostgreSQL behind the same app, the
//     envelopes spread over their two connections, 5% of them delivered
//     again (to the other connection), every 10th chat.postMessage and
//     chat.update failing once with HTTP 500, and one replica killed with
//     SIGKILL when half the burst is sent.
//
// It reports ack-p99-ms (the envelopes sent while every replica is up),
// and cards/s: the burst's size over the time from its first envelope to
// its last card. The PostgreSQL cases need POLICYCHECK_TEST_DATABASE_URL.
//
//	go test ./bot/e2e -run '^$' -bench Durable -benchtime 1x
func BenchmarkDurable(b *testing.B) {
	b.Run("sqlite-killed", func(b *testing.B) { benchDurable(b, "", 1, true) })
	b.Run("postgres-1", func(b *testing.B) { benchDurable(b, pgtest.URL(b), 1, false) })
	b.Run("postgres-2", func(b *testing.B) { benchDurable(b, pgtest.URL(b), 2, true) })
}

func benchDurable(b *testing.B, db string, replicas int, faults bool) {
	s := newSlack(b, slackfake.Options{RedeliverAfter: 3 * time.Second, OmitMessageEvents: true})
	extra := map[string]string{"POLICYCHECK_LOG_LEVEL": "info", "POLICYCHECK_LEASE": "5s"}
	if db != "" {
		extra["POLICYCHECK_DATABASE_URL"] = db
	}
	if w := os.Getenv("POLICYCHECK_WORKERS"); w != "" {
		extra["POLICYCHECK_WORKERS"] = w
	}
	dir := b.TempDir()
	var ps []*proc
	for range replicas {
		ps = append(ps, start(b, s, dir, extra))
	}
	ctx := ctxFor(b)
	if err := s.WaitConnections(ctx, replicas); err != nil {
		b.Fatal(err)
	}
	if faults && replicas > 1 {
		s.FailEvery("chat.postMessage", 10)
		s.FailEvery("chat.update", 10)
	}
	var acks []time.Duration
	var rate float64
	b.ResetTimer()
	for n := range b.N {
		channel := fmt.Sprintf("C0DURBL%03d", n)
		s.AddChannel(channel, "durable-"+strconv.Itoa(n), true)
		events := make([]string, durableBurst)
		began := time.Now()
		killed := false
		var sent []sentAt
		for i := range events {
			if faults && i == durableBurst/2 {
				ps[0].kill(ctx)
				killed = true
				if replicas == 1 {
					ps[0] = start(b, s, dir, extra)
				}
			}
			at := time.Now()
			d, err := s.Mention(ctx, channel, alice, "```"+burstPolicy+"```", slackfake.MessageOptions{})
			if err != nil {
				b.Fatal(err)
			}
			events[i] = d.TS
			id := d.Envelopes[0]
			if faults && replicas > 1 && i%20 == 0 {
				if _, err := s.Redeliver(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
			if !killed {
				sent = append(sent, sentAt{id, at})
			}
		}
		seen, err := watchCards(ctx, s, nil, channel, events)
		if err != nil {
			missing := 0
			for _, ts := range events {
				if _, ok := seen[ts]; !ok {
					missing++
					if missing < 5 {
						var ms []slackfake.Message
						for _, m := range s.Messages(channel) {
							if m.ThreadTS == ts {
								ms = append(ms, m)
							}
						}
						b.Logf("no card for %s: %s", ts, dump(ms))
					}
				}
			}
			b.Fatalf("%d cards of %d: %v; queue depth %v", len(seen), durableBurst, err, ps[len(ps)-1].metric("policycheck_queue_depth"))
		}
		for _, o := range sent {
			if s.AckCount(o.id) == 0 {
				continue // sent to the replica killed before it acknowledged; delivered again
			}
			ack, err := s.WaitAck(ctx, o.id)
			if err != nil {
				b.Fatal(err)
			}
			acks = append(acks, ack.Received.Sub(o.at))
		}
		var last time.Time
		for _, t := range seen {
			if t.After(last) {
				last = t
			}
		}
		rate = float64(durableBurst) / last.Sub(began).Seconds()
		answers := map[string]int{}
		for _, m := range s.Messages(channel) {
			if fromBot(m) && (isCard(m) || isFailure(m)) {
				answers[m.ThreadTS]++
			}
		}
		for _, ts := range events {
			if answers[ts] != 1 {
				b.Errorf("event %s: %d answers, want 1", ts, answers[ts])
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(ms(percentile(acks, 0.99)), "ack-p99-ms")
	b.ReportMetric(rate, "cards/s")
	if faults && replicas > 1 {
		b.ReportMetric(ps[len(ps)-1].metric("policycheck_leases_taken_over_total"), "taken-over")
		b.ReportMetric(ps[len(ps)-1].metric(`policycheck_slack_post_retries_total{method="chat.postMessage"}`), "posts-retried")
	}
}

// sentAt is an envelope and when the fake began to send it.
type sentAt struct {
	id string
	at time.Time
}
