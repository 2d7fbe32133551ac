package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// MessageOptions shape a user's message.
type MessageOptions struct {
	// ThreadTS posts the message as a reply in that thread (a reply's ts is
	// normalized to its parent).
	ThreadTS string
	// Files attaches files registered with AddFile: the message gets
	// subtype "file_share" and "files" (app_mention carries them too).
	Files []string
	// Verbatim sends Text exactly as given. Otherwise Text is what the user
	// typed and is encoded as Slack does: &, < and > escaped, URLs and bare
	// domain names turned into <http://...|...> links, <@U...> mentions kept,
	// plus a rich_text block in which code (```...```) keeps the raw text.
	Verbatim bool
}

// Delivery is the outcome of a user message: its ts and the envelopes sent
// for it (app_mention first, then message), none if the bot cannot see it.
type Delivery struct {
	TS        string
	Envelopes []string
}

// Mention posts a message from userID in a channel that mentions the bot
// ("<@BOT> " is prepended unless text already contains it). When the bot is
// a member it receives app_mention and, unless OmitMessageEvents, the message
// event for the same ts; otherwise the message is only stored.
func (s *Server) Mention(ctx context.Context, channelID, userID, text string, opts MessageOptions) (Delivery, error) {
	mention := "<@" + s.opts.BotUserID + ">"
	if !strings.Contains(text, mention) {
		text = mention + " " + text
	}
	return s.userPost(ctx, channelID, userID, text, opts)
}

// Message posts a message from userID in a channel. The bot receives the
// message event when it is a member (and app_mention too if the text
// mentions it).
func (s *Server) Message(ctx context.Context, channelID, userID, text string, opts MessageOptions) (Delivery, error) {
	return s.userPost(ctx, channelID, userID, text, opts)
}

// DirectMessage posts a message from userID in their DM with the bot
// (channel_type "im"; no app_mention in DMs).
func (s *Server) DirectMessage(ctx context.Context, userID, text string, opts MessageOptions) (Delivery, error) {
	channelID, err := s.DMChannel(userID)
	if err != nil {
		return Delivery{}, err
	}
	return s.userPost(ctx, channelID, userID, text, opts)
}

// FileShare posts a message with files (see AddFile) in a channel or DM; it is
// Message with fileIDs added to opts.Files.
func (s *Server) FileShare(ctx context.Context, channelID, userID, text string, fileIDs []string, opts MessageOptions) (Delivery, error) {
	opts.Files = append(append([]string(nil), opts.Files...), fileIDs...)
	return s.userPost(ctx, channelID, userID, text, opts)
}

// EditMessage changes the text of a stored message as its author editing it
// would (the text is encoded as in MessageOptions). No event is delivered.
func (s *Server) EditMessage(channelID, ts, newText string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return fmt.Errorf("slackfake: no channel %q", channelID)
	}
	_, m := ch.find(ts)
	if m == nil {
		return fmt.Errorf("slackfake: edit %s in %s: %w", ts, channelID, errNoSuchMessage)
	}
	if m.BotID != "" {
		m.Text = newText
	} else {
		m.Text, m.Blocks = encodeTyped(newText, s.blockIDLocked())
	}
	m.Updated++
	m.editedTS = s.nextTSLocked()
	s.notifyLocked()
	return nil
}

func (s *Server) userPost(ctx context.Context, channelID, userID, text string, opts MessageOptions) (Delivery, error) {
	s.mu.Lock()
	ch, ok := s.channels[channelID]
	if !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: no channel %q", channelID)
	}
	if _, ok := s.users[userID]; !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: no user %q", userID)
	}
	for _, id := range opts.Files {
		if _, ok := s.files[id]; !ok {
			s.mu.Unlock()
			return Delivery{}, fmt.Errorf("slackfake: no file %q", id)
		}
	}
	m := &Message{
		Channel:  ch.id,
		TS:       s.nextTSLocked(),
		ThreadTS: threadRoot(ch, opts.ThreadTS),
		User:     userID,
		Files:    append([]string(nil), opts.Files...),
	}
	if opts.Verbatim {
		m.Text = text
	} else {
		m.Text, m.Blocks = encodeTyped(text, s.blockIDLocked())
	}
	if len(m.Files) > 0 {
		m.Subtype = "file_share"
	}
	for _, id := range m.Files {
		f := s.files[id]
		if !containsString(f.channels, ch.id) {
			f.channels = append(f.channels, ch.id)
		}
	}
	ch.msgs = append(ch.msgs, m)
	s.notifyLocked()

	var envs []*Envelope
	visible := ch.im || ch.member
	if visible && !ch.im && strings.Contains(m.Text, "<@"+s.opts.BotUserID+">") {
		envs = append(envs, s.eventEnvelopeLocked(s.userEventLocked(ch, m, "app_mention"), m.TS))
	}
	if visible && !s.opts.OmitMessageEvents {
		envs = append(envs, s.eventEnvelopeLocked(s.userEventLocked(ch, m, "message"), m.TS))
	}
	s.mu.Unlock()

	d := Delivery{TS: m.TS}
	for _, env := range envs {
		if err := s.deliver(ctx, env); err != nil {
			return d, err
		}
		d.Envelopes = append(d.Envelopes, env.ID)
	}
	return d, nil
}

