package slackbot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/policycheck/policycheck/bot/store"
)

// Durable requests.
//
// An envelope that brings work is recorded in the store (store.Request)
// before it is acknowledged: the event loop hands it to the intake, which
// writes the envelopes that came meanwhile in one transaction and then
// acknowledges them. An envelope that cannot be recorded is not
// acknowledged, so Slack delivers it again. Workers claim the recorded
// requests from the store under a lease that they renew while they work,
// decode and route the payload again, and run the request; a request is
// finished once answered. A process that dies leaves its requests to be
// taken over when their leases run out (a single SQLite process ends its
// old leases at start, see sqlite.Open).
//
// Running a request again posts nothing twice: each message a request
// posts is numbered, and its ts recorded (store.RecordPost); the same
// message of a run again is found there, or, when the earlier run died
// before recording it, in Slack by the key in the message's metadata.

// Limits of durable requests.
const (
	intakeSize  = 4096 // envelopes waiting to be recorded
	intakeBatch = 256  // envelopes recorded in one transaction
	// intakeWrites is the number of batches written at once; the
	// PostgreSQL store keeps as many connections for them
	// (postgres.IntakeConns).
	intakeWrites = 4
	idlePoll     = time.Second
	retryDelay   = 5 * time.Second // before a request released after a store failure is run again
	maxAttempts  = 5               // runs of one request before it is given up
)

// owner names this process in the leases it takes.
func newOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b[:])
}

// intake is an envelope to record, then to acknowledge.
type intake struct {
	req     *store.Request
	ack     func() // acknowledges the envelope
	kind    string
	envType string
}

// storeState tracks whether the store could be written lately, for
// readiness.
type storeState struct {
	failed atomic.Bool
	mu     sync.Mutex
	last   error
}

func (s *storeState) set(err error) {
	s.failed.Store(err != nil)
	if err != nil {
		s.mu.Lock()
		s.last = err
		s.mu.Unlock()
	}
}

func (s *storeState) err() error {
	if !s.failed.Load() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Errorf("the database cannot be written: %w", s.last)
}

// requestKey is the delivery key of an envelope: the same for every
// delivery of one request.
func requestKey(evt socketmode.Event, typ string, payload []byte) string {
	switch d := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		if cb, ok := d.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
			return "evt:" + cb.EventID
		}
	case slack.SlashCommand:
		if d.TriggerID != "" {
			return "cmd:" + d.TriggerID
		}
	case slack.InteractionCallback:
		if d.TriggerID != "" {
			return "act:" + d.TriggerID
		}
	}
	sum := sha256.Sum256(append([]byte(typ+"\x00"), payload...))
	return "env:" + hex.EncodeToString(sum[:16])
}

// accept queues an envelope that brings work: it is acknowledged once
// recorded. When the intake is full (the store is far behind), the
// envelope is left unacknowledged and Slack delivers it again.
func (b *Bot) accept(in intake) {
	select {
	case b.intake <- in:
	default:
		b.lull.unacked.Add(-1)
		b.metrics.unacked.Inc("intake_full")
		b.log.Warn("too many envelopes waiting to be recorded: left for Slack to deliver again", "type", in.envType)
	}
}

// record writes the envelopes of the intake to the store and acknowledges
// them, until the intake is closed. It never makes an envelope wait behind
// a batch already being written: up to intakeWrites batches are written
// at once, each of the envelopes that came while none could start, so an
// envelope waits for at most one write besides its own, and only when
// intakeWrites are under way.
func (b *Bot) record() {
	slots := make(chan struct{}, intakeWrites)
	var writes sync.WaitGroup
	for {
		slots <- struct{}{}
		in, ok := <-b.intake
		if !ok {
			break
		}
		batch := make([]intake, 1, intakeBatch)
		batch[0] = in
	more:
		for len(batch) < intakeBatch {
			select {
			case in, ok := <-b.intake:
				if !ok {
					break more
				}
				batch = append(batch, in)
			default:
				break more
			}
		}
		writes.Go(func() {
			defer func() { <-slots }()
			b.recordBatch(batch)
		})
	}
	writes.Wait()
}

func (b *Bot) recordBatch(batch []intake) {
	reqs := make([]*store.Request, len(batch))
	for i, in := range batch {
		reqs[i] = in.req
	}
	defer b.lull.unacked.Add(-int64(len(batch)))
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout*4)
	fresh, err := b.st.Enqueue(ctx, reqs)
	cancel()
	b.storeState.set(err)
	if err != nil {
		// Not acknowledged: Slack delivers them again, to this process or
		// another, once the store can be written.
		b.metrics.unacked.Add(float64(len(batch)), "store_failed")
		b.log.Error("cannot record requests: not acknowledging them", "envelopes", len(batch), "err", err)
		return
	}
	woken := 0
	for i, in := range batch {
		in.ack()
		if !fresh[i] {
			b.metrics.duplicates.Inc(in.kind)
			b.log.Debug("request already recorded", "kind", in.kind)
			continue
		}
		if woken < cap(b.wake) {
			select {
			case b.wake <- struct{}{}:
				woken++
			default:
			}
		}
	}
}

