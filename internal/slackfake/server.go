package slackfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Options configure a Server. The zero value is usable: every empty field
// gets the default documented on it.
type Options struct {
	BotToken          string // default "xoxb-fake-bot-token"
	AppToken          string // default "xapp-1-fake-app-token"
	VerificationToken string // the legacy "token" in payloads; default "fakeverificationtoken"
	TeamID            string // default "T0FAKE0001"
	TeamDomain        string // default "policycheck-test"
	TeamName          string // default "Policycheck Test"
	BotUserID         string // default "U0FAKEBOT1"
	BotID             string // default "B0FAKEBOT1"
	BotName           string // default "policycheck"
	AppID             string // default "A0FAKEAPP1"

	// PingInterval is how often the server sends a WebSocket PING on each
	// link. Default 5s; negative disables pings (slack-go then reconnects
	// after its own ping timeout, 30s by default).
	PingInterval time.Duration
	// RedeliverAfter, when positive, redelivers an envelope that is still
	// unacknowledged after this long, up to MaxRedeliveries times. Off by
	// default.
	RedeliverAfter time.Duration
	// MaxRedeliveries bounds timer redeliveries per envelope; default 3.
	MaxRedeliveries int
	// TriggerTTL is how long a trigger_id can open a view; default 3s.
	TriggerTTL time.Duration
	// ResponseURLTTL and ResponseURLUses bound a response_url; default 30
	// minutes and 5 posts.
	ResponseURLTTL  time.Duration
	ResponseURLUses int

	// OmitMessageEvents stops the "message" events that a bot subscribed to
	// message.channels / message.im receives (app_mention still arrives).
	OmitMessageEvents bool
	// EchoBotMessages delivers the bot's own posts back to it as "message"
	// events (with bot_id), as Slack does for a subscribed bot.
	EchoBotMessages bool

	// Logger receives debug records of requests; default discards. Tokens
	// and message text are never logged.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.BotToken, "xoxb-fake-bot-token")
	def(&o.AppToken, "xapp-1-fake-app-token")
	def(&o.VerificationToken, "fakeverificationtoken")
	def(&o.TeamID, "T0FAKE0001")
	def(&o.TeamDomain, "policycheck-test")
	def(&o.TeamName, "Policycheck Test")
	def(&o.BotUserID, "U0FAKEBOT1")
	def(&o.BotID, "B0FAKEBOT1")
	def(&o.BotName, "policycheck")
	def(&o.AppID, "A0FAKEAPP1")
	if o.PingInterval == 0 {
		o.PingInterval = 5 * time.Second
	}
	if o.MaxRedeliveries == 0 {
		o.MaxRedeliveries = 3
	}
	if o.TriggerTTL == 0 {
		o.TriggerTTL = 3 * time.Second
	}
	if o.ResponseURLTTL == 0 {
		o.ResponseURLTTL = 30 * time.Minute
	}
	if o.ResponseURLUses == 0 {
		o.ResponseURLUses = 5
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// ErrClosed is returned by waits and deliveries on a closed Server.
var ErrClosed = errors.New("slackfake: server closed")

// Server is a fake Slack workspace with one installed app. All methods are
// safe for concurrent use.
type Server struct {
	opts     Options
	hs       *httptest.Server
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	upgrader websocket.Upgrader

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	closed  bool

	seq   int64 // ID counter
	tsSeq int64 // message timestamp counter

	channels     map[string]*channel
	channelOrder []string
	users        map[string]*user
	files        map[string]*file
	uploads      map[string]*pendingUpload // by upload ID
	completed    []Upload
	views        map[string]*View
	viewOrder    []string
	triggers     map[string]*trigger
	responseURLs map[string]*responseURL
	responses    []Response
	reactionLog  []ReactionEvent
	calls        map[string]int
	faults       map[string][]fault
	failEvery    map[string]int

	envelopes map[string]*Envelope
	envOrder  []string
	acks      map[string][]Ack

	tickets     map[string]bool
	links       map[int]*link
	linkSeq     int
	turn        int // round-robin over links
	connections int
	pongs       int
}

type channel struct {
	id, name   string
	member     bool
	im         bool
	user       string // the other party of an IM
	created    int64
	msgs       []*Message // ts order
	ephemerals []*Message
}

type user struct {
	id, name string
	bot      bool
	// locale is what users.info says with include_locale=true, as Slack
	// writes it ("es-ES"); "en-GB" when not set.
	locale string
}

// New starts a Server on a loopback port. Close it when done.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts:         opts,
		ctx:          ctx,
		cancel:       cancel,
		changed:      make(chan struct{}),
		channels:     map[string]*channel{},
		users:        map[string]*user{},
		files:        map[string]*file{},
		uploads:      map[string]*pendingUpload{},
		views:        map[string]*View{},
		triggers:     map[string]*trigger{},
		responseURLs: map[string]*responseURL{},
		calls:        map[string]int{},
		faults:       map[string][]fault{},
		failEvery:    map[string]int{},
		envelopes:    map[string]*Envelope{},
		acks:         map[string][]Ack{},
		tickets:      map[string]bool{},
		links:        map[int]*link{},
	}
	s.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.users[opts.BotUserID] = &user{id: opts.BotUserID, name: opts.BotName, bot: true}

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link/", s.serveLink)
	mux.HandleFunc("/files-pri/", s.serveFile)
	mux.HandleFunc("/upload/v1/", s.serveUpload)
	mux.HandleFunc("/response/", s.serveResponseURL)
	mux.HandleFunc("/", s.serveSignIn)
	s.hs = httptest.NewServer(mux)
	return s
}