// userEvent is a user's message as an Events API event, fields in Slack's
// order.
type userEvent struct {
	ClientMsgID  string            `json:"client_msg_id,omitempty"`
	Type         string            `json:"type"`
	Subtype      string            `json:"subtype,omitempty"`
	Text         string            `json:"text"`
	Files        []json.RawMessage `json:"files,omitempty"`
	Upload       *bool             `json:"upload,omitempty"`
	User         string            `json:"user"`
	DisplayAsBot *bool             `json:"display_as_bot,omitempty"`
	TS           string            `json:"ts"`
	Blocks       json.RawMessage   `json:"blocks,omitempty"`
	Team         string            `json:"team"`
	ThreadTS     string            `json:"thread_ts,omitempty"`
	ParentUserID string            `json:"parent_user_id,omitempty"`
	Channel      string            `json:"channel"`
	EventTS      string            `json:"event_ts"`
	ChannelType  string            `json:"channel_type,omitempty"`
}

func (s *Server) userEventLocked(ch *channel, m *Message, typ string) userEvent {
	ev := userEvent{
		ClientMsgID: s.uuidLocked(),
		Type:        typ,
		Text:        m.Text,
		User:        m.User,
		TS:          m.TS,
		Blocks:      m.Blocks,
		Team:        s.opts.TeamID,
		ThreadTS:    m.ThreadTS,
		Channel:     ch.id,
		EventTS:     m.TS,
	}
	if m.ThreadTS != "" {
		if _, parent := ch.find(m.ThreadTS); parent != nil {
			ev.ParentUserID = parent.User
		}
	}
	if len(m.Files) > 0 {
		no := false
		ev.Upload = &no
		for _, id := range m.Files {
			data, _ := marshal(s.fileEventObjectLocked(s.files[id]))
			ev.Files = append(ev.Files, data)
		}
	}
	if typ == "message" {
		ev.Subtype = m.Subtype
		ev.ChannelType = channelType(ch)
		if len(m.Files) > 0 {
			no := false
			ev.DisplayAsBot = &no
		}
	}
	return ev
}

// eventEnvelopeLocked wraps an event in event_callback and an events_api
// envelope.
func (s *Server) eventEnvelopeLocked(event any, ts string) *Envelope {
	evJSON, _ := marshal(event)
	eventID := s.newIDLocked("Ev")
	cb := struct {
		Token               string          `json:"token"`
		TeamID              string          `json:"team_id"`
		ContextTeamID       string          `json:"context_team_id"`
		ContextEnterpriseID *string         `json:"context_enterprise_id"`
		APIAppID            string          `json:"api_app_id"`
		Event               json.RawMessage `json:"event"`
		Type                string          `json:"type"`
		EventID             string          `json:"event_id"`
		EventTime           int64           `json:"event_time"`
		Authorizations      []authorization `json:"authorizations"`
		IsExtSharedChannel  bool            `json:"is_ext_shared_channel"`
		EventContext        string          `json:"event_context"`
	}{
		Token:          s.opts.VerificationToken,
		TeamID:         s.opts.TeamID,
		ContextTeamID:  s.opts.TeamID,
		APIAppID:       s.opts.AppID,
		Event:          evJSON,
		Type:           "event_callback",
		EventID:        eventID,
		EventTime:      tsSeconds(ts),
		Authorizations: []authorization{{TeamID: s.opts.TeamID, UserID: s.opts.BotUserID, IsBot: true}},
		EventContext:   "4-" + base64URL("fake-event-context:"+eventID),
	}
	payload, _ := marshal(cb)
	return &Envelope{ID: s.uuidLocked(), Type: "events_api", Payload: payload}
}

