package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits enforced by the fake, from Slack's Block Kit reference. Lengths
// count Unicode code points.
const (
	maxMessageText   = 40000 // msg_too_long beyond this
	maxBlocksText    = 13000 // msg_blocks_too_long beyond this (undocumented by Slack; chosen)
	maxMessageBlocks = 50
	maxModalBlocks   = 100
)

// Error is a Slack error code with the problems Slack lists in
// response_metadata.messages (without the "[ERROR] " prefix).
type Error struct {
	Code     string
	Problems []string
}

func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		return e.Code
	}
	return e.Code + ": " + strings.Join(e.Problems, "; ")
}

// ValidateMessage checks a message's text and blocks (a JSON array, or nil)
// the way chat.postMessage does, returning nil or an *Error with code
// msg_too_long, invalid_blocks_format, invalid_blocks or msg_blocks_too_long.
// It lets a bot's unit tests check the cards they build without a server.
func ValidateMessage(text string, blocks json.RawMessage) error {
	if runeLen(text) > maxMessageText {
		return &Error{Code: "msg_too_long"}
	}
	if blocks == nil {
		return nil
	}
	if _, e := checkBlocks(blocks, surfaceMessage, nil); e != nil {
		return &Error{Code: e.code, Problems: e.problems}
	}
	return nil
}

// ValidateView checks a modal view object the way views.open does,
// returning nil or an *Error with code invalid_arguments.
func ValidateView(view json.RawMessage) error {
	if _, _, e := checkView(view, nil); e != nil {
		return &Error{Code: e.code, Problems: e.problems}
	}
	return nil
}

type surface int

const (
	surfaceMessage surface = iota
	surfaceModal
)

// checkBlocksLocked validates a blocks array for a surface and returns it
// re-encoded with block_ids assigned where missing.
func (s *Server) checkBlocksLocked(raw []byte, surf surface) (json.RawMessage, *apiError) {
	return checkBlocks(raw, surf, s.blockIDLocked)
}

// checkBlocks validates raw; newID, when not nil, names blocks lacking a
// block_id. An empty array yields nil blocks.
func checkBlocks(raw []byte, surf surface, newID func() string) (json.RawMessage, *apiError) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, errCode("invalid_blocks_format")
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, errCode("invalid_blocks_format")
	}
	var c checker
	max := maxMessageBlocks
	if surf == surfaceModal {
		max = maxModalBlocks
	}
	c.blocks(arr, "/blocks", max)
	if len(c.problems) > 0 {
		return nil, &apiError{code: "invalid_blocks", problems: c.problems}
	}
	if surf == surfaceMessage {
		if n := textChars(arr); n > maxBlocksText {
			return nil, &apiError{code: "msg_blocks_too_long", problems: []string{
				fmt.Sprintf("blocks contain %d characters of text, more than %d allowed [json-pointer:/blocks]", n, maxBlocksText),
			}}
		}
	}
	if len(arr) == 0 {
		return nil, nil
	}
	out, err := withBlockIDs(raw, arr, newID)
	if err != nil {
		return nil, errCode("invalid_blocks_format")
	}
	return out, nil
}

// withBlockIDs writes the blocks of raw (decoded as arr) back, compact,
// each as it was sent, with a block_id from newID first in those that
// have none (when newID is set). Splicing rather than re-encoding arr
// keeps the fake cheap: encoding decoded maps was the dearest part of a
// post.
func withBlockIDs(raw []byte, arr []any, newID func() string) (json.RawMessage, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != len(arr) {
		return nil, fmt.Errorf("blocks: %v", err)
	}
	var out, block bytes.Buffer
	out.WriteByte('[')
	for i, p := range parts {
		if i > 0 {
			out.WriteByte(',')
		}
		block.Reset()
		if err := json.Compact(&block, p); err != nil {
			return nil, err
		}
		m, isObject := arr[i].(map[string]any)
		if _, has := m["block_id"]; !isObject || has || newID == nil {
			out.Write(block.Bytes())
			continue
		}
		id, _ := json.Marshal(newID())
		out.WriteString(`{"block_id":`)
		out.Write(id)
		if rest := block.Bytes()[1:]; string(rest) != "}" {
			out.WriteByte(',')
			out.Write(rest)
		} else {
			out.WriteByte('}')
		}
	}
	out.WriteByte(']')
	return out.Bytes(), nil
}

