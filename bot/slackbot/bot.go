package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/health"
	"github.com/policycheck/policycheck/bot/store"
)

// Reviewer reviews one input; an input that is not a policy gives a
// *policy.Error.
type Reviewer interface {
	Review(ctx context.Context, in review.Input) (*report.Report, error)
}

// Store keeps the requests, the reviews and the keys of the deliveries
// already handled: the part of store.Store the bot uses.
type Store interface {
	Enqueue(ctx context.Context, reqs []*store.Request) ([]bool, error)
	Claim(ctx context.Context, owner string, lease time.Duration) (store.Request, bool, error)
	Extend(ctx context.Context, id, owner string, lease time.Duration) error
	Release(ctx context.Context, id, owner string, delay time.Duration) error
	Finish(ctx context.Context, id, owner string) error
	Pending(ctx context.Context) (int, error)
	RecordPost(ctx context.Context, key, ts string) error
	Posted(ctx context.Context, key string) (string, bool, error)
	FirstDelivery(ctx context.Context, key, holder string) (bool, error)
	Create(ctx context.Context, r *store.Review) error
	SetCard(ctx context.Context, id, channelID, cardTS string) error
	Update(ctx context.Context, id, policyText string, reportJSON []byte, score int) error
	Get(ctx context.Context, id string) (store.Review, error)
	History(ctx context.Context, teamID, userID string, limit int) ([]store.Review, error)
	ByThread(ctx context.Context, channelID, threadTS string) (store.Review, error)
}

// Options configure a Bot.
type Options struct {
	BotToken string // xoxb-...
	AppToken string // xapp-...
	APIURL   string // the Web API base, ending in "/"; slack.APIURL when empty

	// WatchChannels are channel IDs or names where every policy posted is
	// reviewed without a mention.
	WatchChannels []string
	// Workers run requests at the same time.
	Workers int
	// ShutdownTimeout bounds how long Run waits for in-flight work after
	// its context ends.
	ShutdownTimeout time.Duration
	// Lease is how long a request claimed by a worker stays its own
	// without being renewed: a process that dies leaves its requests to
	// others for that long. Default 30 s.
	Lease time.Duration
	// PostDeadline bounds the retries of posting an answer when Slack
	// fails; then the requester is told the review failed. Default 2 min.
	PostDeadline time.Duration

	Logger   *slog.Logger     // default: discard
	Registry *health.Registry // where metrics are registered; default: a private one
	// HTTPClient carries Web API calls, file downloads and response_url
	// posts; default: one with a 30 s timeout.
	HTTPClient *http.Client
}

// Limits of the bot's work.
const (
	jobTimeout  = 5 * time.Minute  // one request: its reviews and Slack calls
	sideTasks   = 16               // modal openings and busy notices at once
	sideTimeout = 10 * time.Second // one of those
	// ackTimeout bounds the wait to queue an ack. It is short: when the
	// link is down acks cannot be sent, Slack sends the envelope again,
	// and the loop must get back to draining events.
	ackTimeout = 500 * time.Millisecond
	// A request starts once no envelope has come for burstQuiet and
	// every envelope is acknowledged; a burst of envelopes holds requests
	// back burstHold at most (see lull). burstQuiet is longer than the
	// pauses a busy machine makes inside a burst (2 ms let reviews start
	// in them).
	burstQuiet    = 10 * time.Millisecond
	burstHold     = 500 * time.Millisecond
	historyLength = 15 // reviews listed by /policycheck history
)

// Bot is the Slack bot. Build it with New and run it with Run.
type Bot struct {
	opts    Options
	api     *slack.Client
	http    *http.Client
	rv      Reviewer
	asker   Asker     // nil: no follow-up questions
	gen     Generator // nil: no /policycheck generate
	st      Store
	log     *slog.Logger
	metrics *metrics
	lull    *lull

	owner      string        // names this process in leases
	intake     chan intake   // envelopes to record, then acknowledge
	wake       chan struct{} // tells idle workers a request was recorded
	workers    sync.WaitGroup
	storeState storeState

	self    identity
	mention *regexp.Regexp
	watch   *watchList
	locales locales

	connected atomic.Bool
	appID     atomic.Pointer[string] // the app's ID, from Slack's hello

	side   chan struct{} // semaphore of side tasks
	sideWG sync.WaitGroup

	// workCtx is the context of all requests; it ends when the shutdown
	// timeout is over.
	workCtx  context.Context
	stopWork context.CancelFunc
}