type authorization struct {
	EnterpriseID        *string `json:"enterprise_id"`
	TeamID              string  `json:"team_id"`
	UserID              string  `json:"user_id"`
	IsBot               bool    `json:"is_bot"`
	IsEnterpriseInstall bool    `json:"is_enterprise_install"`
}

// SlashCommand is a user invoking a slash command.
type SlashCommand struct {
	Command   string // e.g. "/policycheck"
	Text      string // as typed, sent verbatim
	ChannelID string // a channel (AddChannel) or DM (DMChannel); the bot need not be a member
	UserID    string
}

// SlashCommand delivers a slash_commands envelope (with a fresh response_url
// and trigger_id) and returns its envelope ID.
func (s *Server) SlashCommand(ctx context.Context, cmd SlashCommand) (string, error) {
	s.mu.Lock()
	ch, ok := s.channels[cmd.ChannelID]
	if !ok {
		s.mu.Unlock()
		return "", fmt.Errorf("slackfake: no channel %q", cmd.ChannelID)
	}
	u, ok := s.users[cmd.UserID]
	if !ok {
		s.mu.Unlock()
		return "", fmt.Errorf("slackfake: no user %q", cmd.UserID)
	}
	payload, _ := marshal(struct {
		Token               string `json:"token"`
		TeamID              string `json:"team_id"`
		TeamDomain          string `json:"team_domain"`
		ChannelID           string `json:"channel_id"`
		ChannelName         string `json:"channel_name"`
		UserID              string `json:"user_id"`
		UserName            string `json:"user_name"`
		Command             string `json:"command"`
		Text                string `json:"text"`
		APIAppID            string `json:"api_app_id"`
		IsEnterpriseInstall bool   `json:"is_enterprise_install"`
		ResponseURL         string `json:"response_url"`
		TriggerID           string `json:"trigger_id"`
	}{
		Token:       s.opts.VerificationToken,
		TeamID:      s.opts.TeamID,
		TeamDomain:  s.opts.TeamDomain,
		ChannelID:   ch.id,
		ChannelName: channelName(ch),
		UserID:      u.id,
		UserName:    u.name,
		Command:     cmd.Command,
		Text:        cmd.Text,
		APIAppID:    s.opts.AppID,
		ResponseURL: s.newResponseURLLocked(&responseURL{channel: ch.id, user: u.id}),
		TriggerID:   s.newTriggerLocked(u.id),
	})
	env := &Envelope{ID: s.uuidLocked(), Type: "slash_commands", Payload: payload, AcceptsResponsePayload: true}
	s.mu.Unlock()
	return env.ID, s.deliver(ctx, env)
}

// BlockAction is a user clicking a button in a message the bot posted,
// or in a modal it opened (ViewID).
type BlockAction struct {
	Channel   string
	MessageTS string // a channel message or an ephemeral one
	// ViewID, instead of Channel and MessageTS, is the open modal clicked
	// in; its user clicks when UserID is empty.
	ViewID   string
	ActionID string
	BlockID  string // optional, to pick among equal action_ids
	UserID   string
}

// BlockAction delivers a block_actions interactive envelope for a button
// found in the message's blocks, with container, channel, message,
// response_url and trigger_id as Slack sends them. It returns the envelope ID.
func (s *Server) BlockAction(ctx context.Context, a BlockAction) (string, error) {
	s.mu.Lock()
	env, err := s.blockActionLocked(a)
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	return env.ID, s.deliver(ctx, env)
}