// checkView validates a modal view object and returns it decoded, with its
// blocks re-encoded (block_ids assigned when newID is set).
func checkView(raw []byte, newID func() string) (map[string]any, json.RawMessage, *apiError) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, nil, &apiError{code: "invalid_arguments", problems: []string{"invalid JSON [json-pointer:/view]"}}
	}
	view, ok := v.(map[string]any)
	if !ok {
		return nil, nil, &apiError{code: "invalid_arguments", problems: []string{"must be an object [json-pointer:/view]"}}
	}
	var c checker
	if t, _ := view["type"].(string); t != "modal" {
		c.add("/view/type", "must be a valid enum value")
	}
	c.text(view["title"], "/view/title", true, 1, 24, true)
	if sub, ok := view["submit"]; ok && sub != nil {
		c.text(sub, "/view/submit", true, 1, 24, true)
	}
	if cl, ok := view["close"]; ok && cl != nil {
		c.text(cl, "/view/close", true, 1, 24, true)
	}
	c.optString(view, "private_metadata", "/view", 3000)
	c.optString(view, "callback_id", "/view", 255)
	c.optString(view, "external_id", "/view", 255)
	blocks, ok := view["blocks"].([]any)
	if !ok {
		c.add("/view", "missing required field: blocks")
	} else {
		c.blocks(blocks, "/view/blocks", maxModalBlocks)
		if view["submit"] == nil && hasInput(blocks) {
			c.add("/view", "must provide submit when using input blocks")
		}
	}
	if len(c.problems) > 0 {
		return nil, nil, &apiError{code: "invalid_arguments", problems: c.problems}
	}
	if newID != nil {
		assignBlockIDs(blocks, newID)
	}
	enc, err := marshal(blocks)
	if err != nil {
		return nil, nil, errCode("invalid_arguments")
	}
	return view, enc, nil
}

func hasInput(blocks []any) bool {
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok && m["type"] == "input" {
			return true
		}
	}
	return false
}

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func assignBlockIDs(blocks []any, newID func() string) {
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok {
			if _, has := m["block_id"]; !has {
				m["block_id"] = newID()
			}
		}
	}
}

// textChars adds up the characters of every "text" string in v.
func textChars(v any) int {
	n := 0
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			n += textChars(e)
		}
	case map[string]any:
		for k, e := range t {
			if s, ok := e.(string); ok && k == "text" {
				n += runeLen(s)
			} else {
				n += textChars(e)
			}
		}
	}
	return n
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

var knownBlockTypes = map[string]bool{
	"actions": true, "context": true, "context_actions": true, "divider": true,
	"file": true, "header": true, "image": true, "input": true, "markdown": true,
	"rich_text": true, "section": true, "table": true, "video": true, "call": true,
	"data_table": true, "data_visualization": true, "task_card": true, "plan": true,
	"alert": true, "auth_provider": true, "card": true, "carousel": true,
	"container": true, "layout": true,
}

var interactiveElements = map[string]bool{
	"button": true, "overflow": true, "datepicker": true, "timepicker": true,
	"datetimepicker": true, "checkboxes": true, "radio_buttons": true,
	"static_select": true, "external_select": true, "users_select": true,
	"conversations_select": true, "channels_select": true,
	"multi_static_select": true, "multi_external_select": true,
	"multi_users_select": true, "multi_conversations_select": true,
	"multi_channels_select": true, "workflow_button": true,
	"feedback_buttons": true, "icon_button": true,
}

var inputElements = map[string]bool{
	"plain_text_input": true, "email_text_input": true, "url_text_input": true,
	"number_input": true, "file_input": true, "rich_text_input": true,
	"datepicker": true, "timepicker": true, "datetimepicker": true,
	"checkboxes": true, "radio_buttons": true, "static_select": true,
	"external_select": true, "users_select": true, "conversations_select": true,
	"channels_select": true, "multi_static_select": true,
	"multi_external_select": true, "multi_users_select": true,
	"multi_conversations_select": true, "multi_channels_select": true,
}

// checker collects problems in Slack's wording, each ending in the JSON
// pointer of the offending value.
type checker struct {
	problems []string
}