// identity is who the bot is, from auth.test.
type identity struct {
	TeamID, UserID, BotID string
	// EnterpriseID is set for an app installed on a whole Enterprise
	// Grid organization, whose requests come from its many teams.
	EnterpriseID string
}

// New checks the bot token with auth.test and returns a Bot ready to Run.
func New(ctx context.Context, rv Reviewer, st Store, opts Options) (*Bot, error) {
	if opts.Workers < 1 {
		opts.Workers = 1
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.PostDeadline <= 0 {
		opts.PostDeadline = 2 * time.Minute
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 20 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registry == nil {
		opts.Registry = health.NewRegistry()
	}
	if opts.HTTPClient == nil {
		// Every worker and side task may call Slack at once: keep a
		// connection for each, rather than the default two, so that a
		// burst does not open and close connections all along.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = opts.Workers + sideTasks
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	}
	if opts.APIURL == "" {
		opts.APIURL = slack.APIURL
	}
	opts.HTTPClient = keepTokenToOrigin(opts.HTTPClient)
	b := &Bot{
		opts:   opts,
		http:   opts.HTTPClient,
		rv:     rv,
		st:     st,
		log:    opts.Logger,
		lull:   newLull(burstQuiet, burstHold),
		side:   make(chan struct{}, sideTasks),
		owner:  newOwner(),
		intake: make(chan intake, intakeSize),
		wake:   make(chan struct{}, opts.Workers),
	}
	b.asker, _ = rv.(Asker)
	b.gen, _ = rv.(Generator)
	b.workCtx, b.stopWork = context.WithCancel(context.Background())
	b.metrics = newMetrics(opts.Registry, b)

	retry := slack.RetryConfig{
		MaxRetries:     maxRetries,
		BackoffInitial: 250 * time.Millisecond,
		BackoffMax:     5 * time.Second,
		BackoffJitter:  100 * time.Millisecond,
	}
	retry.Handlers = []slack.RetryHandler{rateLimitRetry{b}, slack.NewConnectionErrorRetryHandler()}
	apiOpts := []slack.Option{
		slack.OptionHTTPClient(opts.HTTPClient),
		slack.OptionRetryConfig(retry),
		slack.OptionAppLevelToken(opts.AppToken),
		slack.OptionLog(slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug)),
		slack.OptionAPIURL(opts.APIURL),
	}
	b.api = slack.New(opts.BotToken, apiOpts...)

	auth, err := b.api.AuthTestContext(ctx)
	if err != nil {
		b.stopWork()
		if code := errorCode(err); code == "unreachable" || code == "error" || code == "timeout" || code == "canceled" {
			return nil, fmt.Errorf("cannot reach Slack (SLACK_API_URL %s) to check SLACK_BOT_TOKEN: %w", opts.APIURL, err)
		}
		return nil, explainAuth("SLACK_BOT_TOKEN", err)
	}
	b.self = identity{TeamID: auth.TeamID, UserID: auth.UserID, BotID: auth.BotID, EnterpriseID: auth.EnterpriseID}
	b.mention = mentionPattern(auth.UserID)
	b.watch = newWatchList(opts.WatchChannels)
	b.log.Info("authenticated with Slack", "team", auth.TeamID, "bot_user", auth.UserID, "bot_id", auth.BotID)
	return b, nil
}

// explainAuth turns a refused token into a message that says what to do.
func explainAuth(variable string, err error) error {
	code := errorCode(err)
	switch code {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type":
		how := "copy the Bot User OAuth Token (xoxb-...) again from OAuth & Permissions, reinstalling the app if it was uninstalled"
		if variable == "SLACK_APP_TOKEN" {
			how = "create an app-level token (xapp-...) with the connections:write scope under Basic Information > App-Level Tokens, and make sure Socket Mode is enabled"
		}
		return fmt.Errorf("%s was refused by Slack (%s): the token is wrong, revoked or for another app; %s", variable, code, how)
	}
	return fmt.Errorf("check %s with Slack: %w", variable, err)
}

// Ready reports whether the bot is connected to Slack and its store could
// be written lately.
func (b *Bot) Ready(ctx context.Context) error {
	if !b.connected.Load() {
		return errors.New("not connected to Slack")
	}
	return b.storeState.err()
}

// Run connects to Slack and serves until ctx ends or Slack refuses the
// app-level token. Then it stops taking new work, lets the requests in
// hand finish within the shutdown timeout, and returns: nil after ctx
// ended, an error when the connection could not be made.
func (b *Bot) Run(ctx context.Context) error {
	sm := socketmode.New(b.api, socketmode.OptionLog(slog.NewLogLogger(b.log.Handler(), slog.LevelDebug)),
		socketmode.OptionReadLimit(maxEnvelope))
	sockCtx, stopSocket := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSocket()
	runErr := make(chan error, 1)
	go func() { runErr <- sm.RunContext(sockCtx) }()
	recorded := make(chan struct{})
	go func() { b.record(); close(recorded) }()
	stopWorkers := make(chan struct{})
	for range b.opts.Workers {
		b.workers.Go(func() { b.work(stopWorkers) })
	}

	var err error
	running := true
	for running {
		select {
		case <-ctx.Done():
			running = false
		case err = <-runErr:
			// RunContext only gives up when Slack refuses the token.
			err = explainAuth("SLACK_APP_TOKEN", err)
			running = false
		case evt := <-sm.Events:
			b.handle(sm, evt)
		}
	}

	b.log.Info("stopping: no new requests")
	stopSocket()
	b.connected.Store(false)
	close(b.intake)
	<-recorded
	close(stopWorkers)
	b.drain()
	if err == nil {
		select {
		case <-runErr:
		case <-time.After(5 * time.Second):
		}
	}
	return err
}

// drain waits for the running requests, within the shutdown timeout; then
// it cancels them (they are released, to be run again by the next process
// or another one) and waits a little more. Requests not started stay in
// the store.
func (b *Bot) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.ShutdownTimeout)
	defer cancel()
	wait := func(ctx context.Context) error {
		done := make(chan struct{})
		go func() { b.workers.Wait(); b.sideWG.Wait(); close(done) }()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := wait(ctx); err != nil {
		b.log.Warn("shutdown timeout reached: cancelling the requests in hand", "timeout", b.opts.ShutdownTimeout)
		b.stopWork()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := wait(ctx); err != nil {
			b.log.Error("requests still running after cancellation", "err", err)
		}
	}
	b.stopWork()
	b.log.Info("stopped")
}

