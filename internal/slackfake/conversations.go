package slackfake

import (
	"net/url"
	"strconv"
	"strings"
)

func (s *Server) authTest(*apiRequest) (map[string]any, *apiError) {
	return map[string]any{
		"url":                   "https://" + s.opts.TeamDomain + ".slack.com/",
		"team":                  s.opts.TeamName,
		"user":                  s.opts.BotName,
		"team_id":               s.opts.TeamID,
		"user_id":               s.opts.BotUserID,
		"bot_id":                s.opts.BotID,
		"is_enterprise_install": false,
	}, nil
}

// resolveChannelLocked finds a channel by ID, "#name", name, or user ID (the
// bot's DM with that user), as chat.postMessage accepts.
func (s *Server) resolveChannelLocked(ref string) (*channel, *apiError) {
	if ref == "" {
		return nil, errCode("channel_not_found")
	}
	if ch, ok := s.channels[ref]; ok {
		return ch, nil
	}
	if _, ok := s.users[ref]; ok && (ref[0] == 'U' || ref[0] == 'W') {
		ch, err := s.dmLocked(ref)
		if err != nil {
			return nil, errCode("channel_not_found")
		}
		return ch, nil
	}
	name := strings.TrimPrefix(ref, "#")
	for _, id := range s.channelOrder {
		if ch := s.channels[id]; !ch.im && ch.name == name {
			return ch, nil
		}
	}
	return nil, errCode("channel_not_found")
}

// page applies limit and an offset cursor to n items.
func page(p url.Values, n int) (from, to int, next string, e *apiError) {
	limit := 100
	if l := p.Get("limit"); l != "" {
		v, err := strconv.Atoi(l)
		if err != nil || v < 0 {
			return 0, 0, "", errCode("invalid_limit")
		}
		if v > 0 {
			limit = min(v, 999)
		}
	}
	if c := p.Get("cursor"); c != "" {
		off, ok := decodeCursor(c)
		if !ok || off > n {
			return 0, 0, "", errCode("invalid_cursor")
		}
		from = off
	}
	to = min(n, from+limit)
	if to < n {
		next = encodeCursor(to)
	}
	return from, to, next, nil
}

func encodeCursor(off int) string {
	return strings.TrimRight(base64URL("offset:"+strconv.Itoa(off)), "=")
}

func decodeCursor(c string) (int, bool) {
	raw, ok := unbase64URL(c)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(raw, "offset:"))
	return n, err == nil && strings.HasPrefix(raw, "offset:")
}

func (s *Server) readableLocked(ref string) (*channel, *apiError) {
	ch, e := s.resolveChannelLocked(ref)
	if e != nil {
		return nil, e
	}
	if !ch.im && !ch.member {
		return nil, errCode("not_in_channel")
	}
	return ch, nil
}

// inRange applies oldest/latest/inclusive to a ts.
func inRange(p url.Values, ts string) bool {
	incl := p.Get("inclusive") == "1" || p.Get("inclusive") == "true"
	if o := p.Get("oldest"); o != "" && (ts < o || (!incl && ts == o)) {
		return false
	}
	if l := p.Get("latest"); l != "" && (ts > l || (!incl && ts == l)) {
		return false
	}
	return true
}

func (s *Server) conversationsHistory(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.readableLocked(r.params.Get("channel"))
	if e != nil {
		return nil, e
	}
	var top []*Message
	for i := len(ch.msgs) - 1; i >= 0; i-- { // newest first
		m := ch.msgs[i]
		if (m.ThreadTS == "" || m.ThreadTS == m.TS || m.ReplyBroadcast) && inRange(r.params, m.TS) {
			top = append(top, m)
		}
	}
	from, to, next, e := page(r.params, len(top))
	if e != nil {
		return nil, e
	}
	msgs := make([]any, 0, to-from)
	for _, m := range top[from:to] {
		msgs = append(msgs, s.messageObjectLocked(ch, m))
	}
	return map[string]any{
		"messages":              msgs,
		"has_more":              next != "",
		"pin_count":             0,
		"channel_actions_ts":    nil,
		"channel_actions_count": 0,
		"response_metadata":     map[string]any{"next_cursor": next},
	}, nil
}

