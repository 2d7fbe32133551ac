package slackfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// find returns the index and message with the given ts, or -1 and nil.
func (ch *channel) find(ts string) (int, *Message) {
	for i, m := range ch.msgs {
		if m.TS == ts {
			return i, m
		}
	}
	return -1, nil
}

// threadRoot maps a thread_ts to the thread's parent ts (a reply's ts
// is normalized to its parent, as Slack does).
func threadRoot(ch *channel, threadTS string) string {
	if threadTS == "" {
		return ""
	}
	if _, m := ch.find(threadTS); m != nil && m.ThreadTS != "" {
		return m.ThreadTS
	}
	return threadTS
}

// messageContent validates the text, blocks and attachments of a message
// post; requireContent answers no_text when all are empty. It is called
// without the lock: checking Block Kit is the dearest part of a post, and
// under the lock it would hold up every other call, acks included. Callers
// report its error after their own checks, in Slack's order.
func (s *Server) messageContent(p url.Values, requireContent bool) (text string, blocks, attachments json.RawMessage, e *apiError) {
	text = p.Get("text")
	if raw := p.Get("attachments"); raw != "" && raw != "[]" {
		var arr []json.RawMessage
		if json.Unmarshal([]byte(raw), &arr) != nil {
			return "", nil, nil, errCode("invalid_attachments")
		}
		if len(arr) > 0 {
			attachments = json.RawMessage(raw)
		}
	}
	if raw := p.Get("blocks"); raw != "" {
		blocks, e = checkBlocks([]byte(raw), surfaceMessage, s.blockID)
		if e != nil {
			return "", nil, nil, e
		}
	}
	if requireContent && text == "" && blocks == nil && attachments == nil {
		return "", nil, nil, errCode("no_text")
	}
	if runeLen(text) > maxMessageText {
		return "", nil, nil, errCode("msg_too_long")
	}
	return text, blocks, attachments, nil
}

func (s *Server) chatPostMessage(r *apiRequest) (map[string]any, *apiError) {
	text, blocks, attachments, contentErr := s.messageContent(r.params, true)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChannelLocked(r.params.Get("channel"))
	if e != nil {
		return nil, e
	}
	if !ch.im && !ch.member {
		return nil, errCode("not_in_channel")
	}
	if contentErr != nil {
		return nil, contentErr
	}
	m := &Message{
		Channel:     ch.id,
		TS:          s.nextTSLocked(),
		ThreadTS:    threadRoot(ch, r.params.Get("thread_ts")),
		User:        s.opts.BotUserID,
		BotID:       s.opts.BotID,
		Text:        text,
		Blocks:      blocks,
		Attachments: attachments,
	}
	m.ReplyBroadcast = m.ThreadTS != "" && r.params.Get("reply_broadcast") == "true"
	if md := r.params.Get("metadata"); md != "" && json.Valid([]byte(md)) {
		m.Metadata = json.RawMessage(md)
	}
	s.postLocked(ch, m)
	return map[string]any{"channel": ch.id, "ts": m.TS, "message": s.messageObjectLocked(ch, m)}, nil
}

// postLocked appends a message to a channel and, when configured, echoes the
// bot's own post back as a message event.
func (s *Server) postLocked(ch *channel, m *Message) {
	ch.msgs = append(ch.msgs, m)
	s.notifyLocked()
	if m.BotID != "" && s.opts.EchoBotMessages && (ch.im || ch.member) && !s.opts.OmitMessageEvents {
		ev := s.messageObjectLocked(ch, m)
		ev["channel"] = ch.id
		ev["event_ts"] = m.TS
		ev["channel_type"] = channelType(ch)
		env := s.eventEnvelopeLocked(ev, m.TS)
		s.spawnLocked(func() { s.deliver(s.ctx, env) })
	}
}

func (s *Server) chatUpdate(r *apiRequest) (map[string]any, *apiError) {
	text, blocks, attachments, contentErr := s.messageContent(r.params, false)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChannelLocked(r.params.Get("channel"))
	if e != nil {
		return nil, e
	}
	_, m := ch.find(r.params.Get("ts"))
	if m == nil {
		return nil, errCode("message_not_found")
	}
	if m.BotID == "" {
		return nil, errCode("cant_update_message")
	}
	if contentErr != nil {
		return nil, contentErr
	}
	// Absent fields keep their previous value; "blocks":[] clears blocks.
	newText, newBlocks, newAtt := m.Text, m.Blocks, m.Attachments
	if r.params.Has("text") {
		newText = text
	}
	if r.params.Has("blocks") {
		newBlocks = blocks
	}
	if r.params.Has("attachments") {
		newAtt = attachments
	}
	if newText == "" && newBlocks == nil && newAtt == nil {
		return nil, errCode("no_text")
	}
	m.Text, m.Blocks, m.Attachments = newText, newBlocks, newAtt
	m.Updated++
	m.editedTS = s.nextTSLocked()
	s.notifyLocked()
	msg := s.messageObjectLocked(ch, m)
	return map[string]any{"channel": ch.id, "ts": m.TS, "text": m.Text, "message": msg}, nil
}

