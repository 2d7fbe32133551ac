package slackfake

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// Message is the current state of a message in a channel: after chat.update,
// response_url replacements and user edits.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string // parent's ts for a thread reply; empty at top level
	User     string // author; Config().BotUserID for the bot's posts
	BotID    string // set on the bot's posts
	Subtype  string // e.g. "file_share"
	Text     string
	// Blocks and Attachments are the JSON arrays as stored (blocks carry the
	// block_id Slack assigns when the bot gave none); nil when absent.
	Blocks      json.RawMessage
	Attachments json.RawMessage
	Files       []string // file IDs
	// ReplyBroadcast is set on a thread reply also sent to the channel.
	ReplyBroadcast bool
	// EphemeralTo is the recipient of an ephemeral message (chat.postEphemeral,
	// ephemeral responses); empty for channel messages.
	EphemeralTo string
	// Updated counts changes after posting (chat.update, replace_original,
	// EditMessage).
	Updated int
	// Reactions are the emoji on the message (reactions.add, React).
	Reactions []Reaction
	// Metadata is the message's metadata ({"event_type","event_payload"})
	// as the bot posted it; nil when none. Read methods return it (Slack
	// does with include_all_metadata).
	Metadata json.RawMessage

	editedTS string // ts of the last change, for "edited"
}

func (m *Message) clone() Message {
	c := *m
	c.Files = slices.Clone(m.Files)
	c.Reactions = make([]Reaction, len(m.Reactions))
	for i, r := range m.Reactions {
		c.Reactions[i] = Reaction{Name: r.Name, Users: slices.Clone(r.Users)}
	}
	if len(m.Reactions) == 0 {
		c.Reactions = nil
	}
	return c
}

// Ack is one acknowledgement the client sent on the link.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the ack carried none
	Received   time.Time
	// Problem is set when Slack would reject the ack's payload (an invalid
	// slash-command response or view), e.g. "invalid_blocks: ...".
	Problem string
}

// Envelope is a Socket Mode envelope as sent on the link.
type Envelope struct {
	ID                     string
	Type                   string // events_api, slash_commands, interactive
	Payload                json.RawMessage
	AcceptsResponsePayload bool
	RetryAttempt           int
	RetryReason            string
	// RetryOf is the envelope this one redelivers (not sent on the wire).
	RetryOf string
}

// Response is one post to a response_url, or the payload of a slash-command
// ack (FromAck), as received. Posts refused for their content are recorded
// with Error set; posts to expired, used-up or unknown URLs are not recorded.
type Response struct {
	URL             string
	Channel         string
	ResponseType    string // "in_channel" or "ephemeral" ("" when not given)
	Text            string
	Blocks          json.RawMessage
	ReplaceOriginal bool
	DeleteOriginal  bool
	ThreadTS        string
	Raw             json.RawMessage
	FromAck         bool
	// Error is the Slack error the post was refused with (e.g.
	// "invalid_blocks: ..."); empty when accepted.
	Error string
}

// View is a modal opened by views.open, in its current state.
type View struct {
	ID              string
	ExternalID      string
	User            string // the user it was opened for
	TriggerID       string
	CallbackID      string
	PrivateMetadata string
	Title           string
	Blocks          json.RawMessage
	Raw             json.RawMessage // the view object as last set by the bot
	Hash            string
	RootViewID      string
	Updated         int // views.update and response_action "update"
	Submitted       int // ViewSubmission count
}

// Upload is a file the bot uploaded and completed with
// files.completeUploadExternal.
type Upload struct {
	FileID         string
	Filename       string
	Title          string
	Content        []byte
	Channel        string // empty when not shared
	ThreadTS       string
	InitialComment string
	MessageTS      string // the file-share message, when shared
}

// Messages returns the messages of a channel (thread replies included) in
// ts order, excluding deleted and ephemeral ones.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return nil
	}
	out := make([]Message, 0, len(ch.msgs))
	for _, m := range ch.msgs {
		out = append(out, m.clone())
	}
	return out
}

// Ephemerals returns the ephemeral messages shown in a channel, oldest first.
func (s *Server) Ephemerals(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return nil
	}
	out := make([]Message, 0, len(ch.ephemerals))
	for _, m := range ch.ephemerals {
		out = append(out, m.clone())
	}
	return out
}

// WaitMessage waits until a message in any channel, ephemeral ones included,
// satisfies match, and returns it. match sees current state, so it can wait
// for an update of an existing message. It must not call the Server.
func (s *Server) WaitMessage(ctx context.Context, match func(Message) bool) (Message, error) {
	var found Message
	err := s.waitFor(ctx, func() bool {
		for _, id := range s.channelOrder {
			ch := s.channels[id]
			for _, list := range [][]*Message{ch.msgs, ch.ephemerals} {
				for _, m := range list {
					if c := m.clone(); match(c) {
						found = c
						return true
					}
				}
			}
		}
		return false
	})
	return found, err
}

// Responses returns the response_url posts and slash-command ack payloads,
// in arrival order.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.responses)
}

// WaitResponse waits until a response satisfies match and returns it.
func (s *Server) WaitResponse(ctx context.Context, match func(Response) bool) (Response, error) {
	var found Response
	err := s.waitFor(ctx, func() bool {
		for _, r := range s.responses {
			if match(r) {
				found = r
				return true
			}
		}
		return false
	})
	return found, err
}

// Views returns the views opened so far, in opening order.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, 0, len(s.viewOrder))
	for _, id := range s.viewOrder {
		out = append(out, *s.views[id])
	}
	return out
}

// WaitView waits until a view satisfies match and returns it.
func (s *Server) WaitView(ctx context.Context, match func(View) bool) (View, error) {
	var found View
	err := s.waitFor(ctx, func() bool {
		for _, id := range s.viewOrder {
			if v := *s.views[id]; match(v) {
				found = v
				return true
			}
		}
		return false
	})
	return found, err
}

// Uploads returns the completed uploads, in completion order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.completed)
	for i := range out {
		out[i].Content = slices.Clone(out[i].Content)
	}
	return out
}

// Calls reports how many requests a Web API method received (every request,
// failed or not). The file endpoints count as "files.download" and
// "files.upload_url", response URLs as "response_url".
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// WaitCalls waits until method has received at least n requests.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) error {
	return s.waitFor(ctx, func() bool { return s.calls[method] >= n })
}

// Envelopes returns every envelope recorded for delivery (sent, or still
// waiting for a link), redeliveries included, in order.
func (s *Server) Envelopes() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Envelope, 0, len(s.envOrder))
	for _, id := range s.envOrder {
		out = append(out, *s.envelopes[id])
	}
	return out
}

// Envelope returns the envelope with the given ID.
func (s *Server) Envelope(id string) (Envelope, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.envelopes[id]
	if !ok {
		return Envelope{}, false
	}
	return *e, true
}

// AckCount reports how many acks arrived for an envelope ID.
func (s *Server) AckCount(envelopeID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.acks[envelopeID])
}

// Acks returns the acks received for an envelope ID.
func (s *Server) Acks(envelopeID string) []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acks[envelopeID])
}

// WaitAck waits for the first ack of an envelope and returns it.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	var a Ack
	err := s.waitFor(ctx, func() bool {
		if acks := s.acks[envelopeID]; len(acks) > 0 {
			a = acks[0]
			return true
		}
		return false
	})
	return a, err
}