func (s *Server) blockActionLocked(a BlockAction) (*Envelope, error) {
	if a.ViewID != "" {
		return s.viewActionLocked(a)
	}
	ch, ok := s.channels[a.Channel]
	if !ok {
		return nil, fmt.Errorf("slackfake: no channel %q", a.Channel)
	}
	u, ok := s.users[a.UserID]
	if !ok {
		return nil, fmt.Errorf("slackfake: no user %q", a.UserID)
	}
	_, m := ch.find(a.MessageTS)
	ephemeral := false
	if m == nil {
		for _, e := range ch.ephemerals {
			if e.TS == a.MessageTS && e.EphemeralTo == a.UserID {
				m, ephemeral = e, true
			}
		}
	}
	if m == nil {
		return nil, fmt.Errorf("slackfake: block action on %s in %s: %w", a.MessageTS, a.Channel, errNoSuchMessage)
	}
	blockID, el, err := findElement(m.Blocks, a.ActionID, a.BlockID)
	if err != nil {
		return nil, fmt.Errorf("slackfake: block action on %s: %w", a.MessageTS, err)
	}
	if el["type"] != "button" {
		return nil, fmt.Errorf("slackfake: element %q is a %v; only buttons are supported", a.ActionID, el["type"])
	}
	actionTS := s.nextTSLocked()
	action := map[string]any{
		"action_id": a.ActionID,
		"block_id":  blockID,
		"text":      el["text"],
		"type":      "button",
		"action_ts": actionTS,
	}
	if v, ok := el["value"]; ok {
		action["value"] = v
	}
	if st, ok := el["style"]; ok {
		action["style"] = st
	}
	container := map[string]any{
		"type":         "message",
		"message_ts":   m.TS,
		"channel_id":   ch.id,
		"is_ephemeral": ephemeral,
	}
	if m.ThreadTS != "" {
		container["thread_ts"] = m.ThreadTS
	}
	payload := map[string]any{
		"type":                  "block_actions",
		"user":                  map[string]any{"id": u.id, "username": u.name, "name": u.name, "team_id": s.opts.TeamID},
		"api_app_id":            s.opts.AppID,
		"token":                 s.opts.VerificationToken,
		"container":             container,
		"trigger_id":            s.newTriggerLocked(u.id),
		"team":                  map[string]any{"id": s.opts.TeamID, "domain": s.opts.TeamDomain},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": ch.id, "name": channelName(ch)},
		"state":                 map[string]any{"values": map[string]any{}},
		"response_url": s.newResponseURLLocked(&responseURL{
			channel: ch.id, user: u.id, messageTS: m.TS, threadTS: m.ThreadTS, ephemeral: ephemeral,
		}),
		"actions": []any{action},
	}
	if !ephemeral {
		payload["message"] = s.messageObjectLocked(ch, m)
	}
	data, _ := marshal(payload)
	return &Envelope{ID: s.uuidLocked(), Type: "interactive", Payload: data}, nil
}

// viewActionLocked is a block_actions envelope for a button in a modal:
// container of type "view", the view as it is now (hash, private_metadata),
// a fresh trigger_id and no response_url, as Slack sends it.
func (s *Server) viewActionLocked(a BlockAction) (*Envelope, error) {
	v, ok := s.views[a.ViewID]
	if !ok {
		return nil, fmt.Errorf("slackfake: no view %q", a.ViewID)
	}
	userID := a.UserID
	if userID == "" {
		userID = v.User
	}
	u, ok := s.users[userID]
	if !ok {
		return nil, fmt.Errorf("slackfake: no user %q", userID)
	}
	blockID, el, err := findElement(v.Blocks, a.ActionID, a.BlockID)
	if err != nil {
		return nil, fmt.Errorf("slackfake: block action in view %s: %w", v.ID, err)
	}
	if el["type"] != "button" {
		return nil, fmt.Errorf("slackfake: element %q is a %v; only buttons are supported", a.ActionID, el["type"])
	}
	action := map[string]any{
		"action_id": a.ActionID,
		"block_id":  blockID,
		"text":      el["text"],
		"type":      "button",
		"action_ts": s.nextTSLocked(),
	}
	if v, ok := el["value"]; ok {
		action["value"] = v
	}
	if st, ok := el["style"]; ok {
		action["style"] = st
	}
	payload := map[string]any{
		"type":                  "block_actions",
		"user":                  map[string]any{"id": u.id, "username": u.name, "name": u.name, "team_id": s.opts.TeamID},
		"api_app_id":            s.opts.AppID,
		"token":                 s.opts.VerificationToken,
		"container":             map[string]any{"type": "view", "view_id": v.ID},
		"trigger_id":            s.newTriggerLocked(u.id),
		"team":                  map[string]any{"id": s.opts.TeamID, "domain": s.opts.TeamDomain},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"view":                  s.viewObjectLocked(v),
		"actions":               []any{action},
	}
	data, _ := marshal(payload)
	return &Envelope{ID: s.uuidLocked(), Type: "interactive", Payload: data}, nil
}

