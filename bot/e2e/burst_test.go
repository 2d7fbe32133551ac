package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
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
// written back to back on the Socket Mode link, and reports:
//
//   - ack-p99-ms: the time from the fake starting to write an envelope to
//     the fake receiving its ack, 99th percentile;
//   - card-p50/p95/max-ms: the time from the fake starting to write an
//     envelope to the card's chat.update (or chat.postMessage) reaching
//     the fake, taken as the request arrives, before the fake works on it;
//   - bot-VmHWM-MB: the bot's peak resident memory;
//   - bot-cpu-ms/req and fake-cpu-ms/req: the CPU time the bot process,
//     and this process (the fake Slack and the benchmark), spent per
//     request during the bursts. On a machine with few cores the two
//     compete; these figures do not depend on that.
//
// Every envelope must be acknowledged exactly once and answered with
// exactly one card.
//
//	go test ./bot/e2e -run '^$' -bench Burst -benchtime 5x
//
// POLICYCHECK_WORKERS, when set, is passed to the bot; with
// POLICYCHECK_BENCH_PROFILE=DIR the bot's CPU and allocation profiles
// during the bursts are written to DIR (see profile_test.go).
func BenchmarkBurst(b *testing.B) {
	s := newSlack(b, slackfake.Options{})
	tap := newCardTap(b, s)
	extra := map[string]string{"POLICYCHECK_LOG_LEVEL": "info", "SLACK_API_URL": tap.apiURL()}
	if w := os.Getenv("POLICYCHECK_WORKERS"); w != "" {
		extra["POLICYCHECK_WORKERS"] = w
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
	for range b.N {
		ctx := ctxFor(b)
		type sent struct {
			at      time.Time
			ts, env string
			payload json.RawMessage
		}
		out := make([]sent, burstSize)
		for i := range out {
			seq++
			out[i].ts = fmt.Sprintf("1800000000.%06d", seq)
			out[i].payload = mentionPayload(cfg, seq, out[i].ts)
		}
		bot0, fake0 := cpuTime(b, pid), cpuTime(b, "self")
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
		if err := tap.wait(ctx, p.done, seq); err != nil {
			b.Fatalf("%d cards of %d: %v", tap.count(), seq, err)
		}
		botCPU += cpuTime(b, pid) - bot0
		fakeCPU += cpuTime(b, "self") - fake0

		// Each event has one answer, a card; its arrival at the fake is
		// found by the message it updated or the thread it was posted in.
		answers := map[string][]slackfake.Message{}
		for _, m := range s.Messages(general) {
			if fromBot(m) {
				answers[m.ThreadTS] = append(answers[m.ThreadTS], m)
			}
		}
		for _, o := range out {
			ms := answers[o.ts]
			if len(ms) != 1 || !isCard(ms[0]) {
				b.Fatalf("event %s: %d answers, want one card: %s", o.ts, len(ms), dump(ms))
			}
			at, ok := tap.arrival(ms[0].TS, o.ts)
			if !ok {
				b.Fatalf("event %s: no card seen reaching the fake", o.ts)
			}
			lat = append(lat, at.Sub(o.at))
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

// cardTap stands between the bot and the fake's Web API and records when
// each review card reaches it: the arrival of a chat.update or
// chat.postMessage whose blocks hold a card, before it is forwarded. The
// fake records no times of its own; the tap's cost is one loopback hop
// per Web API call.
type cardTap struct {
	srv   *httptest.Server
	proxy *httputil.ReverseProxy

	mu      sync.Mutex
	changed chan struct{}        // closed and replaced on every card answered
	updated map[string]time.Time // by the ts of the message updated
	posted  map[string]time.Time // by the thread posted in
	done    int                  // cards the fake has answered
}

// cardTitle is the title of a card, as it is in a JSON body and in a form.
var (
	cardTitle     = []byte("Policy review: ")
	cardTitleForm = []byte(url.QueryEscape("Policy review: "))
)

func newCardTap(t testing.TB, s *slackfake.Server) *cardTap {
	target, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	tap := &cardTap{changed: make(chan struct{}), updated: map[string]time.Time{}, posted: map[string]time.Time{}}
	tap.proxy = httputil.NewSingleHostReverseProxy(target)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	tap.proxy.Transport = tr
	tap.srv = httptest.NewServer(http.HandlerFunc(tap.serve))
	t.Cleanup(tap.srv.Close)
	return tap
}

func (tap *cardTap) apiURL() string { return tap.srv.URL + "/api/" }

func (tap *cardTap) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	card := false
	if method == "chat.update" || method == "chat.postMessage" {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.Contains(body, cardTitle) || bytes.Contains(body, cardTitleForm) {
			if ts, thread, err := messageRef(r.Header.Get("Content-Type"), body); err == nil {
				card = tap.record(method, ts, thread, at)
			}
		}
	}
	tap.proxy.ServeHTTP(w, r)
	if card {
		tap.mu.Lock()
		tap.done++
		close(tap.changed)
		tap.changed = make(chan struct{})
		tap.mu.Unlock()
	}
}

// messageRef reads the message a chat method updates (ts) and the thread
// it posts in, from a JSON or a form body.
func messageRef(contentType string, body []byte) (ts, thread string, err error) {
	if strings.HasPrefix(contentType, "application/json") {
		var m struct {
			TS       string `json:"ts"`
			ThreadTS string `json:"thread_ts"`
		}
		err := json.Unmarshal(body, &m)
		return m.TS, m.ThreadTS, err
	}
	form, err := url.ParseQuery(string(body))
	return form.Get("ts"), form.Get("thread_ts"), err
}

// record notes the arrival of a card and reports whether it is the first
// for its message.
func (tap *cardTap) record(method, ts, thread string, at time.Time) bool {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	seen, key := tap.updated, ts
	if method == "chat.postMessage" {
		seen, key = tap.posted, thread
	}
	if _, dup := seen[key]; dup {
		return false
	}
	seen[key] = at
	return true
}

func (tap *cardTap) count() int {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	return tap.done
}

// wait waits until the fake has answered n cards.
func (tap *cardTap) wait(ctx context.Context, done <-chan struct{}, n int) error {
	for {
		tap.mu.Lock()
		got, ch := tap.done, tap.changed
		tap.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-done:
			return fmt.Errorf("the bot exited")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// arrival is when the card of a request reached the fake: the update of
// message ts, or the post in thread.
func (tap *cardTap) arrival(ts, thread string) (time.Time, bool) {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	if at, ok := tap.updated[ts]; ok {
		return at, true
	}
	at, ok := tap.posted[thread]
	return at, ok
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