func (c *checker) add(ptr, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

func (c *checker) length(s, ptr string, minLen, maxLen int) {
	n := runeLen(s)
	if n < minLen {
		c.add(ptr, "must be more than %d characters", minLen-1)
	}
	if maxLen > 0 && n > maxLen {
		c.add(ptr, "must be less than %d characters", maxLen+1)
	}
}

// optString checks an optional string field of obj.
func (c *checker) optString(obj map[string]any, key, ptr string, maxLen int) {
	v, ok := obj[key]
	if !ok || v == nil {
		return
	}
	s, isStr := v.(string)
	if !isStr {
		c.add(ptr+"/"+key, "must be a string")
		return
	}
	c.length(s, ptr+"/"+key, 0, maxLen)
}

func (c *checker) blocks(arr []any, ptr string, maxBlocks int) {
	if len(arr) > maxBlocks {
		c.add(ptr, "no more than %d items allowed", maxBlocks)
	}
	seen := map[string]bool{}
	for i, b := range arr {
		c.block(b, fmt.Sprintf("%s/%d", ptr, i), seen)
	}
}

func (c *checker) block(v any, ptr string, seen map[string]bool) {
	b, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must be an object")
		return
	}
	if id, has := b["block_id"]; has {
		s, isStr := id.(string)
		switch {
		case !isStr:
			c.add(ptr+"/block_id", "must be a string")
		case seen[s]:
			c.add(ptr+"/block_id", "duplicate block_id: %s", s)
		default:
			seen[s] = true
			c.length(s, ptr+"/block_id", 1, 255)
		}
	}
	t, _ := b["type"].(string)
	switch t {
	case "":
		c.add(ptr, "missing required field: type")
	case "section":
		text, hasText := b["text"]
		fields, hasFields := b["fields"]
		if !hasText && !hasFields {
			c.add(ptr, "must provide either text or fields")
		}
		if hasText {
			c.text(text, ptr+"/text", false, 1, 3000, true)
		}
		if hasFields {
			arr, ok := fields.([]any)
			if !ok {
				c.add(ptr+"/fields", "must be an array")
				break
			}
			if len(arr) > 10 {
				c.add(ptr+"/fields", "no more than 10 items allowed")
			}
			for i, f := range arr {
				c.text(f, fmt.Sprintf("%s/fields/%d", ptr, i), false, 1, 2000, true)
			}
		}
		if acc, ok := b["accessory"]; ok {
			c.element(acc, ptr+"/accessory", interactiveElements, true)
		}
	case "header":
		c.text(b["text"], ptr+"/text", true, 1, 150, true)
	case "divider":
	case "context":
		arr, ok := b["elements"].([]any)
		if !ok {
			c.add(ptr, "missing required field: elements")
			break
		}
		if len(arr) == 0 {
			c.add(ptr+"/elements", "must provide at least 1 item")
		}
		if len(arr) > 10 {
			c.add(ptr+"/elements", "no more than 10 items allowed")
		}
		for i, e := range arr {
			ep := fmt.Sprintf("%s/elements/%d", ptr, i)
			if m, ok := e.(map[string]any); ok && m["type"] == "image" {
				c.image(m, ep)
				continue
			}
			c.text(e, ep, false, 1, 0, true)
		}
	case "actions":
		arr, ok := b["elements"].([]any)
		if !ok {
			c.add(ptr, "missing required field: elements")
			break
		}
		if len(arr) == 0 {
			c.add(ptr+"/elements", "must provide at least 1 item")
		}
		if len(arr) > 25 {
			c.add(ptr+"/elements", "no more than 25 items allowed")
		}
		ids := map[string]bool{}
		for i, e := range arr {
			c.element(e, fmt.Sprintf("%s/elements/%d", ptr, i), interactiveElements, false)
			if el, ok := e.(map[string]any); ok {
				if id, ok := el["action_id"].(string); ok && id != "" {
					if ids[id] {
						c.add(fmt.Sprintf("%s/elements/%d/action_id", ptr, i), "duplicate action_id: %s", id)
					}
					ids[id] = true
				}
			}
		}
	case "image":
		c.image(b, ptr)
		if title, ok := b["title"]; ok {
			c.text(title, ptr+"/title", true, 1, 2000, true)
		}
	case "input":
		c.text(b["label"], ptr+"/label", true, 1, 2000, true)
		if hint, ok := b["hint"]; ok {
			c.text(hint, ptr+"/hint", true, 1, 2000, true)
		}
		if el, ok := b["element"]; ok {
			c.element(el, ptr+"/element", inputElements, false)
		} else {
			c.add(ptr, "missing required field: element")
		}
	case "markdown":
		s, ok := b["text"].(string)
		if !ok {
			c.add(ptr, "missing required field: text")
			break
		}
		c.length(s, ptr+"/text", 1, 12000)
	case "rich_text":
		if _, ok := b["elements"].([]any); !ok {
			c.add(ptr, "missing required field: elements")
		}
	default:
		if !knownBlockTypes[t] {
			c.add(ptr+"/type", "unsupported type: %s", t)
		}
	}
}

