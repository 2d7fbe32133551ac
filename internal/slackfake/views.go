package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func (s *Server) viewsOpen(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tid := r.params.Get("trigger_id")
	if tid == "" {
		tid = r.params.Get("interactivity_pointer")
	}
	raw := r.params.Get("view")
	if tid == "" || raw == "" {
		return nil, errCode("invalid_arguments")
	}
	t, ok := s.triggers[tid]
	switch {
	case !ok:
		return nil, &apiError{code: "invalid_arguments", messages: []string{"invalid `trigger_id`"}}
	case t.used:
		return nil, errCode("exchanged_trigger_id")
	case t.expired || time.Since(t.issued) > s.opts.TriggerTTL:
		return nil, errCode("expired_trigger_id")
	}
	v := &View{ID: s.newIDLocked("V"), User: t.user, TriggerID: tid}
	v.RootViewID = v.ID
	if e := s.setViewLocked(v, []byte(raw)); e != nil {
		return nil, e
	}
	t.used = true
	s.views[v.ID] = v
	s.viewOrder = append(s.viewOrder, v.ID)
	s.notifyLocked()
	return map[string]any{"view": s.viewObjectLocked(v)}, nil
}

func (s *Server) viewsUpdate(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw := r.params.Get("view")
	if raw == "" {
		return nil, errCode("invalid_arguments")
	}
	var v *View
	if id := r.params.Get("view_id"); id != "" {
		v = s.views[id]
	} else if ext := r.params.Get("external_id"); ext != "" {
		for _, id := range s.viewOrder {
			if s.views[id].ExternalID == ext {
				v = s.views[id]
			}
		}
	}
	if v == nil {
		return nil, errCode("not_found")
	}
	if h := r.params.Get("hash"); h != "" && h != v.Hash {
		return nil, errCode("hash_conflict")
	}
	if e := s.setViewLocked(v, []byte(raw)); e != nil {
		return nil, e
	}
	v.Updated++
	s.notifyLocked()
	return map[string]any{"view": s.viewObjectLocked(v)}, nil
}

// setViewLocked validates a view object and stores it into v with a new hash.
func (s *Server) setViewLocked(v *View, raw []byte) *apiError {
	obj, blocks, e := checkView(raw, s.blockIDLocked)
	if e != nil {
		return e
	}
	obj["blocks"] = json.RawMessage(blocks)
	full, err := marshal(obj)
	if err != nil {
		return errCode("invalid_arguments")
	}
	str := func(k string) string { x, _ := obj[k].(string); return x }
	v.CallbackID = str("callback_id")
	v.PrivateMetadata = str("private_metadata")
	v.ExternalID = str("external_id")
	if title, ok := obj["title"].(map[string]any); ok {
		v.Title, _ = title["text"].(string)
	}
	v.Blocks = blocks
	v.Raw = full
	s.seq++
	v.Hash = fmt.Sprintf("%d.%08x", 1700000000+s.seq, uint32(s.seq)*2654435761)
	return nil
}

// viewObjectLocked renders a view as views.open returns it.
func (s *Server) viewObjectLocked(v *View) map[string]any {
	var obj map[string]any
	json.Unmarshal(v.Raw, &obj)
	get := func(k string, def any) any {
		if x, ok := obj[k]; ok && x != nil {
			return x
		}
		return def
	}
	return map[string]any{
		"id":                    v.ID,
		"team_id":               s.opts.TeamID,
		"type":                  "modal",
		"blocks":                v.Blocks,
		"private_metadata":      v.PrivateMetadata,
		"callback_id":           v.CallbackID,
		"state":                 map[string]any{"values": map[string]any{}},
		"hash":                  v.Hash,
		"title":                 get("title", nil),
		"clear_on_close":        get("clear_on_close", false),
		"notify_on_close":       get("notify_on_close", false),
		"close":                 get("close", nil),
		"submit":                get("submit", nil),
		"previous_view_id":      nil,
		"root_view_id":          v.RootViewID,
		"app_id":                s.opts.AppID,
		"external_id":           v.ExternalID,
		"app_installed_team_id": s.opts.TeamID,
		"bot_id":                s.opts.BotID,
	}
}

// responseURL is an issued response_url.
type responseURL struct {
	id            string
	channel, user string
	// messageTS is the message a block action came from (replace_original
	// and delete_original act on it); empty for slash commands.
	messageTS string
	threadTS  string
	ephemeral bool
	created   time.Time
	uses      int
	expired   bool
}

func (s *Server) newResponseURLLocked(r *responseURL) string {
	s.seq++
	r.id = fmt.Sprintf("%s/%d/%016x", s.opts.TeamID, 1000000000+s.seq, uint64(s.seq)*0x9e3779b97f4a7c15)
	r.created = time.Now()
	s.responseURLs[r.id] = r
	return s.hs.URL + "/response/" + r.id
}

