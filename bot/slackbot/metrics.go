package slackbot

import (
	"context"
	"time"

	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/bot/health"
)

// metrics are the bot's counters, registered in a health.Registry.
type metrics struct {
	received    *health.Counter // envelopes by type
	acked       *health.Counter // envelopes by type
	reviews     *health.Counter // by outcome
	duration    *health.Histogram
	latency     *health.Histogram
	unacked     *health.Counter // envelopes left unacknowledged, by reason
	takenOver   *health.Counter // requests whose lease ran out, run here
	postRetries *health.Counter // Slack posts retried, by method
	duplicates  *health.Counter // deliveries already handled, by kind
	apiErrors   *health.Counter // Slack calls failed, by method and error
	rateLimited *health.Counter // HTTP 429 answers, by method
	reconnects  *health.Counter
	panics      *health.Counter
	generations *health.Counter // policies written, by outcome
	modelTokens *health.Counter // tokens of the model's calls, by kind
	modelCalls  *health.Counter
}

// countUsage adds the tokens of a review's or an answer's model calls.
func (m *metrics) countUsage(u *report.Usage) {
	if u == nil || u.Calls == 0 {
		return
	}
	m.modelCalls.Add(float64(u.Calls))
	m.modelTokens.Add(float64(u.InputTokens), "input")
	m.modelTokens.Add(float64(u.OutputTokens), "output")
	m.modelTokens.Add(float64(u.CacheReadInputTokens), "cache_read")
	m.modelTokens.Add(float64(u.CacheWriteInputTokens), "cache_write")
}

// Review outcomes.
const (
	outcomeOK      = "ok"      // reviewed, card shown
	outcomeInvalid = "invalid" // not a policy, or not readable: the user was told why
	outcomeFailed  = "failed"  // the review itself failed
)

func newMetrics(reg *health.Registry, b *Bot) *metrics {
	buckets := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
	m := &metrics{
		received:    reg.Counter("policycheck_envelopes_received_total", "Socket Mode envelopes received, by type.", "type"),
		acked:       reg.Counter("policycheck_envelopes_acked_total", "Socket Mode envelopes acknowledged, by type.", "type"),
		reviews:     reg.Counter("policycheck_reviews_total", "Reviews made, by outcome (ok, invalid, failed).", "outcome"),
		duration:    reg.Histogram("policycheck_review_duration_seconds", "Time the review engine took for one input.", buckets),
		latency:     reg.Histogram("policycheck_response_duration_seconds", "Time from receiving a request to showing its answer.", buckets),
		unacked:     reg.Counter("policycheck_envelopes_unacked_total", "Envelopes left for Slack to deliver again because they could not be recorded, by reason (store_failed, intake_full).", "reason"),
		takenOver:   reg.Counter("policycheck_leases_taken_over_total", "Requests run here after the lease of another process (or of this one before a restart) ran out."),
		postRetries: reg.Counter("policycheck_slack_post_retries_total", "Posts to Slack retried after a failure of Slack's, by method.", "method"),
		duplicates:  reg.Counter("policycheck_duplicate_deliveries_total", "Deliveries already handled (Slack retries, a mention seen as two events), by kind.", "kind"),
		apiErrors:   reg.Counter("policycheck_slack_api_errors_total", "Slack Web API calls that failed, by method and error.", "method", "error"),
		rateLimited: reg.Counter("policycheck_slack_rate_limited_total", "Slack Web API answers of HTTP 429, by method.", "method"),
		reconnects:  reg.Counter("policycheck_socket_reconnects_total", "Socket Mode connections opened after the first."),
		panics:      reg.Counter("policycheck_panics_total", "Handlers that panicked and were recovered."),
		generations: reg.Counter("policycheck_generations_total", "Policies written from a description, by outcome (ok, invalid, failed).", "outcome"),
		modelTokens: reg.Counter("policycheck_model_tokens_total", "Tokens of the model's calls as Bedrock bills them, by kind (input, output, cache_read, cache_write).", "kind"),
		modelCalls:  reg.Counter("policycheck_model_calls_total", "Calls to the model, retries of a refused form included."),
	}
	reg.GaugeFunc("policycheck_queue_depth", "Requests recorded and not finished, in the whole database (every replica's); -1 when it cannot be read.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := b.st.Pending(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	reg.GaugeFunc("policycheck_socket_connected", "1 when connected to Slack.", func() float64 {
		if b.connected.Load() {
			return 1
		}
		return 0
	})
	return m
}