// findElement finds an interactive element by action_id (and block_id when
// given) in a blocks array.
func findElement(blocks json.RawMessage, actionID, blockID string) (string, map[string]any, error) {
	if blocks == nil {
		return "", nil, fmt.Errorf("message has no blocks")
	}
	var arr []map[string]any
	if err := json.Unmarshal(blocks, &arr); err != nil {
		return "", nil, fmt.Errorf("decode blocks: %w", err)
	}
	for _, b := range arr {
		id, _ := b["block_id"].(string)
		if blockID != "" && id != blockID {
			continue
		}
		var candidates []any
		if els, ok := b["elements"].([]any); ok && (b["type"] == "actions" || b["type"] == "context_actions") {
			candidates = els
		}
		if acc, ok := b["accessory"]; ok {
			candidates = append(candidates, acc)
		}
		for _, c := range candidates {
			if el, ok := c.(map[string]any); ok && el["action_id"] == actionID {
				return id, el, nil
			}
		}
	}
	return "", nil, fmt.Errorf("no element with action_id %q", actionID)
}

// ViewSubmission is a user submitting a modal opened by the bot.
type ViewSubmission struct {
	ViewID string
	UserID string // default: the user the view was opened for
	Inputs []Input
}

// Input is the value of one input block in a submitted view. Inputs not
// given are sent with a null value, as Slack does.
type Input struct {
	BlockID  string
	ActionID string
	Value    string   // plain_text_input, email/url/number inputs; an option value for static_select
	Files    []string // file_input: IDs from AddFile
}

// ViewSubmission delivers a view_submission interactive envelope whose
// view.state.values hold the inputs, and returns its envelope ID. Each input
// must match an input block of the view and its element type.
func (s *Server) ViewSubmission(ctx context.Context, sub ViewSubmission) (string, error) {
	s.mu.Lock()
	env, err := s.viewSubmissionLocked(sub)
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	return env.ID, s.deliver(ctx, env)
}

func (s *Server) viewSubmissionLocked(sub ViewSubmission) (*Envelope, error) {
	v, ok := s.views[sub.ViewID]
	if !ok {
		return nil, fmt.Errorf("slackfake: no view %q", sub.ViewID)
	}
	userID := sub.UserID
	if userID == "" {
		userID = v.User
	}
	u, ok := s.users[userID]
	if !ok {
		return nil, fmt.Errorf("slackfake: no user %q", userID)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(v.Blocks, &blocks); err != nil {
		return nil, fmt.Errorf("slackfake: decode view blocks: %w", err)
	}
	given := map[[2]string]Input{}
	for _, in := range sub.Inputs {
		given[[2]string{in.BlockID, in.ActionID}] = in
	}
	values := map[string]any{}
	for _, b := range blocks {
		if b["type"] != "input" {
			continue
		}
		el, _ := b["element"].(map[string]any)
		blockID, _ := b["block_id"].(string)
		actionID, _ := el["action_id"].(string)
		typ, _ := el["type"].(string)
		key := [2]string{blockID, actionID}
		in, has := given[key]
		delete(given, key)
		state, err := s.inputStateLocked(typ, el, in, has)
		if err != nil {
			return nil, fmt.Errorf("slackfake: input %s/%s: %w", blockID, actionID, err)
		}
		values[blockID] = map[string]any{actionID: state}
	}
	for key := range given {
		return nil, fmt.Errorf("slackfake: view %s has no input block %q with action_id %q", v.ID, key[0], key[1])
	}
	view := s.viewObjectLocked(v)
	view["state"] = map[string]any{"values": values}
	payload := map[string]any{
		"type":                  "view_submission",
		"team":                  map[string]any{"id": s.opts.TeamID, "domain": s.opts.TeamDomain},
		"user":                  map[string]any{"id": u.id, "username": u.name, "name": u.name, "team_id": s.opts.TeamID},
		"api_app_id":            s.opts.AppID,
		"token":                 s.opts.VerificationToken,
		"trigger_id":            s.newTriggerLocked(u.id),
		"view":                  view,
		"response_urls":         []any{},
		"is_enterprise_install": false,
		"enterprise":            nil,
	}
	v.Submitted++
	s.notifyLocked()
	data, _ := marshal(payload)
	return &Envelope{ID: s.uuidLocked(), Type: "interactive", Payload: data, AcceptsResponsePayload: true}, nil
}

func (s *Server) inputStateLocked(typ string, el map[string]any, in Input, has bool) (map[string]any, error) {
	state := map[string]any{"type": typ}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		if has {
			if in.Files != nil {
				return nil, fmt.Errorf("files given for a %s", typ)
			}
			state["value"] = in.Value
		} else {
			state["value"] = nil
		}
	case "file_input":
		files := []any{}
		if has {
			if in.Value != "" {
				return nil, fmt.Errorf("value given for a file_input")
			}
			for _, id := range in.Files {
				f, ok := s.files[id]
				if !ok {
					return nil, fmt.Errorf("no file %q", id)
				}
				files = append(files, s.fileObjectLocked(f))
			}
		}
		state["files"] = files
	case "static_select":
		state["selected_option"] = nil
		if has {
			opt, err := findOption(el, in.Value)
			if err != nil {
				return nil, err
			}
			state["selected_option"] = opt
		}
	default:
		if has {
			return nil, fmt.Errorf("element type %q is not supported by the fake", typ)
		}
	}
	return state, nil
}

