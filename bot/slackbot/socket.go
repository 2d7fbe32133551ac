package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// The bot speaks Socket Mode itself rather than through slack-go's
// socketmode client. That client decodes every envelope in full, blocks
// into types included, on a single goroutine before the handler sees it,
// and its acks travel through two more goroutines: in a burst, each ack
// waits for the decoding of every envelope before it, and each hop waits
// for a busy processor. Here the goroutine that reads the link decodes only
// what routing needs, routes, and writes the ack itself; the rest of the
// decoding (a message's blocks) is left to the worker.

// Socket Mode frame types.
const (
	frameHello       = "hello"
	frameDisconnect  = "disconnect"
	frameEventsAPI   = "events_api"
	frameSlashCmd    = "slash_commands"
	frameInteractive = "interactive"
)

// Limits of the Socket Mode link.
const (
	// pingTimeout: Slack pings every few seconds; a link without a ping
	// for this long is dead and is replaced (Bot.pingTimeout).
	pingTimeout = 30 * time.Second
	// writeTimeout bounds a write on the link; a link that cannot take
	// an ack in this time is dead and is replaced.
	writeTimeout     = 5 * time.Second
	handshakeTimeout = 45 * time.Second
	// maxAckBytes: Slack drops Socket Mode responses of 20 KB or more.
	maxAckBytes = 20 * 1024
	// writeBuffer holds a whole ack, so that each is one frame.
	writeBuffer = 32 * 1024
	// Reconnection backoff, doubled after each failure to connect and
	// each link lost within shortLink.
	backoffInitial = 100 * time.Millisecond
	backoffMax     = 5 * time.Minute
	shortLink      = time.Second
)

// frame is a message from Slack on the link: hello, disconnect or an
// envelope.
type frame struct {
	Type         string          `json:"type"`
	EnvelopeID   string          `json:"envelope_id"`
	Payload      json.RawMessage `json:"payload"`
	RetryAttempt int             `json:"retry_attempt"`
	RetryReason  string          `json:"retry_reason"`
	Reason       string          `json:"reason"` // of a disconnect
}

// link is one Socket Mode connection.
type link struct {
	ws *websocket.Conn
	mu sync.Mutex // serializes data writes; pongs need no lock
}

// ackMessage is an acknowledgement as Slack expects it.
type ackMessage struct {
	EnvelopeID string `json:"envelope_id"`
	Payload    any    `json:"payload,omitempty"`
}

// ack acknowledges an envelope, with a response payload when not nil.
func (l *link) ack(envelopeID string, payload any) error {
	data, err := encodeAck(envelopeID, payload)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	return l.ws.WriteMessage(websocket.TextMessage, data)
}

// encodeAck is the frame of an ack; it fails when Slack would drop it.
func encodeAck(envelopeID string, payload any) ([]byte, error) {
	data, err := json.Marshal(ackMessage{EnvelopeID: envelopeID, Payload: payload})
	if err != nil {
		return nil, fmt.Errorf("encode ack: %w", err)
	}
	if len(data) >= maxAckBytes {
		return nil, fmt.Errorf("ack of %d bytes: Slack drops responses of %d bytes or more", len(data), maxAckBytes)
	}
	return data, nil
}

// serveSocket connects to Slack and serves the link, connecting again
// whenever it is lost or Slack asks for it, until ctx ends (nil) or Slack
// refuses the app-level token.
func (b *Bot) serveSocket(ctx context.Context) error {
	backoff := backoffInitial
	for connections := 0; ctx.Err() == nil; {
		b.log.Debug("connecting to Slack")
		l, err := b.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if fatalConnectError(err) {
				b.log.Error("Slack refused the app-level token (SLACK_APP_TOKEN)")
				return err
			}
			wait := backoff + rand.N(backoff/4+1)
			backoff = min(2*backoff, backoffMax)
			if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
				wait = max(wait, rl.RetryAfter)
			}
			b.log.Warn("cannot connect to Slack; retrying", "err", err, "in", wait)
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		if connections > 0 {
			b.metrics.reconnects.Inc()
		}
		connections++
		opened := time.Now()
		b.readLink(ctx, l)
		b.connected.Store(false)
		// A link lost at once is not opened again at once, lest the
		// bot and Slack go round in a tight loop.
		if time.Since(opened) >= shortLink {
			backoff = backoffInitial
		} else if !sleep(ctx, backoff) {
			return nil
		} else {
			backoff = min(2*backoff, backoffMax)
		}
	}
	return nil
}

// fatalConnectError reports whether a failure to open a link means the
// app-level token is refused, which retrying cannot mend.
func fatalConnectError(err error) bool {
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return sc.Code == http.StatusNotFound
	}
	switch errorCode(err) {
	case "invalid_auth", "account_inactive", "not_authed", "token_revoked":
		return true
	}
	return false
}

// connect opens a link: apps.connections.open, then the WebSocket.
func (b *Bot) connect(ctx context.Context) (*link, error) {
	_, url, err := b.api.StartSocketModeContext(ctx)
	if err != nil {
		return nil, err
	}
	dialer := &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: handshakeTimeout,
		WriteBufferSize:  writeBuffer,
	}
	ws, resp, err := dialer.DialContext(ctx, url, http.Header{"Origin": {"https://api.slack.com"}})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("open the Socket Mode link: %w", err)
	}
	return &link{ws: ws}, nil
}

// readLink reads the link until it fails, Slack asks to reconnect, no ping
// comes for pingTimeout, or ctx ends; then it closes it.
func (b *Bot) readLink(ctx context.Context, l *link) {
	done := make(chan struct{})
	defer close(done)
	pinged := make(chan struct{}, 1)
	l.ws.SetPingHandler(func(data string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		err := l.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
		if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
			b.log.Debug("cannot answer a ping", "err", err)
		}
		return nil
	})
	// The watchdog closes the link when ctx ends or pings stop, which
	// ends the read below.
	go func() {
		t := time.NewTimer(b.pingTimeout)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				l.ws.Close()
				return
			case <-pinged:
				t.Reset(b.pingTimeout)
			case <-t.C:
				b.log.Warn("no ping from Slack: reconnecting", "after", b.pingTimeout)
				l.ws.Close()
				return
			}
		}
	}()
	defer l.ws.Close()

	for {
		_, data, err := l.ws.ReadMessage()
		if err != nil {
			if ctx.Err() == nil {
				b.log.Info("the Socket Mode link was lost: reconnecting", "err", err)
			}
			return
		}
		if !b.frame(l, data) {
			return
		}
	}
}

// frame handles one message from Slack and reports whether to keep the
// link.
func (b *Bot) frame(l *link, data []byte) bool {
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		b.log.Warn("Slack sent a frame that is not JSON", "bytes", len(data), "err", err)
		return true
	}
	switch f.Type {
	case frameHello:
		b.connected.Store(true)
		b.log.Info("connected to Slack")
	case frameDisconnect:
		b.connected.Store(false)
		b.log.Info("Slack asked to reconnect", "reason", f.Reason)
		return false
	case frameEventsAPI, frameSlashCmd, frameInteractive:
		b.envelope(l, f)
	default:
		b.log.Warn("Slack sent a frame the bot does not know", "type", f.Type, "envelope_id", f.EnvelopeID)
		if f.EnvelopeID != "" {
			// Acknowledged, so that Slack does not send it again.
			b.metrics.received.Inc(f.Type)
			b.dispatch(l, f.EnvelopeID, f.Type, decision{})
		}
	}
	return true
}

// sleep waits for d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