// work claims requests and runs them until stop is closed.
func (b *Bot) work(stop <-chan struct{}) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		default:
		}
		// Claimed only once the envelopes that came are acknowledged:
		// neither the review nor the claim's own write delays them.
		b.lull.wait()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r, ok, err := b.st.Claim(ctx, b.owner, b.opts.Lease)
		cancel()
		b.storeState.set(err)
		if err != nil {
			b.log.Error("cannot claim a request", "err", err)
		}
		if ok {
			if r.TakenOver {
				b.metrics.takenOver.Inc()
				b.log.Info("took over a request whose lease ran out", "request", r.ID, "attempt", r.Attempts)
			}
			// A burst may have begun while it was claimed (a worker
			// polling when idle waited before it).
			b.lull.wait()
			b.runRequest(r)
			continue
		}
		t.Reset(idlePoll)
		select {
		case <-stop:
			return
		case <-b.wake:
		case <-t.C:
		}
	}
}

// run is the state of one run of a request, in its context.
type run struct {
	id    string
	again bool         // an earlier run of the request did not finish
	posts atomic.Int32 // messages posted so far
	// retry is set when the request could not be run for a reason of
	// the bot's own (the store failed): it is released to run again.
	retry atomic.Bool
}

type runKey struct{}

func runOf(ctx context.Context) *run {
	r, _ := ctx.Value(runKey{}).(*run)
	return r
}

// nextPostKey numbers the next message a run posts; "" outside a run.
func nextPostKey(ctx context.Context) string {
	r := runOf(ctx)
	if r == nil {
		return ""
	}
	return r.id + "/" + strconv.Itoa(int(r.posts.Add(1)))
}

// runRequest runs one claimed request, renewing its lease meanwhile, and
// finishes it, or releases it to be run again.
func (b *Bot) runRequest(r store.Request) {
	d := b.decide(r)
	if d.job == nil || r.Attempts > maxAttempts {
		if d.job != nil {
			b.log.Error("giving up a request that failed too often", "request", r.ID, "attempts", r.Attempts)
		}
		b.finish(r.ID)
		return
	}
	state := &run{id: r.ID, again: r.Attempts > 1}
	ctx, cancel := context.WithTimeout(context.WithValue(b.workCtx, runKey{}, state), jobTimeout)
	defer cancel()
	lost := make(chan struct{})
	go b.keepLease(ctx, r.ID, cancel, lost)
	b.runJob(ctx, d.kind, d.job, d.fail)
	cancel()
	<-lost
	switch {
	case b.workCtx.Err() != nil:
		// Past the shutdown timeout: the next process runs it again.
		b.release(r.ID, 0)
	case state.retry.Load():
		b.release(r.ID, retryDelay)
	default:
		b.finish(r.ID)
	}
}

// keepLease renews the lease of request id until ctx ends; when the lease
// is lost (another process took the request over), it cancels the run.
func (b *Bot) keepLease(ctx context.Context, id string, cancel func(), done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(b.opts.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ectx, ecancel := context.WithTimeout(ctx, b.opts.Lease/3)
		err := b.st.Extend(ectx, id, b.owner, b.opts.Lease)
		ecancel()
		if errors.Is(err, store.ErrLeaseLost) {
			b.log.Warn("lost the lease of a request: another process has it", "request", id)
			cancel()
			return
		}
		if err != nil && ctx.Err() == nil {
			b.log.Warn("cannot renew the lease of a request", "request", id, "err", err)
		}
	}
}

func (b *Bot) finish(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := b.st.Finish(ctx, id, b.owner)
	if !errors.Is(err, store.ErrLeaseLost) {
		b.storeState.set(err)
	}
	if err != nil {
		b.log.Error("cannot mark a request done", "request", id, "err", err)
	}
}

func (b *Bot) release(id string, delay time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.st.Release(ctx, id, b.owner, delay); err != nil {
		b.log.Warn("cannot release a request", "request", id, "err", err)
	}
}

// decide decodes a recorded envelope as slack-go does and routes it.
func (b *Bot) decide(r store.Request) (d decision) {
	received := r.ReceivedAt
	return b.route(func() decision {
		switch r.Type {
		case socketmode.RequestTypeEventsAPI:
			api, err := slackevents.ParseEvent(r.Payload, slackevents.OptionNoVerifyToken())
			if err == nil {
				return b.routeEvent(received, api)
			}
			var raw rawEvent
			var typeErr *json.UnmarshalTypeError
			if err := json.Unmarshal(r.Payload, &raw); (err != nil && !errors.As(err, &typeErr)) || raw.Type != slackevents.CallbackEvent {
				return decision{}
			}
			return b.routeMessage(received, raw.TeamID, raw.Event)
		case socketmode.RequestTypeSlashCommands:
			var cmd slack.SlashCommand
			if json.Unmarshal(r.Payload, &cmd) == nil {
				return b.routeCommand(received, cmd)
			}
		case socketmode.RequestTypeInteractive:
			var cb slack.InteractionCallback
			if json.Unmarshal(r.Payload, &cb) == nil {
				return b.routeInteraction(received, cb)
			}
		}
		return decision{}
	})
}