// ExpireResponseURL makes a response_url expired, as if ResponseURLTTL had
// passed.
func (s *Server) ExpireResponseURL(responseURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.responseURLs[strings.TrimPrefix(responseURL, s.hs.URL+"/response/")]; ok {
		r.expired = true
	}
}

// flexBool decodes true, false, "true" and "false".
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true":
		*b = true
	case "false", "null", "":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %s", data)
	}
	return nil
}

type responseBody struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal flexBool        `json:"replace_original"`
	DeleteOriginal  flexBool        `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
	raw             json.RawMessage
}

func decodeResponseBody(data []byte) (responseBody, error) {
	var b responseBody
	if err := json.Unmarshal(data, &b); err != nil {
		return b, err
	}
	if bytes.Equal(bytes.TrimSpace(b.Blocks), []byte("null")) {
		b.Blocks = nil
	}
	b.raw = append(json.RawMessage(nil), data...)
	return b, nil
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	if e := s.takeFault("response_url"); e != nil {
		writeError(w, e)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(data)); err == nil && form.Get("payload") != "" {
			data = []byte(form.Get("payload"))
		}
	}
	body, err := decodeResponseBody(data)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_payload"})
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ru, ok := s.responseURLs[strings.TrimPrefix(r.URL.Path, "/response/")]
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "invalid_url"})
		return
	case ru.expired || time.Since(ru.created) > s.opts.ResponseURLTTL:
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "expired_url"})
		return
	case ru.uses >= s.opts.ResponseURLUses:
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "used_url"})
		return
	}
	if e := s.applyResponseLocked(ru, body, false); e != nil {
		writeError(w, e)
		return
	}
	ru.uses++
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// applyResponseLocked validates and records a response (response_url post or
// slash-command ack payload) and applies it: replace or delete the original
// message, or post a new in_channel or ephemeral message.
func (s *Server) applyResponseLocked(ru *responseURL, body responseBody, fromAck bool) *apiError {
	rec := Response{
		Channel:         ru.channel,
		ResponseType:    body.ResponseType,
		Text:            body.Text,
		Blocks:          body.Blocks,
		ReplaceOriginal: bool(body.ReplaceOriginal),
		DeleteOriginal:  bool(body.DeleteOriginal),
		ThreadTS:        body.ThreadTS,
		Raw:             body.raw,
		FromAck:         fromAck,
	}
	if !fromAck {
		rec.URL = s.hs.URL + "/response/" + ru.id
	}
	e := s.applyResponseContentLocked(ru, body)
	if e != nil {
		rec.Error = apiErrorText(e)
	}
	s.responses = append(s.responses, rec)
	s.notifyLocked()
	return e
}

func (s *Server) applyResponseContentLocked(ru *responseURL, body responseBody) *apiError {
	var blocks json.RawMessage
	if body.Blocks != nil {
		var e *apiError
		if blocks, e = s.checkBlocksLocked(body.Blocks, surfaceMessage); e != nil {
			return e
		}
	}
	if runeLen(body.Text) > maxMessageText {
		return errCode("msg_too_long")
	}
	ch, ok := s.channels[ru.channel]
	if !ok {
		return errCode("channel_not_found")
	}
	if ru.messageTS != "" && (body.DeleteOriginal || body.ReplaceOriginal) {
		list := &ch.msgs
		if ru.ephemeral {
			list = &ch.ephemerals
		}
		for i, m := range *list {
			if m.TS != ru.messageTS {
				continue
			}
			if body.DeleteOriginal {
				*list = append((*list)[:i], (*list)[i+1:]...)
			} else {
				m.Text, m.Blocks = body.Text, blocks
				m.Updated++
				m.editedTS = s.nextTSLocked()
			}
			return nil
		}
		return errCode("message_not_found")
	}
	if body.Text == "" && blocks == nil {
		return errCode("no_text")
	}
	threadTS := body.ThreadTS
	if threadTS == "" {
		threadTS = ru.threadTS
	}
	m := &Message{
		Channel:  ch.id,
		TS:       s.nextTSLocked(),
		ThreadTS: threadRoot(ch, threadTS),
		User:     s.opts.BotUserID,
		BotID:    s.opts.BotID,
		Text:     body.Text,
		Blocks:   blocks,
	}
	if body.ResponseType == "in_channel" {
		s.postLocked(ch, m)
		return nil
	}
	m.EphemeralTo = ru.user
	ch.ephemerals = append(ch.ephemerals, m)
	return nil
}