// handle acts on one event of the Socket Mode client.
func (b *Bot) handle(sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.connected.Store(false)
		b.log.Debug("connecting to Slack")
	case socketmode.EventTypeConnected:
		if c, ok := evt.Data.(*socketmode.ConnectedEvent); ok && c.ConnectionCount > 0 {
			b.metrics.reconnects.Inc()
		}
	case socketmode.EventTypeHello:
		if evt.Request != nil && evt.Request.ConnectionInfo.AppID != "" {
			b.appID.Store(&evt.Request.ConnectionInfo.AppID)
		}
		b.connected.Store(true)
		b.log.Info("connected to Slack")
	case socketmode.EventTypeDisconnect:
		b.connected.Store(false)
		reason := ""
		if evt.Request != nil {
			reason = evt.Request.Reason
		}
		b.log.Info("Slack asked to reconnect", "reason", reason)
	case socketmode.EventTypeConnectionError:
		b.connected.Store(false)
		b.log.Warn("cannot connect to Slack; retrying", "err", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		b.connected.Store(false)
		b.log.Error("Slack refused the app-level token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeErrorBadMessage:
		b.badMessage(sm, evt)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		b.log.Warn("socket mode error", "type", evt.Type, "err", fmt.Sprint(evt.Data))
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		b.envelope(sm, evt)
	}
}

// envelope acknowledges a request at once, with a response when one is
// due, and hands the work to the pool.
func (b *Bot) envelope(sm *socketmode.Client, evt socketmode.Event) {
	req := evt.Request
	b.metrics.received.Inc(req.Type)
	if req.RetryAttempt > 0 {
		b.log.Debug("envelope redelivered", "type", req.Type, "retry_attempt", req.RetryAttempt, "reason", req.RetryReason)
	}
	received := time.Now()
	b.lull.arrived(received)
	b.dispatch(sm, req.EnvelopeID, req.Type, requestKey(evt, req.Type, req.Payload), req.Payload, b.route(func() decision {
		switch evt.Type {
		case socketmode.EventTypeEventsAPI:
			if api, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
				return b.routeEvent(received, api)
			}
		case socketmode.EventTypeSlashCommand:
			if cmd, ok := evt.Data.(slack.SlashCommand); ok {
				return b.routeCommand(received, cmd)
			}
		case socketmode.EventTypeInteractive:
			if cb, ok := evt.Data.(slack.InteractionCallback); ok {
				return b.routeInteraction(received, cb)
			}
		}
		return decision{}
	}))
}