func findOption(el map[string]any, value string) (any, error) {
	opts, _ := el["options"].([]any)
	for _, o := range opts {
		if m, ok := o.(map[string]any); ok && m["value"] == value {
			return m, nil
		}
	}
	return nil, fmt.Errorf("no option with value %q", value)
}

// trigger is an issued trigger_id.
type trigger struct {
	issued  time.Time
	used    bool
	expired bool
	user    string
}

func (s *Server) newTriggerLocked(userID string) string {
	s.seq++
	id := fmt.Sprintf("%d.%d.%032x", 13345224609+s.seq, 738474920, uint64(s.seq)*0x9e3779b97f4a7c15)
	s.triggers[id] = &trigger{issued: time.Now(), user: userID}
	return id
}

// ExpireTrigger makes a trigger_id expired, as if TriggerTTL had passed.
func (s *Server) ExpireTrigger(triggerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.triggers[triggerID]; ok {
		t.expired = true
	}
}

// applyAckPayloadLocked acts on the payload of the first ack of env the way
// Slack does: a slash command's response, a view_submission's
// response_action. It returns a problem when Slack would refuse it.
func (s *Server) applyAckPayloadLocked(env *Envelope, payload json.RawMessage) string {
	switch env.Type {
	case "slash_commands":
		var cmd struct {
			ChannelID string `json:"channel_id"`
			UserID    string `json:"user_id"`
		}
		json.Unmarshal(env.Payload, &cmd)
		body, err := decodeResponseBody(payload)
		if err != nil {
			return "invalid_payload: " + err.Error()
		}
		if body.Text == "" && body.Blocks == nil {
			return ""
		}
		r := &responseURL{channel: cmd.ChannelID, user: cmd.UserID}
		if e := s.applyResponseLocked(r, body, true); e != nil {
			return apiErrorText(e)
		}
	case "interactive":
		var p struct {
			Type string `json:"type"`
			View struct {
				ID string `json:"id"`
			} `json:"view"`
		}
		json.Unmarshal(env.Payload, &p)
		if p.Type != "view_submission" {
			return ""
		}
		var ack struct {
			ResponseAction string          `json:"response_action"`
			View           json.RawMessage `json:"view"`
		}
		if err := json.Unmarshal(payload, &ack); err != nil {
			return "invalid_payload: " + err.Error()
		}
		switch ack.ResponseAction {
		case "update":
			v, ok := s.views[p.View.ID]
			if !ok {
				return "not_found"
			}
			if e := s.setViewLocked(v, ack.View); e != nil {
				return apiErrorText(e)
			}
			v.Updated++
		case "push":
			parent, ok := s.views[p.View.ID]
			if !ok {
				return "not_found"
			}
			v := &View{ID: s.newIDLocked("V"), User: parent.User, RootViewID: parent.RootViewID}
			if e := s.setViewLocked(v, ack.View); e != nil {
				return apiErrorText(e)
			}
			s.views[v.ID] = v
			s.viewOrder = append(s.viewOrder, v.ID)
		}
		s.notifyLocked()
	}
	return ""
}

func apiErrorText(e *apiError) string {
	if len(e.problems) == 0 {
		return e.code
	}
	return e.code + ": " + strings.Join(e.problems, "; ")
}
