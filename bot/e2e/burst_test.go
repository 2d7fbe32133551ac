package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/policycheck/policycheck/internal/slackfake"
)

// burstPolicy is a realistic policy with findings and no suggestion too
// long for a card.
const burstPolicy = `{"Version": "2012-10-17", "Statement": [
 {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]},
 {"Sid": "Table", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
 {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
]}`

const burstSize = 200

// BenchmarkBurst sends bursts of 200 app_mention envelopes with a policy,
// written back to back on the Socket Mode link, and reports the ack
// latency (p99), the time from an envelope to its card (p50, p95, max),
// and the peak resident memory of the bot (VmHWM).
//
//	go test ./bot/e2e -run '^$' -bench Burst -benchtime 5x
func BenchmarkBurst(b *testing.B) {
	s := newSlack(b, slackfake.Options{})
	p := start(b, s, b.TempDir(), map[string]string{"POLICYCHECK_LOG_LEVEL": "info"})
	cfg := s.Config()

	var acks, lat []time.Duration
	seq := 0
	b.ResetTimer()
	for range b.N {
		ctx := ctxFor(b)
		type sent struct {
			at      time.Time
			ts, env string
		}
		out := make([]sent, burstSize)
		for i := range out {
			seq++
			out[i].ts = fmt.Sprintf("1800000000.%06d", seq)
			payload := mentionPayload(cfg, seq, out[i].ts)
			out[i].at = time.Now()
			id, err := s.Send(ctx, slackfake.Envelope{Type: "events_api", Payload: payload})
			if err != nil {
				b.Fatal(err)
			}
			out[i].env = id
		}
		for _, o := range out {
			ack, err := s.WaitAck(ctx, o.env)
			if err != nil {
				b.Fatal(err)
			}
			acks = append(acks, ack.Received.Sub(o.at))
		}
		// Poll the channel (outside the fake's lock) for the cards.
		pending := map[string]int{}
		for i, o := range out {
			pending[o.ts] = i
		}
		err := poll(ctx, p.done, func() bool {
			now := time.Now()
			for _, m := range s.Messages(general) {
				i, ok := pending[m.ThreadTS]
				if ok && m.BotID != "" && m.Updated > 0 && strings.Contains(string(m.Blocks), "Policy review: ") {
					lat = append(lat, now.Sub(out[i].at))
					delete(pending, m.ThreadTS)
				}
			}
			return len(pending) == 0
		})
		if err != nil {
			b.Fatalf("%d requests without a card: %v", len(pending), err)
		}
	}
	b.StopTimer()

	for _, e := range s.Envelopes() {
		if n := s.AckCount(e.ID); n != 1 {
			b.Errorf("envelope %s acked %d times, want once", e.ID, n)
		}
	}
	b.ReportMetric(ms(percentile(acks, 0.99)), "ack-p99-ms")
	b.ReportMetric(ms(percentile(lat, 0.50)), "card-p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.95)), "card-p95-ms")
	b.ReportMetric(ms(slices.Max(lat)), "card-max-ms")
	if hwm, err := vmHWM(p.cmd.Process.Pid); err == nil {
		b.ReportMetric(float64(hwm)/1024, "bot-VmHWM-MB")
	} else {
		b.Logf("VmHWM: %v", err)
	}
}

// mentionPayload is an event_callback with an app_mention of the bot
// holding burstPolicy in a code block, as Slack sends it.
func mentionPayload(cfg slackfake.Options, seq int, ts string) json.RawMessage {
	mention := "<@" + cfg.BotUserID + ">"
	ev := map[string]any{
		"type": "app_mention", "user": alice, "ts": ts, "channel": general, "event_ts": ts, "team": cfg.TeamID,
		"text": mention + " ```" + strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(burstPolicy) + "```",
		"blocks": []any{map[string]any{"type": "rich_text", "block_id": "b" + strconv.Itoa(seq), "elements": []any{
			map[string]any{"type": "rich_text_section", "elements": []any{
				map[string]any{"type": "user", "user_id": cfg.BotUserID}, map[string]any{"type": "text", "text": " "}}},
			map[string]any{"type": "rich_text_preformatted", "elements": []any{map[string]any{"type": "text", "text": burstPolicy}}},
		}}},
	}
	data, _ := json.Marshal(map[string]any{
		"token": cfg.VerificationToken, "team_id": cfg.TeamID, "api_app_id": cfg.AppID, "type": "event_callback",
		"event_id": fmt.Sprintf("EvBURST%06d", seq), "event_time": 1800000000, "event": ev,
		"authorizations": []any{map[string]any{"team_id": cfg.TeamID, "user_id": cfg.BotUserID, "is_bot": true}},
	})
	return data
}
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// vmHWM is the peak resident set size of a process, in KB.
func vmHWM(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
