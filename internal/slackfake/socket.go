package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// link is one Socket Mode WebSocket connection.
type link struct {
	id  int
	ws  *websocket.Conn
	wmu sync.Mutex // serializes data frames; control frames need no lock
	// routable is false once the link is told to disconnect or found dead;
	// guarded by Server.mu, as delivered is.
	routable  bool
	delivered int // envelopes written to it
}

func (l *link) write(data []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if err := l.ws.SetWriteDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	return l.ws.WriteMessage(websocket.TextMessage, data)
}

// wireEnvelope is an envelope as Slack sends it.
type wireEnvelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Payload                json.RawMessage `json:"payload"`
	Type                   string          `json:"type"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

// connectionsOpen answers apps.connections.open with a one-use link URL.
func (s *Server) connectionsOpen(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	ticket := s.uuidLocked()
	s.tickets[ticket] = true
	s.mu.Unlock()
	u := "ws://" + strings.TrimPrefix(s.hs.URL, "http://") + "/link/?ticket=" + ticket + "&app_id=" + s.opts.AppID
	return map[string]any{"url": u}, nil
}

// serveLink upgrades a link request, sends hello and then serves acks until
// the connection ends.
func (s *Server) serveLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket] && !s.closed
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.opts.Logger.Debug("slackfake: upgrade failed", "err", err)
		return
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.linkSeq++
	l := &link{id: s.linkSeq, ws: ws}
	s.links[l.id] = l
	s.connections++
	live := 0
	for _, other := range s.links {
		if other.routable || other == l {
			live++
		}
	}
	s.mu.Unlock()

	ws.SetPongHandler(func(string) error {
		s.mu.Lock()
		s.pongs++
		s.notifyLocked()
		s.mu.Unlock()
		return nil
	})

	hello, _ := marshal(map[string]any{
		"type":            "hello",
		"num_connections": live,
		"debug_info": map[string]any{
			"host":                        fmt.Sprintf("applink-fake-%d", l.id),
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": s.opts.AppID},
	})
	helloErr := l.write(hello)

	s.mu.Lock()
	l.routable = helloErr == nil
	s.notifyLocked()
	s.mu.Unlock()
	s.opts.Logger.Debug("slackfake: link connected", "link", l.id)

	done := make(chan struct{})
	if s.opts.PingInterval > 0 {
		s.spawn(func() { s.ping(l, done) })
	}
	if helloErr == nil {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				break
			}
			s.receive(data)
		}
	}
	close(done)
	ws.Close()

	s.mu.Lock()
	delete(s.links, l.id)
	s.notifyLocked()
	s.mu.Unlock()
	s.opts.Logger.Debug("slackfake: link closed", "link", l.id)
}

func (s *Server) ping(l *link, done <-chan struct{}) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-done:
			return
		case <-s.ctx.Done():
			return
		case <-t.C:
			if err := l.ws.WriteControl(websocket.PingMessage, []byte("ping-"+strconv.Itoa(n)), time.Now().Add(5*time.Second)); err != nil {
				return
			}
		}
	}
}

// receive records one frame from the client: an ack or something ignored.
func (s *Server) receive(data []byte) {
	var in struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &in); err != nil || in.EnvelopeID == "" {
		s.opts.Logger.Debug("slackfake: ignored frame from client", "bytes", len(data))
		return
	}
	if string(in.Payload) == "null" {
		in.Payload = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ack := Ack{EnvelopeID: in.EnvelopeID, Payload: in.Payload, Received: time.Now()}
	if env, ok := s.envelopes[in.EnvelopeID]; ok && len(s.acks[in.EnvelopeID]) == 0 && len(in.Payload) > 0 {
		ack.Problem = s.applyAckPayloadLocked(env, in.Payload)
	}
	s.acks[in.EnvelopeID] = append(s.acks[in.EnvelopeID], ack)
	s.notifyLocked()
}

// Connected reports whether a link is up and routable.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.routableLocked() != nil
}

// WaitConnected waits until a link is up and routable.
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.routableLocked() != nil })
}

// Connections reports how many links the client has opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// WaitConnections waits until the client has opened at least n links and one
// is routable (e.g. n = 2 after a Disconnect).
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() bool { return s.connections >= n && s.routableLocked() != nil })
}

// Pongs reports how many PONGs the client has answered to the server's pings.
func (s *Server) Pongs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pongs
}

// WaitPongs waits until the client has answered at least n pings.
func (s *Server) WaitPongs(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() bool { return s.pongs >= n })
}

// routableLocked returns the newest routable link, or nil.
func (s *Server) routableLocked() *link {
	var best *link
	for _, l := range s.links {
		if l.routable && (best == nil || l.id > best.id) {
			best = l
		}
	}
	return best
}

// nextLinkLocked picks the link for the next envelope: like Slack, which
// spreads an app's envelopes over its connections, it takes the routable
// links in turn.
func (s *Server) nextLinkLocked() *link {
	var ids []int
	for id, l := range s.links {
		if l.routable {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	s.turn++
	return s.links[ids[s.turn%len(ids)]]
}

// LinkDeliveries reports how many envelopes each link that is still open
// received, by link number (1 for the first link opened).
func (s *Server) LinkDeliveries() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]int{}
	for id, l := range s.links {
		out[id] = l.delivered
	}
	return out
}

// Disconnect sends {"type":"disconnect","reason":reason} on every routable
// link (reason: "refresh_requested", "warning" or "link_disabled") and stops
// routing envelopes to them; slack-go then opens a new link.
func (s *Server) Disconnect(reason string) error {
	s.mu.Lock()
	var targets []*link
	for _, l := range s.links {
		if l.routable {
			l.routable = false
			targets = append(targets, l)
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	if len(targets) == 0 {
		return errors.New("slackfake: no link to disconnect")
	}
	for _, l := range targets {
		frame, _ := marshal(map[string]any{
			"type":       "disconnect",
			"reason":     reason,
			"debug_info": map[string]any{"host": fmt.Sprintf("applink-fake-%d", l.id)},
		})
		if err := l.write(frame); err != nil {
			return fmt.Errorf("slackfake: write disconnect: %w", err)
		}
	}
	return nil
}

// DropConnection closes every link's TCP connection without a close frame.
func (s *Server) DropConnection() error {
	s.mu.Lock()
	var targets []*link
	for _, l := range s.links {
		l.routable = false
		targets = append(targets, l)
	}
	s.notifyLocked()
	s.mu.Unlock()
	if len(targets) == 0 {
		return errors.New("slackfake: no link to drop")
	}
	for _, l := range targets {
		l.ws.NetConn().Close()
	}
	return nil
}

// Send delivers a raw envelope: it waits for a routable link, then writes it.
// An empty ID gets a fresh one; the ID used is returned.
func (s *Server) Send(ctx context.Context, env Envelope) (string, error) {
	s.mu.Lock()
	if env.ID == "" {
		env.ID = s.uuidLocked()
	}
	s.mu.Unlock()
	e := env
	return e.ID, s.deliver(ctx, &e)
}

// Redeliver sends an envelope again, as Slack does when it got no ack: a new
// envelope ID, the same payload, retry_attempt+1 and retry_reason "timeout".
// It returns the new envelope ID.
func (s *Server) Redeliver(ctx context.Context, envelopeID string) (string, error) {
	return s.redeliver(ctx, envelopeID, "timeout")
}

func (s *Server) redeliver(ctx context.Context, envelopeID, reason string) (string, error) {
	s.mu.Lock()
	orig, ok := s.envelopes[envelopeID]
	if !ok {
		s.mu.Unlock()
		return "", fmt.Errorf("slackfake: no envelope %q", envelopeID)
	}
	e := *orig
	e.ID = s.uuidLocked()
	e.RetryAttempt = orig.RetryAttempt + 1
	e.RetryReason = reason
	e.RetryOf = orig.ID
	s.mu.Unlock()
	return e.ID, s.deliver(ctx, &e)
}

// deliver records env and writes it to the newest routable link, waiting for
// one if needed. A failed write retries on the next link.
func (s *Server) deliver(ctx context.Context, env *Envelope) error {
	data, err := marshal(wireEnvelope{
		EnvelopeID:             env.ID,
		Payload:                env.Payload,
		Type:                   env.Type,
		AcceptsResponsePayload: env.AcceptsResponsePayload,
		RetryAttempt:           env.RetryAttempt,
		RetryReason:            env.RetryReason,
	})
	if err != nil {
		return fmt.Errorf("slackfake: encode envelope: %w", err)
	}
	s.mu.Lock()
	if _, dup := s.envelopes[env.ID]; !dup {
		s.envOrder = append(s.envOrder, env.ID)
	}
	s.envelopes[env.ID] = env
	s.mu.Unlock()

	for {
		var l *link
		if err := s.waitFor(ctx, func() bool { l = s.nextLinkLocked(); return l != nil }); err != nil {
			return fmt.Errorf("slackfake: deliver %s envelope: %w", env.Type, err)
		}
		if err := l.write(data); err != nil {
			s.mu.Lock()
			l.routable = false
			s.notifyLocked()
			s.mu.Unlock()
			continue
		}
		s.mu.Lock()
		l.delivered++
		s.mu.Unlock()
		break
	}
	s.opts.Logger.Debug("slackfake: envelope sent", "type", env.Type, "envelope_id", env.ID, "retry_attempt", env.RetryAttempt)
	if s.opts.RedeliverAfter > 0 && env.RetryAttempt < s.opts.MaxRedeliveries {
		id := env.ID
		s.spawn(func() { s.redeliverIfUnacked(id) })
	}
	return nil
}

func (s *Server) redeliverIfUnacked(envelopeID string) {
	t := time.NewTimer(s.opts.RedeliverAfter)
	defer t.Stop()
	select {
	case <-s.ctx.Done():
		return
	case <-t.C:
	}
	if s.AckCount(envelopeID) > 0 {
		return
	}
	if _, err := s.redeliver(s.ctx, envelopeID, "timeout"); err != nil {
		s.opts.Logger.Debug("slackfake: redelivery failed", "envelope_id", envelopeID, "err", err)
	}
}