// badMessage acknowledges an envelope slack-go could not decode, so that
// Slack does not send it again and again, and answers it when it is a
// message the bot can still read.
func (b *Bot) badMessage(sm *socketmode.Client, evt socketmode.Event) {
	bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	var env struct {
		EnvelopeID string          `json:"envelope_id"`
		Type       string          `json:"type"`
		Payload    json.RawMessage `json:"payload"`
	}
	json.Unmarshal(bad.Message, &env)
	b.log.Warn("Slack sent an envelope slack-go cannot read", "type", env.Type, "envelope_id", env.EnvelopeID, "err", bad.Cause)
	if env.EnvelopeID == "" {
		return
	}
	b.metrics.received.Inc(env.Type)
	received := time.Now()
	b.dispatch(sm, env.EnvelopeID, env.Type, requestKey(socketmode.Event{}, env.Type, env.Payload), env.Payload, b.route(func() decision {
		if env.Type != socketmode.RequestTypeEventsAPI {
			return decision{}
		}
		// A value of an unexpected type leaves its field empty; the
		// rest is read.
		var raw rawEvent
		var typeErr *json.UnmarshalTypeError
		if err := json.Unmarshal(env.Payload, &raw); (err != nil && !errors.As(err, &typeErr)) || raw.Type != slackevents.CallbackEvent {
			return decision{}
		}
		return b.routeMessage(received, raw.TeamID, raw.Event)
	}))
}

// route runs a routing function, recovering from a panic.
func (b *Bot) route(f func() decision) (d decision) {
	defer func() {
		if p := recover(); p != nil {
			b.recovered("route", p)
			d = decision{}
		}
	}()
	return f()
}

// dispatch acknowledges an envelope as d says and hands over its work:
// an envelope that brings a request is acknowledged once the request is
// recorded (see accept); others at once, their side work started after.
func (b *Bot) dispatch(sm *socketmode.Client, envelopeID, typ, key string, payload []byte, d decision) {
	ack := func() {
		ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
		err := sm.AckCtx(ctx, envelopeID, d.ack)
		cancel()
		if err != nil {
			b.log.Warn("ack failed", "type", typ, "envelope_id", envelopeID, "err", err)
		} else {
			b.metrics.acked.Inc(typ)
		}
	}
	if d.job != nil {
		b.lull.unacked.Add(1)
		b.accept(intake{req: &store.Request{ID: key, Type: typ, Payload: payload}, ack: ack, kind: d.kind, envType: typ})
		return
	}
	ack()
	if d.side != nil {
		b.sideTask(d.side)
	}
}

// decision is what to do with an envelope: the ack payload, and the work
// to queue, or to run at once on the side.
type decision struct {
	kind string // for metrics and logs: "mention", "command"...
	ack  any    // ack payload; nil for a bare ack
	// job is recorded, then run by a worker; fail answers when it
	// panics.
	job  func(ctx context.Context)
	fail func(ctx context.Context, err error)
	// busyAck answers when the work cannot be started (no room for a
	// side task).
	busyAck any
	// side runs outside the pool, at once (opening a dialog).
	side func(ctx context.Context)
}

// runJob runs one request on a worker, recovering from a panic.
func (b *Bot) runJob(ctx context.Context, kind string, job func(ctx context.Context), fail func(ctx context.Context, err error)) {
	defer func() {
		if p := recover(); p != nil {
			b.recovered(kind, p)
			if fail != nil {
				func() {
					defer func() {
						if p := recover(); p != nil {
							b.recovered(kind+" failure", p)
						}
					}()
					fail(ctx, fmt.Errorf("internal error: %v", p))
				}()
			}
		}
	}()
	job(ctx)
}

// sideTask runs f outside the pool if fewer than sideTasks run already.
func (b *Bot) sideTask(f func(ctx context.Context)) {
	select {
	case b.side <- struct{}{}:
	default:
		b.log.Warn("too many side tasks: dropped one")
		return
	}
	b.sideWG.Go(func() {
		defer func() { <-b.side }()
		ctx, cancel := context.WithTimeout(b.workCtx, sideTimeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				b.recovered("side task", p)
			}
		}()
		f(ctx)
	})
}

// recovered logs a recovered panic with its stack.
func (b *Bot) recovered(where string, p any) {
	b.metrics.panics.Inc()
	b.log.Error("panic recovered", "in", where, "panic", fmt.Sprint(p), "stack", stack())
}