func (s *Server) chatPostEphemeral(r *apiRequest) (map[string]any, *apiError) {
	text, blocks, attachments, contentErr := s.messageContent(r.params, true)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChannelLocked(r.params.Get("channel"))
	if e != nil {
		return nil, e
	}
	if !ch.im && !ch.member {
		return nil, errCode("not_in_channel")
	}
	to := r.params.Get("user")
	if _, ok := s.users[to]; !ok || (ch.im && ch.user != to) {
		return nil, errCode("user_not_in_channel")
	}
	if contentErr != nil {
		return nil, contentErr
	}
	m := &Message{
		Channel:     ch.id,
		TS:          s.nextTSLocked(),
		ThreadTS:    threadRoot(ch, r.params.Get("thread_ts")),
		User:        s.opts.BotUserID,
		BotID:       s.opts.BotID,
		Text:        text,
		Blocks:      blocks,
		Attachments: attachments,
		EphemeralTo: to,
	}
	ch.ephemerals = append(ch.ephemerals, m)
	s.notifyLocked()
	return map[string]any{"message_ts": m.TS}, nil
}

func (s *Server) chatDelete(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChannelLocked(r.params.Get("channel"))
	if e != nil {
		return nil, e
	}
	i, m := ch.find(r.params.Get("ts"))
	if m == nil {
		return nil, errCode("message_not_found")
	}
	if m.BotID == "" {
		return nil, errCode("cant_delete_message")
	}
	ch.msgs = append(ch.msgs[:i], ch.msgs[i+1:]...)
	s.notifyLocked()
	return map[string]any{"channel": ch.id, "ts": m.TS}, nil
}

func (s *Server) chatGetPermalink(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChannelLocked(r.params.Get("channel"))
	if e != nil {
		return nil, e
	}
	_, m := ch.find(r.params.Get("message_ts"))
	if m == nil {
		return nil, errCode("message_not_found")
	}
	link := fmt.Sprintf("https://%s.slack.com/archives/%s/p%s", s.opts.TeamDomain, ch.id, strings.ReplaceAll(m.TS, ".", ""))
	if m.ThreadTS != "" {
		link += "?thread_ts=" + m.ThreadTS + "&cid=" + ch.id
	}
	return map[string]any{"channel": ch.id, "permalink": link}, nil
}

// messageObjectLocked renders a message as Slack's API returns it.
func (s *Server) messageObjectLocked(ch *channel, m *Message) map[string]any {
	o := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
	if m.User != "" {
		o["user"] = m.User
	}
	if m.Subtype != "" {
		o["subtype"] = m.Subtype
	}
	if m.BotID != "" {
		o["bot_id"] = m.BotID
		o["app_id"] = s.opts.AppID
		o["bot_profile"] = map[string]any{
			"id":      s.opts.BotID,
			"app_id":  s.opts.AppID,
			"name":    s.opts.BotName,
			"deleted": false,
			"updated": 1700000000,
			"team_id": s.opts.TeamID,
		}
	}
	o["team"] = s.opts.TeamID
	if m.Metadata != nil {
		o["metadata"] = m.Metadata
	}
	if m.Blocks != nil {
		o["blocks"] = m.Blocks
	}
	if m.Attachments != nil {
		o["attachments"] = m.Attachments
	}
	if len(m.Files) > 0 {
		files := make([]any, 0, len(m.Files))
		for _, id := range m.Files {
			if f, ok := s.files[id]; ok {
				files = append(files, s.fileEventObjectLocked(f))
			}
		}
		o["files"] = files
		o["upload"] = m.BotID != ""
		o["display_as_bot"] = false
	}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
		if m.ThreadTS != m.TS {
			if _, parent := ch.find(m.ThreadTS); parent != nil {
				o["parent_user_id"] = parent.User
			}
			if m.ReplyBroadcast {
				o["subtype"] = "thread_broadcast"
			}
		}
	}
	if m.ThreadTS == "" || m.ThreadTS == m.TS {
		var replies []*Message
		for _, r := range ch.msgs {
			if r.ThreadTS == m.TS && r.TS != m.TS {
				replies = append(replies, r)
			}
		}
		if len(replies) > 0 {
			var users []string
			for _, r := range replies {
				if !containsString(users, r.User) {
					users = append(users, r.User)
				}
			}
			o["thread_ts"] = m.TS
			o["reply_count"] = len(replies)
			o["reply_users_count"] = len(users)
			o["reply_users"] = users
			o["latest_reply"] = replies[len(replies)-1].TS
			o["is_locked"] = false
			o["subscribed"] = false
		}
	}
	if len(m.Reactions) > 0 {
		o["reactions"] = reactionsObject(m.Reactions)
	}
	if m.Updated > 0 {
		o["edited"] = map[string]any{"user": m.User, "ts": m.editedTS}
	}
	return o
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var errNoSuchMessage = errors.New("slackfake: no such message")
