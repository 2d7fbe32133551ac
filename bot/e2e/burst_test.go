package e2e

import (
	"bytes"
	"context"
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
// written back to back on the Socket Mode link (payloads are made before
// the burst), each burst in a channel of its own, and reports:
//
//   - ack-p99-ms: the time from the fake starting to write an envelope to
//     the fake receiving its ack, 99th percentile;
//   - card-p50/p95/max-ms: the time from the fake starting to write an
//     envelope to the fake holding its card (after the chat.update, or
//     chat.postMessage, that shows it), polled every 2 ms;
//   - bot-VmHWM-MB: the bot's peak resident memory;
//   - bot-cpu-ms/req and fake-cpu-ms/req: the CPU time the bot process,
//     and this process (the fake Slack and the benchmark), spent per
//     request during the bursts, in ticks of 10 ms summed over them.
//
// The fake runs in this process, on the same processors as the bot: its
// own work (about 1 ms of CPU per request, mostly checking and encoding
// Block Kit) delays the bot on a machine with few cores. fake-cpu-ms/req
// shows how much. The measurement itself costs little: the payloads are
// made beforehand, acks are waited for, and the poll copies one burst's
// messages and looks only into the updated ones.
//
// Every envelope must be acknowledged exactly once and answered with
// exactly one card.
//
//	go test ./bot/e2e -run '^$' -bench Burst -benchtime 5x
//
// POLICYCHECK_WORKERS, GOGC, GOMEMLIMIT and GOMAXPROCS, when set, are
// passed to the bot, for experiments; with POLICYCHECK_BENCH_PROFILE=DIR
// the bot's CPU and allocation profiles during the bursts are written to
// DIR (see profile_test.go).
func BenchmarkBurst(b *testing.B) {
	s := newSlack(b, slackfake.Options{})
	extra := map[string]string{"POLICYCHECK_LOG_LEVEL": "info"}
	for _, v := range []string{"POLICYCHECK_WORKERS", "GOGC", "GOMEMLIMIT", "GOMAXPROCS"} {
		if val := os.Getenv(v); val != "" {
			extra[v] = val
		}
	}
	p := start(b, s, b.TempDir(), profilerEnv(extra))
	prof := newProfiler(b, p)
	cfg := s.Config()
	pid := strconv.Itoa(p.cmd.Process.Pid)

	var acks, lat []time.Duration
	var botCPU, fakeCPU time.Duration
	seq := 0
	prof.start(b)
	b.ResetTimer()
	for n := range b.N {
		ctx := ctxFor(b)
		// Each burst in a channel of its own, so that polling for its
		// cards does not copy the earlier ones.
		channel := fmt.Sprintf("C0BURST%03d", n)
		s.AddChannel(channel, "burst-"+strconv.Itoa(n), true)
		type sent struct {
			at      time.Time
			ts, env string
			payload json.RawMessage
		}
		out := make([]sent, burstSize)
		events := make([]string, burstSize)
		for i := range out {
			seq++
			out[i].ts = fmt.Sprintf("1800000000.%06d", seq)
			out[i].payload = mentionPayload(cfg, channel, seq, out[i].ts)
			events[i] = out[i].ts
		}
		bot0, fake0 := cpuTime(b, pid), cpuTime(b, "self")
		cards := make(chan map[string]time.Time, 1)
		watchErr := make(chan error, 1)
		go func() {
			seen, err := watchCards(ctx, s, p.done, channel, events)
			cards <- seen
			watchErr <- err
		}()
		for i := range out {
			out[i].at = time.Now()
			id, err := s.Send(ctx, slackfake.Envelope{Type: "events_api", Payload: out[i].payload})
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
		seen := <-cards
		if err := <-watchErr; err != nil {
			b.Fatalf("%d cards of %d: %v", len(seen), burstSize, err)
		}
		botCPU += cpuTime(b, pid) - bot0
		fakeCPU += cpuTime(b, "self") - fake0

		// Each event has one answer: its card (a long suggestion comes
		// as a file beside it, which is not another answer).
		for _, o := range out {
			if ms := answers(s, channel, o.ts); len(ms) != 1 || !isCard(ms[0]) {
				b.Fatalf("event %s: %d answers, want one card: %s", o.ts, len(ms), dump(ms))
			}
			lat = append(lat, seen[o.ts].Sub(o.at))
		}
	}
	b.StopTimer()
	prof.stop(b)

	for _, e := range s.Envelopes() {
		if n := s.AckCount(e.ID); n != 1 {
			b.Errorf("envelope %s acked %d times, want once", e.ID, n)
		}
	}
	b.ReportMetric(ms(percentile(acks, 0.99)), "ack-p99-ms")
	b.ReportMetric(ms(percentile(lat, 0.50)), "card-p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.95)), "card-p95-ms")
	b.ReportMetric(ms(slices.Max(lat)), "card-max-ms")
	b.ReportMetric(ms(botCPU)/float64(seq), "bot-cpu-ms/req")
	b.ReportMetric(ms(fakeCPU)/float64(seq), "fake-cpu-ms/req")
	if hwm, err := vmHWM(p.cmd.Process.Pid); err == nil {
		b.ReportMetric(float64(hwm)/1024, "bot-VmHWM-MB")
	} else {
		b.Logf("VmHWM: %v", err)
	}
}

// mentionPayload is an event_callback with an app_mention of the bot
// holding burstPolicy in a code block, as Slack sends it.
func mentionPayload(cfg slackfake.Options, channel string, seq int, ts string) json.RawMessage {
	mention := "<@" + cfg.BotUserID + ">"
	ev := map[string]any{
		"type": "app_mention", "user": alice, "ts": ts, "channel": channel, "event_ts": ts, "team": cfg.TeamID,
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

// cardPoll is how often the channel of a burst is polled for cards.
const cardPoll = 2 * time.Millisecond

// watchCards polls channel until the card of every event in events (by
// ts) is there, and returns when each was first seen. A card is seen at
// most cardPoll after the fake took it. A poll copies the channel's
// messages (one burst's) and looks into the new ones only.
func watchCards(ctx context.Context, s *slackfake.Server, done <-chan struct{}, channel string, events []string) (map[string]time.Time, error) {
	seen := make(map[string]time.Time, len(events))
	pending := make(map[string]bool, len(events))
	for _, ts := range events {
		pending[ts] = true
	}
	t := time.NewTicker(cardPoll)
	defer t.Stop()
	for len(pending) > 0 {
		select {
		case <-ctx.Done():
			return seen, ctx.Err()
		case <-done:
			return seen, fmt.Errorf("the bot exited")
		case <-t.C:
		}
		now := time.Now()
		for _, m := range s.Messages(channel) {
			if pending[m.ThreadTS] && fromBot(m) && isCard(m) {
				seen[m.ThreadTS] = now
				delete(pending, m.ThreadTS)
			}
		}
	}
	return seen, nil
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

// cpuTime is the CPU time (user and system) a process has used so far;
// pid is a process ID or "self". Linux counts it in ticks of 10 ms.
func cpuTime(t testing.TB, pid string) time.Duration {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the command name, which is in parentheses: state
	// is field 3, utime 14 and stime 15.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		t.Fatalf("/proc/%s/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("/proc/%s/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(utime+stime) * tick
}