func (s *Server) conversationsReplies(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.readableLocked(r.params.Get("channel"))
	if e != nil {
		return nil, e
	}
	root := threadRoot(ch, r.params.Get("ts"))
	_, parent := ch.find(root)
	if parent == nil {
		return nil, errCode("thread_not_found")
	}
	thread := []*Message{parent}
	for _, m := range ch.msgs {
		if m.ThreadTS == root && m.TS != root {
			thread = append(thread, m)
		}
	}
	var sel []*Message
	for _, m := range thread {
		if inRange(r.params, m.TS) {
			sel = append(sel, m)
		}
	}
	from, to, next, e := page(r.params, len(sel))
	if e != nil {
		return nil, e
	}
	msgs := make([]any, 0, to-from)
	for _, m := range sel[from:to] {
		msgs = append(msgs, s.messageObjectLocked(ch, m))
	}
	return map[string]any{
		"messages":          msgs,
		"has_more":          next != "",
		"response_metadata": map[string]any{"next_cursor": next},
	}, nil
}

func (s *Server) conversationsInfo(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.params.Get("channel")]
	if !ok {
		return nil, errCode("channel_not_found")
	}
	return map[string]any{"channel": s.channelObjectLocked(ch, r.params.Get("include_num_members") == "true")}, nil
}

func (s *Server) channelObjectLocked(ch *channel, numMembers bool) map[string]any {
	if ch.im {
		return map[string]any{
			"id":              ch.id,
			"created":         ch.created,
			"is_archived":     false,
			"is_im":           true,
			"is_org_shared":   false,
			"context_team_id": s.opts.TeamID,
			"updated":         ch.created * 1000,
			"user":            ch.user,
			"is_user_deleted": false,
			"priority":        0,
		}
	}
	o := map[string]any{
		"id":                         ch.id,
		"name":                       ch.name,
		"is_channel":                 true,
		"is_group":                   false,
		"is_im":                      false,
		"is_mpim":                    false,
		"is_private":                 false,
		"created":                    ch.created,
		"is_archived":                false,
		"is_general":                 false,
		"unlinked":                   0,
		"name_normalized":            ch.name,
		"is_shared":                  false,
		"is_org_shared":              false,
		"is_pending_ext_shared":      false,
		"pending_shared":             []string{},
		"context_team_id":            s.opts.TeamID,
		"updated":                    ch.created * 1000,
		"parent_conversation":        nil,
		"creator":                    "",
		"is_ext_shared":              false,
		"shared_team_ids":            []string{s.opts.TeamID},
		"pending_connected_team_ids": []string{},
		"is_member":                  ch.member,
		"topic":                      map[string]any{"value": "", "creator": "", "last_set": 0},
		"purpose":                    map[string]any{"value": "", "creator": "", "last_set": 0},
		"previous_names":             []string{},
	}
	if numMembers {
		o["num_members"] = len(s.users)
	}
	return o
}

func (s *Server) usersInfo(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[r.params.Get("user")]
	if !ok {
		return nil, errCode("user_not_found")
	}
	profile := map[string]any{
		"real_name":               u.name,
		"real_name_normalized":    u.name,
		"display_name":            u.name,
		"display_name_normalized": u.name,
		"status_text":             "",
		"status_emoji":            "",
		"avatar_hash":             "g0000000000a",
		"team":                    s.opts.TeamID,
	}
	o := map[string]any{
		"id":                  u.id,
		"team_id":             s.opts.TeamID,
		"name":                u.name,
		"deleted":             false,
		"color":               "9f69e7",
		"real_name":           u.name,
		"tz":                  "Europe/London",
		"tz_label":            "Greenwich Mean Time",
		"tz_offset":           0,
		"profile":             profile,
		"is_admin":            false,
		"is_owner":            false,
		"is_primary_owner":    false,
		"is_restricted":       false,
		"is_ultra_restricted": false,
		"is_bot":              u.bot,
		"is_app_user":         false,
		"updated":             1700000000,
	}
	if u.bot {
		profile["bot_id"] = s.opts.BotID
		profile["api_app_id"] = s.opts.AppID
		profile["always_active"] = false
	} else {
		profile["email"] = u.name + "@example.com"
		o["is_email_confirmed"] = true
	}
	// Slack returns the locale only when asked (include_locale=true).
	if r.params.Get("include_locale") == "true" {
		o["locale"] = u.locale
		if u.locale == "" {
			o["locale"] = "en-GB"
		}
	}
	return map[string]any{"user": o}, nil
}

func channelType(ch *channel) string {
	if ch.im {
		return "im"
	}
	return "channel"
}

func channelName(ch *channel) string {
	if ch.im {
		return "directmessage"
	}
	return ch.name
}