// Close disconnects every link and stops the server. Pending waits return
// ErrClosed.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	links := make([]*link, 0, len(s.links))
	for _, l := range s.links {
		links = append(links, l)
	}
	s.notifyLocked()
	s.mu.Unlock()

	s.cancel()
	for _, l := range links {
		l.ws.Close()
	}
	s.hs.Close()
	s.wg.Wait()
}

// URL is the server's base URL, "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.hs.URL }

// APIURL is the Web API base, ending in "/api/", for slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.hs.URL + "/api/" }

// Config returns the options in effect, defaults filled in (tokens, IDs).
func (s *Server) Config() Options { return s.opts }

// AddChannel registers a public channel. botIsMember decides whether the bot
// can post there and receives its message events.
func (s *Server) AddChannel(id, name string, botIsMember bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[id]; ok {
		ch.name, ch.member = name, botIsMember
	} else {
		s.addChannelLocked(&channel{id: id, name: name, member: botIsMember})
	}
	s.notifyLocked()
}

// SetMember makes the bot join (true) or leave (false) a channel.
func (s *Server) SetMember(channelID string, botIsMember bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok || ch.im {
		return fmt.Errorf("slackfake: no channel %q", channelID)
	}
	ch.member = botIsMember
	s.notifyLocked()
	return nil
}

// AddUser registers a workspace member.
func (s *Server) AddUser(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id] = &user{id: id, name: name}
	s.notifyLocked()
}

// SetLocale sets the language of a member's Slack client, which users.info
// returns as user.locale ("es-ES", "pt-BR") when asked with
// include_locale=true. Members start with "en-GB".
func (s *Server) SetLocale(id, locale string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return fmt.Errorf("slackfake: no user %q", id)
	}
	u.locale = locale
	s.notifyLocked()
	return nil
}

// DMChannel returns the ID ("D...") of the direct-message channel between the
// bot and userID, creating it on first use. The user must exist.
func (s *Server) DMChannel(userID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.dmLocked(userID)
	if err != nil {
		return "", err
	}
	return ch.id, nil
}

func (s *Server) dmLocked(userID string) (*channel, error) {
	if _, ok := s.users[userID]; !ok {
		return nil, fmt.Errorf("slackfake: no user %q", userID)
	}
	for _, id := range s.channelOrder {
		if ch := s.channels[id]; ch.im && ch.user == userID {
			return ch, nil
		}
	}
	ch := &channel{id: "D" + strings.TrimLeft(userID, "UW"), im: true, user: userID}
	if _, taken := s.channels[ch.id]; taken {
		ch.id = s.newIDLocked("D")
	}
	s.addChannelLocked(ch)
	return ch, nil
}

func (s *Server) addChannelLocked(ch *channel) {
	ch.created = 1700000000 - 86400
	s.channels[ch.id] = ch
	s.channelOrder = append(s.channelOrder, ch.id)
}

// notifyLocked wakes every waiter; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond (called with s.mu held) is true, ctx ends or the
// server closes.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		if ok {
			return nil
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// spawn runs f in a goroutine that Close waits for; once the server is
// closed it does nothing.
func (s *Server) spawn(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spawnLocked(f)
}

// spawnLocked is spawn for callers holding s.mu.
func (s *Server) spawnLocked(f func()) {
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// newIDLocked returns a fresh Slack-style ID with the given prefix.
func (s *Server) newIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%08d", prefix, s.seq)
}

// nextTSLocked returns a fresh, increasing message timestamp,
// "1700000000.000100" style.
func (s *Server) nextTSLocked() string {
	s.tsSeq++
	micros := int64(1700000000)*1_000_000 + s.tsSeq*100
	return fmt.Sprintf("%d.%06d", micros/1_000_000, micros%1_000_000)
}

// uuidLocked returns a fresh UUID-shaped identifier (envelope and client
// message IDs).
func (s *Server) uuidLocked() string {
	s.seq++
	return fmt.Sprintf("%08x-fa4e-4000-8000-%012x", s.seq, s.seq*7919)
}

// blockID returns a short block_id like those Slack assigns.
func (s *Server) blockID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blockIDLocked()
}

// blockIDLocked returns a short block_id like those Slack assigns.
func (s *Server) blockIDLocked() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	s.seq++
	n := s.seq*2654435761 + 17
	b := make([]byte, 4)
	for i := range b {
		b[i] = alphabet[n%int64(len(alphabet))]
		n /= int64(len(alphabet))
	}
	return string(b)
}

func tsSeconds(ts string) int64 {
	var sec int64
	fmt.Sscanf(ts, "%d.", &sec)
	return sec
}

// marshal encodes v as Slack does on the wire: no HTML escaping of <, >
// and &, which message text relies on.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