func (c *checker) image(m map[string]any, ptr string) {
	url, hasURL := m["image_url"]
	_, hasFile := m["slack_file"]
	if !hasURL && !hasFile {
		c.add(ptr, "missing required field: image_url")
	}
	if hasURL {
		if s, ok := url.(string); ok {
			c.length(s, ptr+"/image_url", 1, 3000)
		} else {
			c.add(ptr+"/image_url", "must be a string")
		}
	}
	alt, ok := m["alt_text"].(string)
	if !ok {
		c.add(ptr, "missing required field: alt_text")
		return
	}
	c.length(alt, ptr+"/alt_text", 0, 2000)
}

// text checks a text object. plainOnly refuses mrkdwn; maxLen 0 means no
// limit; required reports a missing object.
func (c *checker) text(v any, ptr string, plainOnly bool, minLen, maxLen int, required bool) {
	if v == nil {
		if required {
			c.add(ptr, "missing required field")
		}
		return
	}
	// Slack reports a bad text object as a failed union match first, then
	// the detail.
	before := len(c.problems)
	defer func() {
		if len(c.problems) > before {
			union := fmt.Sprintf("failed to match all allowed schemas [json-pointer:%s]", ptr)
			c.problems = append(c.problems[:before], append([]string{union}, c.problems[before:]...)...)
		}
	}()
	o, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must be an object")
		return
	}
	t, _ := o["type"].(string)
	switch t {
	case "plain_text":
	case "mrkdwn":
		if plainOnly {
			c.add(ptr+"/type", "must be a valid enum value: plain_text")
		}
		if _, has := o["emoji"]; has {
			c.add(ptr, "invalid additional property: emoji")
		}
	default:
		c.add(ptr+"/type", "must be a valid enum value")
	}
	s, ok := o["text"].(string)
	if !ok {
		c.add(ptr, "missing required field: text")
		return
	}
	c.length(s, ptr+"/text", minLen, maxLen)
}

func (c *checker) element(v any, ptr string, allowed map[string]bool, accessory bool) {
	e, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must be an object")
		return
	}
	t, _ := e["type"].(string)
	switch {
	case t == "":
		c.add(ptr, "missing required field: type")
		return
	case t == "image" && accessory:
		c.image(e, ptr)
		return
	case !allowed[t]:
		c.add(ptr+"/type", "unsupported type: %s", t)
		return
	}
	c.optString(e, "action_id", ptr, 255)
	if ph, ok := e["placeholder"]; ok {
		c.text(ph, ptr+"/placeholder", true, 1, 150, true)
	}
	switch t {
	case "button":
		c.text(e["text"], ptr+"/text", true, 1, 75, true)
		c.optString(e, "value", ptr, 2000)
		c.optString(e, "url", ptr, 3000)
		if st, ok := e["style"]; ok && st != "primary" && st != "danger" {
			c.add(ptr+"/style", "must be a valid enum value")
		}
		if conf, ok := e["confirm"]; ok {
			c.confirm(conf, ptr+"/confirm")
		}
	case "overflow":
		c.options(e["options"], ptr+"/options", 2, 5, true)
	case "static_select", "multi_static_select":
		if _, hasGroups := e["option_groups"]; !hasGroups {
			c.options(e["options"], ptr+"/options", 1, 100, true)
		}
	case "checkboxes", "radio_buttons":
		c.options(e["options"], ptr+"/options", 1, 10, false)
	case "plain_text_input":
		if ml, ok := e["max_length"].(json.Number); ok {
			if n, err := ml.Int64(); err != nil || n > 3000 || n < 1 {
				c.add(ptr+"/max_length", "must be between 1 and 3000")
			}
		}
	}
}

func (c *checker) options(v any, ptr string, minN, maxN int, plainOnly bool) {
	arr, ok := v.([]any)
	if !ok {
		c.add(ptr, "must be an array")
		return
	}
	if len(arr) < minN {
		c.add(ptr, "must provide at least %d items", minN)
	}
	if len(arr) > maxN {
		c.add(ptr, "no more than %d items allowed", maxN)
	}
	for i, o := range arr {
		op := fmt.Sprintf("%s/%d", ptr, i)
		m, ok := o.(map[string]any)
		if !ok {
			c.add(op, "must be an object")
			continue
		}
		c.text(m["text"], op+"/text", plainOnly, 1, 75, true)
		c.optString(m, "value", op, 150)
		if d, ok := m["description"]; ok {
			c.text(d, op+"/description", plainOnly, 1, 75, true)
		}
	}
}

func (c *checker) confirm(v any, ptr string) {
	m, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must be an object")
		return
	}
	c.text(m["title"], ptr+"/title", true, 1, 100, true)
	c.text(m["text"], ptr+"/text", false, 1, 300, true)
	c.text(m["confirm"], ptr+"/confirm", true, 1, 30, true)
	c.text(m["deny"], ptr+"/deny", true, 1, 30, true)
}
